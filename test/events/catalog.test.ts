import {
  createEvent,
  EventValidationError,
  OrderSubmittedV1,
  parseTopicEvent,
  partitionKeyOf,
  TOPIC_CATALOG,
  TOPIC_NAMES,
  TOPICS,
  topicOf,
  USER_KEYED_TOPICS,
  type CatalogEvent,
} from '@shared/events';
import { TOPIC_SAMPLES } from './samples';

/** The error a call throws, for assertions on its fields. */
function errorOf(fn: () => unknown): EventValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EventValidationError) return e;
    throw e;
  }
  throw new Error('expected an EventValidationError, nothing was thrown');
}

const sample = <T extends CatalogEvent['type']>(type: T) => structuredClone(TOPIC_SAMPLES.find((s) => s.type === type)) as Extract<CatalogEvent, { type: T }>;

describe('topic catalog', () => {
  test('lists the six business topics and the dead-letter topic', () => {
    expect([...TOPIC_NAMES].sort()).toEqual(
      ['market.data', 'notifications.outbound', 'trading.deadletter', 'trading.orders', 'trading.positions', 'trading.signals', 'trading.trades'],
    );
    expect([...USER_KEYED_TOPICS].sort()).toEqual(['notifications.outbound', 'trading.orders', 'trading.positions', 'trading.signals', 'trading.trades']);
    expect(TOPIC_CATALOG[TOPICS.marketData].key).toBe('symbol');
  });

  test('every event type lives on exactly one topic and has a sample', () => {
    const definitions = TOPIC_NAMES.flatMap((t) => TOPIC_CATALOG[t].events.map((d) => ({ topic: t, type: d.type, version: d.version })));
    const typeVersions = definitions.map((d) => `${d.type}@${d.version}`);
    expect(new Set(typeVersions).size).toBe(typeVersions.length);
    for (const d of definitions) {
      expect(topicOf(d.type as CatalogEvent['type'])).toBe(d.topic);
      expect(TOPIC_SAMPLES.some((s) => s.type === d.type && s.version === d.version)).toBe(true);
    }
  });

  test.each(TOPIC_SAMPLES.map((s) => [s.type, s] as const))('%s sample is valid on its topic and keyed as the topic says', (_type, event) => {
    const topic = topicOf(event.type);
    expect(parseTopicEvent(topic, event)).toEqual(event);
    const key = partitionKeyOf(topic, event);
    const expected = { userId: (event as { userId?: string }).userId, symbol: (event as { symbol?: string }).symbol, sourcePartition: 'trading.trades-3' }[TOPIC_CATALOG[topic].key];
    expect(key).toBe(expected);
  });

  test('every event carries eventId, occurredAt and a version; user-keyed ones a userId', () => {
    for (const event of TOPIC_SAMPLES) {
      const topic = topicOf(event.type);
      for (const field of ['eventId', 'occurredAt', 'version', ...(TOPIC_CATALOG[topic].key === 'userId' ? ['userId'] : [])]) {
        const broken: Record<string, unknown> = { ...event };
        delete broken[field];
        const error = errorOf(() => parseTopicEvent(topic, broken));
        expect(error.field).toBe(field);
        expect(error.message).toMatch(/is required/);
      }
    }
  });

  test('an unknown version is rejected, naming the field and the supported versions', () => {
    const error = errorOf(() => parseTopicEvent('trading.orders', { ...sample('OrderSubmitted'), version: 2 }));
    expect(error.field).toBe('version');
    expect(error.message).toBe('version: unsupported version 2 of OrderSubmitted; supported: 1');
  });

  test('an event type the topic does not carry is rejected, naming the field', () => {
    const error = errorOf(() => parseTopicEvent('trading.trades', sample('OrderSubmitted')));
    expect(error.field).toBe('type');
    expect(error.message).toMatch(/unknown event type "OrderSubmitted" on topic trading.trades; expected one of TradeExecuted/);
    expect(errorOf(() => parseTopicEvent('trading.trades', 'not an object')).field).toBe('$');
  });

  test.each([
    ['TradeExecuted', 'quantity', '1e-5', /decimal string/],
    ['TradeExecuted', 'price', '0', /> 0/],
    ['TradeExecuted', 'price', 64250.5, /expected string/],
    ['TradeExecuted', 'fee', '-0.1', />= 0/],
    ['TradeExecuted', 'symbol', 'btcusd', /BASE-QUOTE/],
    ['TradeExecuted', 'side', 'hold', /buy|sell/],
    ['TradeExecuted', 'occurredAt', '2025-03-14 09:26', /ISO-8601/],
    ['TradeExecuted', 'eventId', 'not-a-uuid', /UUID/i],
    ['PositionChanged', 'sequence', 1.5, /int/i],
    ['SignalGenerated', 'confidence', 1.2, /1/],
    ['NotificationRequested', 'channels', ['email', 'email'], /distinct/],
    ['NotificationRequested', 'channels', [], />=1|at least|too small/i],
  ] as const)('%s.%s = %j is rejected naming the field', (type, field, value, message) => {
    const event = { ...sample(type), [field]: value };
    const error = errorOf(() => parseTopicEvent(topicOf(type), event));
    expect(error.field).toBe(field);
    expect(error.detail).toMatch(message);
  });

  test('a bad nested value names its path', () => {
    const event = sample('NotificationRequested');
    const error = errorOf(() => parseTopicEvent('notifications.outbound', { ...event, channels: ['email', 'fax'] }));
    expect(error.field).toBe('channels.1');
  });

  test('order cross-field rules name the field', () => {
    const limit = sample('OrderSubmitted');
    delete (limit as { limitPrice?: string }).limitPrice;
    expect(errorOf(() => parseTopicEvent('trading.orders', limit)).message).toBe('limitPrice: required for orderType limit');
    const market = { ...sample('OrderSubmitted'), orderType: 'market' };
    expect(errorOf(() => parseTopicEvent('trading.orders', market)).message).toBe('limitPrice: not allowed for orderType market');
    const stop = { ...sample('OrderSubmitted'), orderType: 'stop_limit' };
    expect(errorOf(() => parseTopicEvent('trading.orders', stop)).field).toBe('stopPrice');
    const rejected = { ...sample('OrderStatusChanged'), status: 'rejected' };
    expect(errorOf(() => parseTopicEvent('trading.orders', rejected)).field).toBe('reason');
  });

  test('several failures name the first and count the rest', () => {
    const event = { ...sample('TradeExecuted'), quantity: 'x', price: 'y' };
    expect(errorOf(() => parseTopicEvent('trading.trades', event)).message).toMatch(/^quantity: expected a decimal string .* \(also invalid: price\)$/);
  });

  test('unknown fields are stripped, so producers can add optional fields without a new version', () => {
    const parsed = parseTopicEvent('trading.trades', { ...sample('TradeExecuted'), venueTradeId: 'x-1' });
    expect(parsed).not.toHaveProperty('venueTradeId');
  });

  test('decimal strings keep every digit a double would lose', () => {
    const parsed = parseTopicEvent('trading.positions', sample('PositionChanged'));
    expect(parsed.type === 'PositionChanged' && parsed.quantity).toBe('-1.250000000000000001');
  });

  test('createEvent fills type, version, eventId and occurredAt and validates the rest', () => {
    const event = createEvent(
      OrderSubmittedV1,
      { userId: 'u-1', orderId: 'o-1', symbol: 'ETH-USD', side: 'sell', orderType: 'market', quantity: '2', timeInForce: 'IOC' },
      { now: () => new Date('2025-01-01T00:00:00Z'), newId: () => '4b8f2a64-3c1e-4d8a-9b1a-2f6c1d0e9a77' },
    );
    expect(event).toEqual(expect.objectContaining({ type: 'OrderSubmitted', version: 1, eventId: '4b8f2a64-3c1e-4d8a-9b1a-2f6c1d0e9a77', occurredAt: '2025-01-01T00:00:00.000Z' }));
    expect(createEvent(OrderSubmittedV1, { userId: 'u-1', orderId: 'o-2', symbol: 'ETH-USD', side: 'sell', orderType: 'market', quantity: '2', timeInForce: 'IOC' }).eventId).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(() => createEvent(OrderSubmittedV1, { userId: 'u-1', orderId: 'o-1', symbol: 'ETH-USD', side: 'sell', orderType: 'limit', quantity: '2', timeInForce: 'IOC' })).toThrow(
      'limitPrice: required for orderType limit',
    );
  });
});
