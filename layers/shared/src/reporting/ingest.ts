/**
 * Bulk, idempotent writes of trades and position changes into the reporting schema of ONE shard.
 *
 * One multi-row statement per table per batch (`INSERT … SELECT FROM unnest($1::text[], …) ON CONFLICT DO
 * NOTHING`): the key (event_id, event time) makes a redelivered batch insert nothing twice. The same
 * statement lowers the refresh watermark to the oldest event time it actually inserted, so the hourly
 * rollup recomputes exactly the buckets that changed (late data included) and nothing else.
 *
 * An event older than `refresh_watermark.detail_since` (what retention has dropped) is refused the same way.
 *
 * Failures: a transient one (connection reset, serialization, admin shutdown) is retried `writeAttempts`
 * times in all, then thrown (the caller fails the batch and Lambda redelivers it). A permanent refusal of
 * the data (SQLSTATE class 22 data exception or 23 integrity violation, e.g. a notional out of numeric(38,18)
 * range) makes the chunk split in halves until the refused rows stand alone: only they are reported to
 * `onRejected` (and dead-lettered by the caller), the others are stored, still in bulk.
 */
import type { Sql } from '../clients/sql';
import { REPORTING_SCHEMA } from '../db/reporting-schema';
import type { PositionChanged, TradeExecuted } from '../events';
import { withRetries } from '../runtime/retry';
import { PartitionCache, type DetailTable } from './partitions';

const S = REPORTING_SCHEMA;

export interface IngestOptions {
  /** Shard index, for the partition cache. @default 0 */
  readonly shard?: number;
  /** The container's partition cache. @default a new one (CREATE … IF NOT EXISTS once per day of the batch) */
  readonly partitions?: PartitionCache;
  /** Tries of a transiently failing write, including the first. @default 3 */
  readonly writeAttempts?: number;
  readonly onRetry?: (error: unknown, attempt: number) => void;
  /**
   * A row the database refused permanently (index into the input). @default throw the error (nothing is
   * silently dropped).
   */
  readonly onRejected?: (index: number, error: unknown) => Promise<void> | void;
}

export interface IngestResult {
  /** Rows newly stored (duplicates of stored rows are not counted). */
  readonly inserted: number;
  /** Rows refused permanently and handed to onRejected. */
  readonly rejected: number;
}

/** Column arrays for unnest, and the event time of each row (partition routing). */
interface Columns {
  readonly params: unknown[][];
  readonly times: Date[];
}

interface DetailWriter<E> {
  readonly table: DetailTable;
  readonly statement: string;
  columns(rows: readonly E[]): Columns;
}

/** The watermark update shared by both statements: only when something was inserted (a redelivery takes no lock). */
const lowerWatermark = (timeColumn: string) => `watermark AS (
     UPDATE ${S}.refresh_watermark SET dirty_since = LEAST(dirty_since, (SELECT min(${timeColumn}) FROM inserted))
     WHERE (SELECT min(${timeColumn}) FROM inserted) IS NOT NULL)
   SELECT count(*)::int AS inserted FROM inserted`;

const TRADES: DetailWriter<TradeExecuted> = {
  table: 'trades',
  statement: `WITH inserted AS (
     INSERT INTO ${S}.trades (event_id, executed_at, user_id, symbol, side, trade_id, order_id, quantity, price, notional, fee, fee_currency, liquidity)
     SELECT e, t, u, s, sd, tr, o, q, p, q * p, f, fc, l
     FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::numeric[], $10::numeric[], $11::text[], $12::text[])
       AS r (e, t, u, s, sd, tr, o, q, p, f, fc, l)
     ON CONFLICT DO NOTHING
     RETURNING executed_at),
   ${lowerWatermark('executed_at')}`,
  columns(rows) {
    const params: unknown[][] = Array.from({ length: 12 }, () => new Array(rows.length));
    const times = new Array<Date>(rows.length);
    rows.forEach((r, i) => {
      times[i] = new Date(r.occurredAt);
      const values = [r.eventId, r.occurredAt, r.userId, r.symbol, r.side, r.tradeId, r.orderId, r.quantity, r.price, r.fee, r.feeCurrency, r.liquidity];
      for (let c = 0; c < 12; c++) params[c][i] = values[c];
    });
    return { params, times };
  },
};

const POSITIONS: DetailWriter<PositionChanged> = {
  table: 'position_changes',
  statement: `WITH inserted AS (
     INSERT INTO ${S}.position_changes (event_id, occurred_at, user_id, symbol, sequence, quantity, realized_pnl, trade_id)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::bigint[], $6::numeric[], $7::numeric[], $8::text[])
     ON CONFLICT DO NOTHING
     RETURNING occurred_at),
   ${lowerWatermark('occurred_at')}`,
  columns(rows) {
    const params: unknown[][] = Array.from({ length: 8 }, () => new Array(rows.length));
    const times = new Array<Date>(rows.length);
    rows.forEach((r, i) => {
      times[i] = new Date(r.occurredAt);
      const values = [r.eventId, r.occurredAt, r.userId, r.symbol, r.sequence, r.quantity, r.realizedPnl, r.tradeId ?? null];
      for (let c = 0; c < 8; c++) params[c][i] = values[c];
    });
    return { params, times };
  },
};

/** An event older than the retained detail (`refresh_watermark.detail_since`): refused, and dead-lettered by the consumer. */
export class BeyondRetentionError extends Error {
  override readonly name = 'BeyondRetention';
}

/** Stores TradeExecuted events in one statement (see the module comment for failures). */
export function ingestTrades(db: Sql, trades: readonly TradeExecuted[], options: IngestOptions = {}): Promise<IngestResult> {
  return ingest(db, TRADES, trades, options);
}

/** Stores PositionChanged events in one statement. */
export function ingestPositionChanges(db: Sql, changes: readonly PositionChanged[], options: IngestOptions = {}): Promise<IngestResult> {
  return ingest(db, POSITIONS, changes, options);
}

/** The naive baseline the benchmark compares with: one INSERT per trade (idempotent too). */
export async function insertTradesRowByRow(db: Sql, trades: readonly TradeExecuted[]): Promise<number> {
  let inserted = 0;
  for (const t of trades) {
    const { rows } = await db.query<{ inserted: number }>(TRADES.statement, TRADES.columns([t]).params);
    inserted += rows[0].inserted;
  }
  return inserted;
}

async function ingest<E>(db: Sql, writer: DetailWriter<E>, rows: readonly E[], options: IngestOptions): Promise<IngestResult> {
  if (rows.length === 0) return { inserted: 0, rejected: 0 };
  const shard = options.shard ?? 0;
  const partitions = options.partitions ?? new PartitionCache();
  const all = writer.columns(rows);
  let rejected = 0;
  const reject = async (index: number, error: unknown) => {
    if (!options.onRejected) throw error;
    await options.onRejected(index, error);
    rejected++;
  };

  // Events older than the retained detail are refused: they would re-create a dropped partition, and their
  // bucket's rollup (kept two years) is final.
  const { rows: marks } = await db.query<{ detail_since: Date | null }>(`SELECT detail_since FROM ${S}.refresh_watermark`);
  const horizon = marks[0]?.detail_since ?? null;
  let kept = rows.map((_, i) => i);
  if (horizon && all.times.some((t) => t < horizon)) {
    kept = [];
    for (let i = 0; i < rows.length; i++) {
      if (all.times[i] >= horizon) kept.push(i);
      else await reject(i, new BeyondRetentionError(`event time ${all.times[i].toISOString()} is before ${horizon.toISOString()}, where retention has dropped the detail rows`));
    }
    if (kept.length === 0) return { inserted: 0, rejected };
  }
  const columns: Columns = kept.length === rows.length ? all : { params: all.params.map((column) => kept.map((i) => column[i])), times: kept.map((i) => all.times[i]) };
  await partitions.ensure(db, shard, writer.table, columns.times);

  const write = (params: unknown[][], times: readonly Date[]) =>
    withRetries(async () => {
      try {
        return await insert(db, writer.statement, params);
      } catch (error) {
        // The partition was dropped since this container created it (retention): create it again, once.
        if (!isMissingPartition(error)) throw error;
        partitions.forgetShard(shard);
        await partitions.ensure(db, shard, writer.table, times);
        return insert(db, writer.statement, params);
      }
    }, { attempts: options.writeAttempts ?? 3, onRetry: options.onRetry });

  const writeRange = (from: number, to: number) => write(columns.params.map((column) => column.slice(from, to)), columns.times.slice(from, to));
  let inserted = 0;
  // [from, to) was refused: halve it until the refused rows stand alone (about 2·log2(n) statements for one
  // bad row instead of n); the halves that go through are stored in bulk.
  const isolate = async (from: number, to: number, refusal: unknown): Promise<void> => {
    if (to - from === 1) return reject(kept[from], refusal);
    const mid = (from + to) >>> 1;
    for (const [a, b] of [[from, mid], [mid, to]]) {
      try {
        inserted += await writeRange(a, b);
      } catch (error) {
        if (!isRefusedData(error)) throw error;
        await isolate(a, b, error);
      }
    }
  };
  try {
    inserted = await writeRange(0, rows.length);
  } catch (error) {
    if (!isRefusedData(error)) throw error;
    await isolate(0, rows.length, error);
  }
  return { inserted, rejected };
}

async function insert(db: Sql, statement: string, params: unknown[][]): Promise<number> {
  const { rows } = await db.query<{ inserted: number }>(statement, params);
  return rows[0].inserted;
}

function sqlState(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

function isMissingPartition(error: unknown): boolean {
  return sqlState(error) === '23514' && /no partition of relation/.test((error as Error).message);
}

/** The data itself is refused (class 22 data exception, 23 integrity violation): retrying cannot help. */
export function isRefusedData(error: unknown): boolean {
  const code = sqlState(error);
  return (code.startsWith('22') || code.startsWith('23')) && !isMissingPartition(error);
}
