/**
 * The reporting tables' partitions: a day per partition for the detail tables (trades, position changes),
 * a month per partition for the rollups. Names carry the range start (`trades_p20261205`,
 * `rollup_daily_p202612`), so that retention reads the range from the name. Creation is idempotent and
 * safe when two containers create the same partition at once.
 */
import type { Sql } from '../clients/sql';
import { REPORTING_SCHEMA } from '../db/reporting-schema';

export const DETAIL_TABLES = ['trades', 'position_changes'] as const;
export type DetailTable = (typeof DETAIL_TABLES)[number];
export const ROLLUP_TABLES = ['rollup_hourly', 'rollup_daily', 'rollup_weekly'] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];
export type ReportingTable = DetailTable | RollupTable;

const DAY_MS = 86_400_000;

/** Midnight UTC of `time`'s day. */
export function utcDay(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

export function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * DAY_MS);
}

/** The first day of `time`'s month, UTC. */
export function utcMonth(time: Date): Date {
  return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), 1));
}

function isDetail(table: ReportingTable): table is DetailTable {
  return (DETAIL_TABLES as readonly string[]).includes(table);
}

/** The range [from, to) and name of the partition of `table` that holds `time`. */
export function partitionFor(table: ReportingTable, time: Date): { name: string; from: Date; to: Date } {
  const iso = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
  if (isDetail(table)) {
    const from = utcDay(time);
    return { name: `${table}_p${iso(from)}`, from, to: addDays(from, 1) };
  }
  const from = utcMonth(time);
  return { name: `${table}_p${iso(from).slice(0, 6)}`, from, to: new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1)) };
}

/** Creates the partition of `table` holding `time` unless it exists. Returns its name. */
export async function ensurePartition(db: Sql, table: ReportingTable, time: Date): Promise<string> {
  const { name, from, to } = partitionFor(table, time);
  try {
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${REPORTING_SCHEMA}.${name} PARTITION OF ${REPORTING_SCHEMA}.${table} FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
    );
  } catch (error) {
    // Two sessions creating the same partition at once: IF NOT EXISTS checks before the catalog insert, so
    // the loser sees a duplicate (42P07, or 23505 on pg_type). The partition exists either way.
    const code = (error as { code?: string }).code;
    if (code !== '42P07' && code !== '23505') throw error;
  }
  return name;
}

/**
 * The partitions a container has created or found, per shard, so that a batch issues CREATE only for a
 * day it has not seen. Forgotten for a shard when an insert finds its partition missing (retention dropped it).
 */
export class PartitionCache {
  private readonly known = new Set<string>();

  /** Ensures the partitions of `table` that hold `times`, on `db` (shard `shard`). */
  async ensure(db: Sql, shard: number, table: ReportingTable, times: Iterable<Date>): Promise<void> {
    const needed = new Map<string, Date>();
    for (const time of times) {
      const { name } = partitionFor(table, time);
      if (!this.known.has(`${shard}/${name}`)) needed.set(name, time);
    }
    for (const [name, time] of needed) {
      await ensurePartition(db, table, time);
      this.known.add(`${shard}/${name}`);
    }
  }

  forgetShard(shard: number): void {
    for (const key of this.known) if (key.startsWith(`${shard}/`)) this.known.delete(key);
  }
}
