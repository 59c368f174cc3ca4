/**
 * A provisioned MSK cluster as the platform runs it: brokers spread over the VPC's three isolated
 * subnets, IAM access control over TLS only (port 9098), TLS between brokers, data encrypted with a
 * customer-managed key, broker logs to CloudWatch Logs, enhanced monitoring, storage that grows by itself,
 * and no topic created by accident (topics are CloudFormation resources, see KafkaTopics).
 *
 * Two security groups: the brokers' admits 9098 from the "kafka client" group only; whatever must talk
 * to Kafka (engine tasks, Lambda consumers, the Replicator) joins the client group.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { PlatformConfig } from '../config';
import { SdkCallProvider } from './sdk-call-provider';

/** Kafka over SASL/IAM and TLS: the only listener the cluster opens. */
export const KAFKA_IAM_PORT = 9098;
/** Storage auto scaling keeps disk use per broker near this (percent). */
const STORAGE_TARGET_UTILIZATION = 60;

export interface KafkaClusterProps {
  readonly clusterName: string;
  readonly vpc: ec2.IVpc;
  /** Where the brokers live: one subnet per availability zone. */
  readonly subnets: ec2.SubnetSelection;
  readonly settings: PlatformConfig['messaging']['kafka'];
  readonly logRetention: logs.RetentionDays;
  /** Applied to the key, the cluster and its logs. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Multi-VPC private connectivity for IAM clients, which MSK Replicator needs on a cross-region source.
   * AWS refuses it when the cluster is created: create with false, then deploy again with true.
   */
  readonly multiVpcConnectivity: boolean;
}

export class KafkaCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** `host:9098,…` for IAM clients. */
  readonly bootstrapBrokers: string;
  /** Join this group to reach the brokers. */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly brokerSecurityGroup: ec2.SecurityGroup;
  readonly key: kms.Key;
  readonly cluster: msk.CfnCluster;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const { settings } = props;
    this.clusterName = props.clusterName;

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the data volumes of MSK cluster ${props.clusterName}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });

    this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSecurityGroup', {
      vpc: props.vpc,
      description: `MSK brokers of ${props.clusterName}: Kafka (IAM, TLS) from the kafka client group only`,
      allowAllOutbound: false,
    });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: props.vpc,
      description: `Kafka clients of ${props.clusterName}: may reach the brokers on ${KAFKA_IAM_PORT}`,
      allowAllOutbound: false,
    });
    this.brokerSecurityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(KAFKA_IAM_PORT), 'Kafka over IAM and TLS from kafka clients');
    this.clientSecurityGroup.addEgressRule(this.brokerSecurityGroup, ec2.Port.tcp(KAFKA_IAM_PORT), 'Kafka over IAM and TLS to the brokers');

    const brokerLogs = new logs.LogGroup(this, 'BrokerLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });

    const configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: props.clusterName,
      description: 'Topics only as CloudFormation resources; durable defaults',
      kafkaVersionsList: [settings.version],
      serverProperties: [
        // A typo in a producer's topic name must fail, not create a one-partition topic.
        'auto.create.topics.enable=false',
        `default.replication.factor=${settings.replicationFactor}`,
        `min.insync.replicas=${settings.minInsyncReplicas}`,
        // Never elect an out-of-sync replica: that loses acknowledged writes.
        'unclean.leader.election.enable=false',
      ].join('\n'),
    });

    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    this.cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      kafkaVersion: settings.version,
      numberOfBrokerNodes: settings.brokers,
      brokerNodeGroupInfo: {
        instanceType: settings.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups: [this.brokerSecurityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: settings.storage.initialGiB } },
        connectivityInfo: { vpcConnectivity: { clientAuthentication: { sasl: { iam: { enabled: props.multiVpcConnectivity } } } } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: this.key.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
      enhancedMonitoring: settings.enhancedMonitoring,
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
    });
    this.cluster.applyRemovalPolicy(props.removalPolicy);
    this.clusterArn = this.cluster.attrArn;

    this.autoScaleStorage(settings.storage);
    this.bootstrapBrokers = this.lookUpBootstrapBrokers(props.logRetention);
  }

  /** Grows each broker's volume before it fills (a full disk stops the broker); MSK never shrinks one. */
  private autoScaleStorage(storage: PlatformConfig['messaging']['kafka']['storage']): void {
    if (storage.maxGiB === storage.initialGiB) return;
    // L1 on purpose: without a RoleARN, Application Auto Scaling uses its service-linked role for MSK.
    const target = new appscaling.CfnScalableTarget(this, 'StorageScalableTarget', {
      serviceNamespace: 'kafka',
      scalableDimension: 'kafka:broker-storage:VolumeSize',
      resourceId: this.clusterArn,
      minCapacity: storage.initialGiB,
      maxCapacity: storage.maxGiB,
    });
    new appscaling.CfnScalingPolicy(this, 'StorageScalingPolicy', {
      policyName: `${this.clusterName}-storage`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: STORAGE_TARGET_UTILIZATION,
        predefinedMetricSpecification: { predefinedMetricType: 'KafkaBrokerStorageUtilization' },
        disableScaleIn: true,
        scaleOutCooldown: Duration.minutes(5).toSeconds(),
      },
    });
  }

  /**
   * CloudFormation has no attribute for the brokers: ask MSK once the cluster exists (and again when the
   * cluster is replaced, since its ARN is the call's only parameter).
   */
  private lookUpBootstrapBrokers(logRetention: logs.RetentionDays): string {
    const call = {
      service: 'Kafka',
      action: 'getBootstrapBrokers',
      parameters: { ClusterArn: this.clusterArn },
      physicalResourceId: PhysicalResourceId.of(this.clusterArn),
    };
    const provider = SdkCallProvider.of(this, logRetention);
    const lookup = new AwsCustomResource(this, 'BootstrapBrokers', {
      role: provider.role,
      logGroup: provider.logGroup,
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
    });
    return lookup.getResponseField('BootstrapBrokerStringSaslIam');
  }
}
