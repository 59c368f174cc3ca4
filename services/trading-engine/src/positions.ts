/**
 * A user's position in one symbol and how a fill changes it. Quantity is signed (negative is short);
 * the average entry price is the volume-weighted price of the open quantity; realized P&L accumulates
 * what closing trades made or lost, net of fees, in the quote currency.
 */
import { abs, add, div, mul, neg, sign, sub, ZERO, min, type Decimal } from './decimal';

export type Side = 'buy' | 'sell';

export interface Position {
  readonly quantity: Decimal;
  readonly averageEntryPrice: Decimal;
  readonly realizedPnl: Decimal;
  /** Increases with every change; consumers drop an update older than the one they hold. */
  readonly sequence: number;
}

export const FLAT: Position = { quantity: ZERO, averageEntryPrice: ZERO, realizedPnl: ZERO, sequence: 0 };

export interface Fill {
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
}

export function applyFill(position: Position, fill: Fill): Position {
  const delta = fill.side === 'buy' ? fill.quantity : neg(fill.quantity);
  const held = position.quantity;
  const next = add(held, delta);
  let averageEntryPrice: Decimal;
  let realized = sub(position.realizedPnl, fill.fee);

  if (sign(held) === 0 || sign(held) === sign(delta)) {
    // Opening or adding: the entry price becomes the volume-weighted average.
    const cost = add(mul(abs(held), position.averageEntryPrice), mul(fill.quantity, fill.price));
    averageEntryPrice = div(cost, abs(next));
  } else {
    // Reducing, closing or flipping: the closed part realizes P&L at the old entry price.
    const closed = min(abs(held), fill.quantity);
    const perUnit = sign(held) > 0 ? sub(fill.price, position.averageEntryPrice) : sub(position.averageEntryPrice, fill.price);
    realized = add(realized, mul(closed, perUnit));
    if (sign(next) === 0) averageEntryPrice = ZERO;
    else if (sign(next) === sign(held)) averageEntryPrice = position.averageEntryPrice;
    else averageEntryPrice = fill.price; // flipped: the remainder opened at this fill's price
  }
  return { quantity: next, averageEntryPrice, realizedPnl: realized, sequence: position.sequence + 1 };
}
