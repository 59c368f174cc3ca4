/**
 * The notifications worker's routing (docs/workers/notifications.md): an MSK batch of `trading.trades`,
 * `trading.positions` and `notifications.outbound` becomes deliveries on the channels the user enabled.
 *
 * - Position updates are coalesced per user and symbol inside the batch: only the highest `sequence`
 *   is pushed (the older ones are superseded, counted, and not dead-lettered: nothing is lost).
 * - Each delivery carries an idempotency key (the event id, or `<userId>:<dedupeKey>` for a notification
 *   with a dedupeKey) and its channel; the handler's `deliver` is idempotent on that pair.
 * - A record that fails to decode, whose preferences cannot be read, or whose delivery on some channel
 *   still fails after the deliverer's bounded retries is dead-lettered with the reason; the rest of the
 *   batch goes on. Only a failure to dead-letter fails the batch.
 *
 * Users are processed concurrently, each user's records in order.
 */
import { decodeMskEvent, type MskEvent, type MskRecord, type NotificationRequested, type PositionChanged, type TradeExecuted } from '@shared/events';
import { inQuietHours, POSITION_CHANNELS, type NotificationCategory, type NotificationChannel, type NotificationPreferences } from '@shared/notifications/preferences';
import type { FrameFormat } from '@shared/ws/frames';

export type FrameKind = 'trades' | 'positions' | 'notifications';

/** A live WebSocket connection as the `ws-connections` table holds it. */
export interface Connection {
  readonly connectionId: string;
  readonly format: FrameFormat;
  readonly channels: ReadonlySet<string> | readonly string[];
  /** Where the connection lives (set on $connect); absent on records written before the worker existed. */
  readonly apiId?: string;
  readonly region?: string;
  readonly stage?: string;
}

/** A connection the worker can post to. */
export interface ConnectionTarget {
  readonly connectionId: string;
  readonly format: FrameFormat;
  /** `https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly endpoint: string;
}

interface DeliveryBase {
  /** Exactly-once key with `channel`: the event id, or `<userId>:<dedupeKey>`. */
  readonly idempotencyKey: string;
  readonly eventId: string;
  readonly userId: string;
}

export type Delivery =
  | (DeliveryBase & { readonly channel: 'websocket'; readonly frame: { readonly kind: FrameKind; readonly [field: string]: unknown }; readonly connections: readonly ConnectionTarget[] })
  | (DeliveryBase & { readonly channel: 'email'; readonly to: string; readonly subject: string; readonly text: string })
  | (DeliveryBase & { readonly channel: 'sms'; readonly phoneNumber: string; readonly text: string })
  | (DeliveryBase & { readonly channel: 'push'; readonly endpointArn: string; readonly title: string; readonly body: string; readonly data?: Readonly<Record<string, string>> });

export interface RouterDeps {
  /** The user's preferences (cached); DEFAULT_PREFERENCES when they have none. */
  readonly preferencesOf: (userId: string) => Promise<NotificationPreferences>;
  /** The user's live connections (the byUser index). Called at most once per user per batch. */
  readonly connectionsOf: (userId: string) => Promise<readonly Connection[]>;
  /**
   * Sends one delivery, exactly once per (idempotencyKey, channel), retrying transient errors; throws when it
   * gives up. `duplicate: true` when it was delivered before (nothing sent now).
   */
  readonly deliver: (delivery: Delivery) => Promise<{ readonly duplicate?: boolean } | void>;
  /** Writes the record to the dead-letter queue with the reason; throws when it cannot (the batch then fails). */
  readonly deadLetter: (record: MskRecord, error: unknown) => Promise<void>;
  /** Called for each failed delivery before its record is dead-lettered (a log line, a metric). */
  readonly onDeliveryFailed?: (delivery: Delivery, error: unknown) => void;
  readonly now?: () => Date;
  /** Users processed at once. @default 16 */
  readonly concurrency?: number;
}

export interface RouteSummary {
  readonly records: number;
  readonly badRecords: number;
  /** Position updates superseded by a higher sequence in the same batch. */
  readonly coalesced: number;
  /** Deliveries sent. */
  readonly delivered: number;
  /** Deliveries skipped because they were sent before (a redelivered batch, a replay, a repeated dedupeKey). */
  readonly duplicates: number;
  /** E-mail, SMS and push deliveries held back by quiet hours. */
  readonly quietHeld: number;
  /** Channels enabled but without an address (no e-mail, phone or push endpoint set). */
  readonly noAddress: number;
  /** Connection records without apiId/region/stage (written before the worker existed): not posted to. */
  readonly legacyConnections: number;
  readonly failedDeliveries: number;
  /** Records dead-lettered: bad ones, and those whose preferences or delivery failed. */
  readonly deadLettered: number;
}

interface Routable {
  readonly record: MskRecord;
  readonly userId: string;
  readonly message: Message;
}

type Message =
  | { readonly topic: 'trading.trades'; readonly event: TradeExecuted }
  | { readonly topic: 'trading.positions'; readonly event: PositionChanged }
  | { readonly topic: 'notifications.outbound'; readonly event: NotificationRequested };

class Counters {
  records = 0;
  badRecords = 0;
  coalesced = 0;
  delivered = 0;
  duplicates = 0;
  quietHeld = 0;
  noAddress = 0;
  legacyConnections = 0;
  failedDeliveries = 0;
  deadLettered = 0;
}

export async function routeNotifications(event: MskEvent, deps: RouterDeps): Promise<RouteSummary> {
  const counts = new Counters();
  const at = (deps.now ?? (() => new Date()))();
  const routable: Routable[] = [];
  const latestPosition = new Map<string, number>();

  for (const result of decodeMskEvent(event)) {
    counts.records++;
    if (!result.ok) {
      counts.badRecords++;
      await deadLetter(deps, counts, result.record, result.error);
      continue;
    }
    // Topics this worker is not subscribed to (a mis-wired mapping) are ignored, not dead-lettered: they belong to another consumer.
    if (result.topic !== 'trading.trades' && result.topic !== 'trading.positions' && result.topic !== 'notifications.outbound') continue;
    const message = { topic: result.topic, event: result.event } as Message;
    const item: Routable = { record: result.record, userId: message.event.userId, message };
    if (message.topic === 'trading.positions') {
      const key = `${message.event.userId}\u0000${message.event.symbol}`;
      const held = latestPosition.get(key);
      if (held !== undefined) {
        const heldEvent = routable[held].message.event as PositionChanged;
        counts.coalesced++;
        // Equal sequences: the later record wins (a re-publication of the same state).
        if (heldEvent.sequence > message.event.sequence) continue;
        routable[held] = item;
        continue;
      }
      latestPosition.set(key, routable.length);
    }
    routable.push(item);
  }

  const byUser = new Map<string, Routable[]>();
  for (const item of routable) {
    const list = byUser.get(item.userId);
    if (list) list.push(item);
    else byUser.set(item.userId, [item]);
  }

  const users = [...byUser.entries()];
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const [userId, items] = users[next++];
      await routeUser(userId, items, deps, counts, at);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 16, users.length) }, worker));
  return { ...counts };
}

async function routeUser(userId: string, items: readonly Routable[], deps: RouterDeps, counts: Counters, at: Date): Promise<void> {
  let prefs: NotificationPreferences;
  try {
    prefs = await deps.preferencesOf(userId);
  } catch (error) {
    for (const item of items) await deadLetter(deps, counts, item.record, new PreferencesUnavailableError(userId, error));
    return;
  }
  let connections: Promise<readonly LiveConnection[]> | undefined;
  const targets = () => (connections ??= deps.connectionsOf(userId).then((all) => liveTargets(all, counts)));

  for (const item of items) {
    let deliveries: Delivery[];
    try {
      deliveries = await plan(item, prefs, at, counts, targets);
    } catch (error) {
      await deadLetter(deps, counts, item.record, new DeliveryFailedError('websocket', error));
      continue;
    }
    const failures: DeliveryFailedError[] = [];
    for (const delivery of deliveries) {
      try {
        const outcome = await deps.deliver(delivery);
        if (outcome?.duplicate) counts.duplicates++;
        else counts.delivered++;
      } catch (error) {
        counts.failedDeliveries++;
        deps.onDeliveryFailed?.(delivery, error);
        failures.push(new DeliveryFailedError(delivery.channel, error));
      }
    }
    if (failures.length > 0) await deadLetter(deps, counts, item.record, failures.length === 1 ? failures[0] : new DeliveryFailedError(failures.map((f) => f.channel).join('+'), failures.map((f) => f.message).join('; ')));
  }
}

async function deadLetter(deps: RouterDeps, counts: Counters, record: MskRecord, error: unknown) {
  await deps.deadLetter(record, error);
  counts.deadLettered++;
}

type LiveConnection = ConnectionTarget & { readonly channels: Connection['channels'] };

/** Records without apiId/region/stage (older) are counted and skipped. */
function liveTargets(all: readonly Connection[], counts: Counters): LiveConnection[] {
  const out: LiveConnection[] = [];
  for (const c of all) {
    if (!c.apiId || !c.region || !c.stage) {
      counts.legacyConnections++;
      continue;
    }
    out.push({ connectionId: c.connectionId, format: c.format, endpoint: connectionEndpoint(c.apiId, c.region, c.stage), channels: c.channels });
  }
  return out;
}

/** The management endpoint of a connection's API stage, in the region the connection was made. */
export function connectionEndpoint(apiId: string, region: string, stage: string): string {
  return `https://${apiId}.execute-api.${region}.amazonaws.com/${stage}`;
}

const CATEGORY_OF: Record<Message['topic'], NotificationCategory | undefined> = {
  'trading.trades': 'trade',
  'trading.positions': 'position',
  'notifications.outbound': undefined,
};

const KIND_OF: Record<Message['topic'], FrameKind> = {
  'trading.trades': 'trades',
  'trading.positions': 'positions',
  'notifications.outbound': 'notifications',
};

async function plan(item: Routable, prefs: NotificationPreferences, at: Date, counts: Counters, targets: () => Promise<readonly LiveConnection[]>): Promise<Delivery[]> {
  const { message, userId } = item;
  const { event } = message;
  let channels: readonly NotificationChannel[];
  let priority: 'normal' | 'high' = 'normal';
  let idempotencyKey = event.eventId;
  if (message.topic === 'notifications.outbound') {
    const enabled = prefs.channels[message.event.category];
    channels = message.event.channels.filter((c) => enabled.includes(c));
    priority = message.event.priority;
    if (message.event.dedupeKey) idempotencyKey = `${userId}:${message.event.dedupeKey}`;
  } else {
    channels = prefs.channels[CATEGORY_OF[message.topic]!];
    if (message.topic === 'trading.positions') channels = channels.filter((c) => POSITION_CHANNELS.includes(c));
  }
  const quiet = priority !== 'high' && inQuietHours(prefs.quietHours, at);
  const base = { idempotencyKey, eventId: event.eventId, userId };
  let described: ReturnType<typeof describe> | undefined;
  const deliveries: Delivery[] = [];
  for (const channel of channels) {
    if (channel === 'websocket') {
      const kind = KIND_OF[message.topic];
      const connections = (await targets()).filter((t) => subscribed(t, kind));
      if (connections.length === 0) continue;
      deliveries.push({ ...base, channel, frame: frameOf(message), connections: connections.map(({ connectionId, format, endpoint }) => ({ connectionId, format, endpoint })) });
      continue;
    }
    if (quiet) {
      counts.quietHeld++;
      continue;
    }
    const text = (described ??= describe(message));
    if (channel === 'email') {
      if (!prefs.email) counts.noAddress++;
      else deliveries.push({ ...base, channel, to: prefs.email, subject: text.title, text: text.body });
    } else if (channel === 'sms') {
      if (!prefs.phone) counts.noAddress++;
      else deliveries.push({ ...base, channel, phoneNumber: prefs.phone, text: `${text.title}: ${text.body}`.slice(0, 300) });
    } else if (!prefs.pushEndpointArn) {
      counts.noAddress++;
    } else {
      deliveries.push({ ...base, channel, endpointArn: prefs.pushEndpointArn, title: text.title, body: text.body, ...(text.data ? { data: text.data } : {}) });
    }
  }
  return deliveries;
}

/** A connection subscribed to nothing gets nothing. */
function subscribed({ channels }: LiveConnection, kind: FrameKind): boolean {
  if (!channels) return false;
  return channels instanceof Set ? channels.has(kind) : (channels as readonly string[]).includes(kind);
}

/** The WebSocket frame of a message (docs/api.md#websocket-protocol). */
export function frameOf(message: Message): { readonly kind: FrameKind; readonly [field: string]: unknown } {
  const { event } = message;
  switch (message.topic) {
    case 'trading.trades': {
      const e = message.event;
      return { kind: 'trades', eventId: e.eventId, occurredAt: e.occurredAt, tradeId: e.tradeId, orderId: e.orderId, symbol: e.symbol, side: e.side, quantity: e.quantity, price: e.price, fee: e.fee, feeCurrency: e.feeCurrency, liquidity: e.liquidity };
    }
    case 'trading.positions': {
      const e = message.event;
      return { kind: 'positions', eventId: e.eventId, occurredAt: e.occurredAt, symbol: e.symbol, quantity: e.quantity, averageEntryPrice: e.averageEntryPrice, realizedPnl: e.realizedPnl, sequence: e.sequence };
    }
    case 'notifications.outbound': {
      const e = message.event;
      return { kind: 'notifications', eventId: event.eventId, occurredAt: e.occurredAt, category: e.category, priority: e.priority, title: e.title, body: e.body, ...(e.data ? { data: e.data } : {}) };
    }
  }
}

/** Title and text for e-mail, SMS and push. */
function describe(message: Message): { title: string; body: string; data?: Readonly<Record<string, string>> } {
  switch (message.topic) {
    case 'trading.trades': {
      const e = message.event;
      return {
        title: `Trade executed: ${e.side.toUpperCase()} ${e.quantity} ${e.symbol}`,
        body: `${e.side === 'buy' ? 'Bought' : 'Sold'} ${e.quantity} ${e.symbol} at ${e.price} (fee ${e.fee} ${e.feeCurrency}) on ${e.occurredAt}. Order ${e.orderId}, trade ${e.tradeId}.`,
        data: { tradeId: e.tradeId, orderId: e.orderId, symbol: e.symbol },
      };
    }
    case 'trading.positions': {
      const e = message.event;
      return { title: `Position ${e.symbol}: ${e.quantity}`, body: `Your ${e.symbol} position is now ${e.quantity} at an average entry of ${e.averageEntryPrice}.` };
    }
    case 'notifications.outbound':
      return { title: message.event.title, body: message.event.body, ...(message.event.data ? { data: message.event.data } : {}) };
  }
}

export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailed';
  constructor(
    readonly channel: string,
    cause: unknown,
  ) {
    super(`delivery on ${channel} failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
  }
}

export class PreferencesUnavailableError extends Error {
  override readonly name = 'PreferencesUnavailable';
  constructor(userId: string, cause: unknown) {
    super(`preferences of ${userId} could not be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

