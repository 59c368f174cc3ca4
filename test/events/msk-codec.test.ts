import {
  decodeHeaders,
  decodeMskEvent,
  decodeMskRecord,
  decodeTopicRecord,
  deadLetterFor,
  encodeMskEvent,
  encodeMskRecord,
  encodeRawMskRecord,
  EventValidationError,
  partitionKeyOf,
  toKafkaMessage,
  topicOf,
  type CatalogEvent,
  type MskEvent,
  type MskRecord,
  type TopicName,
} from '@shared/events';
import { TOPIC_SAMPLES } from './samples';

const trade = structuredClone(TOPIC_SAMPLES.find((s) => s.type === 'TradeExecuted')!);

function errorOf(fn: () => unknown): EventValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EventValidationError) return e;
    throw e;
  }
  throw new Error('expected an EventValidationError, nothing was thrown');
}

/** What the Lambda runtime hands the handler: the event went through JSON on the way. */
const delivered = (event: MskEvent): MskEvent => JSON.parse(JSON.stringify(event));

describe('MSK record codec', () => {
  test('every catalog event round-trips through the Lambda MSK event shape', () => {
    const records = TOPIC_SAMPLES.map((event, i) => encodeMskRecord(topicOf(event.type), event as never, { partition: i % 3, offset: 100 + i }));
    const results = decodeMskEvent(delivered(encodeMskEvent(records)));
    expect(results).toHaveLength(TOPIC_SAMPLES.length);
    for (const result of results) {
      if (!result.ok) throw result.error;
      const original = TOPIC_SAMPLES[result.record.offset - 100];
      expect(result.topic).toBe(topicOf(original.type));
      expect(result.event).toEqual(original);
      expect(result.key).toBe(partitionKeyOf(result.topic, original as never));
    }
  });

  test('records have the exact shape Lambda delivers', () => {
    const event = encodeMskEvent([encodeMskRecord('trading.trades', trade, { partition: 3, offset: 15 })]);
    expect(event).toEqual({
      eventSource: 'aws:kafka',
      eventSourceArn: expect.stringMatching(/^arn:aws:kafka:/),
      bootstrapServers: expect.stringContaining(':9098'),
      records: {
        'trading.trades-3': [
          {
            topic: 'trading.trades',
            partition: 3,
            offset: 15,
            timestamp: Date.parse(trade.occurredAt),
            timestampType: 'CREATE_TIME',
            key: Buffer.from('user-42').toString('base64'),
            value: expect.any(String),
            headers: [
              { 'content-type': [...Buffer.from('application/json')] },
              { 'event-type': [...Buffer.from('TradeExecuted')] },
              { 'event-version': [49] },
            ],
          },
        ],
      },
    });
    expect(JSON.parse(Buffer.from(event.records['trading.trades-3'][0].value!, 'base64').toString())).toEqual(trade);
    expect(decodeHeaders(event.records['trading.trades-3'][0].headers)).toEqual({
      'content-type': 'application/json',
      'event-type': 'TradeExecuted',
      'event-version': '1',
    });
  });

  test('toKafkaMessage keys by the topic key and refuses what a consumer would reject', () => {
    expect(toKafkaMessage('trading.trades', trade).key).toBe('user-42');
    expect(() => toKafkaMessage('trading.trades', { ...trade, price: '-1' })).toThrow(/^price: /);
    expect(() => toKafkaMessage('market.data', trade as never)).toThrow(/^type: unknown event type "TradeExecuted" on topic market.data/);
  });

  const good = () => encodeMskRecord('trading.trades', trade, { partition: 3, offset: 1200 });
  /** `key: null` builds a record without a key. */
  const raw = (value: string | Uint8Array | null, key: string | null = 'user-42', topic = 'trading.trades') =>
    encodeRawMskRecord({ topic, key: key ?? undefined, value, partition: 3, offset: 1200 });

  test.each<[string, () => MskRecord, string, RegExp]>([
    ['bad base64 value', () => ({ ...good(), value: '%%%not base64' }), 'value', /is not valid base64/],
    ['base64 with a bad length', () => ({ ...good(), value: 'e30' }), 'value', /is not valid base64/],
    ['invalid UTF-8', () => raw(Uint8Array.from([0xff, 0xfe, 0x7b])), 'value', /is not valid UTF-8/],
    ['bad JSON', () => raw('{"type":"TradeExecuted",'), 'value', /is not valid JSON/],
    ['a JSON array', () => raw('[1,2]'), '$', /expected a JSON object, got an array/],
    ['a tombstone', () => raw(null), 'value', /is missing/],
    ['a missing field', () => raw(JSON.stringify({ ...trade, quantity: undefined })), 'quantity', /is required/],
    ['an unknown version', () => raw(JSON.stringify({ ...trade, version: 7 })), 'version', /unsupported version 7 of TradeExecuted; supported: 1/],
    ['a missing version', () => raw(JSON.stringify({ ...trade, version: undefined })), 'version', /is required/],
    ['an unknown type', () => raw(JSON.stringify({ ...trade, type: 'TradeBusted' })), 'type', /unknown event type "TradeBusted"/],
    ['a wrong key', () => raw(JSON.stringify(trade), 'user-43'), 'key', /"user-43"; topic trading.trades is keyed by userId, expected "user-42"/],
    ['a missing key', () => raw(JSON.stringify(trade), null), 'key', /is missing/],
    ['bad base64 key', () => ({ ...good(), key: '***' }), 'key', /is not valid base64/],
    ['a topic outside the catalog', () => raw(JSON.stringify(trade), 'user-42', 'trading.unknown'), 'topic', /"trading.unknown" is not in the event catalog/],
  ])('rejects %s, naming the field and the record', (_name, build, field, detail) => {
    const record = build();
    const error = errorOf(() => decodeMskRecord(record));
    expect(error.field).toBe(field);
    expect(error.detail).toMatch(detail);
    expect(error.record).toBe(`${record.topic}-3@1200`);
    expect(error.message).toBe(`record ${record.topic}-3@1200: ${field}: ${error.detail}`);
  });

  test('a batch decodes into one result per record, good and bad, in delivery order', () => {
    const records = [
      encodeMskRecord('trading.trades', trade, { partition: 0, offset: 1 }),
      { ...encodeMskRecord('trading.trades', trade, { partition: 0, offset: 2 }), value: 'bm90IGpzb24=' },
      encodeMskRecord('trading.trades', { ...trade, eventId: '0b9e4c1e-8d7f-4f5a-9a43-3f1c2b7d9e05' }, { partition: 0, offset: 3 }),
    ];
    const results = decodeMskEvent(delivered(encodeMskEvent(records)));
    expect(results.map((r) => [r.ref, r.ok])).toEqual([
      ['trading.trades-0@1', true],
      ['trading.trades-0@2', false],
      ['trading.trades-0@3', true],
    ]);
    const bad = results[1];
    expect(!bad.ok && bad.error.message).toMatch(/^record trading.trades-0@2: value: is not valid JSON/);
  });

  test('a malformed envelope throws: the function is wired to the wrong source', () => {
    expect(() => decodeMskEvent({ eventSource: 'aws:sqs', records: {} } as unknown as MskEvent)).toThrow(/^eventSource: expected a Lambda MSK event/);
  });

  test('decodeTopicRecord refuses a record of another topic', () => {
    const record = encodeMskRecord('trading.trades', trade, { offset: 9 });
    expect(decodeTopicRecord('trading.trades', record)).toEqual(trade);
    expect(() => decodeTopicRecord('trading.orders', record)).toThrow('record trading.trades-0@9: topic: expected trading.orders, got "trading.trades"');
  });

  test('a rejected record becomes a dead letter that keeps it verbatim and round-trips on the dead-letter topic', () => {
    const bad = { ...good(), value: Buffer.from(JSON.stringify({ ...trade, quantity: '0' })).toString('base64') };
    const error = errorOf(() => decodeMskRecord(bad));
    const letter = deadLetterFor(bad, error, 'notifications-worker', { now: () => new Date('2025-03-14T10:00:00Z'), newId: () => '0b9e4c1e-8d7f-4f5a-9a43-3f1c2b7d9e09' });
    expect(letter).toEqual(
      expect.objectContaining({
        type: 'DeadLetterRecorded',
        consumer: 'notifications-worker',
        field: 'quantity',
        errorType: 'EventValidationError',
        reason: 'record trading.trades-3@1200: quantity: expected a decimal > 0',
        source: { topic: 'trading.trades', partition: 3, offset: 1200, timestamp: bad.timestamp, timestampType: 'CREATE_TIME' },
        original: { key: bad.key, value: bad.value, headers: bad.headers },
      }),
    );
    const onDeadLetterTopic = encodeMskRecord('trading.deadletter', letter, { offset: 1 });
    expect(Buffer.from(onDeadLetterTopic.key!, 'base64').toString()).toBe('trading.trades-3');
    const decoded = decodeMskRecord(onDeadLetterTopic);
    expect(decoded.topic).toBe('trading.deadletter');
    expect(decoded.event).toEqual(letter);
    // The original bytes survive: the dead letter can be replayed as it was.
    expect(decoded.topic === 'trading.deadletter' && decoded.event.original.value).toBe(bad.value);
  });

  test('a dead letter can hold a record that is not even base64, and a non-validation error', () => {
    const record: MskRecord = { ...good(), value: '%%%' };
    const letter = deadLetterFor(record, new RangeError('order book unavailable'), 'engine');
    expect(letter.original.value).toBe('%%%');
    expect(letter.errorType).toBe('RangeError');
    expect(letter.field).toBeUndefined();
  });

  test('every catalog topic and type is reachable from a sample', () => {
    const topics = new Set<TopicName>(TOPIC_SAMPLES.map((s: CatalogEvent) => topicOf(s.type)));
    expect(topics.size).toBe(7);
  });
});
