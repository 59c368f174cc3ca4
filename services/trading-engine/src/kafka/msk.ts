/**
 * The Kafka interfaces on MSK: kafkajs over TLS with IAM authentication (SASL OAUTHBEARER tokens signed
 * with the task role, refreshed by the client), the Java-compatible partitioner so that every producer
 * of the platform maps a user to the same partition, an idempotent producer that waits for all in-sync
 * replicas, and a consumer that commits only what the engine resolved.
 */
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel, Partitioners, type Consumer, type LogEntry, type Producer as KafkaProducer } from 'kafkajs';
import type { Logger } from '../log';
import type { BatchHandler, GroupConsumer, OutboundRecord, Producer } from './bus';

export interface MskClientOptions {
  readonly brokers: readonly string[];
  readonly region: string;
  readonly clientId: string;
  readonly logger: Logger;
}

export function mskKafka(options: MskClientOptions): Kafka {
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ssl: true,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const { token } = await generateAuthToken({ region: options.region });
        return { value: token };
      },
    },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        options.logger.log(levels[level] ?? 'info', `kafka: ${message}`, fields);
      },
  });
}

export class MskProducer implements Producer {
  private readonly producer: KafkaProducer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async send(records: readonly OutboundRecord[]): Promise<void> {
    await (this.connected ??= this.producer.connect());
    const byTopic = new Map<string, { key: string; value: string; headers?: Record<string, string> }[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, (messages = []));
      messages.push({ key: r.key, value: r.value, headers: r.headers ? { ...r.headers } : undefined });
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

export class MskConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private assigned: readonly number[] = [];
  private connected = false;
  private readonly listeners: ((partitions: readonly number[]) => void)[] = [];

  constructor(
    kafka: Kafka,
    readonly groupId: string,
    readonly topic: string,
    private readonly partitionsConsumedConcurrently: number,
    onCrash: (error: unknown) => void,
  ) {
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, rebalanceTimeout: 60_000, heartbeatInterval: 3_000 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      for (const l of this.listeners) l(this.assigned);
    });
    this.consumer.on(this.consumer.events.CONNECT, () => (this.connected = true));
    this.consumer.on(this.consumer.events.DISCONNECT, () => (this.connected = false));
    // kafkajs restarts the consumer after retriable errors; a crash it will not restart from is fatal.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) onCrash(payload.error);
    });
  }

  async start(handle: BatchHandler): Promise<void> {
    await this.consumer.connect();
    // A new group starts at the earliest record: no signal is skipped (expired ones are dead-lettered).
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        await handle({
          topic: batch.topic,
          partition: batch.partition,
          records: batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: m.key,
            value: m.value,
            headers: Object.fromEntries(
              Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(String(v))]),
            ),
          })),
          resolve: resolveOffset,
          shouldStop: () => !isRunning() || isStale(),
          heartbeat,
        });
        await commitOffsetsIfNecessary();
      },
    });
  }

  pause(): void {
    this.consumer.pause([{ topic: this.topic }]);
  }

  resume(): void {
    this.consumer.resume([{ topic: this.topic }]);
  }

  /** kafkajs waits for the running batches, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    this.connected = false;
  }

  assignment(): readonly number[] {
    return this.assigned;
  }

  onAssignment(listener: (partitions: readonly number[]) => void): void {
    this.listeners.push(listener);
  }

  isConnected(): boolean {
    return this.connected;
  }
}
