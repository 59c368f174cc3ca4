/**
 * MSK Replicator from one cluster to another (it lives in the target's region): the catalog's topics
 * under IDENTICAL names, their configs, and consumer-group offsets, so that consumers moved to the target
 * on failover resume where they left off. It reaches each cluster through ENIs in that cluster's subnets,
 * in that cluster's kafka client security group.
 */
import { ArnFormat, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';

export interface ReplicatedCluster {
  readonly clusterArn: string;
  /** Its name and region scope the Replicator's topic and group permissions. */
  readonly clusterName: string;
  readonly region: string;
  /** Subnets of the cluster's VPC for the Replicator's ENIs. */
  readonly subnetIds: string[];
  /** The cluster's kafka client security group. */
  readonly securityGroupIds: string[];
}

export interface KafkaReplicatorProps {
  readonly replicatorName: string;
  /** Account-wide, so it carries the region. */
  readonly roleName: string;
  readonly source: ReplicatedCluster;
  readonly target: ReplicatedCluster;
  /** Exact topic names (escaped into the Replicator's regular expressions). */
  readonly topics: readonly string[];
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The Replicator matches topics by regular expression: match these names exactly. */
export function exactTopicPattern(topic: string): string {
  return topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class KafkaReplicator extends Construct {
  readonly replicator: msk.CfnReplicator;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: KafkaReplicatorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const clusters = [props.source.clusterArn, props.target.clusterArn];
    // Every topic and group of both clusters, whatever the cluster's UUID: topic/<cluster name>/*.
    const everything = (kind: 'topic' | 'group') =>
      [props.source, props.target].map((c) => {
        const arn = stack.formatArn({ service: 'kafka', region: c.region, resource: kind, resourceName: `${c.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
        // Stacks carry a concrete environment, so the ARN is literal and so is cdk-nag's name for the finding.
        return { arn, finding: `AwsSolutions-IAM5[Resource::${arn}]` };
      });

    this.role = new iam.Role(this, 'ExecutionRole', {
      roleName: props.roleName,
      description: `MSK Replicator ${props.replicatorName}: reads the source cluster, writes the target`,
      assumedBy: new iam.ServicePrincipal('kafka.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    // The actions of the AWSMSKReplicatorExecutionRole managed policy, on these two clusters only.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeCluster',
          'kafka-cluster:AlterCluster',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
          'kafka-cluster:AlterGroup',
          'kafka-cluster:DescribeGroup',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
          'kafka-cluster:WriteDataIdempotently',
        ],
        resources: clusters,
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
          'kafka-cluster:AlterCluster',
        ],
        resources: everything('topic').map((w) => w.arn),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: everything('group').map((w) => w.arn),
      }),
    );
    acknowledge(
      this.role,
      ...[...everything('topic'), ...everything('group')].map((w) => ({
        id: w.finding,
        reason:
          'The Replicator copies every consumer group and keeps internal topics (heartbeats, offsets) whose names MSK chooses; the wildcard stays inside one of the two replicated clusters',
      })),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const cluster = (c: ReplicatedCluster): msk.CfnReplicator.KafkaClusterProperty => ({
      amazonMskCluster: { mskClusterArn: c.clusterArn },
      vpcConfig: { subnetIds: c.subnetIds, securityGroupIds: c.securityGroupIds },
    });

    this.replicator = new msk.CfnReplicator(this, 'Replicator', {
      replicatorName: props.replicatorName,
      description: 'Catalog topics and consumer-group offsets, primary to secondary, identical names',
      serviceExecutionRoleArn: this.role.roleArn,
      kafkaClusters: [cluster(props.source), cluster(props.target)],
      replicationInfoList: [
        {
          sourceKafkaClusterArn: props.source.clusterArn,
          targetKafkaClusterArn: props.target.clusterArn,
          // Cross-region transfer is billed per byte; LZ4 is cheap on CPU.
          targetCompressionType: 'LZ4',
          topicReplication: {
            topicsToReplicate: props.topics.map(exactTopicPattern),
            topicNameConfiguration: { type: 'IDENTICAL' },
            copyTopicConfigurations: true,
            copyAccessControlListsForTopics: true,
            detectAndCopyNewTopics: true,
            // Records written before the Replicator existed are copied too.
            startingPosition: { type: 'EARLIEST' },
          },
          consumerGroupReplication: {
            consumerGroupsToReplicate: ['.*'],
            detectAndCopyNewConsumerGroups: true,
            synchroniseConsumerGroupOffsets: true,
          },
        },
      ],
      logDelivery: { replicatorLogDelivery: { cloudWatchLogs: { enabled: true, logGroup: logGroup.logGroupName } } },
    });
    this.replicator.node.addDependency(this.role);
  }
}
