import { Match } from 'aws-cdk-lib/assertions';
import { REGION_ROLES } from '../../lib/config';
import { ALL_ENVIRONMENTS, platformOf } from '../helpers/platform';

const INTERFACE_SERVICES = ['ecr.api', 'ecr.dkr', 'logs', 'monitoring', 'secretsmanager', 'ssm', 'sts', 'kms'];

describe.each(ALL_ENVIRONMENTS)('network stacks in %s', (env) => {
  const platform = platformOf(env);
  const { config } = platform;

  it('exist once per region, named <app>-<env>-<region>-network, in the role\'s region', () => {
    expect(platform.regions.map((r) => r.network.stackName)).toEqual(
      REGION_ROLES.map((role) => `trading-${env}-${config.regions[role].region}-network`),
    );
    for (const { role, network } of platform.regions) expect(network.region).toBe(config.regions[role].region);
  });

  it.each(REGION_ROLES)('%s: a VPC over the three configured zones with public, private and isolated subnets', (role) => {
    const stack = platform.regions.find((r) => r.role === role)!.network;
    const t = platform.template(stack);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.regions[role].vpcCidr });
    t.resourceCountIs('AWS::EC2::Subnet', 9);
    for (const az of config.regions[role].availabilityZones) {
      t.resourcePropertiesCountIs('AWS::EC2::Subnet', { AvailabilityZone: az }, 3);
    }
    for (const tier of ['Public', 'Private', 'Isolated']) {
      t.resourcePropertiesCountIs(
        'AWS::EC2::Subnet',
        { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: tier }]) },
        3,
      );
    }
  });

  it('NAT gateways: one in dev, one per zone elsewhere', () => {
    const expected = env === 'dev' ? 1 : 3;
    for (const { network } of platform.regions) platform.template(network).resourceCountIs('AWS::EC2::NatGateway', expected);
  });

  it('flow logs of all traffic into a log group with the configured retention', () => {
    for (const { network } of platform.regions) {
      const t = platform.template(network);
      t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
      t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.network.flowLogRetentionDays });
    }
  });

  it('gateway endpoints for S3 and DynamoDB everywhere', () => {
    for (const { network } of platform.regions) {
      const t = platform.template(network);
      for (const service of ['s3', 'dynamodb']) {
        t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcEndpointType: 'Gateway',
          ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`.${service}`])] }),
        });
      }
    }
  });

  it(`interface endpoints ${env === 'dev' ? 'absent' : 'for every AWS API the platform calls'}`, () => {
    for (const { network } of platform.regions) {
      const t = platform.template(network);
      t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, env === 'dev' ? 0 : INTERFACE_SERVICES.length);
      if (env === 'dev') continue;
      for (const service of INTERFACE_SERVICES) {
        t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcEndpointType: 'Interface',
          PrivateDnsEnabled: true,
          ServiceName: `com.amazonaws.${network.region}.${service}`,
        });
      }
      // HTTPS from the VPC's own block only.
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [Match.objectLike({ CidrIp: network.regionConfig.vpcCidr, FromPort: 443, ToPort: 443 })],
      });
    }
  });

  it('restricts the default security group', () => {
    for (const { network } of platform.regions) platform.template(network).resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('publishes its ids under the naming module\'s SSM paths', () => {
    for (const { network } of platform.regions) {
      const t = platform.template(network);
      for (const key of ['vpc-id', 'vpc-cidr', 'subnets/public', 'subnets/private', 'subnets/isolated', 'route-tables/private']) {
        t.hasResourceProperties('AWS::SSM::Parameter', { Name: `/trading/${env}/network/${key}` });
      }
    }
  });

  it('tags every stack with application, environment, region role and cost centre', () => {
    for (const { role, network } of platform.regions) {
      expect(network.tags.tagValues()).toEqual({
        application: 'trading',
        environment: env,
        'region-role': role,
        'cost-centre': config.costCentre,
      });
    }
  });
});
