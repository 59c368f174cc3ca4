/**
 * The default region for each role, shared by every environment. Moving a role to another region is a
 * change here (or in one environment file), never in a stack. Each environment gets its own /16 per
 * region (second octet: environment base + role offset) so any two VPCs of the platform can be peered.
 */
import type { EnvironmentFile } from '../schema';

export function defaultRegions(cidrBase: number): EnvironmentFile['regions'] {
  return {
    primary: { region: 'us-east-1', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], vpcCidr: `10.${cidrBase}.0.0/16` },
    secondary: { region: 'us-west-2', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'], vpcCidr: `10.${cidrBase + 1}.0.0/16` },
    tertiary: { region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], vpcCidr: `10.${cidrBase + 2}.0.0/16` },
  };
}
