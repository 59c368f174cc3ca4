/** Validation of the messaging section (lib/config/messaging.ts): each rule refuses what AWS or the blueprint would. */
import { ConfigError, loadConfig, validateConfig } from '../lib/config';
import { dev } from '../lib/config/environments/dev';
import { prod } from '../lib/config/environments/prod';

function configWith(base: unknown, change: (c: any) => void): unknown {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

function messageOf(raw: unknown): string {
  try {
    validateConfig(raw, 'lib/config/environments/prod.ts');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('messaging config', () => {
  it('every environment runs replicable clusters: 3+ brokers, RF 3, min ISR 2, Kafka with topic and Replicator support', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const { kafka } = loadConfig(env).messaging;
      expect(kafka.brokers % 3).toBe(0);
      expect(kafka.replicationFactor).toBe(3);
      expect(kafka.minInsyncReplicas).toBe(2);
      expect(['3.7.x', '3.8.x', '3.9.x']).toContain(kafka.version);
      expect(kafka.brokerInstanceType).not.toBe('kafka.t3.small');
    }
  });

  it('prod has at least 24 partitions on every user-keyed topic', () => {
    const { topics } = loadConfig('prod').messaging.kafka;
    for (const t of ['trading.signals', 'trading.orders', 'trading.trades', 'trading.positions', 'notifications.outbound'] as const) {
      expect(topics[t].partitions).toBeGreaterThanOrEqual(24);
    }
  });

  it.each<[string, (c: any) => void, string]>([
    ['a replication factor above the broker count', (c) => (c.messaging.kafka.replicationFactor = 4), 'messaging.kafka.replicationFactor = 4: cannot exceed the 3 brokers'],
    [
      'min.insync.replicas equal to the replication factor',
      (c) => (c.messaging.kafka.minInsyncReplicas = 3),
      'messaging.kafka.minInsyncReplicas = 3: must be below replicationFactor (3), or every rolling broker patch stops producers using acks=all',
    ],
    ['a broker count that is not a multiple of the zones', (c) => (c.messaging.kafka.brokers = 4), 'messaging.kafka.brokers = 4: must be a multiple of 3'],
    ['t3.small brokers (MSK Replicator refuses them)', (c) => (c.messaging.kafka.brokerInstanceType = 'kafka.t3.small'), 'messaging.kafka.brokerInstanceType = "kafka.t3.small": expected one of'],
    ['a Kafka version without MSK topic resources', (c) => (c.messaging.kafka.version = '3.5.1'), 'messaging.kafka.version = "3.5.1"'],
    [
      'fewer than 24 partitions on a user-keyed topic in prod',
      (c) => (c.messaging.kafka.topics['notifications.outbound'].partitions = 12),
      "messaging.kafka.topics.notifications.outbound.partitions = 12: prod needs at least 24 partitions on user-keyed topics (the engine's shard count)",
    ],
    ['a replication factor below 3 in prod', (c) => Object.assign(c.messaging.kafka, { replicationFactor: 2, minInsyncReplicas: 1 }), 'messaging.kafka.replicationFactor = 2: prod keeps 3 replicas'],
    [
      'co-partitioned topics with different partition counts',
      (c) => (c.messaging.kafka.topics['trading.trades'].partitions = 96),
      "messaging.kafka.topics.trading.trades.partitions = 96: must equal trading.signals's 128",
    ],
    [
      'more partition replicas per broker than the instance allows',
      (c) => {
        for (const t of ['trading.signals', 'trading.orders', 'trading.trades', 'trading.positions']) c.messaging.kafka.topics[t].partitions = 256;
      },
      "partition replicas over 3 brokers exceed MSK's 1000 per kafka.m7g.xlarge broker",
    ],
    ['a topic of the catalog without settings', (c) => delete c.messaging.kafka.topics['market.data'], 'messaging.kafka.topics.market.data is missing'],
    ['a topic outside the catalog', (c) => (c.messaging.kafka.topics['trading.audit'] = { partitions: 3, retentionHours: 24 }), 'messaging.kafka.topics: unknown field(s) trading.audit'],
    ['storage that can only shrink', (c) => (c.messaging.kafka.storage.maxGiB = 500), 'messaging.kafka.storage.maxGiB = 500: maxGiB must be at least initialGiB'],
    ['monitoring without per-broker metrics', (c) => (c.messaging.kafka.enhancedMonitoring = 'DEFAULT'), 'messaging.kafka.enhancedMonitoring = "DEFAULT"'],
    ['an archive kept for 0 days', (c) => (c.messaging.opsBus.archiveRetentionDays = 0), 'messaging.opsBus.archiveRetentionDays = 0'],
  ])('refuses %s, naming the field', (_name, change, expected) => {
    expect(messageOf(configWith(prod, change))).toContain(expected);
  });

  it('allows fewer partitions outside prod (dev runs 6)', () => {
    expect(() => validateConfig(configWith(dev, (c) => (c.messaging.kafka.topics['notifications.outbound'].partitions = 3)), 'dev')).not.toThrow();
  });
});
