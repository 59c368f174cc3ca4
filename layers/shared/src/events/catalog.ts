/**
 * The topic catalog: every Kafka topic, how it is keyed, and which event types (and versions) it carries.
 * Producers validate before they send; consumers validate what they receive, and reject an unknown type
 * or version with an error naming the field instead of guessing.
 */
import { randomUUID } from 'node:crypto';
import type { EventDefinition, EventInput, EventOf } from './define';
import { DeadLetterRecordedV1 } from './dead-letter';
import { EventValidationError } from './errors';
import { CandleClosedV1, TickerUpdatedV1 } from './market';
import { NotificationRequestedV1 } from './notifications';
import {
  OrderCancelRequestedV1,
  OrderStatusChangedV1,
  OrderSubmittedV1,
  PositionChangedV1,
  SignalGeneratedV1,
  TradeExecutedV1,
} from './trading';
import { validate } from './validate';

export const TOPICS = {
  signals: 'trading.signals',
  orders: 'trading.orders',
  trades: 'trading.trades',
  positions: 'trading.positions',
  marketData: 'market.data',
  notifications: 'notifications.outbound',
  deadLetter: 'trading.deadletter',
} as const;
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];
export const TOPIC_NAMES = Object.values(TOPICS) as readonly TopicName[];

/**
 * What a topic's records are keyed (and so partitioned and ordered) by:
 * - `userId`: one user's events stay in one partition, in order; the engine's consumer group shards users.
 * - `symbol`: one pair's market data stays in order.
 * - `sourcePartition`: `<topic>-<partition>` of the rejected record, so dead letters of one source
 *   partition stay in their original order for replay.
 */
export type TopicKey = 'userId' | 'symbol' | 'sourcePartition';

export interface TopicDefinition<E extends readonly EventDefinition[] = readonly EventDefinition[]> {
  readonly key: TopicKey;
  readonly description: string;
  readonly events: E;
}

function topic<const E extends readonly EventDefinition[]>(key: TopicKey, description: string, events: E): TopicDefinition<E> {
  return { key, description, events };
}

export const TOPIC_CATALOG = {
  'trading.signals': topic('userId', 'Strategy signals for a user', [SignalGeneratedV1]),
  'trading.orders': topic('userId', 'Order commands and order state', [OrderSubmittedV1, OrderCancelRequestedV1, OrderStatusChangedV1]),
  'trading.trades': topic('userId', 'Executions (fills)', [TradeExecutedV1]),
  'trading.positions': topic('userId', 'Position state after each change', [PositionChangedV1]),
  'market.data': topic('symbol', 'Tickers and candles', [TickerUpdatedV1, CandleClosedV1]),
  'notifications.outbound': topic('userId', 'Messages to users', [NotificationRequestedV1]),
  'trading.deadletter': topic('sourcePartition', 'Records consumers rejected, verbatim, with the reason', [DeadLetterRecordedV1]),
} as const satisfies Record<TopicName, TopicDefinition>;

/** Topics whose records are keyed by user id: their partition count bounds the engine's shard count. */
export const USER_KEYED_TOPICS = TOPIC_NAMES.filter((t) => TOPIC_CATALOG[t].key === 'userId');

type DefinitionsOf<T extends TopicName> = (typeof TOPIC_CATALOG)[T]['events'][number];
/** Any event that may appear on topic T. */
export type TopicEvent<T extends TopicName> = EventOf<DefinitionsOf<T>>;
/** Any event on any topic. */
export type CatalogEvent = TopicEvent<TopicName>;
/** The event type names on topic T. */
export type TopicEventType<T extends TopicName> = DefinitionsOf<T>['type'];

export function isTopicName(name: string): name is TopicName {
  return Object.hasOwn(TOPIC_CATALOG, name);
}

function definitionsOf(topicName: TopicName): readonly EventDefinition[] {
  return TOPIC_CATALOG[topicName].events;
}

/**
 * Validates a decoded (JSON-parsed) value as an event of `topicName`: its `type` must be one the topic
 * carries, its `version` one the catalog knows for that type, and the rest must satisfy that version's
 * schema. Throws EventValidationError naming the field.
 */
export function parseTopicEvent<T extends TopicName>(topicName: T, input: unknown): TopicEvent<T> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new EventValidationError('$', `expected a JSON object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  }
  const { type, version } = input as { type?: unknown; version?: unknown };
  const candidates = definitionsOf(topicName).filter((d) => d.type === type);
  if (candidates.length === 0) {
    const known = [...new Set(definitionsOf(topicName).map((d) => d.type))].join(', ');
    throw new EventValidationError('type', `${type === undefined ? 'is required' : `unknown event type ${JSON.stringify(type)}`} on topic ${topicName}; expected one of ${known}`);
  }
  const definition = candidates.find((d) => d.version === version);
  if (!definition) {
    const known = candidates.map((d) => d.version).join(', ');
    throw new EventValidationError('version', `${version === undefined ? 'is required' : `unsupported version ${JSON.stringify(version)}`} of ${String(type)}; supported: ${known}`);
  }
  return validate(definition.schema, input) as TopicEvent<T>;
}

/** The record key an event must be produced with (see TopicKey). */
export function partitionKeyOf<T extends TopicName>(topicName: T, event: TopicEvent<T>): string {
  const e = event as CatalogEvent;
  switch (TOPIC_CATALOG[topicName].key) {
    case 'userId':
      return (e as { userId: string }).userId;
    case 'symbol':
      return (e as { symbol: string }).symbol;
    case 'sourcePartition': {
      const { source } = e as { source: { topic: string; partition: number } };
      return `${source.topic}-${source.partition}`;
    }
  }
}

/** The topic that carries an event type (each type lives on exactly one topic). */
export function topicOf(type: CatalogEvent['type']): TopicName {
  const found = TOPIC_NAMES.find((t) => definitionsOf(t).some((d) => d.type === type));
  if (!found) throw new EventValidationError('type', `unknown event type ${JSON.stringify(type)}`);
  return found;
}

export interface CreateEventOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

/**
 * Builds a valid event of `definition` from its payload: sets type and version, and eventId and
 * occurredAt unless given (give a deterministic eventId when retrying the same business action, so that
 * consumers deduplicate it). Throws EventValidationError naming the field.
 */
export function createEvent<D extends EventDefinition>(definition: D, input: EventInput<D>, options: CreateEventOptions = {}): EventOf<D> {
  const { now = () => new Date(), newId = randomUUID } = options;
  return validate(definition.schema, {
    eventId: newId(),
    occurredAt: now().toISOString(),
    ...input,
    type: definition.type,
    version: definition.version,
  }) as EventOf<D>;
}
