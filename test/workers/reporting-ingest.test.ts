/** The reporting consumer against the local PostgreSQL: bulk idempotent ingest, partitions, bad records, failures. */
import type { Sql } from '@shared/clients/sql';
import { encodeRawMskRecord, type MskRecord } from '@shared/events';
import { ingestTrades } from '@shared/reporting/ingest';
import { PartitionCache } from '@shared/reporting/partitions';
import { shardOf } from '@shared/shard-map';
import { consumeReportingBatch, type ReportingConsumerDeps } from '../../functions/reporting/logic';
import { describeWith } from '../helpers/services';
import { mskBatch, position, reportingShards, trade, tradeSeries, type ReportingShards } from './reporting-fixtures';

const START = new Date('2026-11-30T22:00:00.000Z');
const NOW = new Date('2026-12-04T00:00:00.000Z');

describeWith({ postgres: true }, 'reporting consumer (local PostgreSQL)', () => {
  let db: ReportingShards;
  beforeAll(async () => {
    db = await reportingShards('ingest', 2);
  });
  afterAll(() => db.drop());

  const letters: { record: MskRecord; error: unknown }[] = [];
  const deps = (over: Partial<ReportingConsumerDeps> = {}): ReportingConsumerDeps => ({
    shards: db.shards,
    partitions: new PartitionCache(),
    writeAttempts: 3,
    now: () => NOW,
    deadLetter: async (record, error) => {
      letters.push({ record, error });
    },
    ...over,
  });
  beforeEach(() => {
    letters.length = 0;
  });

  const count = async (shard: number, table: string, where = 'true', params: unknown[] = []) =>
    Number((await db.pools[shard].query(`SELECT count(*) AS n FROM reporting.${table} WHERE ${where}`, params)).rows[0].n);
  const totalTrades = async () => (await count(0, 'trades')) + (await count(1, 'trades'));

  it('stores a 10,000-record batch with duplicates and malformed records once, per shard, in day partitions', async () => {
    const trades = tradeSeries(9_900, START, { users: 200, days: 3 });
    const duplicates = trades.slice(0, 50);
    const malformed = [
      encodeRawMskRecord({ topic: 'trading.trades', key: 'user-1', value: '{not json', offset: 90_001 }),
      encodeRawMskRecord({ topic: 'trading.trades', key: 'user-1', value: JSON.stringify({ ...trades[1], eventId: 'x', quantity: '-1' }), offset: 90_002 }),
      encodeRawMskRecord({ topic: 'trading.trades', key: 'user-1', value: null, offset: 90_003 }),
      encodeRawMskRecord({ topic: 'trading.trades', key: 'someone-else', value: JSON.stringify(trades[2]), offset: 90_004 }),
      encodeRawMskRecord({ topic: 'trading.trades', key: 'user-1', value: new Uint8Array([0xff, 0xfe, 0x7b]), offset: 90_005 }),
    ];
    const positions = Array.from({ length: 45 }, (_, i) => position(`user-${i}`, '2026-12-01T10:00:00.000Z', 1, `${i}.5`));
    const event = mskBatch([...trades, ...duplicates, ...malformed, ...positions]);
    expect(Object.values(event.records).flat()).toHaveLength(10_000);

    const summary = await consumeReportingBatch(event, deps());
    expect(summary).toEqual({ records: 10_000, tradesInserted: 9_900, positionsInserted: 45, deadLettered: 5 });
    expect(letters.map((l) => l.record.offset).sort()).toEqual([90_001, 90_002, 90_003, 90_004, 90_005]);
    expect(letters.map((l) => (l.error as Error).message).join('\n')).toMatch(/value: is not valid JSON/);

    // Every trade is on its user's shard, and both shards got some.
    expect(await totalTrades()).toBe(9_900);
    for (const shard of [0, 1]) {
      const { rows } = await db.pools[shard].query<{ user_id: string }>('SELECT DISTINCT user_id FROM reporting.trades');
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(shardOf(r.user_id, 2)).toBe(shard);
    }
    // Day partitions exist for the days of the batch (Nov 30 .. Dec 3) and hold the rows.
    const { rows: parts } = await db.pools[0].query<{ name: string; n: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'trades' ORDER BY 1`,
    );
    expect(parts.map((p) => p.name)).toEqual(['trades_p20261130', 'trades_p20261201', 'trades_p20261202', 'trades_p20261203']);
    expect(await count(0, 'trades_p20261130')).toBeGreaterThan(0);
    // Decimal values are stored exactly, notional computed.
    const t = trades.find((x) => shardOf(x.userId, 2) === 0)!;
    const { rows } = await db.pools[0].query('SELECT quantity::text, price::text, notional::text, executed_at FROM reporting.trades WHERE event_id = $1', [t.eventId]);
    expect(rows[0].executed_at.toISOString()).toBe(t.occurredAt);
    expect(Number(rows[0].notional)).toBeCloseTo(Number(t.quantity) * Number(t.price), 6);

    // Each shard's watermark is the oldest event time written to it.
    for (const shard of [0, 1]) {
      const oldest = trades.filter((x) => shardOf(x.userId, 2) === shard).map((x) => x.occurredAt).sort()[0];
      const { rows: mark } = await db.pools[shard].query('SELECT dirty_since FROM reporting.refresh_watermark');
      expect(mark[0].dirty_since.toISOString()).toBe(oldest);
    }

    // Redelivery of the same batch inserts nothing and does not move the watermark.
    await db.pools[0].query('UPDATE reporting.refresh_watermark SET dirty_since = NULL');
    const again = await consumeReportingBatch(event, deps());
    expect(again).toMatchObject({ tradesInserted: 0, positionsInserted: 0 });
    expect(await totalTrades()).toBe(9_900);
    const { rows: mark2 } = await db.pools[0].query('SELECT dirty_since FROM reporting.refresh_watermark');
    expect(mark2[0].dirty_since).toBeNull();
  });

  it('isolates a row the database refuses (notional out of range), dead-letters it and stores the rest', async () => {
    const before = await totalTrades();
    const good = [trade('user-7', '2026-12-02T01:00:00.000Z'), trade('user-8', '2026-12-02T02:00:00.000Z'), trade('user-7', '2026-12-02T03:00:00.000Z')];
    // Both values are valid events; their product (1e38) does not fit numeric(38, 18).
    const huge = trade('user-7', '2026-12-02T01:30:00.000Z', { quantity: '10000000000000000000', price: '10000000000000000000' });
    const summary = await consumeReportingBatch(mskBatch([good[0], huge, good[1], good[2]]), deps());
    expect(summary).toMatchObject({ tradesInserted: 3, deadLettered: 1 });
    expect(letters).toHaveLength(1);
    expect(JSON.parse(Buffer.from(letters[0].record.value!, 'base64').toString()).eventId).toBe(huge.eventId);
    expect(letters[0].error).toMatchObject({ name: 'RefusedByDatabase', message: expect.stringContaining('22003') });
    expect(await totalTrades()).toBe(before + 3);
  });

  it('isolates refused rows in a large chunk by halving it: few statements, every other row stored in bulk', async () => {
    const rows = tradeSeries(1_000, new Date('2026-11-20T00:00:00.000Z'), { users: 1, days: 1 }).map((t) => ({ ...t, userId: 'bisect' }));
    const bad = [17, 500, 983];
    for (const i of bad) rows[i] = { ...rows[i], quantity: '10000000000000000000', price: '10000000000000000000' };
    let statements = 0;
    const counting: Sql = {
      query: (text, params) => {
        if (text.includes('INSERT INTO reporting.trades')) statements++;
        return db.shards[0].query(text, params);
      },
    };
    const rejected: number[] = [];
    const result = await ingestTrades(counting, rows, { onRejected: (i) => void rejected.push(i) });
    expect(result).toEqual({ inserted: 997, rejected: 3 });
    expect(rejected).toEqual(bad);
    expect(statements).toBeLessThan(70);
    expect(await count(0, 'trades', 'user_id = $1', ['bisect'])).toBe(997);
    // Without a sink for refused rows, nothing is dropped silently: it throws.
    await expect(ingestTrades(db.shards[0], [{ ...rows[17], eventId: '00000000-0000-4000-8000-ffffffffffff' }])).rejects.toMatchObject({ code: '22003' });
  });

  it('retries a transient failure, and throws (the batch is retried) when it persists', async () => {
    const reset = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const flaky = (failures: number): Sql[] =>
      db.shards.map((shard) => ({
        query: async (text: string, params?: readonly unknown[]) => {
          if (text.includes('INSERT INTO reporting.trades') && failures-- > 0) throw reset();
          return shard.query(text, params);
        },
      }));
    const t = trade('user-9', '2026-12-02T05:00:00.000Z');
    const retries: number[] = [];
    const ok = await consumeReportingBatch(mskBatch([t]), { ...deps(), shards: flaky(2), onRetry: (_e, attempt) => retries.push(attempt) });
    expect(ok.tradesInserted).toBe(1);
    expect(retries).toEqual([1, 2]);

    const u = trade('user-9', '2026-12-02T06:00:00.000Z');
    await expect(consumeReportingBatch(mskBatch([u]), { ...deps(), shards: flaky(3) })).rejects.toThrow('Connection terminated');
    expect(letters).toHaveLength(0);
    expect(await count(shardOf('user-9', 2), 'trades', 'event_id = $1', [u.eventId])).toBe(0);
  });

  it('creates a partition again when retention dropped it after this container cached it', async () => {
    const cache = new PartitionCache();
    const shard = shardOf('user-3', 2);
    const pool = db.shards[shard];
    await ingestTrades(pool, [trade('user-3', '2026-10-01T01:00:00.000Z')], { shard, partitions: cache });
    await db.pools[shard].query('DROP TABLE reporting.trades_p20261001');
    const result = await ingestTrades(pool, [trade('user-3', '2026-10-01T02:00:00.000Z')], { shard, partitions: cache });
    expect(result).toEqual({ inserted: 1, rejected: 0 });
    expect(await count(shard, 'trades_p20261001')).toBe(1);
  });

  it('dead-letters an event time more than a day ahead (a producer clock gone wrong) instead of creating far partitions', async () => {
    const ahead = trade('user-4', '2026-12-05T00:00:01.000Z');
    const justInTime = trade('user-4', '2026-12-05T00:00:00.000Z');
    const summary = await consumeReportingBatch(mskBatch([ahead, justInTime]), deps());
    expect(summary).toMatchObject({ tradesInserted: 1, deadLettered: 1 });
    expect(letters[0].error).toMatchObject({ field: 'occurredAt' });
    expect(JSON.parse(Buffer.from(letters[0].record.value!, 'base64').toString()).eventId).toBe(ahead.eventId);
  });

  it('dead-letters a valid event of a topic it does not consume, and creates partitions concurrently without error', async () => {
    const stray = encodeRawMskRecord({ topic: 'trading.orders', key: 'user-1', value: '{}', offset: 5 });
    const summary = await consumeReportingBatch(mskBatch([stray]), deps());
    expect(summary.deadLettered).toBe(1);

    const day = '2026-09-15T';
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ingestTrades(db.shards[0], [trade('user-0', `${day}0${i}:00:00.000Z`)], { partitions: new PartitionCache() })),
    );
    expect(results.every((r) => r.inserted === 1)).toBe(true);
  });
});
