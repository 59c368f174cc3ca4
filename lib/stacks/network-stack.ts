/**
 * The network of one region: a VPC over the config's three availability zones with public,
 * private-with-egress (applications) and isolated (data stores) subnets, NAT per config, flow logs,
 * gateway endpoints for S3 and DynamoDB and, where config asks, interface endpoints for the AWS APIs
 * the platform calls from private subnets.
 *
 * It publishes its ids under /<app>/<env>/network/…; other stacks of the region import the VPC with
 * `importPlatformVpc`, never through CloudFormation exports.
 */
import { Annotations, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { Naming } from '../naming';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

/** Subnet tiers, by the name the VPC gives them and the SSM key they are published under. */
const TIERS = [
  { key: 'public', name: 'public', type: ec2.SubnetType.PUBLIC, extraMaskBits: 8 },
  { key: 'private', name: 'application', type: ec2.SubnetType.PRIVATE_WITH_EGRESS, extraMaskBits: 3 },
  { key: 'isolated', name: 'data', type: ec2.SubnetType.PRIVATE_ISOLATED, extraMaskBits: 6 },
] as const;

/** AWS APIs reached from private subnets without NAT: image pulls, logs, metrics, secrets, config, auth, keys. */
const INTERFACE_ENDPOINTS: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
};

export class NetworkStack extends PlatformStack {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description'>) {
    super(scope, id, { ...props, description: `Network of the ${props.role} region: VPC, subnets, NAT, endpoints, flow logs` });
    const vpcMask = Number(this.regionConfig.vpcCidr.split('/')[1]);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: this.naming.physicalName('vpc'),
      ipAddresses: ec2.IpAddresses.cidr(this.regionConfig.vpcCidr),
      availabilityZones: [...this.regionConfig.availabilityZones],
      natGateways: this.config.network.natGateways === 'one' ? 1 : this.regionConfig.availabilityZones.length,
      subnetConfiguration: TIERS.map((t) => ({ name: t.name, subnetType: t.type, cidrMask: vpcMask + t.extraMaskBits })),
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: this.config.network.flowLogRetentionDays as logs.RetentionDays,
      removalPolicy: this.dataRemovalPolicy,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    if (this.config.network.interfaceEndpoints) {
      // One security group for all endpoints: HTTPS from inside the VPC only (the config's literal CIDR).
      const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface endpoints: HTTPS from the VPC',
        allowAllOutbound: false,
      });
      endpointSg.addIngressRule(ec2.Peer.ipv4(this.regionConfig.vpcCidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
      for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
        this.vpc.addInterfaceEndpoint(name, {
          service,
          subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          securityGroups: [endpointSg],
          open: false,
        });
      }
    }

    this.publish(this.naming);
  }

  private publish(naming: Naming): void {
    const put = (key: string, value: string, description: string) =>
      new ssm.StringParameter(this, `Param-${key.replace(/\//g, '-')}`, {
        parameterName: naming.parameter('network', key),
        stringValue: value,
        description,
      });
    put('vpc-id', this.vpc.vpcId, 'VPC id');
    put('vpc-cidr', this.vpc.vpcCidrBlock, 'VPC IPv4 CIDR block');
    for (const tier of TIERS) {
      const subnets = this.vpc.selectSubnets({ subnetType: tier.type }).subnets;
      put(`subnets/${tier.key}`, Fn.join(',', subnets.map((s) => s.subnetId)), `${tier.key} subnet ids, one per AZ in config order`);
      put(`route-tables/${tier.key}`, Fn.join(',', subnets.map((s) => s.routeTable.routeTableId)), `${tier.key} route table ids, one per AZ`);
    }
  }
}

export type SubnetTier = (typeof TIERS)[number]['key'];

/**
 * The region's VPC as another stack of the same region sees it: ids resolved from SSM at deploy time
 * (no lookup at synth), zones from config. Only the tiers asked for are read, so a stack carries no
 * unused SSM parameters; the VPC's CIDR is the config's literal `regionConfig.vpcCidr`.
 */
export function importPlatformVpc(scope: PlatformStack, tiers: readonly SubnetTier[] = ['public', 'private', 'isolated']): ec2.IVpc {
  const read = (key: string) => ssm.StringParameter.valueForStringParameter(scope, scope.naming.parameter('network', key));
  const azs = [...scope.regionConfig.availabilityZones];
  const list = (key: string) => Fn.split(',', read(key), azs.length);
  const subnets = (key: SubnetTier) => (tiers.includes(key) ? list(`subnets/${key}`) : undefined);
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'PlatformVpc', {
    vpcId: read('vpc-id'),
    availabilityZones: azs,
    publicSubnetIds: subnets('public'),
    privateSubnetIds: subnets('private'),
    isolatedSubnetIds: subnets('isolated'),
  });
  // Route tables stay out on purpose: routes and gateway endpoints belong to the network stack alone.
  Annotations.of(vpc).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'consumers never touch route tables');
  return vpc;
}
