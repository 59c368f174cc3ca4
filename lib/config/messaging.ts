/**
 * The messaging section of the config: the MSK cluster of each trading-core region (primary and
 * secondary), its topics, and the ops event bus of every region. Ranges are what MSK accepts for the
 * chosen shape; cross-field rules (replication factor vs brokers, partitions per broker, prod floors) are
 * in `checkMessaging`, called by the top-level schema because some depend on the environment.
 */
import { z } from 'zod';
import { TOPIC_NAMES, USER_KEYED_TOPICS, type TopicName } from '@shared/events';

/**
 * Kafka versions that support AWS::MSK::Topic (3.6.0+) and MSK Replicator with identical topic names;
 * 3.6.0 is left out because MSK has announced its end of support.
 */
export const KAFKA_VERSIONS = ['3.7.x', '3.8.x', '3.9.x'] as const;

/**
 * Broker sizes MSK Replicator supports (m5.large or larger; never t3.small), with the partition
 * replicas MSK allows per broker of that size.
 */
export const KAFKA_BROKER_PARTITION_LIMITS: Readonly<Record<string, number>> = {
  'kafka.m5.large': 1000,
  'kafka.m5.xlarge': 1000,
  'kafka.m5.2xlarge': 2000,
  'kafka.m5.4xlarge': 4000,
  'kafka.m5.8xlarge': 4000,
  'kafka.m5.12xlarge': 4000,
  'kafka.m5.16xlarge': 4000,
  'kafka.m5.24xlarge': 4000,
  'kafka.m7g.large': 1000,
  'kafka.m7g.xlarge': 1000,
  'kafka.m7g.2xlarge': 2000,
  'kafka.m7g.4xlarge': 4000,
  'kafka.m7g.8xlarge': 4000,
  'kafka.m7g.12xlarge': 4000,
  'kafka.m7g.16xlarge': 4000,
};

/**
 * Topics the engine reads together, co-partitioned: with equal partition counts and the same key, a user
 * lands on the same partition number of each, so one engine task owns that user on all of them.
 */
export const CO_PARTITIONED_TOPICS: readonly TopicName[] = ['trading.signals', 'trading.orders', 'trading.trades', 'trading.positions'];

/** Enhanced monitoring levels that give per-broker or finer metrics (DEFAULT would not). */
export const KAFKA_MONITORING_LEVELS = ['PER_BROKER', 'PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION'] as const;

/** The partition floor of user-keyed topics in prod: it caps how many engine tasks can share the users. */
export const PROD_MIN_USER_TOPIC_PARTITIONS = 24;

const topicSettings = z.strictObject({
  /** Partitions can grow later (in place) but never shrink; the key-to-partition mapping changes when they grow. */
  partitions: z.number().int().min(1).max(1000),
  retentionHours: z.number().int().min(1).max(8760, 'at most 8760 hours (one year)'),
});

const topicsSchema = z.strictObject(
  Object.fromEntries(TOPIC_NAMES.map((t) => [t, topicSettings])) as Record<TopicName, typeof topicSettings>,
);

export const messagingSchema = z.strictObject({
  kafka: z.strictObject({
    version: z.enum(KAFKA_VERSIONS),
    brokerInstanceType: z.string().refine((t) => t in KAFKA_BROKER_PARTITION_LIMITS, {
      message: `expected one of ${Object.keys(KAFKA_BROKER_PARTITION_LIMITS).join(', ')} (MSK Replicator refuses kafka.t3.small)`,
    }),
    /** Brokers in total, spread evenly over the region's three zones. */
    brokers: z
      .number()
      .int()
      .min(3, 'MSK Replicator needs at least 3 brokers')
      .max(30)
      .refine((n) => n % 3 === 0, { message: 'must be a multiple of 3 (one share per availability zone)' }),
    storage: z
      .strictObject({
        /** EBS volume per broker at creation. */
        initialGiB: z.number().int().min(1).max(16384),
        /** Storage auto scaling grows each volume up to this (MSK never shrinks a volume). */
        maxGiB: z.number().int().min(1).max(16384),
      })
      .refine((s) => s.maxGiB >= s.initialGiB, { message: 'maxGiB must be at least initialGiB', path: ['maxGiB'] }),
    replicationFactor: z.number().int().min(1).max(30),
    /** Acknowledged writes (acks=all) survive the loss of replicationFactor - minInsyncReplicas brokers. */
    minInsyncReplicas: z.number().int().min(1).max(30),
    enhancedMonitoring: z.enum(KAFKA_MONITORING_LEVELS),
    topics: topicsSchema,
  }),
  opsBus: z.strictObject({
    /** Days the ops bus archive keeps events for replay. */
    archiveRetentionDays: z.number().int().min(1).max(3650),
  }),
});

type Messaging = z.infer<typeof messagingSchema>;

/** Rules across fields (and, for prod floors, the environment). Issues carry their path from the config root. */
export function checkMessaging(messaging: Messaging, environment: string, ctx: z.core.$RefinementCtx): void {
  const { kafka } = messaging;
  const at = (...path: (string | number)[]) => ['messaging', 'kafka', ...path];
  if (kafka.replicationFactor > kafka.brokers) {
    ctx.addIssue({ code: 'custom', path: at('replicationFactor'), message: `cannot exceed the ${kafka.brokers} brokers` });
  }
  if (kafka.minInsyncReplicas >= kafka.replicationFactor) {
    ctx.addIssue({
      code: 'custom',
      path: at('minInsyncReplicas'),
      message: `must be below replicationFactor (${kafka.replicationFactor}), or every rolling broker patch stops producers using acks=all`,
    });
  }
  if (environment === 'prod') {
    if (kafka.replicationFactor < 3) ctx.addIssue({ code: 'custom', path: at('replicationFactor'), message: 'prod keeps 3 replicas' });
    if (kafka.minInsyncReplicas < 2) ctx.addIssue({ code: 'custom', path: at('minInsyncReplicas'), message: 'prod needs 2 in-sync replicas' });
    for (const topic of USER_KEYED_TOPICS) {
      if (kafka.topics[topic].partitions < PROD_MIN_USER_TOPIC_PARTITIONS) {
        ctx.addIssue({
          code: 'custom',
          path: at('topics', topic, 'partitions'),
          message: `prod needs at least ${PROD_MIN_USER_TOPIC_PARTITIONS} partitions on user-keyed topics (the engine's shard count)`,
        });
      }
    }
  }
  const [first, ...others] = CO_PARTITIONED_TOPICS;
  for (const topic of others) {
    if (kafka.topics[topic].partitions !== kafka.topics[first].partitions) {
      ctx.addIssue({
        code: 'custom',
        path: at('topics', topic, 'partitions'),
        message: `must equal ${first}'s ${kafka.topics[first].partitions}: ${CO_PARTITIONED_TOPICS.join(', ')} are co-partitioned by userId`,
      });
    }
  }
  const replicas = TOPIC_NAMES.reduce((sum, t) => sum + kafka.topics[t].partitions * kafka.replicationFactor, 0);
  const limit = KAFKA_BROKER_PARTITION_LIMITS[kafka.brokerInstanceType];
  if (limit !== undefined && replicas / kafka.brokers > limit) {
    ctx.addIssue({
      code: 'custom',
      path: at('topics'),
      message: `${replicas} partition replicas over ${kafka.brokers} brokers exceed MSK's ${limit} per ${kafka.brokerInstanceType} broker`,
    });
  }
}
