/** Events of the trading core: signals, orders, trades and positions, all keyed (partitioned) by userId. */
import * as z from 'zod';
import { defineEvent, type EventOf } from './define';
import { currency, decimal, eventId, identifier, nonNegativeDecimal, positiveDecimal, side, symbol, userId, utcTimestamp } from './primitives';

export const SignalGeneratedV1 = defineEvent('SignalGenerated', 1, 'A strategy suggests an action for a user; the engine decides whether to order.', {
  userId,
  signalId: identifier,
  strategyId: identifier,
  symbol,
  action: z.enum(['buy', 'sell', 'close']),
  /** 0 (no conviction) to 1. */
  confidence: z.number().min(0).max(1),
  /** Suggested size; absent lets the engine size from the user's risk limits. */
  quantity: positiveDecimal.optional(),
  limitPrice: positiveDecimal.optional(),
  /** The engine ignores a signal it reads after this time: a lagging consumer must not trade stale signals. */
  expiresAt: utcTimestamp,
});

export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;

export const OrderSubmittedV1 = defineEvent(
  'OrderSubmitted',
  1,
  'A user (API) or a signal asks the engine to place an order.',
  {
    userId,
    orderId: identifier,
    /** The client's own id; the API rejects a second order with the same one. */
    clientOrderId: identifier.optional(),
    symbol,
    side,
    orderType: z.enum(ORDER_TYPES),
    quantity: positiveDecimal,
    limitPrice: positiveDecimal.optional(),
    stopPrice: positiveDecimal.optional(),
    timeInForce: z.enum(TIME_IN_FORCE),
    /** The signal this order acts on, if any. */
    signalId: identifier.optional(),
  },
  (order, ctx) => {
    const needsLimit = order.orderType === 'limit' || order.orderType === 'stop_limit';
    const needsStop = order.orderType === 'stop' || order.orderType === 'stop_limit';
    if (needsLimit !== (order.limitPrice !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['limitPrice'], message: `${needsLimit ? 'required' : 'not allowed'} for orderType ${order.orderType}` });
    }
    if (needsStop !== (order.stopPrice !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: `${needsStop ? 'required' : 'not allowed'} for orderType ${order.orderType}` });
    }
  },
);

export const OrderCancelRequestedV1 = defineEvent('OrderCancelRequested', 1, 'A user or the risk system asks the engine to cancel an open order.', {
  userId,
  orderId: identifier,
  requestedBy: z.enum(['user', 'risk', 'system']),
  reason: z.string().max(500).optional(),
});

export const ORDER_STATUSES = ['accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'] as const;

export const OrderStatusChangedV1 = defineEvent(
  'OrderStatusChanged',
  1,
  "The engine's view of an order changed.",
  {
    userId,
    orderId: identifier,
    symbol,
    side,
    status: z.enum(ORDER_STATUSES),
    filledQuantity: nonNegativeDecimal,
    remainingQuantity: nonNegativeDecimal,
    averageFillPrice: positiveDecimal.optional(),
    /** Why it was rejected, cancelled or expired. */
    reason: z.string().max(500).optional(),
    /** Increases with every change of this order: consumers drop an update older than the one they hold. */
    sequence: z.number().int().nonnegative(),
  },
  (order, ctx) => {
    if (order.status === 'rejected' && !order.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'required when status is rejected' });
    }
  },
);

export const TradeExecutedV1 = defineEvent('TradeExecuted', 1, 'A (partial) fill of an order; occurredAt is the execution time.', {
  userId,
  tradeId: identifier,
  orderId: identifier,
  symbol,
  side,
  quantity: positiveDecimal,
  price: positiveDecimal,
  fee: nonNegativeDecimal,
  feeCurrency: currency,
  liquidity: z.enum(['maker', 'taker']),
});

export const PositionChangedV1 = defineEvent('PositionChanged', 1, "A user's position in a symbol after a trade or an adjustment.", {
  userId,
  symbol,
  /** Signed: negative is short, "0" is flat (closed). */
  quantity: decimal,
  averageEntryPrice: nonNegativeDecimal,
  /** Cumulative realised P&L of this position, in the quote currency. */
  realizedPnl: decimal,
  /** The trade that caused the change; absent for adjustments (corrections, liquidations by the venue). */
  tradeId: identifier.optional(),
  /** The eventId of the event that caused the change, for tracing. */
  causationId: eventId.optional(),
  /** Increases with every change of this user's position in this symbol: consumers drop stale updates. */
  sequence: z.number().int().nonnegative(),
});

export type SignalGenerated = EventOf<typeof SignalGeneratedV1>;
export type OrderSubmitted = EventOf<typeof OrderSubmittedV1>;
export type OrderCancelRequested = EventOf<typeof OrderCancelRequestedV1>;
export type OrderStatusChanged = EventOf<typeof OrderStatusChangedV1>;
export type TradeExecuted = EventOf<typeof TradeExecutedV1>;
export type PositionChanged = EventOf<typeof PositionChangedV1>;
