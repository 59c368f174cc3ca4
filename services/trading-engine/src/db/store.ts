/**
 * The engine's tables in PostgreSQL (schema `trading_engine`): the signal ledger that makes execution
 * idempotent by the signal's eventId, orders, trades, positions, and an outbox of the events each
 * signal produced. The outbox is written in the same transaction as the trade, so an event is never
 * lost between the database and Kafka: a replayed signal finds its ledger row and republishes what the
 * outbox still holds unpublished, with the same event ids.
 */
import { migrateSchema } from '@shared/clients/sql';
import { dec, str, type Decimal } from '../decimal';
import type { OutboundRecord } from '../kafka/bus';
import { FLAT, type Position, type Side } from '../positions';
import type { Database, Sql } from './database';

export const SCHEMA = 'trading_engine';

/** Versioned, append-only: a deployed migration is never edited, a change is a new entry. */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE ${SCHEMA}.signals (
       event_id uuid PRIMARY KEY,
       signal_id text NOT NULL,
       user_id text NOT NULL,
       outcome text NOT NULL CHECK (outcome IN ('filled', 'rejected')),
       source text NOT NULL,
       processed_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${SCHEMA}.orders (
       order_id text PRIMARY KEY,
       signal_event_id uuid NOT NULL UNIQUE REFERENCES ${SCHEMA}.signals (event_id),
       user_id text NOT NULL,
       symbol text NOT NULL,
       side text NOT NULL CHECK (side IN ('buy', 'sell')),
       order_type text NOT NULL,
       quantity numeric NOT NULL CHECK (quantity >= 0),
       reference_price numeric,
       status text NOT NULL,
       filled_quantity numeric NOT NULL CHECK (filled_quantity >= 0),
       average_fill_price numeric,
       reason text,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL)`,
    `CREATE INDEX orders_by_user ON ${SCHEMA}.orders (user_id, created_at)`,
    `CREATE TABLE ${SCHEMA}.trades (
       trade_id text PRIMARY KEY,
       order_id text NOT NULL REFERENCES ${SCHEMA}.orders (order_id),
       user_id text NOT NULL,
       symbol text NOT NULL,
       side text NOT NULL CHECK (side IN ('buy', 'sell')),
       quantity numeric NOT NULL CHECK (quantity > 0),
       price numeric NOT NULL CHECK (price > 0),
       fee numeric NOT NULL CHECK (fee >= 0),
       fee_currency text NOT NULL,
       executed_at timestamptz NOT NULL)`,
    `CREATE INDEX trades_by_user ON ${SCHEMA}.trades (user_id, executed_at)`,
    `CREATE TABLE ${SCHEMA}.positions (
       user_id text NOT NULL,
       symbol text NOT NULL,
       quantity numeric NOT NULL,
       average_entry_price numeric NOT NULL,
       realized_pnl numeric NOT NULL,
       sequence bigint NOT NULL,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (user_id, symbol))`,
    `CREATE TABLE ${SCHEMA}.outbox (
       seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       event_id uuid NOT NULL UNIQUE,
       signal_event_id uuid NOT NULL REFERENCES ${SCHEMA}.signals (event_id),
       topic text NOT NULL,
       message_key text NOT NULL,
       value text NOT NULL,
       headers jsonb NOT NULL,
       published_at timestamptz)`,
    `CREATE INDEX outbox_unpublished ON ${SCHEMA}.outbox (signal_event_id) WHERE published_at IS NULL`,
  ],
];

export interface OrderRow {
  readonly orderId: string;
  readonly userId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: 'market';
  readonly quantity: Decimal;
  readonly referencePrice?: Decimal;
  readonly status: 'filled' | 'rejected';
  readonly filledQuantity: Decimal;
  readonly averageFillPrice?: Decimal;
  readonly reason?: string;
  readonly at: Date;
}

export interface TradeRow {
  readonly tradeId: string;
  readonly orderId: string;
  readonly userId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  readonly executedAt: Date;
}

/** An event to publish, as stored in the outbox. */
export interface OutboxRecord extends OutboundRecord {
  readonly eventId: string;
}

/** What executing one signal changed; written atomically. */
export interface SignalOutcome {
  readonly order: OrderRow;
  readonly trade?: TradeRow;
  readonly position?: Position;
  readonly events: readonly OutboxRecord[];
}

export interface LedgerEntry {
  readonly eventId: string;
  readonly signalId: string;
  readonly userId: string;
  readonly symbol: string;
  /** `<topic>-<partition>@<offset>` of the signal. */
  readonly source: string;
}

export type RecordResult = { readonly status: 'recorded'; readonly outcome: SignalOutcome } | { readonly status: 'duplicate' };

export class EngineStore {
  constructor(private readonly db: Database) {}

  /** Applies pending migrations, one task at a time (advisory lock), each version once. */
  async migrate(): Promise<number> {
    return migrateSchema(this.db, SCHEMA, MIGRATIONS);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async isRecorded(eventId: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM ${SCHEMA}.signals WHERE event_id = $1`, [eventId]);
    return rows.length > 0;
  }

  async position(userId: string, symbol: string, sql: Sql = this.db): Promise<Position> {
    const { rows } = await sql.query<PositionDbRow>(
      `SELECT quantity::text, average_entry_price::text, realized_pnl::text, sequence::text FROM ${SCHEMA}.positions WHERE user_id = $1 AND symbol = $2`,
      [userId, symbol],
    );
    return rows.length ? fromDb(rows[0]) : FLAT;
  }

  /**
   * Records one signal: claims its ledger row (a second claim of the same eventId is a duplicate and
   * changes nothing), locks the user's position in the symbol, lets `decide` compute the outcome from
   * it, and writes order, trade, position and outbox in the same transaction.
   */
  async record(entry: LedgerEntry, decide: (position: Position) => SignalOutcome): Promise<RecordResult> {
    return this.db.transaction(async (tx): Promise<RecordResult> => {
      const claimed = await tx.query(
        `INSERT INTO ${SCHEMA}.signals (event_id, signal_id, user_id, outcome, source) VALUES ($1, $2, $3, 'rejected', $4)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [entry.eventId, entry.signalId, entry.userId, entry.source],
      );
      if (claimed.rows.length === 0) return { status: 'duplicate' };
      const { rows } = await tx.query<PositionDbRow>(
        `SELECT quantity::text, average_entry_price::text, realized_pnl::text, sequence::text FROM ${SCHEMA}.positions
         WHERE user_id = $1 AND symbol = $2 FOR UPDATE`,
        [entry.userId, entry.symbol],
      );
      const outcome = decide(rows.length ? fromDb(rows[0]) : FLAT);
      const { order, trade, position } = outcome;
      await tx.query(`UPDATE ${SCHEMA}.signals SET outcome = $2 WHERE event_id = $1`, [entry.eventId, order.status]);
      await tx.query(
        `INSERT INTO ${SCHEMA}.orders (order_id, signal_event_id, user_id, symbol, side, order_type, quantity, reference_price, status,
           filled_quantity, average_fill_price, reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
        [
          order.orderId, entry.eventId, order.userId, order.symbol, order.side, order.orderType, str(order.quantity),
          opt(order.referencePrice), order.status, str(order.filledQuantity), opt(order.averageFillPrice), order.reason ?? null, order.at,
        ],
      );
      if (trade) {
        await tx.query(
          `INSERT INTO ${SCHEMA}.trades (trade_id, order_id, user_id, symbol, side, quantity, price, fee, fee_currency, executed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [trade.tradeId, trade.orderId, trade.userId, trade.symbol, trade.side, str(trade.quantity), str(trade.price), str(trade.fee), trade.feeCurrency, trade.executedAt],
        );
      }
      if (position) {
        await tx.query(
          `INSERT INTO ${SCHEMA}.positions (user_id, symbol, quantity, average_entry_price, realized_pnl, sequence, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (user_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, average_entry_price = EXCLUDED.average_entry_price,
             realized_pnl = EXCLUDED.realized_pnl, sequence = EXCLUDED.sequence, updated_at = EXCLUDED.updated_at`,
          [entry.userId, entry.symbol, str(position.quantity), str(position.averageEntryPrice), str(position.realizedPnl), position.sequence, order.at],
        );
      }
      for (const e of outcome.events) {
        await tx.query(
          `INSERT INTO ${SCHEMA}.outbox (event_id, signal_event_id, topic, message_key, value, headers) VALUES ($1, $2, $3, $4, $5, $6)`,
          [e.eventId, entry.eventId, e.topic, e.key, e.value, JSON.stringify(e.headers ?? {})],
        );
      }
      return { status: 'recorded', outcome };
    });
  }

  /** Outbox events of these signals not yet acknowledged by Kafka, in the order they were written. */
  async unpublished(signalEventIds: readonly string[]): Promise<OutboxRecord[]> {
    if (signalEventIds.length === 0) return [];
    const { rows } = await this.db.query<{ event_id: string; topic: string; message_key: string; value: string; headers: unknown }>(
      `SELECT event_id, topic, message_key, value, headers FROM ${SCHEMA}.outbox
       WHERE signal_event_id = ANY($1::uuid[]) AND published_at IS NULL ORDER BY seq`,
      [signalEventIds],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      topic: r.topic,
      key: r.message_key,
      value: r.value,
      headers: (typeof r.headers === 'string' ? JSON.parse(r.headers) : r.headers) as Record<string, string>,
    }));
  }

  async markPublished(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db.query(`UPDATE ${SCHEMA}.outbox SET published_at = now() WHERE event_id = ANY($1::uuid[])`, [eventIds]);
  }
}

interface PositionDbRow {
  quantity: string;
  average_entry_price: string;
  realized_pnl: string;
  sequence: string;
}

function fromDb(row: PositionDbRow): Position {
  return {
    quantity: dec(row.quantity),
    averageEntryPrice: dec(row.average_entry_price),
    realizedPnl: dec(row.realized_pnl),
    sequence: Number(row.sequence),
  };
}

const opt = (d: Decimal | undefined) => (d === undefined ? null : str(d));
