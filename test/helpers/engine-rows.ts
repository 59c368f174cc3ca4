/** Seeds the trading engine's tables (what the dashboard reads) with positions and trades. */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

export interface SeedTrade {
  readonly userId: string;
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly executedAt: Date;
}

export async function insertTrade(pool: Pool, t: SeedTrade): Promise<void> {
  const eventId = randomUUID();
  const orderId = `ord-${t.tradeId}`;
  await pool.query(`INSERT INTO trading_engine.signals (event_id, signal_id, user_id, outcome, source) VALUES ($1, $2, $3, 'filled', 'test')`, [eventId, `sig-${t.tradeId}`, t.userId]);
  await pool.query(
    `INSERT INTO trading_engine.orders (order_id, signal_event_id, user_id, symbol, side, order_type, quantity, status, filled_quantity, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'market', $6, 'filled', $6, $7, $7)`,
    [orderId, eventId, t.userId, t.symbol, t.side, t.quantity, t.executedAt],
  );
  await pool.query(
    `INSERT INTO trading_engine.trades (trade_id, order_id, user_id, symbol, side, quantity, price, fee, fee_currency, executed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'USD', $9)`,
    [t.tradeId, orderId, t.userId, t.symbol, t.side, t.quantity, t.price, t.fee, t.executedAt],
  );
}

export async function upsertPosition(pool: Pool, p: { userId: string; symbol: string; quantity: string; averageEntryPrice: string; realizedPnl: string; sequence: number }): Promise<void> {
  await pool.query(
    `INSERT INTO trading_engine.positions (user_id, symbol, quantity, average_entry_price, realized_pnl, sequence, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (user_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, average_entry_price = EXCLUDED.average_entry_price,
       realized_pnl = EXCLUDED.realized_pnl, sequence = EXCLUDED.sequence, updated_at = now()`,
    [p.userId, p.symbol, p.quantity, p.averageEntryPrice, p.realizedPnl, p.sequence],
  );
}
