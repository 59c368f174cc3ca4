/**
 * An in-memory Kafka with the semantics the engine relies on: keyed records land on a stable partition,
 * a consumer group spreads partitions over its members and rebalances when one joins or leaves, a
 * member reads each partition from the group's committed offset, and unresolved records are delivered
 * again. Used by the tests and by a local run without MSK.
 */
import type { BatchHandler, GroupConsumer, InboundRecord, OutboundRecord, Producer } from './bus';

interface Group {
  readonly committed: Map<string, number>;
  readonly members: MemoryConsumer[];
}

export interface MemoryKafkaOptions {
  /** Partitions of every topic. @default 6 */
  readonly partitions?: number;
  /** Most records handed to one batch. @default 100 */
  readonly maxBatchSize?: number;
  /** Pause before redelivering after a handler failed. @default 10 */
  readonly retryDelayMs?: number;
}

export class MemoryKafka {
  readonly partitions: number;
  readonly maxBatchSize: number;
  readonly retryDelayMs: number;
  private readonly topics = new Map<string, InboundRecord[][]>();
  private readonly groups = new Map<string, Group>();
  private readonly waiters = new Set<() => void>();

  constructor(options: MemoryKafkaOptions = {}) {
    this.partitions = options.partitions ?? 6;
    this.maxBatchSize = options.maxBatchSize ?? 100;
    this.retryDelayMs = options.retryDelayMs ?? 10;
  }

  /** A stable partition per key (FNV-1a), as Kafka's partitioner gives one per key. */
  partitionOf(key: string | Buffer | null): number {
    if (key === null) return 0;
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    return hash % this.partitions;
  }

  /** Appends a raw record (tests use it to inject malformed ones). */
  append(topic: string, key: string | Buffer | null, value: string | Buffer | null, headers: Record<string, string> = {}): InboundRecord {
    const log = this.log(topic)[this.partitionOf(key)];
    const record: InboundRecord = {
      topic,
      partition: this.partitionOf(key),
      offset: String(log.length),
      timestamp: String(Date.now()),
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    };
    log.push(record);
    this.wake();
    return record;
  }

  /** Every record of a topic, partition by partition. */
  records(topic: string): readonly InboundRecord[] {
    return this.log(topic).flat();
  }

  /** Records of the topic the group has not committed yet. */
  lag(groupId: string, topic: string): number {
    const group = this.group(groupId);
    return this.log(topic).reduce((n, log, p) => n + log.length - (group.committed.get(`${topic}:${p}`) ?? 0), 0);
  }

  committedOffset(groupId: string, topic: string, partition: number): number {
    return this.group(groupId).committed.get(`${topic}:${partition}`) ?? 0;
  }

  producer(): Producer & { readonly sent: OutboundRecord[] } {
    const sent: OutboundRecord[] = [];
    return {
      sent,
      send: async (records) => {
        for (const r of records) {
          sent.push(r);
          this.append(r.topic, r.key, r.value, { ...r.headers });
        }
      },
      disconnect: async () => undefined,
    };
  }

  consumer(groupId: string, topic: string): MemoryConsumer {
    return new MemoryConsumer(this, groupId, topic);
  }

  /** @internal */
  log(topic: string): InboundRecord[][] {
    let logs = this.topics.get(topic);
    if (!logs) this.topics.set(topic, (logs = Array.from({ length: this.partitions }, () => [])));
    return logs;
  }

  /** @internal */
  group(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = { committed: new Map(), members: [] }));
    return group;
  }

  /** @internal Round-robin assignment over the members in join order, as a rebalance does. */
  rebalance(groupId: string): void {
    const { members } = this.group(groupId);
    const assignments = members.map((): number[] => []);
    for (let p = 0; p < this.partitions; p++) if (members.length) assignments[p % members.length].push(p);
    members.forEach((m, i) => m.assign(assignments[i]));
  }

  /** @internal Resolves on the next append, commit or membership change. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** @internal */
  wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }
}

export class MemoryConsumer implements GroupConsumer {
  private assigned: number[] = [];
  private generation = 0;
  private readonly listeners: ((p: readonly number[]) => void)[] = [];
  private running = false;
  private paused = false;
  private loop?: Promise<void>;
  /** Errors the handler threw, in order. */
  readonly errors: unknown[] = [];

  constructor(
    private readonly kafka: MemoryKafka,
    readonly groupId: string,
    readonly topic: string,
  ) {}

  async start(handle: BatchHandler): Promise<void> {
    this.running = true;
    this.kafka.group(this.groupId).members.push(this);
    this.kafka.rebalance(this.groupId);
    this.loop = this.run(handle);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.kafka.wake();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.kafka.wake();
    await this.loop;
    const { members } = this.kafka.group(this.groupId);
    members.splice(members.indexOf(this), 1);
    this.assign([]);
    this.kafka.rebalance(this.groupId);
  }

  assignment(): readonly number[] {
    return this.assigned;
  }

  onAssignment(listener: (partitions: readonly number[]) => void): void {
    this.listeners.push(listener);
  }

  isConnected(): boolean {
    return this.running;
  }

  /** @internal */
  assign(partitions: number[]): void {
    this.assigned = partitions;
    this.generation++;
    for (const l of this.listeners) l(partitions);
    this.kafka.wake();
  }

  private async run(handle: BatchHandler): Promise<void> {
    const group = this.kafka.group(this.groupId);
    while (this.running) {
      const changed = this.kafka.changed();
      let delivered = false;
      for (const partition of this.paused ? [] : this.assigned) {
        if (!this.running) break;
        const key = `${this.topic}:${partition}`;
        const from = group.committed.get(key) ?? 0;
        const records = this.kafka.log(this.topic)[partition].slice(from, from + this.kafka.maxBatchSize);
        if (!records.length) continue;
        delivered = true;
        const generation = this.generation;
        let resolved = from;
        const delivery = handle({
          topic: this.topic,
          partition,
          records,
          resolve: (offset) => {
            resolved = Math.max(resolved, Number(offset) + 1);
          },
          shouldStop: () => !this.running || this.generation !== generation,
          heartbeat: async () => undefined,
        });
        // A failed handler keeps what it resolved; the rest is redelivered after a pause (kafkajs retries).
        await delivery.catch(async (error: unknown) => {
          this.errors.push(error);
          await new Promise((r) => setTimeout(r, this.kafka.retryDelayMs));
        });
        // A revoked partition's late commit is refused, as the group coordinator refuses a stale generation.
        if (this.generation === generation && resolved > from) {
          group.committed.set(key, resolved);
          this.kafka.wake();
        }
      }
      if (!delivered && this.running) await changed;
    }
  }
}
