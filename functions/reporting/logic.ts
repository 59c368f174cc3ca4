/**
 * The reporting worker's MSK consumer (trading.trades and trading.positions): decodes the batch, groups
 * the events by the user's shard, and stores each shard's trades and position changes with one bulk,
 * idempotent statement per table (@shared/reporting/ingest). Shards are written in parallel.
 *
 * Failure handling (docs/workers/reporting.md):
 * - a record that does not decode or validate is dead-lettered (SQS, verbatim with the reason) and the
 *   rest of the batch goes on (the MSK source has no partial-batch response);
 * - a record the database refuses permanently (e.g. a value out of numeric range) is isolated by halving its
 *   shard's chunk and dead-lettered; the others are stored; so is an event older than the retained detail;
 * - a transient write failure is retried (withRetries, `writeAttempts` tries); if it still fails, this
 *   throws: Lambda retries the whole batch (redelivery inserts nothing twice), bounded by the event
 *   source's retry attempts, then sends the batch's offsets to its on-failure SQS destination.
 */
import type { DeadLetterSink } from '@shared/clients/dead-letter-queue';
import type { Sql } from '@shared/clients/sql';
import { decodeMskEvent, EventValidationError, TOPICS, type MskEvent, type MskRecord, type PositionChanged, type TradeExecuted } from '@shared/events';
import { BeyondRetentionError, ingestPositionChanges, ingestTrades } from '@shared/reporting/ingest';
import type { PartitionCache } from '@shared/reporting/partitions';
import { shardOf } from '@shared/shard-map';

export interface ReportingConsumerDeps {
  /** One connection pool per shard, in shard-map order (a user's shard is shardOf(userId, shards.length)). */
  readonly shards: readonly Sql[];
  readonly partitions: PartitionCache;
  readonly writeAttempts: number;
  readonly deadLetter: DeadLetterSink;
  readonly onRetry?: (error: unknown, attempt: number) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * An event time further ahead than this is refused (dead-lettered): a clock gone wrong at the producer would
 * otherwise create partitions (and rollup months) far in the future.
 */
export const MAX_FUTURE_SKEW_MS = 24 * 3_600_000;

export interface ReportingBatchSummary {
  readonly records: number;
  readonly tradesInserted: number;
  readonly positionsInserted: number;
  /** Records sent to the dead-letter queue (malformed, or refused by the database). */
  readonly deadLettered: number;
}

interface ShardBatch {
  readonly trades: TradeExecuted[];
  readonly tradeRecords: MskRecord[];
  readonly positions: PositionChanged[];
  readonly positionRecords: MskRecord[];
}

export async function consumeReportingBatch(event: MskEvent, deps: ReportingConsumerDeps): Promise<ReportingBatchSummary> {
  const results = decodeMskEvent(event);
  const batches = deps.shards.map((): ShardBatch => ({ trades: [], tradeRecords: [], positions: [], positionRecords: [] }));
  // A duplicate inside one batch is dropped here; across batches the table's key drops it.
  const seen = new Set<string>();
  const latest = (deps.now?.() ?? new Date()).getTime() + MAX_FUTURE_SKEW_MS;
  let deadLettered = 0;
  const bad: Promise<void>[] = [];
  const reject = (record: MskRecord, error: unknown) => {
    deadLettered++;
    bad.push(deps.deadLetter(record, error));
  };
  for (const result of results) {
    if (!result.ok) {
      reject(result.record, result.error);
      continue;
    }
    if (Date.parse(result.event.occurredAt) > latest) {
      reject(result.record, new EventValidationError('occurredAt', `${result.event.occurredAt} is more than 24 hours in the future`, result.ref));
      continue;
    }
    if (result.topic === TOPICS.trades && result.event.type === 'TradeExecuted') {
      if (seen.has(result.event.eventId)) continue;
      seen.add(result.event.eventId);
      const batch = batches[shardOf(result.event.userId, deps.shards.length)];
      batch.trades.push(result.event);
      batch.tradeRecords.push(result.record);
    } else if (result.topic === TOPICS.positions && result.event.type === 'PositionChanged') {
      if (seen.has(result.event.eventId)) continue;
      seen.add(result.event.eventId);
      const batch = batches[shardOf(result.event.userId, deps.shards.length)];
      batch.positions.push(result.event);
      batch.positionRecords.push(result.record);
    } else {
      reject(result.record, new EventValidationError('topic', `${result.topic} ${result.event.type} is not consumed by the reporting worker`, result.ref));
    }
  }
  await Promise.all(bad);

  const written = await Promise.all(
    batches.map(async (batch, shard) => {
      const db = deps.shards[shard];
      const common = { shard, partitions: deps.partitions, writeAttempts: deps.writeAttempts, onRetry: deps.onRetry };
      const trades = await ingestTrades(db, batch.trades, { ...common, onRejected: (i, error) => deps.deadLetter(batch.tradeRecords[i], refused(error)) });
      const positions = await ingestPositionChanges(db, batch.positions, { ...common, onRejected: (i, error) => deps.deadLetter(batch.positionRecords[i], refused(error)) });
      return { trades, positions };
    }),
  );
  return {
    records: results.length,
    tradesInserted: written.reduce((n, w) => n + w.trades.inserted, 0),
    positionsInserted: written.reduce((n, w) => n + w.positions.inserted, 0),
    deadLettered: deadLettered + written.reduce((n, w) => n + w.trades.rejected + w.positions.rejected, 0),
  };
}

/** A row the database refused, named so that the dead letter's errorType says so (pg's errors are all named "error"). */
export class RefusedByDatabaseError extends Error {
  override readonly name = 'RefusedByDatabase';
}

function refused(error: unknown): Error {
  if (error instanceof BeyondRetentionError) return error;
  const e = error as { code?: string; message?: string };
  return new RefusedByDatabaseError(`refused by the database (SQLSTATE ${e.code ?? 'unknown'}): ${e.message ?? String(error)}`);
}
