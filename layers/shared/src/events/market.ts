/** Market data, keyed (partitioned) by symbol so that every update of one pair stays in order. */
import * as z from 'zod';
import { defineEvent, type EventOf } from './define';
import { identifier, nonNegativeDecimal, positiveDecimal, symbol, utcTimestamp } from './primitives';

export const TickerUpdatedV1 = defineEvent('TickerUpdated', 1, 'Best bid/ask and last price of a pair at one venue.', {
  symbol,
  /** The venue (exchange) the quote comes from. */
  venue: identifier,
  bid: positiveDecimal,
  ask: positiveDecimal,
  last: positiveDecimal,
  volume24h: nonNegativeDecimal,
});

export const CANDLE_INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;

export const CandleClosedV1 = defineEvent('CandleClosed', 1, 'An OHLCV candle of a pair closed.', {
  symbol,
  venue: identifier,
  interval: z.enum(CANDLE_INTERVALS),
  openTime: utcTimestamp,
  open: positiveDecimal,
  high: positiveDecimal,
  low: positiveDecimal,
  close: positiveDecimal,
  volume: nonNegativeDecimal,
});

export type TickerUpdated = EventOf<typeof TickerUpdatedV1>;
export type CandleClosed = EventOf<typeof CandleClosedV1>;
