/**
 * The dashboard's read queries on the trading engine's tables (schema `trading_engine`, services/
 * trading-engine/src/db/store.ts), through the region's read-only proxy endpoint. Only the columns the
 * dashboard shows are selected; money stays a decimal string (::text), never a float.
 */
import type { Sql } from '@shared/clients/sql';

const SCHEMA = 'trading_engine';

export interface PositionView {
  readonly symbol: string;
  readonly quantity: string;
  readonly averageEntryPrice: string;
  readonly realizedPnl: string;
  readonly updatedAt: string;
}

/** Open positions of a user (flat ones are left out), by symbol. */
export async function positionsOf(sql: Sql, userId: string): Promise<PositionView[]> {
  const { rows } = await sql.query<{ symbol: string; quantity: string; average_entry_price: string; realized_pnl: string; updated_at: Date | string }>(
    `SELECT symbol, quantity::text AS quantity, average_entry_price::text AS average_entry_price, realized_pnl::text AS realized_pnl, updated_at
       FROM ${SCHEMA}.positions WHERE user_id = $1 AND quantity <> 0 ORDER BY symbol`,
    [userId],
  );
  return rows.map((r) => ({
    symbol: r.symbol,
    quantity: r.quantity,
    averageEntryPrice: r.average_entry_price,
    realizedPnl: r.realized_pnl,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

export interface TradeView {
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly executedAt: string;
}

/** Where a page ends: the last trade's time and id (keyset pagination: stable under inserts, no OFFSET). */
export interface TradeCursor {
  readonly executedAt: string;
  readonly tradeId: string;
}

export function encodeCursor(cursor: TradeCursor): string {
  return Buffer.from(JSON.stringify([cursor.executedAt, cursor.tradeId])).toString('base64url');
}

/** Decodes a cursor a client sent back; undefined if it is not one this API produced. */
export function decodeCursor(text: string): TradeCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      return { executedAt: value[0], tradeId: value[1] };
    }
  } catch {
    // falls through: not a cursor
  }
  return undefined;
}

/** One page of a user's trades, newest first, and the cursor of the next page (absent on the last). */
export async function tradesOf(sql: Sql, userId: string, limit: number, after?: TradeCursor): Promise<{ trades: TradeView[]; next?: string }> {
  const params: unknown[] = [userId, limit + 1];
  let where = 'user_id = $1';
  if (after) {
    params.push(after.executedAt, after.tradeId);
    where += ' AND (executed_at, trade_id) < ($3::timestamptz, $4)';
  }
  const { rows } = await sql.query<{ trade_id: string; symbol: string; side: string; quantity: string; price: string; fee: string; executed_at: Date | string }>(
    `SELECT trade_id, symbol, side, quantity::text AS quantity, price::text AS price, fee::text AS fee, executed_at
       FROM ${SCHEMA}.trades WHERE ${where} ORDER BY executed_at DESC, trade_id DESC LIMIT $2`,
    params,
  );
  const trades = rows.slice(0, limit).map((r) => ({
    tradeId: r.trade_id,
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    price: r.price,
    fee: r.fee,
    executedAt: new Date(r.executed_at).toISOString(),
  }));
  const last = trades[trades.length - 1];
  return rows.length > limit && last ? { trades, next: encodeCursor({ executedAt: last.executedAt, tradeId: last.tradeId }) } : { trades };
}

export const PERFORMANCE_WINDOWS = { '1d': 1, '7d': 7, '30d': 30 } as const;
export type PerformanceWindow = keyof typeof PERFORMANCE_WINDOWS;

export interface PerformanceView {
  readonly window: PerformanceWindow;
  readonly from: string;
  readonly to: string;
  readonly trades: number;
  /** Traded notional: sum of quantity x price. */
  readonly volume: string;
  readonly fees: string;
  /** Sells minus buys minus fees over the window (cash the trades moved). */
  readonly netCashFlow: string;
  /** Realized P&L summed over every position now (cumulative, from the engine's positions). */
  readonly realizedPnl: string;
}

/** A user's trading figures over the window ending at `now`, computed in PostgreSQL NUMERIC. */
export async function performanceOf(sql: Sql, userId: string, window: PerformanceWindow, now: Date): Promise<PerformanceView> {
  const from = new Date(now.getTime() - PERFORMANCE_WINDOWS[window] * 86_400_000);
  const { rows } = await sql.query<{ trades: string | number; volume: string; fees: string; net: string }>(
    `SELECT count(*) AS trades,
            coalesce(sum(quantity * price), 0)::text AS volume,
            coalesce(sum(fee), 0)::text AS fees,
            coalesce(sum(CASE side WHEN 'sell' THEN quantity * price ELSE -(quantity * price) END) - sum(fee), 0)::text AS net
       FROM ${SCHEMA}.trades WHERE user_id = $1 AND executed_at > $2 AND executed_at <= $3`,
    [userId, from.toISOString(), now.toISOString()],
  );
  const pnl = await sql.query<{ pnl: string }>(`SELECT coalesce(sum(realized_pnl), 0)::text AS pnl FROM ${SCHEMA}.positions WHERE user_id = $1`, [userId]);
  const r = rows[0];
  return {
    window,
    from: from.toISOString(),
    to: now.toISOString(),
    trades: Number(r.trades),
    volume: r.volume,
    fees: r.fees,
    netCashFlow: r.net,
    realizedPnl: pnl.rows[0].pnl,
  };
}
