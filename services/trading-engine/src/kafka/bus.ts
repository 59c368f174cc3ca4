/**
 * Kafka I/O as the engine sees it. Production uses kafkajs on MSK with IAM auth (msk.ts); tests and the
 * local run use the in-memory broker (memory.ts). The engine never imports kafkajs itself.
 */

/** One record as read from a partition. */
export interface InboundRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as decimal strings, as kafkajs gives them. */
  readonly offset: string;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | undefined>>;
}

/** Consecutive records of one partition, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly InboundRecord[];
  /**
   * Marks this record, and every earlier one of the batch, done: their offsets are committed after the
   * handler returns. Records left unresolved are delivered again (to this member or the next owner).
   */
  resolve(offset: string): void;
  /** True when the handler should stop early: the partition was revoked or the consumer is stopping. */
  shouldStop(): boolean;
  /** Keeps group membership alive during a long batch. */
  heartbeat(): Promise<void>;
}

export type BatchHandler = (batch: PartitionBatch) => Promise<void>;

/** One member of a consumer group: the partitions it is assigned are its shard of users. */
export interface GroupConsumer {
  /** Joins the group and starts delivering batches to `handle`; resolves once running. */
  start(handle: BatchHandler): Promise<void>;
  /** Stops fetching new batches; assigned partitions stay assigned (the kill switch). */
  pause(): void;
  resume(): void;
  /** Stops taking batches, waits for the in-flight ones, commits what was resolved, leaves the group. */
  stop(): Promise<void>;
  /** Partitions assigned to this member now. */
  assignment(): readonly number[];
  /** Called after every rebalance with the member's new partitions. */
  onAssignment(listener: (partitions: readonly number[]) => void): void;
  /** True while the member is in the group. */
  isConnected(): boolean;
}

export interface OutboundRecord {
  readonly topic: string;
  /** The partitioning key: the user id on user-keyed topics. */
  readonly key: string;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Producer {
  /** Resolves once every record is acknowledged by the in-sync replicas. */
  send(records: readonly OutboundRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}
