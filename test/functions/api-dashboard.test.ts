/**
 * Dashboard reads against the local PostgreSQL (the engine's own tables) and the local Redis: cache-aside
 * through L1 and Valkey, invalidation by a real trading.positions MSK event, keyset pagination, and the
 * 400s / 404 of bad requests.
 */
import { createEvent, encodeMskEvent, encodeMskRecord, encodeRawMskRecord, PositionChangedV1, type MskRecord } from '@shared/events';
import type { Sql } from '@shared/clients/sql';
import { L1Cache, UserCache, userVersionKey, type CacheClient } from '@shared/cache/user-cache';
import { dashboardRoutes, type DashboardDeps } from '../../functions/api-dashboard/logic';
import { invalidatePositions } from '../../functions/api-cache-invalidation/logic';
import { insertTrade, upsertPosition } from '../helpers/engine-rows';
import { apiDatabase, describeWith, restEvent, silentLog, testRedis, type ApiTestDatabase, type TestRedis } from '../helpers/services';

const routes = dashboardRoutes(silentLog);
const NOW = new Date('2026-03-01T12:00:00.000Z');
const ALICE = 'alice';

describeWith({ postgres: true, redis: true }, 'dashboard reads (PostgreSQL + Redis)', () => {
  let database: ApiTestDatabase;
  let redis: TestRedis;
  let queries: number;
  let deps: DashboardDeps;
  let cacheErrors: string[];

  const newDeps = (client: CacheClient = redis.client, l1 = new L1Cache(2_000, 100)): DashboardDeps => ({
    sqlFor: () => ({
      query: ((text: string, params?: unknown[]) => {
        queries++;
        return database.pool.query(text, params);
      }) as Sql['query'],
    }),
    cache: new UserCache({ client, prefix: redis.prefix, l1, onCacheError: (_e, op) => cacheErrors.push(op) }),
    ttl: { positionsSeconds: 60, performanceSeconds: 300 },
    now: () => NOW,
  });

  beforeAll(async () => {
    [database, redis] = await Promise.all([apiDatabase('dashboard'), testRedis()]);
    await upsertPosition(database.pool, { userId: ALICE, symbol: 'BTC-USD', quantity: '0.5', averageEntryPrice: '60000', realizedPnl: '120.5', sequence: 3 });
    await upsertPosition(database.pool, { userId: ALICE, symbol: 'ETH-USD', quantity: '0', averageEntryPrice: '0', realizedPnl: '-10', sequence: 2 });
    await upsertPosition(database.pool, { userId: 'bob', symbol: 'BTC-USD', quantity: '9', averageEntryPrice: '1', realizedPnl: '0', sequence: 1 });
    // 120 trades of alice over 40 days, one every 8 hours, newest first at NOW - 1 h.
    for (let i = 0; i < 120; i++) {
      await insertTrade(database.pool, {
        userId: ALICE,
        tradeId: `t-${String(i).padStart(3, '0')}`,
        symbol: 'BTC-USD',
        side: i % 2 ? 'sell' : 'buy',
        quantity: '0.1',
        price: '60000',
        fee: '6',
        executedAt: new Date(NOW.getTime() - 3_600_000 - i * 8 * 3_600_000),
      });
    }
  });
  afterAll(async () => Promise.all([database?.drop(), redis?.close()]));
  beforeEach(() => {
    queries = 0;
    cacheErrors = [];
    deps = newDeps();
  });

  it('positions: open ones only, as decimal strings; database, then L1, then Valkey for a new instance', async () => {
    const first = await routes(restEvent('GET', '/dashboard/positions', { userId: ALICE }), deps);
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-cache']).toBe('database');
    expect(JSON.parse(first.body).positions).toEqual([
      { symbol: 'BTC-USD', quantity: '0.5', averageEntryPrice: '60000', realizedPnl: '120.5', updatedAt: expect.any(String) },
    ]);
    expect(queries).toBe(1);
    const second = await routes(restEvent('GET', '/dashboard/positions', { userId: ALICE }), deps);
    expect(second.headers['x-cache']).toBe('l1');
    const otherInstance = await routes(restEvent('GET', '/dashboard/positions', { userId: ALICE }), newDeps());
    expect(otherInstance.headers['x-cache']).toBe('cache');
    expect(otherInstance.body).toBe(first.body);
    expect(queries).toBe(1);
    expect(await redis.client.ttl(`${redis.prefix}{u:${ALICE}}:positions:v0`)).toBeGreaterThan(50);
  });

  it('a PositionChanged event invalidates the user (version bump, no scan); the next read sees the database again', async () => {
    await routes(restEvent('GET', '/dashboard/positions', { userId: ALICE }), deps);
    await upsertPosition(database.pool, { userId: ALICE, symbol: 'BTC-USD', quantity: '0.75', averageEntryPrice: '61000', realizedPnl: '120.5', sequence: 4 });
    const changed = createEvent(PositionChangedV1, { userId: ALICE, symbol: 'BTC-USD', quantity: '0.75', averageEntryPrice: '61000', realizedPnl: '120.5', sequence: 4 });
    const deadLetters: MskRecord[] = [];
    const summary = await invalidatePositions(encodeMskEvent([encodeMskRecord('trading.positions', changed), encodeMskRecord('trading.positions', changed, { offset: 1 })]), {
      cache: newDeps().cache,
      deadLetter: async (record) => void deadLetters.push(record),
      onCacheError: () => undefined,
    });
    expect(summary).toEqual({ users: 1, invalidated: 1, badRecords: 0 });
    expect(deadLetters).toEqual([]);
    const fresh = newDeps();
    const after = await routes(restEvent('GET', '/dashboard/positions', { userId: ALICE }), fresh);
    expect(after.headers['x-cache']).toBe('database');
    expect(JSON.parse(after.body).positions[0].quantity).toBe('0.75');
    // Other users keep their cached values.
    expect(await redis.client.get(userVersionKey(redis.prefix, 'bob'))).toBeNull();
  });

  it('dead-letters a malformed trading.positions record and still invalidates the good ones', async () => {
    const good = createEvent(PositionChangedV1, { userId: 'carol', symbol: 'BTC-USD', quantity: '1', averageEntryPrice: '1', realizedPnl: '0', sequence: 1 });
    const bad = encodeRawMskRecord({ topic: 'trading.positions', key: 'carol', value: '{"type":"PositionChanged"', offset: 7 });
    const deadLetters: { record: MskRecord; error: Error }[] = [];
    const summary = await invalidatePositions(encodeMskEvent([bad, encodeMskRecord('trading.positions', good, { offset: 8 })]), {
      cache: newDeps().cache,
      deadLetter: async (record, error) => void deadLetters.push({ record, error }),
      onCacheError: () => undefined,
    });
    expect(summary).toEqual({ users: 1, invalidated: 1, badRecords: 1 });
    expect(deadLetters[0].record.offset).toBe(7);
    expect(deadLetters[0].error.message).toMatch(/value: is not valid JSON/);
  });

  it('trades: 50 a page by default, newest first, only the fields the client shows, a cursor to the next page', async () => {
    const page1 = JSON.parse((await routes(restEvent('GET', '/dashboard/trades', { userId: ALICE }), deps)).body);
    expect(page1.trades).toHaveLength(50);
    expect(Object.keys(page1.trades[0]).sort()).toEqual(['executedAt', 'fee', 'price', 'quantity', 'side', 'symbol', 'tradeId']);
    expect(page1.trades[0].tradeId).toBe('t-000');
    const page2 = JSON.parse((await routes(restEvent('GET', '/dashboard/trades', { userId: ALICE, query: { cursor: page1.next } }), deps)).body);
    expect(page2.trades[0].tradeId).toBe('t-050');
    const page3 = JSON.parse((await routes(restEvent('GET', '/dashboard/trades', { userId: ALICE, query: { cursor: page2.next, limit: '50' } }), deps)).body);
    expect(page3.trades).toHaveLength(20);
    expect(page3.next).toBeUndefined();
    const small = JSON.parse((await routes(restEvent('GET', '/dashboard/trades', { userId: 'bob', query: { limit: '5' } }), deps)).body);
    expect(small).toEqual({ trades: [] });
  });

  it('performance over 1d / 7d / 30d in exact decimals, cached per window', async () => {
    const perf = async (window: string) => routes(restEvent('GET', '/dashboard/performance', { userId: ALICE, query: { window } }), deps);
    const day = JSON.parse((await perf('1d')).body);
    // Trades at NOW-1h, -9h, -17h: buy, sell, buy.
    expect(day).toMatchObject({ window: '1d', trades: 3, volume: '18000.0', fees: '18', realizedPnl: '110.5' });
    expect(day.netCashFlow).toBe('-6018.0');
    expect(JSON.parse((await perf('7d')).body).trades).toBe(21);
    expect(JSON.parse((await perf('30d')).body).trades).toBe(90);
    expect((await perf('7d')).headers['x-cache']).toBe('l1');
    expect((await perf('7d')).headers['cache-control']).toBe('private, max-age=300');
  });

  it('answers 400 naming the field, and 404 for a route it does not serve', async () => {
    const bad = async (resource: string, query: Record<string, string>) => {
      const result = await routes(restEvent('GET', resource, { userId: ALICE, query }), deps);
      expect(result.statusCode).toBe(400);
      return JSON.parse(result.body);
    };
    expect((await bad('/dashboard/trades', { limit: '0' })).field).toBe('limit');
    expect((await bad('/dashboard/trades', { limit: 'ten' })).field).toBe('limit');
    expect((await bad('/dashboard/trades', { limit: '201' })).field).toBe('limit');
    expect((await bad('/dashboard/trades', { cursor: 'not-a-cursor' })).field).toBe('cursor');
    expect((await bad('/dashboard/trades', { sort: 'asc' })).message).toMatch(/sort|unrecognized/i);
    expect((await bad('/dashboard/performance', { window: '2d' })).field).toBe('window');
    const unknown = await routes(restEvent('DELETE', '/dashboard/positions', { userId: ALICE }), deps);
    expect(unknown.statusCode).toBe(404);
  });

  it('serves from the database when Valkey fails, and reports it', async () => {
    const broken: CacheClient = {
      get: async () => Promise.reject(new Error('ECONNREFUSED')),
      set: async () => Promise.reject(new Error('READONLY')),
      incr: async () => Promise.reject(new Error('READONLY')),
      expire: async () => Promise.reject(new Error('READONLY')),
    };
    const result = await routes(restEvent('GET', '/dashboard/positions', { userId: ALICE }), newDeps(broken));
    expect(result.statusCode).toBe(200);
    expect(result.headers['x-cache']).toBe('database');
    expect(cacheErrors).toEqual(['get-version']);
  });

  it('answers 500 with the request id and no stack trace when the database fails', async () => {
    const failing = { ...deps, sqlFor: () => ({ query: async () => Promise.reject(new Error('connection terminated at /var/task/index.js:1')) }) };
    const event = restEvent('GET', '/dashboard/trades', { userId: ALICE });
    const result = await routes(event, failing);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ message: expect.any(String), requestId: event.requestContext.requestId });
    expect(result.body).not.toMatch(/index\.js|connection terminated/);
  });
});
