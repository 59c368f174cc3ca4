/**
 * The dashboard read in-process (the route's logic, as the Lambda runs it) against the local PostgreSQL
 * and Redis: p50 / p99 with a cold cache (every read misses: version bumped before each, so it queries
 * PostgreSQL and fills Valkey), with a warm Valkey (a new instance each read: no L1), and with a warm L1.
 * Target: warm at least 5x faster than cold. Also prints the MessagePack / JSON size of WebSocket frames.
 */
import { createEvent, PositionChangedV1, TradeExecutedV1 } from '@shared/events';
import { L1Cache, UserCache } from '@shared/cache/user-cache';
import { encodeFrame } from '@shared/ws/frames';
import { dashboardRoutes, type DashboardDeps } from '../../functions/api-dashboard/logic';
import { insertTrade, upsertPosition } from '../helpers/engine-rows';
import { apiDatabase, POSTGRES_AVAILABLE, REDIS_AVAILABLE, restEvent, testRedis } from '../helpers/services';

const ITERATIONS = 400;
const USER = 'bench-user';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function time(run: () => Promise<unknown>, before?: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    if (before) await before();
    const started = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

function frameSizes(): Record<string, string | number> {
  const position = createEvent(PositionChangedV1, { userId: 'user-42', symbol: 'BTC-USD', quantity: '0.75', averageEntryPrice: '61000.5', realizedPnl: '120.25', sequence: 17 });
  const trade = createEvent(TradeExecutedV1, { userId: 'user-42', tradeId: 't-1', orderId: 'o-1', symbol: 'BTC-USD', side: 'buy', quantity: '0.25', price: '61000.5', fee: '1.5', feeCurrency: 'USD', liquidity: 'taker' });
  const out: Record<string, string | number> = {};
  for (const [kind, data] of [['positions', position], ['trades', trade]] as const) {
    const json = Buffer.byteLength(encodeFrame('json', { kind, data }) as string);
    const packed = (encodeFrame('msgpack', { kind, data }) as Uint8Array).byteLength;
    out[`ws ${kind} frame json / msgpack bytes`] = `${json} / ${packed} (msgpack ${Math.round((1 - packed / json) * 100)}% smaller)`;
  }
  return out;
}

export async function apiBench(): Promise<Record<string, string | number>> {
  if (!POSTGRES_AVAILABLE || !REDIS_AVAILABLE) return { skipped: 'needs PostgreSQL 127.0.0.1:5432 and Redis 127.0.0.1:6379 (bash .ci/services)', ...frameSizes() };
  const [database, redis] = await Promise.all([apiDatabase('bench'), testRedis()]);
  try {
    const symbols = ['BTC', 'ETH', 'SOL', 'ADA', 'XRP', 'DOT', 'AVAX', 'LINK', 'ATOM', 'LTC'];
    for (const [i, base] of symbols.entries()) {
      await upsertPosition(database.pool, { userId: USER, symbol: `${base}-USD`, quantity: `${i + 1}.5`, averageEntryPrice: `${1000 + i}.25`, realizedPnl: `${i * 3}.1`, sequence: i });
    }
    for (let i = 0; i < 500; i++) {
      await insertTrade(database.pool, { userId: USER, tradeId: `bt-${i}`, symbol: `${symbols[i % 10]}-USD`, side: i % 2 ? 'sell' : 'buy', quantity: '0.1', price: '100.5', fee: '0.1', executedAt: new Date(Date.now() - i * 3_600_000) });
    }
    await database.pool.query('ANALYZE');
    const deps = (l1: L1Cache): DashboardDeps => ({
      sqlFor: () => database.pool,
      cache: new UserCache({ client: redis.client, prefix: redis.prefix, l1, onCacheError: (e) => { throw e; } }),
      ttl: { positionsSeconds: 60, performanceSeconds: 300 },
    });
    const routes = dashboardRoutes({ error: (m, ...x) => console.error(m, ...x) });
    const invalidator = deps(new L1Cache(0, 0)).cache;
    const figures: Record<string, string | number> = { iterations: ITERATIONS };
    for (const [name, resource, query] of [
      ['positions', '/dashboard/positions', undefined],
      ['performance 30d', '/dashboard/performance', { window: '30d' }],
    ] as const) {
      const read = (d: DashboardDeps) => async () => {
        const r = await routes(restEvent('GET', resource, { userId: USER, query }), d);
        if (r.statusCode !== 200) throw new Error(r.body);
      };
      const noL1 = deps(new L1Cache(0, 0));
      // Cold: the version is bumped before each read, so each one misses and goes to PostgreSQL.
      const cold = await time(read(noL1), () => invalidator.invalidate(USER));
      const warmValkey = await time(read(noL1));
      const warmL1 = await time(read(deps(new L1Cache(2_000, 1_000))));
      const ms = (t: { p50: number; p99: number }) => `p50 ${t.p50.toFixed(3)} ms, p99 ${t.p99.toFixed(3)} ms`;
      figures[`${name} cold (PostgreSQL + fill)`] = ms(cold);
      figures[`${name} warm Valkey (no L1)`] = ms(warmValkey);
      figures[`${name} warm L1`] = ms(warmL1);
      figures[`${name} cold/warm-Valkey p50`] = `${(cold.p50 / warmValkey.p50).toFixed(1)}x`;
      figures[`${name} cold/warm-L1 p50`] = `${(cold.p50 / warmL1.p50).toFixed(1)}x`;
    }
    return { ...figures, ...frameSizes() };
  } finally {
    await Promise.all([database.drop(), redis.close()]);
  }
}
