/** Hourly, daily and weekly rollups with P&L, refreshed from the watermark (local PostgreSQL). */
import { PartitionCache } from '@shared/reporting/partitions';
import { refreshRollups } from '@shared/reporting/rollups';
import { consumeReportingBatch } from '../../functions/reporting/logic';
import { describeWith } from '../helpers/services';
import { mskBatch, position, reportingShards, trade, type ReportingShards } from './reporting-fixtures';
import type { PositionChanged, TradeExecuted } from '@shared/events';

// Sunday 6 and Monday 7 December 2026: two ISO weeks (from Monday 30 November and Monday 7 December).
const SUN = '2026-12-06';
const MON = '2026-12-07';

describeWith({ postgres: true }, 'reporting rollups (local PostgreSQL)', () => {
  let db: ReportingShards;
  beforeAll(async () => {
    db = await reportingShards('rollups', 1);
  });
  afterAll(() => db.drop());

  const ingest = (...events: (TradeExecuted | PositionChanged)[]) =>
    consumeReportingBatch(mskBatch(events), { shards: db.shards, partitions: new PartitionCache(), writeAttempts: 1, now: () => new Date('2026-12-09T00:00:00.000Z'), deadLetter: async (_r, e) => { throw e; } });
  const rows = async (table: string, userId = 'alice', symbol = 'BTC-USD') =>
    (
      await db.pools[0].query(
        `SELECT bucket_start, trade_count::int, trim_scale(bought_quantity)::text AS bought, trim_scale(sold_quantity)::text AS sold,
                trim_scale(notional)::text AS notional, trim_scale(fees)::text AS fees, trim_scale(realized_pnl)::text AS pnl, trim_scale(closing_realized_pnl)::text AS closing
         FROM reporting.${table} WHERE user_id = $1 AND symbol = $2 ORDER BY bucket_start`,
        [userId, symbol],
      )
    ).rows.map((r) => ({ ...r, bucket_start: r.bucket_start.toISOString() }));

  it('aggregates trades and P&L per hour, day and ISO week, and recomputes exactly what late data touched', async () => {
    await ingest(
      // Saturday: before everything the late data below touches.
      trade('alice', '2026-12-05T08:15:00.000Z', { side: 'buy', quantity: '1', price: '100', fee: '0.1' }),
      trade('alice', `${SUN}T10:05:00.000Z`, { side: 'buy', quantity: '1', price: '100', fee: '0.1' }),
      position('alice', `${SUN}T10:05:00.000Z`, 10, '0'),
      trade('alice', `${SUN}T10:40:00.000Z`, { side: 'sell', quantity: '0.5', price: '110', fee: '0.2' }),
      position('alice', `${SUN}T10:40:00.000Z`, 20, '5'),
      // A fee in another asset is not added to the quote-currency fees.
      trade('alice', `${SUN}T11:10:00.000Z`, { side: 'buy', quantity: '2', price: '90', fee: '0.05', feeCurrency: 'BNB' }),
      position('alice', `${SUN}T11:10:00.000Z`, 30, '5'),
      // An adjustment with no trade: a P&L-only bucket.
      position('alice', `${MON}T00:30:00.000Z`, 40, '3.5'),
      trade('bob', `${MON}T09:00:00.000Z`, { symbol: 'ETH-USD', side: 'sell', quantity: '3', price: '10', fee: '0' }),
      position('bob', `${MON}T09:00:00.000Z`, 7, '-2', 'ETH-USD'),
    );
    const first = await refreshRollups(db.shards[0]);
    expect(first.from?.toISOString()).toBe('2026-12-05T08:00:00.000Z');

    const saturday = { bucket_start: '2026-12-05T08:00:00.000Z', trade_count: 1, bought: '1', sold: '0', notional: '100', fees: '0.1', pnl: '0', closing: null };
    expect(await rows('rollup_hourly')).toEqual([
      saturday,
      { bucket_start: `${SUN}T10:00:00.000Z`, trade_count: 2, bought: '1', sold: '0.5', notional: '155', fees: '0.3', pnl: '5', closing: '5' },
      { bucket_start: `${SUN}T11:00:00.000Z`, trade_count: 1, bought: '2', sold: '0', notional: '180', fees: '0', pnl: '0', closing: '5' },
      { bucket_start: `${MON}T00:00:00.000Z`, trade_count: 0, bought: '0', sold: '0', notional: '0', fees: '0', pnl: '-1.5', closing: '3.5' },
    ]);
    expect(await rows('rollup_daily')).toEqual([
      { ...saturday, bucket_start: '2026-12-05T00:00:00.000Z' },
      { bucket_start: `${SUN}T00:00:00.000Z`, trade_count: 3, bought: '3', sold: '0.5', notional: '335', fees: '0.3', pnl: '5', closing: '5' },
      { bucket_start: `${MON}T00:00:00.000Z`, trade_count: 0, bought: '0', sold: '0', notional: '0', fees: '0', pnl: '-1.5', closing: '3.5' },
    ]);
    expect(await rows('rollup_weekly')).toEqual([
      { bucket_start: '2026-11-30T00:00:00.000Z', trade_count: 4, bought: '4', sold: '0.5', notional: '435', fees: '0.4', pnl: '5', closing: '5' },
      { bucket_start: `${MON}T00:00:00.000Z`, trade_count: 0, bought: '0', sold: '0', notional: '0', fees: '0', pnl: '-1.5', closing: '3.5' },
    ]);
    // A user's first position change counts from zero; users and symbols are apart.
    expect(await rows('rollup_daily', 'bob', 'ETH-USD')).toEqual([
      { bucket_start: `${MON}T00:00:00.000Z`, trade_count: 1, bought: '0', sold: '3', notional: '30', fees: '0', pnl: '-2', closing: '-2' },
    ]);

    // Nothing written since the refresh: nothing recomputed.
    expect(await refreshRollups(db.shards[0])).toEqual({ from: null, hourly: 0, daily: 0, weekly: 0 });

    // Late data for Sunday 10:50 (a trade, and the position change between sequences 20 and 30): Sunday
    // 10:00 onward is recomputed, Saturday is not; P&L moves between hours, the day's total stays exact.
    await db.pools[0].query(`UPDATE reporting.rollup_hourly SET refreshed_at = '2000-01-01'`);
    await ingest(trade('alice', `${SUN}T10:50:00.000Z`, { side: 'buy', quantity: '1', price: '100', fee: '0.1' }), position('alice', `${SUN}T10:50:00.000Z`, 25, '6'));
    const late = await refreshRollups(db.shards[0]);
    expect(late.from?.toISOString()).toBe(`${SUN}T10:00:00.000Z`);
    const hourly = await rows('rollup_hourly');
    expect(hourly.map((h) => [h.trade_count, h.notional, h.pnl, h.closing])).toEqual([
      [1, '100', '0', null],
      [3, '255', '6', '6'],
      [1, '180', '-1', '5'],
      [0, '0', '-1.5', '3.5'],
    ]);
    const { rows: stale } = await db.pools[0].query(`SELECT bucket_start FROM reporting.rollup_hourly WHERE refreshed_at = '2000-01-01'`);
    expect(stale.map((r) => r.bucket_start.toISOString())).toEqual(['2026-12-05T08:00:00.000Z']);
    expect((await rows('rollup_daily'))[1]).toMatchObject({ trade_count: 4, notional: '435', pnl: '5' });
    expect((await rows('rollup_weekly'))[0]).toMatchObject({ trade_count: 5, notional: '535', pnl: '5' });

    // P&L before the recomputed range comes from the hourly rollup, so it outlives the detail rows' retention.
    await db.pools[0].query('DROP TABLE reporting.position_changes_p20261206');
    await ingest(position('alice', `${MON}T00:45:00.000Z`, 45, '4'));
    await refreshRollups(db.shards[0]);
    expect((await rows('rollup_hourly'))[3]).toMatchObject({ bucket_start: `${MON}T00:00:00.000Z`, pnl: '-1', closing: '4' });
    expect((await rows('rollup_weekly'))[1]).toMatchObject({ pnl: '-1' });
  });

  it('keeps a write that commits during a refresh for the next refresh', async () => {
    // The refresh holds the watermark row: a concurrent ingest's statement waits for it, then lowers it again.
    let ingestDone = false;
    let concurrent: Promise<unknown> = Promise.resolve();
    await db.shards[0].transaction(async (tx) => {
      await tx.query('SELECT dirty_since FROM reporting.refresh_watermark FOR UPDATE');
      concurrent = ingest(trade('carol', '2026-12-08T02:00:00.000Z')).then(() => (ingestDone = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ingestDone).toBe(false);
      await tx.query('UPDATE reporting.refresh_watermark SET dirty_since = NULL');
    });
    await concurrent;
    const { rows: mark } = await db.pools[0].query('SELECT dirty_since FROM reporting.refresh_watermark');
    expect(mark[0].dirty_since.toISOString()).toBe('2026-12-08T02:00:00.000Z');
    await refreshRollups(db.shards[0]);
    expect(await rows('rollup_hourly', 'carol')).toMatchObject([{ bucket_start: '2026-12-08T02:00:00.000Z', trade_count: 1 }]);
  });
});
