/**
 * What one valid signal does: checked against the engine's rules (a symbol it trades, not expired),
 * turned into a market order, filled by the paper broker, and recorded with its trade, the new position
 * and the events to publish, all in one transaction keyed by the signal's eventId.
 */
import {
  createEvent,
  OrderStatusChangedV1,
  PositionChangedV1,
  toKafkaMessage,
  TOPICS,
  TradeExecutedV1,
  type SignalGenerated,
  type TopicEvent,
  type TopicName,
} from '@shared/events';
import { abs, dec, div, round, sign, str, ZERO, type Decimal } from './decimal';
import type { ShardedStores } from './db/shards';
import type { OrderRow, OutboxRecord, RecordResult, SignalOutcome, TradeRow } from './db/store';
import type { PaperBroker } from './paper-broker';
import { applyFill, type Position, type Side } from './positions';

/** A valid record the engine refuses by rule; it is dead-lettered with this reason and field. */
export class SignalRejection extends Error {
  constructor(
    override readonly name: 'UnknownSymbol' | 'SignalExpired',
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ExecutionSettings {
  readonly symbols: ReadonlySet<string>;
  /** Order size in the quote currency when the signal carries no quantity. */
  readonly defaultOrderNotional: Decimal;
}

export interface ExecutionDeps {
  /** The user's rows live on the shard `stores.forUser(userId)` picks. */
  readonly stores: ShardedStores;
  readonly broker: PaperBroker;
  readonly settings: ExecutionSettings;
  readonly now: () => Date;
}

/** Order quantities are kept to 8 fraction digits (a satoshi). */
const QUANTITY_DIGITS = 8;

type Plan =
  | { readonly ok: true; readonly side: Side; readonly quantity: Decimal; readonly referencePrice: Decimal }
  | { readonly ok: false; readonly side: Side; readonly quantity: Decimal; readonly referencePrice?: Decimal; readonly reason: string };

/**
 * Executes a signal once: a signal whose eventId is already in the ledger is a duplicate and executes
 * nothing (its unpublished events are republished by the caller). Throws SignalRejection for a signal
 * the engine must not act on.
 */
export async function executeSignal(deps: ExecutionDeps, signal: SignalGenerated, source: string): Promise<RecordResult> {
  const now = deps.now();
  if (!deps.settings.symbols.has(signal.symbol)) {
    throw new SignalRejection('UnknownSymbol', 'symbol', `symbol: ${signal.symbol} is not traded by this engine (trades ${[...deps.settings.symbols].join(', ')})`);
  }
  if (Date.parse(signal.expiresAt) <= now.getTime()) {
    throw new SignalRejection('SignalExpired', 'expiresAt', `expiresAt: the signal expired at ${signal.expiresAt}, read at ${now.toISOString()}; stale signals are never traded`);
  }
  const store = deps.stores.forUser(signal.userId);
  // Cheap early exit for replays; the ledger insert inside record() is the real guard.
  if (await store.isRecorded(signal.eventId)) return { status: 'duplicate' };

  const before = await store.position(signal.userId, signal.symbol);
  const plan = planOrder(signal, before, deps.settings.defaultOrderNotional);
  const execution = plan.ok ? await deps.broker.execute(plan) : undefined;
  const entry = { eventId: signal.eventId, signalId: signal.signalId, userId: signal.userId, symbol: signal.symbol, source };

  return store.record(entry, (locked) => {
    const at = execution?.executedAt ?? now;
    if (!plan.ok) return rejected(signal, plan, plan.reason, at);
    // A close is sized from the position as locked: it may have moved since it was read (rebalance overlap).
    let quantity = plan.quantity;
    if (signal.action === 'close') {
      if (sign(locked.quantity) !== sign(before.quantity)) return rejected(signal, plan, 'the position changed while the order was executed', at);
      quantity = abs(locked.quantity);
    }
    return filled(signal, plan.side, quantity, plan.referencePrice, execution!.price, deps.broker.fee(quantity, execution!.price), locked, at);
  });
}

function planOrder(signal: SignalGenerated, position: Position, defaultNotional: Decimal): Plan {
  const referencePrice = signal.limitPrice === undefined ? undefined : dec(signal.limitPrice);
  if (signal.action === 'close') {
    const side: Side = sign(position.quantity) >= 0 ? 'sell' : 'buy';
    if (sign(position.quantity) === 0) return { ok: false, side, quantity: ZERO, referencePrice, reason: `no open ${signal.symbol} position to close` };
    if (!referencePrice) return { ok: false, side, quantity: abs(position.quantity), reason: noPrice(signal) };
    return { ok: true, side, quantity: abs(position.quantity), referencePrice };
  }
  const side: Side = signal.action;
  if (!referencePrice) return { ok: false, side, quantity: signal.quantity ? dec(signal.quantity) : ZERO, reason: noPrice(signal) };
  const quantity = signal.quantity ? dec(signal.quantity) : round(div(defaultNotional, referencePrice), QUANTITY_DIGITS);
  if (sign(quantity) <= 0) return { ok: false, side, quantity: ZERO, referencePrice, reason: `the default notional buys less than 1e-${QUANTITY_DIGITS} ${signal.symbol}` };
  return { ok: true, side, quantity, referencePrice };
}

const noPrice = (signal: SignalGenerated) =>
  `the signal carries no limitPrice: the paper broker fills at the signal's price and has no market data for ${signal.symbol}`;

const orderIdOf = (signal: SignalGenerated) => `ord-${signal.eventId}`;
const tradeIdOf = (signal: SignalGenerated) => `trd-${signal.eventId}`;

function rejected(signal: SignalGenerated, plan: Plan, reason: string, at: Date): SignalOutcome {
  const order: OrderRow = {
    orderId: orderIdOf(signal),
    userId: signal.userId,
    symbol: signal.symbol,
    side: plan.side,
    orderType: 'market',
    quantity: plan.quantity,
    referencePrice: plan.referencePrice,
    status: 'rejected',
    filledQuantity: ZERO,
    reason,
    at,
  };
  const event = createEvent(
    OrderStatusChangedV1,
    { userId: order.userId, orderId: order.orderId, symbol: order.symbol, side: order.side, status: 'rejected', filledQuantity: '0', remainingQuantity: str(order.quantity), reason, sequence: 0 },
    { now: () => at },
  );
  return { order, events: [outbox(TOPICS.orders, event)] };
}

function filled(
  signal: SignalGenerated,
  side: Side,
  quantity: Decimal,
  referencePrice: Decimal,
  price: Decimal,
  fee: Decimal,
  position: Position,
  at: Date,
): SignalOutcome {
  const order: OrderRow = {
    orderId: orderIdOf(signal),
    userId: signal.userId,
    symbol: signal.symbol,
    side,
    orderType: 'market',
    quantity,
    referencePrice,
    status: 'filled',
    filledQuantity: quantity,
    averageFillPrice: price,
    at,
  };
  const trade: TradeRow = {
    tradeId: tradeIdOf(signal),
    orderId: order.orderId,
    userId: signal.userId,
    symbol: signal.symbol,
    side,
    quantity,
    price,
    fee,
    feeCurrency: signal.symbol.split('-')[1],
    executedAt: at,
  };
  const next = applyFill(position, { side, quantity, price, fee });
  const options = { now: () => at };
  const common = { userId: order.userId, orderId: order.orderId, symbol: order.symbol, side };
  const accepted = createEvent(OrderStatusChangedV1, { ...common, status: 'accepted', filledQuantity: '0', remainingQuantity: str(quantity), sequence: 0 }, options);
  const done = createEvent(
    OrderStatusChangedV1,
    { ...common, status: 'filled', filledQuantity: str(quantity), remainingQuantity: '0', averageFillPrice: str(price), sequence: 1 },
    options,
  );
  const executed = createEvent(
    TradeExecutedV1,
    { ...common, tradeId: trade.tradeId, quantity: str(quantity), price: str(price), fee: str(fee), feeCurrency: trade.feeCurrency, liquidity: 'taker' },
    options,
  );
  const changed = createEvent(
    PositionChangedV1,
    {
      userId: order.userId,
      symbol: order.symbol,
      quantity: str(next.quantity),
      averageEntryPrice: str(next.averageEntryPrice),
      realizedPnl: str(next.realizedPnl),
      tradeId: trade.tradeId,
      causationId: executed.eventId,
      sequence: next.sequence,
    },
    options,
  );
  return {
    order,
    trade,
    position: next,
    events: [outbox(TOPICS.orders, accepted), outbox(TOPICS.orders, done), outbox(TOPICS.trades, executed), outbox(TOPICS.positions, changed)],
  };
}

/** Serialised exactly as the catalog's producers send (validated again, keyed by the topic's key). */
function outbox<T extends TopicName>(topic: T, event: TopicEvent<T>): OutboxRecord {
  const message = toKafkaMessage(topic, event);
  return { eventId: (event as { eventId: string }).eventId, topic, key: message.key, value: message.value, headers: message.headers };
}
