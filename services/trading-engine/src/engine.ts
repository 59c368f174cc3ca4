/**
 * The engine: one member of the `trading.signals` consumer group. For each batch of a partition (a
 * shard of users) it decodes every record with the event catalog, executes valid signals once, and
 * dead-letters what it cannot process, then publishes the batch's events and only then commits the
 * batch's offsets. A crash anywhere replays records, never loses them; replays execute nothing twice.
 *
 * It honours the region's kill switch (pauses consumption; records stay in Kafka) and drains on
 * request: it stops taking records, finishes and publishes the one in hand, commits, and leaves.
 */
import {
  decodeTopicRecord,
  deadLetterFor,
  EventValidationError,
  toKafkaMessage,
  TOPICS,
  type MskRecord,
} from '@shared/events';
import type { ActiveUsers } from './active-users';
import type { ShardedStores } from './db/shards';
import type { EngineStore } from './db/store';
import { executeSignal, SignalRejection, type ExecutionSettings } from './execution';
import type { GroupConsumer, InboundRecord, OutboundRecord, PartitionBatch, Producer } from './kafka/bus';
import type { KillSwitch } from './kill-switch';
import type { Logger } from './log';
import type { PaperBroker } from './paper-broker';

export type EngineState = 'created' | 'running' | 'halted' | 'draining' | 'stopped' | 'failed';

export interface EngineDeps {
  readonly consumer: GroupConsumer;
  readonly producer: Producer;
  readonly stores: ShardedStores;
  readonly broker: PaperBroker;
  readonly killSwitch: KillSwitch;
  readonly activeUsers: ActiveUsers;
  readonly logger: Logger;
  readonly settings: EngineSettings;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface EngineSettings extends ExecutionSettings {
  /** The consumer group id, named in every dead letter. */
  readonly consumerName: string;
  /**
   * Attempts at a record that keeps failing for a reason other than its content while the database
   * answers (a bug, a constraint): after them it is dead-lettered instead of blocking its partition.
   * @default 5
   */
  readonly maxRecordAttempts?: number;
}

export interface Readiness {
  readonly ready: boolean;
  readonly state: EngineState;
  readonly checks: Readonly<Record<string, boolean>>;
  readonly partitions: readonly number[];
}

type Processed = { readonly kind: 'signal'; readonly eventId: string; readonly userId: string } | { readonly kind: 'dead-letter'; readonly record: OutboundRecord };

export class TradingEngine {
  private state: EngineState = 'created';
  private drained?: Promise<void>;
  private readonly attempts = new Map<string, number>();
  private readonly now: () => Date;
  private readonly maxAttempts: number;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.maxAttempts = deps.settings.maxRecordAttempts ?? 5;
  }

  get currentState(): EngineState {
    return this.state;
  }

  async start(): Promise<void> {
    const { consumer, killSwitch, activeUsers, logger } = this.deps;
    consumer.onAssignment((partitions) => {
      activeUsers.retainPartitions(partitions);
      logger.log('info', 'partitions assigned', { partitions });
    });
    killSwitch.onChange((halted) => this.applyKillSwitch(halted));
    await consumer.start((batch) => this.handleBatch(batch));
    this.state = 'running';
    this.applyKillSwitch(killSwitch.isHalted());
  }

  /** Stops taking records, finishes the one in hand, publishes and commits, leaves the group. */
  drain(): Promise<void> {
    if (!this.drained) {
      this.state = 'draining';
      this.deps.logger.log('info', 'draining: no new records; finishing in-flight ones');
      this.drained = (async () => {
        await this.deps.consumer.stop();
        await this.deps.producer.disconnect();
        this.state = 'stopped';
        this.deps.logger.log('info', 'drained: offsets committed, left the consumer group');
      })();
    }
    return this.drained;
  }

  /** Unrecoverable (the Kafka client gave up): /health fails and ECS replaces the task. */
  fail(error: unknown): void {
    this.state = 'failed';
    this.deps.logger.log('error', 'engine failed', { error: String(error) });
  }

  /** Liveness: false only when the task cannot recover by itself. */
  isHealthy(): boolean {
    return this.state !== 'failed';
  }

  /** Readiness: in the group, database answering, trading allowed, not draining. */
  async readiness(timeoutMs = 2000): Promise<Readiness> {
    const database = await Promise.race([
      this.deps.stores.ping().then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
    ]);
    const checks = {
      consumer: this.deps.consumer.isConnected(),
      database,
      tradingEnabled: !this.deps.killSwitch.isHalted(),
      accepting: this.state === 'running',
    };
    return { ready: Object.values(checks).every(Boolean), state: this.state, checks, partitions: this.deps.consumer.assignment() };
  }

  private applyKillSwitch(halted: boolean): void {
    if (this.state !== 'running' && this.state !== 'halted') return;
    if (halted) {
      this.deps.consumer.pause();
      this.state = 'halted';
    } else {
      this.state = 'running';
      this.deps.consumer.resume();
    }
  }

  private async handleBatch(batch: PartitionBatch): Promise<void> {
    const signals: { eventId: string; userId: string }[] = [];
    const deadLetters: OutboundRecord[] = [];
    let done: string | undefined;
    let failure: unknown;
    for (const record of batch.records) {
      if (this.state !== 'running' || batch.shouldStop()) break;
      if (this.deps.killSwitch.isHalted()) {
        this.applyKillSwitch(true);
        break;
      }
      try {
        const processed = await this.process(record);
        if (processed.kind === 'signal') signals.push(processed);
        else deadLetters.push(processed.record);
        done = record.offset;
      } catch (error) {
        const deadLetter = await this.afterFailure(record, error);
        if (!deadLetter) {
          failure = error;
          break;
        }
        deadLetters.push(deadLetter);
        done = record.offset;
      }
    }
    // Publish before committing: a crash in between replays the records, and the replay republishes.
    await this.publish(signals, deadLetters);
    if (done !== undefined) batch.resolve(done);
    if (failure) throw failure; // the client backs off and redelivers from the first unresolved record
  }

  private async process(record: InboundRecord): Promise<Processed> {
    const msk = toMskRecord(record);
    let signal;
    try {
      signal = decodeTopicRecord(TOPICS.signals, msk);
    } catch (error) {
      if (error instanceof EventValidationError) return this.deadLetter(msk, error);
      throw error;
    }
    this.deps.activeUsers.touch(signal.userId, record.partition);
    try {
      await executeSignal({ ...this.deps, now: this.now }, signal, `${record.topic}-${record.partition}@${record.offset}`);
      return { kind: 'signal', eventId: signal.eventId, userId: signal.userId };
    } catch (error) {
      if (error instanceof SignalRejection) return this.deadLetter(msk, error, error.field);
      throw error;
    }
  }

  /** The dead letter for a record that failed `maxRecordAttempts` times while the database answered. */
  private async afterFailure(record: InboundRecord, error: unknown): Promise<OutboundRecord | undefined> {
    const ref = `${record.topic}-${record.partition}@${record.offset}`;
    const databaseUp = await this.deps.stores.ping().then(() => true, () => false);
    const attempts = databaseUp ? (this.attempts.get(ref) ?? 0) + 1 : 0;
    this.deps.logger.log('error', 'record failed', { record: ref, attempts, databaseUp, error: String(error) });
    if (attempts < this.maxAttempts) {
      this.attempts.set(ref, attempts);
      return undefined;
    }
    this.attempts.delete(ref);
    const failed = new Error(`record ${ref}: processing failed ${attempts} times: ${error instanceof Error ? error.message : String(error)}`);
    failed.name = 'ProcessingFailed';
    return this.deadLetter(toMskRecord(record), failed).record;
  }

  private deadLetter(record: MskRecord, error: Error, field?: string): { kind: 'dead-letter'; record: OutboundRecord } {
    const ref = `${record.topic}-${record.partition}@${record.offset}`;
    const located = error instanceof EventValidationError || error.message.startsWith('record ') ? error : withMessage(error, `record ${ref}: ${error.message}`);
    const event = deadLetterFor(record, located, this.deps.settings.consumerName, { now: this.now });
    const message = toKafkaMessage(TOPICS.deadLetter, field ? { ...event, field } : event);
    this.deps.logger.log('warn', 'record dead-lettered', { record: ref, errorType: event.errorType, reason: event.reason });
    return { kind: 'dead-letter', record: { topic: TOPICS.deadLetter, ...message } };
  }

  private async publish(signals: readonly { eventId: string; userId: string }[], deadLetters: readonly OutboundRecord[]): Promise<void> {
    const byShard = new Map<EngineStore, string[]>();
    for (const s of signals) {
      const store = this.deps.stores.forUser(s.userId);
      byShard.set(store, [...(byShard.get(store) ?? []), s.eventId]);
    }
    const pending = await Promise.all([...byShard].map(async ([store, ids]) => ({ store, events: await store.unpublished(ids) })));
    const events = pending.flatMap((p) => p.events);
    if (events.length === 0 && deadLetters.length === 0) return;
    // One user's events share a shard and a partition: their order survives the regrouping.
    await this.deps.producer.send([...deadLetters, ...events]);
    await Promise.all(pending.map((p) => p.store.markPublished(p.events.map((e) => e.eventId))));
  }
}

/** A record as the catalog's codec reads it (the shape Lambda's MSK source delivers). */
export function toMskRecord(record: InboundRecord): MskRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    timestampType: 'CREATE_TIME',
    key: record.key === null ? null : record.key.toString('base64'),
    value: record.value === null ? null : record.value.toString('base64'),
    headers: Object.entries(record.headers)
      .filter((h): h is [string, Buffer] => h[1] !== undefined)
      .map(([name, value]) => ({ [name]: [...value] })),
  };
}

function withMessage(error: Error, message: string): Error {
  const copy = new Error(message);
  copy.name = error.name;
  return copy;
}
