/**
 * Hourly, daily and weekly rollups of trades and realised P&L per user and symbol, on one shard.
 *
 * Exact and cheap: ingest lowers `refresh_watermark.dirty_since` to the oldest event time it inserted; the
 * refresh recomputes hourly buckets from date_trunc('hour', dirty_since) onward, then the days and ISO
 * weeks (UTC, Monday) those hours touch (never before `detail_since`, where retention left the detail complete), each with INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE, and
 * clears the watermark, all in one transaction that holds the watermark row: an ingest that commits
 * meanwhile waits on that row and then lowers the watermark again, so no write is ever missed.
 *
 * P&L: PositionChanged.realizedPnl is cumulative per user and symbol. An hour's closing value is the
 * change with the highest sequence in it; the hour's P&L is its closing minus the previous closing (the
 * previous hour with changes, or the last closing before the recomputed range, kept in the hourly rollup so
 * that it outlives the detail rows' retention). Days and weeks sum hours, which telescopes exactly.
 * Fees: those paid in the symbol's quote currency (fees in another asset are not converted).
 */
import type { Sql, Transactional } from '../clients/sql';
import { REPORTING_SCHEMA } from '../db/reporting-schema';
import { ensurePartition, ROLLUP_TABLES, utcMonth } from './partitions';

const S = REPORTING_SCHEMA;

export interface RefreshResult {
  /** The oldest hour recomputed; null when nothing was written since the last refresh. */
  readonly from: Date | null;
  readonly hourly: number;
  readonly daily: number;
  readonly weekly: number;
}

const SUMS = `trade_count = EXCLUDED.trade_count, bought_quantity = EXCLUDED.bought_quantity, sold_quantity = EXCLUDED.sold_quantity,
  notional = EXCLUDED.notional, fees = EXCLUDED.fees, realized_pnl = EXCLUDED.realized_pnl,
  closing_realized_pnl = EXCLUDED.closing_realized_pnl, refreshed_at = EXCLUDED.refreshed_at`;

const HOURLY = `WITH t AS (
    SELECT user_id, symbol, date_trunc('hour', executed_at, 'UTC') AS bucket_start,
           count(*) AS trade_count,
           coalesce(sum(quantity) FILTER (WHERE side = 'buy'), 0) AS bought_quantity,
           coalesce(sum(quantity) FILTER (WHERE side = 'sell'), 0) AS sold_quantity,
           sum(notional) AS notional,
           coalesce(sum(fee) FILTER (WHERE fee_currency = split_part(symbol, '-', 2)), 0) AS fees
    FROM ${S}.trades WHERE executed_at >= $1
    GROUP BY 1, 2, 3),
  closing AS (
    SELECT DISTINCT ON (user_id, symbol, date_trunc('hour', occurred_at, 'UTC'))
           user_id, symbol, date_trunc('hour', occurred_at, 'UTC') AS bucket_start, realized_pnl AS closing
    FROM ${S}.position_changes WHERE occurred_at >= $1
    ORDER BY user_id, symbol, date_trunc('hour', occurred_at, 'UTC'), sequence DESC),
  pnl AS (
    SELECT c.user_id, c.symbol, c.bucket_start, c.closing,
           c.closing - coalesce(lag(c.closing) OVER (PARTITION BY c.user_id, c.symbol ORDER BY c.bucket_start), (
             SELECT h.closing_realized_pnl FROM ${S}.rollup_hourly h
             WHERE h.user_id = c.user_id AND h.symbol = c.symbol AND h.bucket_start < $1 AND h.closing_realized_pnl IS NOT NULL
             ORDER BY h.bucket_start DESC LIMIT 1), 0) AS realized_pnl
    FROM closing c)
  INSERT INTO ${S}.rollup_hourly AS r (bucket_start, user_id, symbol, trade_count, bought_quantity, sold_quantity, notional, fees, realized_pnl, closing_realized_pnl, refreshed_at)
  SELECT coalesce(t.bucket_start, pnl.bucket_start), coalesce(t.user_id, pnl.user_id), coalesce(t.symbol, pnl.symbol),
         coalesce(t.trade_count, 0), coalesce(t.bought_quantity, 0), coalesce(t.sold_quantity, 0), coalesce(t.notional, 0), coalesce(t.fees, 0),
         coalesce(pnl.realized_pnl, 0), pnl.closing, now()
  FROM t FULL JOIN pnl ON pnl.user_id = t.user_id AND pnl.symbol = t.symbol AND pnl.bucket_start = t.bucket_start
  ON CONFLICT (bucket_start, user_id, symbol) DO UPDATE SET ${SUMS}`;

/** Sums the finer rollup into `target` buckets of `unit` ('day' or 'week') from $1. */
const coarser = (target: string, source: string, unit: 'day' | 'week') => `INSERT INTO ${S}.${target} AS r
    (bucket_start, user_id, symbol, trade_count, bought_quantity, sold_quantity, notional, fees, realized_pnl, closing_realized_pnl, refreshed_at)
  SELECT date_trunc('${unit}', bucket_start, 'UTC'), user_id, symbol, sum(trade_count), sum(bought_quantity), sum(sold_quantity), sum(notional), sum(fees),
         sum(realized_pnl), (array_agg(closing_realized_pnl ORDER BY bucket_start DESC) FILTER (WHERE closing_realized_pnl IS NOT NULL))[1], now()
  FROM ${S}.${source} WHERE bucket_start >= $1
  GROUP BY 1, 2, 3
  ON CONFLICT (bucket_start, user_id, symbol) DO UPDATE SET ${SUMS}`;

/** Recomputes the buckets written since the last refresh (see the module comment). */
export async function refreshRollups(db: Transactional): Promise<RefreshResult> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ dirty_since: Date | null; hour: Date; day: Date; week: Date }>(
      `SELECT dirty_since, date_trunc('hour', since, 'UTC') AS hour, date_trunc('day', since, 'UTC') AS day, date_trunc('week', since, 'UTC') AS week
       FROM ${S}.refresh_watermark, LATERAL (SELECT GREATEST(dirty_since, detail_since) AS since) s FOR UPDATE OF refresh_watermark`,
    );
    const mark = rows[0];
    if (!mark?.dirty_since) return { from: null, hourly: 0, daily: 0, weekly: 0 };
    await ensureRollupPartitions(tx, mark.week);
    const hourly = await count(tx, HOURLY, mark.hour);
    const daily = await count(tx, coarser('rollup_daily', 'rollup_hourly', 'day'), mark.day);
    const weekly = await count(tx, coarser('rollup_weekly', 'rollup_daily', 'week'), mark.week);
    await tx.query(`UPDATE ${S}.refresh_watermark SET dirty_since = NULL`);
    return { from: mark.hour, hourly, daily, weekly };
  });
}

/** The monthly rollup partitions from `from`'s month to the month of the newest detail row. */
async function ensureRollupPartitions(tx: Sql, from: Date): Promise<void> {
  const { rows } = await tx.query<{ newest: Date | null }>(
    `SELECT greatest((SELECT max(executed_at) FROM ${S}.trades WHERE executed_at >= $1),
                     (SELECT max(occurred_at) FROM ${S}.position_changes WHERE occurred_at >= $1)) AS newest`,
    [from],
  );
  const newest = rows[0]?.newest ?? from;
  for (let month = utcMonth(from); month <= newest; month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))) {
    for (const table of ROLLUP_TABLES) await ensurePartition(tx, table, month);
  }
}

async function count(tx: Sql, statement: string, from: Date): Promise<number> {
  const result = (await tx.query(statement, [from])) as { rows: unknown[]; rowCount?: number | null };
  return result.rowCount ?? 0;
}
