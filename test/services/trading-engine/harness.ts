/** Builds engines on the in-memory Kafka and a real database, and the records the tests feed them. */
import { createEvent, parseTopicEvent, SignalGeneratedV1, toKafkaMessage, TOPICS, type EventInput, type SignalGenerated, type TopicEvent, type TopicName } from '@shared/events';
import { ActiveUsers } from '../../../services/trading-engine/src/active-users';
import type { Database } from '../../../services/trading-engine/src/db/database';
import { ShardedStores } from '../../../services/trading-engine/src/db/shards';
import { EngineStore } from '../../../services/trading-engine/src/db/store';
import { dec } from '../../../services/trading-engine/src/decimal';
import { TradingEngine } from '../../../services/trading-engine/src/engine';
import type { Producer } from '../../../services/trading-engine/src/kafka/bus';
import type { MemoryConsumer, MemoryKafka } from '../../../services/trading-engine/src/kafka/memory';
import { ManualKillSwitch } from '../../../services/trading-engine/src/kill-switch';
import type { Logger } from '../../../services/trading-engine/src/log';
import { PaperBroker, type PaperBrokerSettings } from '../../../services/trading-engine/src/paper-broker';

export const GROUP = 'trading-test-trading-engine';
export const SYMBOLS = ['BTC-USD', 'ETH-USD'];

export interface EngineUnderTest {
  readonly engine: TradingEngine;
  readonly consumer: MemoryConsumer;
  readonly stores: ShardedStores;
  readonly killSwitch: ManualKillSwitch;
  readonly activeUsers: ActiveUsers;
  readonly logs: { level: string; message: string; fields?: Record<string, unknown> }[];
}

export interface EngineOptions {
  readonly broker?: Partial<PaperBrokerSettings>;
  /** Replaces the broker's sleep (to hold a record in flight). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly producer?: Producer;
  /** One store per database shard. @default one store on `db` */
  readonly stores?: readonly EngineStore[];
  readonly maxRecordAttempts?: number;
}

export async function startEngine(kafka: MemoryKafka, db: Database, options: EngineOptions = {}): Promise<EngineUnderTest> {
  const logs: EngineUnderTest['logs'] = [];
  const logger: Logger = { log: (level, message, fields) => logs.push({ level, message, fields: fields as Record<string, unknown> }) };
  const stores = new ShardedStores(options.stores ?? [new EngineStore(db)]);
  const consumer = kafka.consumer(GROUP, TOPICS.signals);
  const killSwitch = new ManualKillSwitch(false);
  const activeUsers = new ActiveUsers(15 * 60_000);
  const broker = new PaperBroker({ slippageBps: 10, latencyMs: 0, feeBps: 10, ...options.broker }, undefined, options.sleep);
  const engine = new TradingEngine({
    consumer,
    producer: options.producer ?? kafka.producer(),
    stores,
    broker,
    killSwitch,
    activeUsers,
    logger,
    settings: { consumerName: GROUP, symbols: new Set(SYMBOLS), defaultOrderNotional: dec('1000'), maxRecordAttempts: options.maxRecordAttempts },
  });
  await engine.start();
  return { engine, consumer, stores, killSwitch, activeUsers, logs };
}

let counter = 0;

/** A valid signal (catalog-built), expiring an hour from now unless told otherwise. */
export function signal(input: Partial<EventInput<typeof SignalGeneratedV1>> & { eventId?: string } = {}): SignalGenerated {
  counter++;
  return createEvent(SignalGeneratedV1, {
    userId: 'user-1',
    signalId: `sig-${counter}`,
    strategyId: 'momentum',
    symbol: 'BTC-USD',
    action: 'buy',
    confidence: 0.9,
    quantity: '0.5',
    limitPrice: '60000',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    ...input,
  });
}

/** Produces a signal exactly as the API and the strategies do (catalog serialisation, user key). */
export function produceSignal(kafka: MemoryKafka, event: SignalGenerated) {
  const message = toKafkaMessage(TOPICS.signals, event);
  return kafka.append(TOPICS.signals, message.key, message.value, { ...message.headers });
}

/** The events on a topic, validated by the catalog (a malformed one fails the test). */
export function eventsOn<T extends TopicName>(kafka: MemoryKafka, topic: T): TopicEvent<T>[] {
  return kafka.records(topic).map((r) => {
    const event = parseTopicEvent(topic, JSON.parse(r.value!.toString('utf8')));
    if (topic !== TOPICS.deadLetter) expect(r.key?.toString()).toBe((event as { userId: string }).userId);
    return event;
  });
}

/** Waits until `condition` holds (the engine runs asynchronously); fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
