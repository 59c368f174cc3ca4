/**
 * Builds the whole platform for one environment: the global stack, then one set of stacks per region,
 * each chosen by the region's role. bin/app.ts and the tests both call this, so what is tested is what
 * deploys.
 */
import type { App } from 'aws-cdk-lib';
import { REGION_ROLES, ROLE_CAPABILITIES, type DeployTarget, type PlatformConfig, type RegionRole } from './config';
import { applyCompliance } from './compliance';
import { Naming } from './naming';
import { ApplicationStack } from './stacks/application-stack';
import { GlobalStack } from './stacks/global-stack';
import { MessagingStack } from './stacks/messaging-stack';
import { NetworkStack } from './stacks/network-stack';
import { PlatformStack } from './stacks/platform-stack';

export interface RegionStacks {
  readonly role: RegionRole;
  readonly network: NetworkStack;
  readonly messaging: MessagingStack;
  /** Only in the regions that run the trading core (the engine). */
  readonly application?: ApplicationStack;
}

export interface Platform {
  readonly global: GlobalStack;
  readonly regions: readonly RegionStacks[];
  readonly stacks: readonly PlatformStack[];
}

export function buildPlatform(app: App, config: PlatformConfig, target: DeployTarget): Platform {
  const naming = Naming.of(config);
  const global = new GlobalStack(app, naming.globalStackId, { config, target });
  const regions = REGION_ROLES.map((role): RegionStacks => {
    const region = config.regions[role].region;
    const base = { config, target, role };
    const network = new NetworkStack(app, naming.regionStackId(region, 'network'), base);
    const messaging = new MessagingStack(app, naming.regionStackId(region, 'messaging'), base);
    // Deployment order only (no exports): messaging reads the network's SSM parameters.
    messaging.addStackDependency(network);
    if (!ROLE_CAPABILITIES[role].runsTradingCore) return { role, network, messaging };
    const application = new ApplicationStack(app, naming.regionStackId(region, 'application'), base);
    // Deployment order only: the engine reads the network's and messaging's (and data's) parameters.
    application.addStackDependency(messaging);
    return { role, network, messaging, application };
  });
  // The Replicator's region reads the writer region's messaging parameters: deploy that one first.
  const writer = regions.find((r) => ROLE_CAPABILITIES[r.role].isWriterRegion);
  for (const r of regions) {
    if (writer && r !== writer && ROLE_CAPABILITIES[r.role].runsTradingCore) r.messaging.addStackDependency(writer.messaging);
  }
  const stacks = app.node.children.filter((c): c is PlatformStack => c instanceof PlatformStack);
  applyCompliance(app);
  return { global, regions, stacks };
}
