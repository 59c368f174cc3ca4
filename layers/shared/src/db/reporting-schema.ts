/**
 * The reporting worker's tables (schema `reporting`), on every shard: trades and position changes in daily
 * RANGE partitions on their event time (Aurora has no TimescaleDB), hourly / daily / weekly rollups in
 * monthly partitions (so retention drops whole partitions), and the one-row refresh watermark.
 * Partitions themselves are created by the code (`./reporting/partitions`), not by migrations.
 *
 * Append-only: version N is REPORTING_MIGRATIONS[N - 1], never edited once deployed (the stack hashes this
 * list so that a new migration re-runs the custom resource).
 */
import { migrateSchema, type Transactional } from '../clients/sql';

export const REPORTING_SCHEMA = 'reporting';
const S = REPORTING_SCHEMA;

/** The rollup columns every granularity shares (sums over the bucket; P&L is the change of cumulative realised P&L). */
const rollupTable = (name: string) => `CREATE TABLE ${S}.${name} (
       bucket_start timestamptz NOT NULL,
       user_id text NOT NULL,
       symbol text NOT NULL,
       trade_count bigint NOT NULL,
       bought_quantity numeric NOT NULL,
       sold_quantity numeric NOT NULL,
       notional numeric NOT NULL,
       fees numeric NOT NULL,
       realized_pnl numeric NOT NULL,
       closing_realized_pnl numeric,
       refreshed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (bucket_start, user_id, symbol) -- also the export's keyset over a day's users
     ) PARTITION BY RANGE (bucket_start)`;

export const REPORTING_MIGRATIONS: readonly (readonly string[])[] = [
  [
    // The key includes the partition column (PostgreSQL requires it); event ids are unique anyway.
    `CREATE TABLE ${S}.trades (
       event_id text NOT NULL,
       executed_at timestamptz NOT NULL,
       user_id text NOT NULL,
       symbol text NOT NULL,
       side text NOT NULL CHECK (side IN ('buy', 'sell')),
       trade_id text NOT NULL,
       order_id text NOT NULL,
       quantity numeric(38, 18) NOT NULL,
       price numeric(38, 18) NOT NULL,
       notional numeric(38, 18) NOT NULL,
       fee numeric(38, 18) NOT NULL,
       fee_currency text NOT NULL,
       liquidity text NOT NULL,
       PRIMARY KEY (event_id, executed_at)
     ) PARTITION BY RANGE (executed_at)`,
    // BRIN: the rollup scans by time; rows arrive in about time order, so the index costs nearly nothing to keep.
    `CREATE INDEX trades_executed_at ON ${S}.trades USING brin (executed_at)`,
    `CREATE TABLE ${S}.position_changes (
       event_id text NOT NULL,
       occurred_at timestamptz NOT NULL,
       user_id text NOT NULL,
       symbol text NOT NULL,
       sequence bigint NOT NULL,
       quantity numeric(38, 18) NOT NULL,
       realized_pnl numeric(38, 18) NOT NULL,
       trade_id text,
       PRIMARY KEY (event_id, occurred_at)
     ) PARTITION BY RANGE (occurred_at)`,
    `CREATE INDEX position_changes_occurred_at ON ${S}.position_changes USING brin (occurred_at)`,
    rollupTable('rollup_hourly'),
    // The refresh's previous-closing lookup (P&L before the recomputed range) per user and symbol.
    `CREATE INDEX rollup_hourly_closing ON ${S}.rollup_hourly (user_id, symbol, bucket_start) WHERE closing_realized_pnl IS NOT NULL`,
    rollupTable('rollup_daily'),
    rollupTable('rollup_weekly'),
    // dirty_since: the oldest event time written since the last refresh (NULL: nothing to refresh).
    // detail_since: where the detail rows are complete (retention dropped what is older; NULL: nothing dropped
    // yet). Older events are refused and the refresh never recomputes before it, so that a late event cannot
    // replace a bucket's rollup with a sum over the little detail that is left.
    `CREATE TABLE ${S}.refresh_watermark (
       id boolean PRIMARY KEY DEFAULT true CHECK (id),
       dirty_since timestamptz,
       detail_since timestamptz
     )`,
    `INSERT INTO ${S}.refresh_watermark (id, dirty_since, detail_since) VALUES (true, NULL, NULL)`,
  ],
];

/** Applies the reporting migrations not applied yet to one shard; returns how many ran. */
export async function migrateReportingSchema(db: Transactional): Promise<number> {
  return migrateSchema(db, REPORTING_SCHEMA, REPORTING_MIGRATIONS);
}
