/** Events and MSK batches for the notifications worker's tests and benchmark. */
import { createEvent, encodeMskEvent, encodeMskRecord, NotificationRequestedV1, PositionChangedV1, TradeExecutedV1, type MskEvent, type MskRecord, type NotificationRequested, type PositionChanged, type TradeExecuted } from '@shared/events';
import type { EventInput } from '@shared/events/define';

export const AT = new Date('2026-03-01T12:00:00.000Z');
const now = () => AT;

export function trade(userId: string, tradeId = 'trd-1', extra: Partial<EventInput<typeof TradeExecutedV1>> = {}): TradeExecuted {
  return createEvent(TradeExecutedV1, { userId, tradeId, orderId: 'ord-1', symbol: 'BTC-USD', side: 'buy', quantity: '0.5', price: '64250.50', fee: '1.20', feeCurrency: 'USD', liquidity: 'taker', ...extra }, { now });
}

export function position(userId: string, symbol: string, sequence: number, quantity = String(sequence)): PositionChanged {
  return createEvent(PositionChangedV1, { userId, symbol, quantity, averageEntryPrice: '100', realizedPnl: '0', sequence }, { now });
}

export function notification(userId: string, extra: Partial<EventInput<typeof NotificationRequestedV1>> = {}): NotificationRequested {
  return createEvent(NotificationRequestedV1, { userId, category: 'security', channels: ['websocket', 'email'], priority: 'normal', title: 'New sign-in', body: 'A new device signed in.', ...extra }, { now });
}

type AnyEvent = TradeExecuted | PositionChanged | NotificationRequested;

export function recordOf(event: AnyEvent, offset = 0, partition = 0): MskRecord {
  switch (event.type) {
    case 'TradeExecuted':
      return encodeMskRecord('trading.trades', event, { offset, partition });
    case 'PositionChanged':
      return encodeMskRecord('trading.positions', event, { offset, partition });
    case 'NotificationRequested':
      return encodeMskRecord('notifications.outbound', event, { offset, partition });
  }
}

/** One MSK batch, offsets in the given order per topic. */
export function batch(...events: (AnyEvent | MskRecord)[]): MskEvent {
  const offsets = new Map<string, number>();
  return encodeMskEvent(
    events.map((e) => {
      if ('topic' in e) return e;
      const offset = offsets.get(e.type) ?? 0;
      offsets.set(e.type, offset + 1);
      return recordOf(e, offset);
    }),
  );
}
