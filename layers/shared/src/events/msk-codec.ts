/**
 * Kafka records in the exact shape Lambda's MSK event source delivers them:
 *
 *   { eventSource: 'aws:kafka', eventSourceArn, bootstrapServers,
 *     records: { '<topic>-<partition>': [{ topic, partition, offset, timestamp, timestampType,
 *                                         key (base64), value (base64), headers: [{ name: [bytes] }] }] } }
 *
 * Consumers decode with `decodeMskEvent` (one result per record, good or bad, so that a bad record is
 * dead-lettered and the batch still succeeds: the MSK source has no partial-batch response). Producers
 * serialise with `toKafkaMessage`; tests build Lambda events with `encodeMskEvent`.
 */
import {
  createEvent,
  isTopicName,
  parseTopicEvent,
  partitionKeyOf,
  TOPIC_CATALOG,
  type CatalogEvent,
  type CreateEventOptions,
  type TopicEvent,
  type TopicName,
} from './catalog';
import { DeadLetterRecordedV1, type DeadLetterRecorded } from './dead-letter';
import { EventValidationError } from './errors';

export const MSK_EVENT_SOURCE = 'aws:kafka';

/** One header as Lambda delivers it: a single-key object whose value is the header's bytes. */
export type MskRecordHeader = Record<string, number[]>;

export interface MskRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  /** Base64; absent for records produced without a key. */
  readonly key?: string | null;
  /** Base64; null for a tombstone. */
  readonly value: string | null;
  readonly headers: readonly MskRecordHeader[];
}

export interface MskEvent {
  readonly eventSource: typeof MSK_EVENT_SOURCE;
  readonly eventSourceArn: string;
  readonly bootstrapServers: string;
  readonly records: Readonly<Record<string, readonly MskRecord[]>>;
}

/** Where a record sits, as errors and logs name it: `<topic>-<partition>@<offset>`. */
export function recordRef(record: Pick<MskRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${record.topic}-${record.partition}@${record.offset}`;
}

/** Content type and event type/version travel as headers too, so that tools can filter without parsing. */
export const HEADERS = { contentType: 'content-type', eventType: 'event-type', eventVersion: 'event-version' } as const;
const JSON_CONTENT_TYPE = 'application/json';

/** What a producer (kafkajs `producer.send({ topic, messages: [message] })`) sends. */
export interface KafkaMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Validates `event` against the topic's catalog and serialises it with the key the topic is partitioned
 * by. Throws EventValidationError: a producer never sends what a consumer would reject.
 */
export function toKafkaMessage<T extends TopicName>(topicName: T, event: TopicEvent<T>): KafkaMessage {
  const valid = parseTopicEvent(topicName, event);
  return {
    key: partitionKeyOf(topicName, valid),
    value: JSON.stringify(valid),
    headers: {
      [HEADERS.contentType]: JSON_CONTENT_TYPE,
      [HEADERS.eventType]: valid.type,
      [HEADERS.eventVersion]: String(valid.version),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Decoding (production consumers)

/** A record that decoded, typed by its topic. */
export type DecodedEvent = { [T in TopicName]: { readonly topic: T; readonly key: string | undefined; readonly event: TopicEvent<T> } }[TopicName];

export type DecodeResult =
  | ({ readonly ok: true; readonly ref: string; readonly record: MskRecord } & DecodedEvent)
  | { readonly ok: false; readonly ref: string; readonly record: MskRecord; readonly error: EventValidationError };

/**
 * Decodes one record: the topic must be in the catalog, key and value valid base64, the value UTF-8
 * JSON that is a valid event of the topic, and the key the one the topic is partitioned by (a mis-keyed
 * record broke per-user ordering at the producer). Throws EventValidationError naming field and record.
 */
export function decodeMskRecord(record: MskRecord): DecodedEvent {
  const ref = recordRef(record);
  try {
    if (!isTopicName(record.topic)) {
      throw new EventValidationError('topic', `${JSON.stringify(record.topic)} is not in the event catalog`);
    }
    if (record.value === null || record.value === undefined) {
      throw new EventValidationError('value', 'is missing (a tombstone or an empty record); every catalog event has a value');
    }
    const text = decodeBase64Text(record.value, 'value');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new EventValidationError('value', `is not valid JSON: ${(e as Error).message}`);
    }
    const event = parseTopicEvent(record.topic, json);
    const key = record.key === undefined || record.key === null ? undefined : decodeBase64Text(record.key, 'key');
    const expected = partitionKeyOf(record.topic, event);
    if (key !== expected) {
      const keyField = TOPIC_CATALOG[record.topic].key;
      throw new EventValidationError('key', `${key === undefined ? 'is missing' : JSON.stringify(key)}; topic ${record.topic} is keyed by ${keyField}, expected ${JSON.stringify(expected)}`);
    }
    return { topic: record.topic, key, event } as DecodedEvent;
  } catch (e) {
    if (e instanceof EventValidationError) throw e.at(ref);
    throw e;
  }
}

/** Decodes a record that must belong to `topicName` (a consumer of one topic). */
export function decodeTopicRecord<T extends TopicName>(topicName: T, record: MskRecord): TopicEvent<T> {
  if (record.topic !== topicName) {
    throw new EventValidationError('topic', `expected ${topicName}, got ${JSON.stringify(record.topic)}`, recordRef(record));
  }
  return decodeMskRecord(record).event as TopicEvent<T>;
}

/**
 * Decodes every record of a Lambda MSK event, in delivery order (partition by partition, offsets
 * ascending), into one result per record. Only a malformed envelope throws: Lambda never sends one, so it
 * means the function is wired to the wrong source.
 */
export function decodeMskEvent(event: MskEvent): DecodeResult[] {
  if (event?.eventSource !== MSK_EVENT_SOURCE || event.records === null || typeof event.records !== 'object') {
    throw new EventValidationError('eventSource', `expected a Lambda MSK event (eventSource ${MSK_EVENT_SOURCE} with records), got ${JSON.stringify(event?.eventSource)}`);
  }
  return Object.values(event.records).flatMap((batch) =>
    batch.map((record): DecodeResult => {
      const ref = recordRef(record);
      try {
        return { ok: true, ref, record, ...decodeMskRecord(record) };
      } catch (e) {
        if (e instanceof EventValidationError) return { ok: false, ref, record, error: e };
        throw e;
      }
    }),
  );
}

/** Header values as text (Lambda delivers each header as a one-key object of byte values). */
export function decodeHeaders(headers: readonly MskRecordHeader[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    for (const [name, bytes] of Object.entries(header)) out[name] = Buffer.from(bytes).toString('utf8');
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64Text(encoded: unknown, field: 'key' | 'value'): string {
  if (typeof encoded !== 'string' || !BASE64.test(encoded)) {
    throw new EventValidationError(field, 'is not valid base64');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw new EventValidationError(field, 'is not valid UTF-8 text');
  }
}

// ---------------------------------------------------------------------------------------------------
// Dead letters

/**
 * The dead-letter event for a record a consumer rejected: the record verbatim, the reason and the field.
 * Produce it to `TOPICS.deadLetter` with `toKafkaMessage`.
 */
export function deadLetterFor(record: MskRecord, error: unknown, consumer: string, options: CreateEventOptions = {}): DeadLetterRecorded {
  const err = error instanceof Error ? error : new Error(String(error));
  return createEvent(
    DeadLetterRecordedV1,
    {
      consumer,
      reason: err.message.slice(0, 4000),
      ...(err instanceof EventValidationError ? { field: err.field } : {}),
      errorType: /^[A-Za-z0-9._:-]{1,80}$/.test(err.name) ? err.name : 'Error',
      source: {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        timestampType: record.timestampType,
      },
      original: { key: record.key ?? null, value: record.value ?? null, headers: record.headers.map((h) => ({ ...h })) },
    },
    options,
  );
}

// ---------------------------------------------------------------------------------------------------
// Encoding (tests, local tools)

export interface RawRecordInput {
  readonly topic: string;
  /** Text, or exact bytes (to build malformed records); null for a tombstone. */
  readonly value: string | Uint8Array | null;
  /** Omitted: no key. */
  readonly key?: string | Uint8Array;
  /** @default 0 */
  readonly partition?: number;
  /** @default 0 */
  readonly offset?: number;
  /** Epoch milliseconds. @default 0 */
  readonly timestamp?: number;
  /** @default {} */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A record in the Lambda shape from raw text or bytes, unvalidated (for building malformed records). */
export function encodeRawMskRecord(input: RawRecordInput): MskRecord {
  const base64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64');
  return {
    topic: input.topic,
    partition: input.partition ?? 0,
    offset: input.offset ?? 0,
    timestamp: input.timestamp ?? 0,
    timestampType: 'CREATE_TIME',
    ...(input.key === undefined ? {} : { key: base64(input.key) }),
    value: input.value === null ? null : base64(input.value),
    headers: Object.entries(input.headers ?? {}).map(([name, value]) => ({ [name]: [...Buffer.from(value, 'utf8')] })),
  };
}

export interface EncodeOptions {
  /** @default 0 */
  readonly partition?: number;
  /** @default 0 */
  readonly offset?: number;
  /** @default Date.parse(event.occurredAt) */
  readonly timestamp?: number;
}

/** A valid event as Lambda would deliver it: keyed, serialised and headed exactly as a producer sends it. */
export function encodeMskRecord<T extends TopicName>(topicName: T, event: TopicEvent<T>, options: EncodeOptions = {}): MskRecord {
  const message = toKafkaMessage(topicName, event);
  return encodeRawMskRecord({
    topic: topicName,
    key: message.key,
    value: message.value,
    headers: message.headers,
    partition: options.partition,
    offset: options.offset,
    timestamp: options.timestamp ?? Date.parse((event as CatalogEvent).occurredAt),
  });
}

export interface MskEventOptions {
  /** @default an example cluster ARN in us-east-1 */
  readonly eventSourceArn?: string;
  /** @default an example bootstrap string */
  readonly bootstrapServers?: string;
}

/** A Lambda MSK event holding `records`, grouped by `<topic>-<partition>` as Lambda groups them. */
export function encodeMskEvent(records: readonly MskRecord[], options: MskEventOptions = {}): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const record of records) (grouped[`${record.topic}-${record.partition}`] ??= []).push(record);
  return {
    eventSource: MSK_EVENT_SOURCE,
    eventSourceArn: options.eventSourceArn ?? 'arn:aws:kafka:us-east-1:123456789012:cluster/example/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers: options.bootstrapServers ?? 'b-1.example.kafka.us-east-1.amazonaws.com:9098,b-2.example.kafka.us-east-1.amazonaws.com:9098',
    records: grouped,
  };
}
