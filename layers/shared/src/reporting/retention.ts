/**
 * Retention of the reporting tables on one shard: whole partitions whose range ended before the cutoff are
 * detached and dropped (no DELETE, no bloat, no vacuum), detail rows after `detailRetentionDays`, rollups
 * after `rollupRetentionDays` (and `refresh_watermark.detail_since` moves to the detail cutoff); the day partitions of the next `partitionsAheadDays` days (and the months
 * they fall in, for the rollups) are created ahead, so that ingest rarely has to.
 */
import type { Sql } from '../clients/sql';
import { REPORTING_SCHEMA } from '../db/reporting-schema';
import { addDays, DETAIL_TABLES, ensurePartition, partitionFor, ROLLUP_TABLES, utcDay, type ReportingTable } from './partitions';

export interface RetentionOptions {
  /** The reference time ("today"). */
  readonly now: Date;
  readonly detailRetentionDays: number;
  readonly rollupRetentionDays: number;
  readonly partitionsAheadDays: number;
}

export interface RetentionResult {
  readonly dropped: readonly string[];
  readonly created: readonly string[];
}

/** The partitions of `table`, with the end of their range read from the name (`<table>_pYYYYMMDD` or `_pYYYYMM`). */
export async function listPartitions(db: Sql, table: ReportingTable): Promise<{ name: string; end: Date }[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE n.nspname = $1 AND p.relname = $2 ORDER BY c.relname`,
    [REPORTING_SCHEMA, table],
  );
  return rows.flatMap(({ name }) => {
    const m = /_p(\d{4})(\d{2})(\d{2})?$/.exec(name);
    if (!m) return [];
    const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1));
    return [{ name, end: partitionFor(table, start).to }];
  });
}

export async function applyRetention(db: Sql, options: RetentionOptions): Promise<RetentionResult> {
  const today = utcDay(options.now);
  const dropped: string[] = [];
  const created: string[] = [];
  // First (so that a crash between the two cannot leave a refresh reaching into dropped detail): detail older
  // than its cutoff is about to go, ingest refuses such events and the refresh starts no earlier.
  await db.query(`UPDATE ${REPORTING_SCHEMA}.refresh_watermark SET detail_since = GREATEST(detail_since, $1)`, [addDays(today, -options.detailRetentionDays)]);
  const policies: [readonly ReportingTable[], number][] = [
    [DETAIL_TABLES, options.detailRetentionDays],
    [ROLLUP_TABLES, options.rollupRetentionDays],
  ];
  for (const [tables, days] of policies) {
    const cutoff = addDays(today, -days);
    for (const table of tables) {
      for (const partition of await listPartitions(db, table)) {
        // Only when every row it can hold is older than the cutoff.
        if (partition.end > cutoff) continue;
        await db.query(`ALTER TABLE ${REPORTING_SCHEMA}.${table} DETACH PARTITION ${REPORTING_SCHEMA}.${partition.name}`);
        await db.query(`DROP TABLE ${REPORTING_SCHEMA}.${partition.name}`);
        dropped.push(partition.name);
      }
    }
  }
  for (let d = 0; d <= options.partitionsAheadDays; d++) {
    const day = addDays(today, d);
    for (const table of [...DETAIL_TABLES, ...ROLLUP_TABLES]) {
      const name = await ensurePartition(db, table, day);
      if (!created.includes(name)) created.push(name);
    }
  }
  return { dropped, created };
}
