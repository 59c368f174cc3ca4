/**
 * `npm run bench workers`: throughput of the two MSK workers' logic, in-process, each beside a naive
 * baseline measured in the same run.
 *
 * - reporting: trades ingested per second from 10,000-record MSK batches through the consumer (decode,
 *   validate, shard, one bulk idempotent statement) into the local PostgreSQL, and by the bulk statement
 *   alone; baseline: one INSERT per decoded trade (`insertTradesRowByRow`, the same statement with one
 *   row). Targets: >= 20,000 trades/s, >= 20x.
 * - notifications: events routed per second from 10,000-record batches (trades, position updates that
 *   coalesce, notification requests), preferences and connections from memory, delivery mocked; baseline:
 *   each record routed on its own (what a batch size of 1 gives: no coalescing, lookups per record).
 *   Target: >= 50,000 events/s.
 *
 * Memory: the heap growth while a batch is processed and the process's peak RSS after the run.
 * Bundle size and module load per function are `npm run bench runtime`. Tests never assert these figures.
 */
import type { MskEvent } from '@shared/events';
import { DEFAULT_PREFERENCES, type NotificationPreferences } from '@shared/notifications/preferences';
import { ingestTrades, insertTradesRowByRow } from '@shared/reporting/ingest';
import { PartitionCache } from '@shared/reporting/partitions';
import { consumeReportingBatch } from '../../functions/reporting/logic';
import { routeNotifications, type Connection, type RouterDeps } from '../../functions/notifications/logic';
import { POSTGRES_AVAILABLE } from '../helpers/services';
import { AT, batch, notification, position, trade as notifiedTrade } from '../workers/notifications-fixtures';
import { mskBatch, reportingShards, tradeSeries } from '../workers/reporting-fixtures';

const BATCH = 10_000;
const REPORTING_BATCHES = 5;
const DIRECT_BATCHES = 3;
const ROW_BY_ROW_TRADES = 2_000;
const NOTIFICATION_BATCHES = 10;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; heapGrowth: number; result: T }> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const result = await run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, heapGrowth: process.memoryUsage().heapUsed - heapBefore, result };
}

async function reportingFigures(): Promise<Record<string, string | number>> {
  if (!POSTGRES_AVAILABLE) return { 'reporting: skipped': 'needs PostgreSQL 127.0.0.1:5432 (bash .ci/services)' };
  const db = await reportingShards('bench', 1);
  try {
    // Three days of trades ending now (the consumer refuses event times far ahead), 500 users, 10 per batch.
    const now = new Date();
    const start = new Date(now.getTime() - 3 * 86_400_000);
    const all = tradeSeries(BATCH * (REPORTING_BATCHES + 1 + DIRECT_BATCHES) + ROW_BY_ROW_TRADES, start, { users: 500, days: 3 });
    const deps = { shards: db.shards, partitions: new PartitionCache(), writeAttempts: 3, now: () => now, deadLetter: async () => { throw new Error('bench batch holds no bad record'); } };

    // First batch warms the pools and creates the day partitions: not counted.
    await consumeReportingBatch(mskBatch(all.slice(0, BATCH)), deps);
    const rates: number[] = [];
    const heap: number[] = [];
    for (let b = 1; b <= REPORTING_BATCHES; b++) {
      const event = mskBatch(all.slice(b * BATCH, (b + 1) * BATCH));
      const run = await timed(() => consumeReportingBatch(event, deps));
      if (run.result.tradesInserted !== BATCH) throw new Error(`batch ${b}: ${run.result.tradesInserted} of ${BATCH} trades stored`);
      rates.push(perSecond(BATCH, run.ms));
      heap.push(run.heapGrowth);
    }
    // Redelivery of a stored batch: the idempotent path (nothing inserted).
    const again = await timed(() => consumeReportingBatch(mskBatch(all.slice(BATCH, 2 * BATCH)), deps));
    if (again.result.tradesInserted !== 0) throw new Error(`redelivered batch inserted ${again.result.tradesInserted}`);

    // The bulk statement alone, on decoded trades (what the row-by-row baseline is given).
    const direct: number[] = [];
    for (let b = REPORTING_BATCHES + 1; b < REPORTING_BATCHES + 1 + DIRECT_BATCHES; b++) {
      const trades = all.slice(b * BATCH, (b + 1) * BATCH);
      const run = await timed(() => ingestTrades(db.shards[0], trades, { partitions: deps.partitions }));
      if (run.result.inserted !== BATCH) throw new Error(`direct batch ${b}: ${run.result.inserted} of ${BATCH} trades stored`);
      direct.push(perSecond(BATCH, run.ms));
    }

    const rowByRow = all.slice((REPORTING_BATCHES + 1 + DIRECT_BATCHES) * BATCH);
    const naive = await timed(() => insertTradesRowByRow(db.shards[0], rowByRow));
    const naiveRate = perSecond(rowByRow.length, naive.ms);
    const bulk = median(rates);
    const statement = median(direct);
    return {
      'reporting consumer (10,000-record MSK batches, decode included), trades/s median [min-max]': `${bulk} [${Math.min(...rates)}-${Math.max(...rates)}] (target >= 20,000)`,
      'reporting bulk statement alone (10,000 decoded trades), trades/s median': statement,
      'reporting redelivered batch (all duplicates), records/s': perSecond(BATCH, again.ms),
      [`reporting row-by-row baseline (${ROW_BY_ROW_TRADES} trades), trades/s`]: naiveRate,
      'reporting consumer / row-by-row': `${(bulk / naiveRate).toFixed(1)}x (target >= 20x); bulk statement / row-by-row ${(statement / naiveRate).toFixed(1)}x`,
      'reporting heap growth per batch (median)': mb(median(heap)),
    };
  } finally {
    await db.drop();
  }
}

/** 10,000 records for 1,000 users, each getting 4 trades, 5 position updates on 2 symbols (3 coalesce) and 1 notification. */
function notificationBatch(n: number): MskEvent {
  const events = [];
  for (let i = 0; i < BATCH; i++) {
    const user = `user-${i % 1000}`;
    const kind = Math.floor(i / 1000) % 10;
    if (kind < 4) events.push(notifiedTrade(user, `trd-${n}-${i}`));
    else if (kind < 9) events.push(position(user, kind % 2 ? 'BTC-USD' : 'ETH-USD', n * BATCH + i));
    else events.push(notification(user));
  }
  return batch(...events);
}

function notificationDeps(): { deps: RouterDeps; sent: () => number } {
  const prefs: NotificationPreferences = { ...DEFAULT_PREFERENCES, email: 'someone@example.com' };
  const live: Connection[] = [
    { connectionId: 'c1', format: 'json', channels: new Set(['trades', 'positions', 'notifications']), apiId: 'abc123', region: 'us-east-1', stage: 'live' },
    { connectionId: 'c2', format: 'msgpack', channels: new Set(['positions']), apiId: 'abc123', region: 'us-east-1', stage: 'live' },
  ];
  let sent = 0;
  return {
    deps: {
      preferencesOf: async () => prefs,
      connectionsOf: async () => live,
      deliver: async () => {
        sent++;
      },
      deadLetter: async (record, error) => {
        throw new Error(`bench record ${record.topic}/${record.offset} dead-lettered: ${String(error)}`);
      },
      now: () => AT,
    },
    sent: () => sent,
  };
}

async function notificationFigures(): Promise<Record<string, string | number>> {
  const batches = Array.from({ length: NOTIFICATION_BATCHES + 1 }, (_, n) => notificationBatch(n));
  const { deps, sent } = notificationDeps();
  await routeNotifications(batches[0], deps); // warm-up (JIT), not counted
  const rates: number[] = [];
  const heap: number[] = [];
  let coalesced = 0;
  const sentBefore = sent();
  for (const event of batches.slice(1)) {
    const run = await timed(() => routeNotifications(event, deps));
    rates.push(perSecond(run.result.records, run.ms));
    heap.push(run.heapGrowth);
    coalesced += run.result.coalesced;
  }
  const deliveries = sent() - sentBefore;

  // Baseline: the same records, one invocation each.
  const naive = notificationDeps();
  const one = batches[1];
  const records = Object.values(one.records).flat();
  const single = await timed(async () => {
    for (const record of records) await routeNotifications({ ...one, records: { [`${record.topic}-${record.partition}`]: [record] } }, naive.deps);
  });
  const naiveRate = perSecond(records.length, single.ms);
  const routed = median(rates);
  return {
    'notifications routing (10,000-record batches, delivery mocked), events/s median [min-max]': `${routed} [${Math.min(...rates)}-${Math.max(...rates)}] (target >= 50,000)`,
    'notifications deliveries per 10,000 records (coalesced updates)': `${Math.round(deliveries / NOTIFICATION_BATCHES)} (${Math.round(coalesced / NOTIFICATION_BATCHES)} coalesced)`,
    'notifications one-record-at-a-time baseline, events/s': naiveRate,
    'notifications baseline deliveries per 10,000 records': naive.sent(),
    'notifications batched / one at a time': `${(routed / naiveRate).toFixed(1)}x`,
    'notifications heap growth per batch (median)': mb(median(heap)),
  };
}

export async function workersBench(): Promise<Record<string, string | number>> {
  const figures = { ...(await reportingFigures()), ...(await notificationFigures()) };
  return { ...figures, 'peak RSS of the bench process (holds every batch)': mb(process.resourceUsage().maxRSS * 1024) };
}
