/**
 * Messaging of one region.
 *
 * - Every region: the ops event bus (`<app>-<env>-ops`) with its archive, schemas, and forwarding of
 *   locally originated ops events to the other two regions' buses.
 * - Regions that run the trading core (primary, secondary): the MSK cluster, the catalog's topics, and
 *   the kafka client security group. It publishes the cluster ARN, the IAM bootstrap brokers and the
 *   client group under /<app>/<env>/messaging/kafka/…; other stacks read them with `importKafkaCluster`.
 * - A trading-core region that is not the writer (the secondary): MSK Replicator from the writer
 *   region's cluster, whose ARN, subnets and client group it reads from that region's parameter store.
 *
 * First deployment of an environment: AWS refuses multi-VPC connectivity (which the cross-region
 * Replicator needs on its source) while creating a cluster. Deploy with `-c msk-bootstrap=true` first
 * (clusters without it, no Replicator), then without (see docs/messaging.md).
 */
import { Annotations, Aws, Duration, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { TOPIC_NAMES } from '@shared/events';
import { REGION_ROLES, ROLE_CAPABILITIES, type RegionRole } from '../config';
import { CrossRegionParameter } from '../constructs/cross-region-parameter';
import { KafkaCluster } from '../constructs/kafka-cluster';
import { KafkaReplicator } from '../constructs/kafka-replicator';
import { KafkaTopics } from '../constructs/kafka-topics';
import { OpsEventBus } from '../constructs/ops-event-bus';
import type { KafkaParameter } from '../naming';
import { importPlatformVpc } from './network-stack';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

/** `-c msk-bootstrap=true`: the first deployment of a new environment (see the file comment). */
export const MSK_BOOTSTRAP_CONTEXT = 'msk-bootstrap';

/**
 * Bump to make the secondary read the primary's parameters again (after the primary's cluster was
 * replaced): CrossRegionParameter reads only when its inputs change.
 */
const SOURCE_PARAMETERS_REFRESH = '1';

/** Brokers live in the isolated (data) subnets; so do the Replicator's ENIs. */
const KAFKA_SUBNETS = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, tier: 'isolated' } as const;

export class MessagingStack extends PlatformStack {
  readonly opsBus: OpsEventBus;
  /** Only in regions that run the trading core. */
  readonly kafka?: KafkaCluster;
  readonly topics?: KafkaTopics;
  /** Only in a trading-core region that is not the writer. */
  readonly replicator?: KafkaReplicator;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description' | 'stateful'>) {
    const core = ROLE_CAPABILITIES[props.role].runsTradingCore;
    super(scope, id, {
      ...props,
      stateful: true,
      description: core
        ? `Messaging of the ${props.role} region: MSK cluster, topics${ROLE_CAPABILITIES[props.role].isWriterRegion ? '' : ', MSK Replicator'}, ops event bus`
        : `Messaging of the ${props.role} region: ops event bus`,
    });
    const bootstrap = isBootstrap(this.node.tryGetContext(MSK_BOOTSTRAP_CONTEXT));

    this.opsBus = new OpsEventBus(this, 'OpsBus', {
      busName: this.naming.opsBusName,
      archiveRetention: Duration.days(this.config.messaging.opsBus.archiveRetentionDays),
      forwardTo: REGION_ROLES.filter((r) => r !== this.role).map((r) => {
        const region = this.config.regions[r].region;
        return { region, busArn: this.naming.opsBusArn(Aws.PARTITION, region, this.account) };
      }),
      forwarderRoleName: this.naming.regionalPhysicalName(this.region, 'ops-forwarder'),
      removalPolicy: this.dataRemovalPolicy,
    });

    if (!core) return;
    if (bootstrap) {
      Annotations.of(this).addWarningV2(
        'platform:msk-bootstrap',
        'msk-bootstrap: MSK multi-VPC connectivity and the Replicator are left out. Deploy again without -c msk-bootstrap=true.',
      );
    }
    const settings = this.config.messaging.kafka;
    const vpc = importPlatformVpc(this, [KAFKA_SUBNETS.tier]);
    this.kafka = new KafkaCluster(this, 'Kafka', {
      clusterName: this.naming.kafkaClusterName,
      vpc,
      subnets: { subnetType: KAFKA_SUBNETS.subnetType },
      settings,
      logRetention: this.logRetention,
      removalPolicy: this.dataRemovalPolicy,
      // Every cluster that can take over may become a Replicator source (failback).
      multiVpcConnectivity: !bootstrap,
    });
    this.topics = new KafkaTopics(this, 'Topics', { clusterArn: this.kafka.clusterArn, settings, removalPolicy: this.dataRemovalPolicy });
    this.publish(this.kafka);

    if (!ROLE_CAPABILITIES[this.role].isWriterRegion && !bootstrap) {
      this.replicator = this.replicateFromWriter(this.kafka, vpc);
      // Our topics, with our settings, exist before the Replicator could create them its own way.
      for (const topic of this.topics.topics.values()) this.replicator.node.addDependency(topic);
    }
  }

  private publish(kafka: KafkaCluster): void {
    const put = (key: KafkaParameter, value: string, description: string) =>
      new ssm.StringParameter(this, `Param-kafka-${key}`, { parameterName: this.naming.kafkaParameter(key), stringValue: value, description });
    put('cluster-arn', kafka.clusterArn, 'MSK cluster ARN');
    put('bootstrap-brokers', kafka.bootstrapBrokers, 'MSK bootstrap brokers for IAM clients (host:9098,…)');
    put('client-security-group-id', kafka.clientSecurityGroup.securityGroupId, 'Security group a Kafka client joins to reach the brokers');
  }

  private replicateFromWriter(kafka: KafkaCluster, vpc: ec2.IVpc): KafkaReplicator {
    const writerRole = REGION_ROLES.find((r) => ROLE_CAPABILITIES[r].isWriterRegion) as RegionRole;
    const writerRegion = this.config.regions[writerRole].region;
    const read = (id: string, parameterName: string) =>
      new CrossRegionParameter(this, id, { region: writerRegion, parameterName, refreshToken: SOURCE_PARAMETERS_REFRESH, logRetention: this.logRetention }).value;
    const azs = this.config.regions[writerRole].availabilityZones.length;
    return new KafkaReplicator(this, 'Replicator', {
      replicatorName: this.naming.kafkaReplicatorName(writerRegion, this.region),
      roleName: this.naming.regionalPhysicalName(this.region, 'kafka-replicator'),
      source: {
        clusterArn: read('SourceClusterArn', this.naming.kafkaParameter('cluster-arn')),
        clusterName: this.naming.kafkaClusterName,
        region: writerRegion,
        subnetIds: Fn.split(',', read('SourceSubnets', this.naming.parameter('network', 'subnets', KAFKA_SUBNETS.tier)), azs),
        securityGroupIds: [read('SourceClientSecurityGroup', this.naming.kafkaParameter('client-security-group-id'))],
      },
      target: {
        clusterArn: kafka.clusterArn,
        clusterName: kafka.clusterName,
        region: this.region,
        subnetIds: vpc.selectSubnets({ subnetType: KAFKA_SUBNETS.subnetType }).subnetIds,
        securityGroupIds: [kafka.clientSecurityGroup.securityGroupId],
      },
      topics: TOPIC_NAMES,
      logRetention: this.logRetention,
      removalPolicy: this.dataRemovalPolicy,
    });
  }
}

function isBootstrap(value: unknown): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`-c ${MSK_BOOTSTRAP_CONTEXT}=${String(value)}: expected true or false`);
}

/** The region's MSK cluster as another stack of the same region sees it (resolved from SSM at deploy time). */
export interface ImportedKafkaCluster {
  readonly clusterArn: string;
  /** `host:9098,…` for IAM clients. */
  readonly bootstrapBrokers: string;
  /** Join it (add it to a function's or task's security groups) to reach the brokers. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

/**
 * Imports the region's MSK cluster from the messaging stack's parameters. Only trading-core regions
 * have one: asking for it elsewhere is a wiring mistake, reported at synth.
 */
export function importKafkaCluster(scope: PlatformStack): ImportedKafkaCluster {
  if (!ROLE_CAPABILITIES[scope.role].runsTradingCore) {
    throw new Error(`${scope.node.path}: the ${scope.role} region runs no MSK cluster (ROLE_CAPABILITIES.runsTradingCore is false)`);
  }
  const read = (key: KafkaParameter) => ssm.StringParameter.valueForStringParameter(scope, scope.naming.kafkaParameter(key));
  return {
    clusterArn: read('cluster-arn'),
    bootstrapBrokers: read('bootstrap-brokers'),
    clientSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(scope, 'KafkaClientSecurityGroup', read('client-security-group-id'), {
      allowAllOutbound: false,
      mutable: false,
    }),
  };
}
