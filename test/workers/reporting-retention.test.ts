/** Retention: whole partitions past the retention are detached and dropped; recent ones kept; upcoming days created. */
import { PartitionCache } from '@shared/reporting/partitions';
import { applyRetention, listPartitions } from '@shared/reporting/retention';
import { refreshRollups } from '@shared/reporting/rollups';
import { consumeReportingBatch } from '../../functions/reporting/logic';
import { describeWith } from '../helpers/services';
import { mskBatch, position, reportingShards, trade, type ReportingShards } from './reporting-fixtures';

describeWith({ postgres: true }, 'reporting retention (local PostgreSQL)', () => {
  let db: ReportingShards;
  beforeAll(async () => {
    db = await reportingShards('retention', 1);
  });
  afterAll(() => db.drop());

  const names = async (table: 'trades' | 'position_changes' | 'rollup_hourly' | 'rollup_daily' | 'rollup_weekly') => (await listPartitions(db.shards[0], table)).map((p) => p.name);

  const letters: unknown[] = [];
  const deps = {
    get shards() {
      return db.shards;
    },
    partitions: new PartitionCache(),
    writeAttempts: 1,
    now: () => new Date('2026-12-05T00:00:00.000Z'),
    deadLetter: async (_record: unknown, error: unknown) => {
      letters.push(error);
    },
  };

  it('drops detail partitions after 90 days and rollup partitions after 730, keeps the rest, creates the days ahead', async () => {
    // Today is 2026-12-05: detail rows before 2026-09-06 and rollups before 2024-12-05 are past retention.
    const at = ['2024-11-30T12:00:00.000Z', '2024-12-02T12:00:00.000Z', '2026-09-05T23:59:59.999Z', '2026-09-06T00:00:00.000Z', '2026-12-04T10:00:00.000Z'];
    await consumeReportingBatch(mskBatch(at.flatMap((t, i) => [trade('dora', t), position('dora', t, i + 1, `${i}`)])), deps);
    await refreshRollups(db.shards[0]);
    expect(await names('rollup_daily')).toContain('rollup_daily_p202411');

    const result = await applyRetention(db.shards[0], { now: new Date('2026-12-05T03:00:00.000Z'), detailRetentionDays: 90, rollupRetentionDays: 730, partitionsAheadDays: 3 });

    expect(result.dropped).toEqual(
      expect.arrayContaining(['trades_p20241130', 'trades_p20241202', 'trades_p20260905', 'position_changes_p20260905', 'rollup_hourly_p202411', 'rollup_daily_p202411', 'rollup_weekly_p202411']),
    );
    expect(await names('trades')).toEqual(['trades_p20260906', 'trades_p20261204', 'trades_p20261205', 'trades_p20261206', 'trades_p20261207', 'trades_p20261208']);
    expect(await names('position_changes')).toEqual(['position_changes_p20260906', 'position_changes_p20261204', 'position_changes_p20261205', 'position_changes_p20261206', 'position_changes_p20261207', 'position_changes_p20261208']);
    // December 2024 holds rollups younger than 730 days: kept, whole.
    expect(await names('rollup_daily')).toEqual(expect.arrayContaining(['rollup_daily_p202412', 'rollup_daily_p202609', 'rollup_daily_p202612']));
    expect(await names('rollup_daily')).not.toContain('rollup_daily_p202411');
    const { rows } = await db.pools[0].query(`SELECT to_char(bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM reporting.rollup_daily ORDER BY 1`);
    expect(rows.map((r) => r.day)).toEqual(['2024-12-02', '2026-09-05', '2026-09-06', '2026-12-04']);
    const { rows: kept } = await db.pools[0].query('SELECT count(*)::int AS n FROM reporting.trades');
    expect(kept[0].n).toBe(2);
    // Dropped, not merely detached: no table of that name is left.
    const { rows: orphans } = await db.pools[0].query(`SELECT relname FROM pg_class WHERE relname IN ('trades_p20260905', 'rollup_daily_p202411')`);
    expect(orphans).toEqual([]);

    // A second run drops nothing more.
    const again = await applyRetention(db.shards[0], { now: new Date('2026-12-05T03:00:00.000Z'), detailRetentionDays: 90, rollupRetentionDays: 730, partitionsAheadDays: 3 });
    expect(again.dropped).toEqual([]);
  });

  it('refuses events older than the retained detail, and never recomputes rollups from detail that is gone', async () => {
    const day = async (d: string) =>
      (await db.pools[0].query(`SELECT trade_count::int AS n FROM reporting.rollup_daily WHERE user_id = 'dora' AND bucket_start = $1`, [`${d}T00:00:00Z`])).rows[0]?.n;
    expect(await day('2026-09-05')).toBe(1);
    const { rows: mark } = await db.pools[0].query('SELECT detail_since FROM reporting.refresh_watermark');
    expect(mark[0].detail_since.toISOString()).toBe('2026-09-06T00:00:00.000Z');

    letters.length = 0;
    const summary = await consumeReportingBatch(mskBatch([trade('dora', '2026-09-05T12:00:00.000Z'), trade('dora', '2026-09-06T12:00:00.000Z')]), deps);
    expect(summary).toMatchObject({ tradesInserted: 1, deadLettered: 1 });
    expect(letters).toEqual([expect.objectContaining({ name: 'BeyondRetention' })]);
    expect(await names('trades')).not.toContain('trades_p20260905');

    // A write that landed just before its partition was dropped: the refresh starts at the detail cutoff, so
    // the 5 September rollup (computed when its detail existed) stays as it was.
    await db.pools[0].query(`UPDATE reporting.refresh_watermark SET dirty_since = '2026-09-05T12:00:00Z'`);
    const refreshed = await refreshRollups(db.shards[0]);
    expect(refreshed.from?.toISOString()).toBe('2026-09-06T00:00:00.000Z');
    expect(await day('2026-09-05')).toBe(1);
    expect(await day('2026-09-06')).toBe(2);
  });
});
