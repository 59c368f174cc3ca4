/** Databases, events and MSK batches for the reporting worker's tests (and its benchmark). */
import { Pool } from 'pg';
import { poolTransactional, type Transactional } from '@shared/clients/sql';
import { migrateReportingSchema } from '@shared/db/reporting-schema';
import { createEvent, encodeMskEvent, encodeMskRecord, PositionChangedV1, TradeExecutedV1, type MskEvent, type MskRecord, type PositionChanged, type TradeExecuted } from '@shared/events';
import type { EventInput } from '@shared/events/define';
import { LOCAL_POSTGRES } from '../helpers/services';

export interface ReportingShards {
  readonly pools: readonly Pool[];
  readonly shards: readonly Transactional[];
  drop(): Promise<void>;
}

/** `count` fresh databases (one per shard) with the reporting schema migrated; all dropped by drop(). */
export async function reportingShards(label: string, count = 1, options: { migrate?: boolean } = {}): Promise<ReportingShards> {
  const admin = new Pool({ ...LOCAL_POSTGRES, max: 1 });
  const names = Array.from({ length: count }, (_, i) => `reporting_${label}_${i}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'));
  const pools: Pool[] = [];
  for (const name of names) {
    await admin.query(`CREATE DATABASE ${name}`);
    const pool = new Pool({ ...LOCAL_POSTGRES, database: name, max: 6 });
    pool.on('error', () => undefined);
    pools.push(pool);
  }
  const shards = pools.map((p) => poolTransactional(p));
  if (options.migrate ?? true) for (const db of shards) await migrateReportingSchema(db);
  return {
    pools,
    shards,
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

let ids = 0;
/** A deterministic-looking unique event id (a v4-shaped UUID). */
export function eventIdOf(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function trade(userId: string, occurredAt: string, extra: Partial<EventInput<typeof TradeExecutedV1>> = {}): TradeExecuted {
  const n = ++ids;
  return createEvent(TradeExecutedV1, {
    eventId: eventIdOf(n),
    occurredAt,
    userId,
    tradeId: `trd-${n}`,
    orderId: `ord-${n}`,
    symbol: 'BTC-USD',
    side: 'buy',
    quantity: '0.5',
    price: '100',
    fee: '0.1',
    feeCurrency: 'USD',
    liquidity: 'taker',
    ...extra,
  });
}

export function position(userId: string, occurredAt: string, sequence: number, realizedPnl: string, symbol = 'BTC-USD'): PositionChanged {
  const n = ++ids;
  return createEvent(PositionChangedV1, { eventId: eventIdOf(1_000_000_000 + n), occurredAt, userId, symbol, quantity: '1', averageEntryPrice: '100', realizedPnl, sequence });
}

export function recordOf(event: TradeExecuted | PositionChanged, offset: number, partition = 0): MskRecord {
  return event.type === 'TradeExecuted' ? encodeMskRecord('trading.trades', event, { offset, partition }) : encodeMskRecord('trading.positions', event, { offset, partition });
}

/** One MSK event with the events (and raw records) given, offsets ascending per topic. */
export function mskBatch(items: readonly (TradeExecuted | PositionChanged | MskRecord)[]): MskEvent {
  let offset = 0;
  return encodeMskEvent(items.map((item) => ('topic' in item ? item : recordOf(item, offset++))));
}

/** `n` trades of `users` users spread over `days` days from `start` (one every few seconds). */
export function tradeSeries(n: number, start: Date, options: { users?: number; days?: number } = {}): TradeExecuted[] {
  const users = options.users ?? 100;
  const span = (options.days ?? 3) * 86_400_000;
  return Array.from({ length: n }, (_, i) =>
    trade(`user-${i % users}`, new Date(start.getTime() + Math.floor((i * span) / n)).toISOString(), {
      side: i % 3 === 0 ? 'sell' : 'buy',
      symbol: i % 2 === 0 ? 'BTC-USD' : 'ETH-USD',
      quantity: `${(i % 7) + 1}.25`,
      price: `${1000 + (i % 50)}.5`,
    }),
  );
}
