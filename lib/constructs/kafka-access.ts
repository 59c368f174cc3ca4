/**
 * Kafka data-plane permissions (MSK IAM access control) for one producer or consumer: only its topics and
 * its consumer groups. Lambda's MSK event source does not add these itself (see AWS-NOTES).
 *
 *   grantKafka(fn, { clusterArn, produce: ['trading.trades'], consume: [{ topics: ['trading.orders'], groupId: 'engine' }] });
 *
 * Topic and group ARNs are derived from the cluster ARN (`…:cluster/<name>/<uuid>` becomes
 * `…:topic/<name>/<uuid>/<topic>`), so a token read from SSM works as well as a literal.
 */
import { Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { TopicName } from '@shared/events';

export interface KafkaConsumerAccess {
  readonly topics: readonly TopicName[];
  /** The consumer group (for Lambda: the event source mapping's consumerGroupId). */
  readonly groupId: string;
}

export interface KafkaAccess {
  readonly clusterArn: string;
  /** Topics the grantee writes. @default none */
  readonly produce?: readonly TopicName[];
  /** Topics the grantee reads, and as which group. @default none */
  readonly consume?: readonly KafkaConsumerAccess[];
}

/** `arn:…:<kind>/<cluster name>/<cluster uuid>/<name>` for a topic or consumer group of the cluster. */
export function kafkaResourceArn(clusterArn: string, kind: 'topic' | 'group', name: string): string {
  const [prefix, clusterPath] = [0, 1].map((i) => Fn.select(i, Fn.split(':cluster/', clusterArn)));
  return Fn.join('', [prefix, `:${kind}/`, clusterPath, `/${name}`]);
}

export function grantKafka(grantee: iam.IGrantable, access: KafkaAccess): iam.Grant {
  const produce = access.produce ?? [];
  const consume = access.consume ?? [];
  if (produce.length === 0 && consume.length === 0) {
    throw new Error('grantKafka needs at least one topic to produce to or consume from');
  }
  const topicArns = (topics: readonly TopicName[]) => [...new Set(topics)].map((t) => kafkaResourceArn(access.clusterArn, 'topic', t));
  const permissions: { actions: string[]; resourceArns: string[] }[] = [
    {
      actions: [
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeClusterDynamicConfiguration',
        // Idempotent producers (kafkajs `idempotent: true`) need it on the cluster.
        ...(produce.length ? ['kafka-cluster:WriteDataIdempotently'] : []),
      ],
      resourceArns: [access.clusterArn],
    },
  ];
  if (produce.length) {
    permissions.push({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resourceArns: topicArns(produce) });
  }
  if (consume.length) {
    permissions.push(
      { actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resourceArns: topicArns(consume.flatMap((c) => c.topics)) },
      {
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resourceArns: [...new Set(consume.map((c) => c.groupId))].map((g) => kafkaResourceArn(access.clusterArn, 'group', g)),
      },
    );
  }
  const [first, ...rest] = permissions.map((p) => iam.Grant.addToPrincipal({ grantee, ...p }));
  return rest.reduce((grant, next) => grant.combine(next), first);
}
