/**
 * A user's notification preferences (docs/workers/notifications.md#preferences): where to reach them
 * (e-mail, phone, push endpoint), which channels each category goes to, and optional quiet hours. Stored
 * in `api.notification_preferences` on the user's shard; written by PUT /notifications/preferences, read
 * by the notifications worker through the read-only proxy. A user without a row gets DEFAULT_PREFERENCES.
 */
import * as z from 'zod';
import type { Sql } from '../clients/sql';
import { API_SCHEMA } from '../db/api-schema';
import { NOTIFICATION_CATEGORIES, NOTIFICATION_CHANNELS } from '../events/notifications';

export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export interface QuietHours {
  /** Local time `HH:MM` (24 h) in `timeZone`; the window may wrap midnight (22:00 to 07:00). */
  readonly start: string;
  readonly end: string;
  /** IANA time zone, e.g. `Europe/Paris`. */
  readonly timeZone: string;
}

export interface NotificationPreferences {
  readonly email: string | null;
  /** E.164, e.g. `+14155550100`. */
  readonly phone: string | null;
  /** An SNS platform endpoint ARN (the user's device). */
  readonly pushEndpointArn: string | null;
  readonly channels: Readonly<Record<NotificationCategory, readonly NotificationChannel[]>>;
  /** During quiet hours only `high` priority reaches e-mail, SMS and push; WebSocket (in-app) is never held. */
  readonly quietHours: QuietHours | null;
  /** null: no row, these are the defaults. */
  readonly updatedAt: string | null;
}

/** Position updates are live state: only the WebSocket channel carries them. */
export const POSITION_CHANNELS: readonly NotificationChannel[] = ['websocket'];

/** What a user without a row gets: everything in-app, and security alerts by e-mail too (once an address is set). */
export const DEFAULT_CHANNELS: Readonly<Record<NotificationCategory, readonly NotificationChannel[]>> = {
  order: ['websocket'],
  trade: ['websocket'],
  position: ['websocket'],
  price_alert: ['websocket'],
  security: ['websocket', 'email'],
  system: ['websocket'],
};

export const DEFAULT_PREFERENCES: NotificationPreferences = {
  email: null,
  phone: null,
  pushEndpointArn: null,
  channels: DEFAULT_CHANNELS,
  quietHours: null,
  updatedAt: null,
};

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const PUSH_ENDPOINT_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/[A-Z_]+\/[^/\s]{1,256}\/[0-9a-f-]{36}$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const channelList = z
  .array(z.enum(NOTIFICATION_CHANNELS))
  .max(NOTIFICATION_CHANNELS.length)
  .refine((c) => new Set(c).size === c.length, { message: 'channels must be distinct' });

const quietHoursSchema = z.strictObject({
  start: z.string().regex(HH_MM, { message: 'expected HH:MM (24 h)' }),
  end: z.string().regex(HH_MM, { message: 'expected HH:MM (24 h)' }),
  timeZone: z.string().refine(isTimeZone, { message: 'expected an IANA time zone, e.g. Europe/Paris' }),
});

/**
 * The body of PUT /notifications/preferences: the whole document (a field left out takes its default;
 * a category left out of `channels` keeps its default channels).
 */
export const preferencesBody = z
  .strictObject({
    email: z.email({ message: 'expected an e-mail address' }).max(254).nullable().optional(),
    phone: z.string().regex(E164, { message: 'expected an E.164 phone number, e.g. +14155550100' }).nullable().optional(),
    pushEndpointArn: z.string().regex(PUSH_ENDPOINT_ARN, { message: 'expected an SNS platform endpoint ARN' }).nullable().optional(),
    channels: z.partialRecord(z.enum(NOTIFICATION_CATEGORIES), channelList).optional(),
    quietHours: quietHoursSchema.nullable().optional(),
  })
  .superRefine((body, ctx) => {
    const channels = { ...DEFAULT_CHANNELS, ...body.channels };
    const needs: Record<string, { field: 'email' | 'phone' | 'pushEndpointArn'; value: unknown }> = {
      email: { field: 'email', value: body.email },
      sms: { field: 'phone', value: body.phone },
      push: { field: 'pushEndpointArn', value: body.pushEndpointArn },
    };
    for (const category of NOTIFICATION_CATEGORIES) {
      if (!body.channels?.[category]) continue;
      for (const channel of channels[category]) {
        if (category === 'position' && !POSITION_CHANNELS.includes(channel)) {
          ctx.addIssue({ code: 'custom', path: ['channels', 'position'], message: 'position updates go to websocket only' });
        }
        const need = needs[channel];
        if (need && !need.value) ctx.addIssue({ code: 'custom', path: ['channels', category], message: `${channel} needs ${need.field} to be set` });
      }
    }
  });
export type PreferencesBody = z.output<typeof preferencesBody>;

/** The stored document from a validated body (defaults filled in). */
export function preferencesFromBody(body: PreferencesBody, updatedAt: Date): NotificationPreferences {
  return {
    email: body.email ?? null,
    phone: body.phone ?? null,
    pushEndpointArn: body.pushEndpointArn ?? null,
    channels: { ...DEFAULT_CHANNELS, ...body.channels },
    quietHours: body.quietHours ?? null,
    updatedAt: updatedAt.toISOString(),
  };
}

const COLUMNS = 'email, phone, push_endpoint_arn, channels, quiet_hours, updated_at';

/** Tolerant of a stored document from an older or newer writer: unknown categories and channels are ignored. */
function fromRow(row: Record<string, any>): NotificationPreferences {
  const stored = (row.channels ?? {}) as Record<string, unknown>;
  const channels = { ...DEFAULT_CHANNELS } as Record<NotificationCategory, readonly NotificationChannel[]>;
  for (const category of NOTIFICATION_CATEGORIES) {
    const list = stored[category];
    if (Array.isArray(list)) channels[category] = NOTIFICATION_CHANNELS.filter((c) => list.includes(c));
  }
  const quiet = quietHoursSchema.safeParse(row.quiet_hours);
  return {
    email: row.email ?? null,
    phone: row.phone ?? null,
    pushEndpointArn: row.push_endpoint_arn ?? null,
    channels,
    quietHours: quiet.success ? quiet.data : null,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The user's preferences, or DEFAULT_PREFERENCES when they never set any. */
export async function readPreferences(sql: Sql, userId: string): Promise<NotificationPreferences> {
  const { rows } = await sql.query(`SELECT ${COLUMNS} FROM ${API_SCHEMA}.notification_preferences WHERE user_id = $1`, [userId]);
  return rows.length === 0 ? DEFAULT_PREFERENCES : fromRow(rows[0]);
}

/** Replaces the user's preferences (one row per user). */
export async function writePreferences(sql: Sql, userId: string, prefs: NotificationPreferences): Promise<NotificationPreferences> {
  const { rows } = await sql.query(
    `INSERT INTO ${API_SCHEMA}.notification_preferences (user_id, email, phone, push_endpoint_arn, channels, quiet_hours, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)
     ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, phone = EXCLUDED.phone, push_endpoint_arn = EXCLUDED.push_endpoint_arn,
       channels = EXCLUDED.channels, quiet_hours = EXCLUDED.quiet_hours, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [userId, prefs.email, prefs.phone, prefs.pushEndpointArn, JSON.stringify(prefs.channels), prefs.quietHours ? JSON.stringify(prefs.quietHours) : null, prefs.updatedAt],
  );
  return fromRow(rows[0]);
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(timeZone, clock);
  }
  const [h, m] = clock.format(at).split(':').map(Number);
  return h * 60 + m;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `at` falls in [start, end) local time; a window whose end is before its start wraps midnight. */
export function inQuietHours(quiet: QuietHours | null, at: Date): boolean {
  if (!quiet) return false;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const now = localMinutes(at, quiet.timeZone);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * A per-process TTL cache in front of `load` (a warm Lambda serves a user's burst of events from memory);
 * concurrent misses for one user share one load, and a failed load is not cached.
 */
export function cachedPreferences(
  load: (userId: string) => Promise<NotificationPreferences>,
  options: { readonly ttlMs: number; readonly maxEntries?: number; readonly now?: () => number },
): (userId: string) => Promise<NotificationPreferences> {
  const entries = new Map<string, { readonly value: Promise<NotificationPreferences>; readonly expires: number }>();
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  return (userId) => {
    const t = now();
    const hit = entries.get(userId);
    if (hit && hit.expires > t) return hit.value;
    entries.delete(userId);
    if (entries.size >= max) entries.delete(entries.keys().next().value as string);
    const value = load(userId);
    entries.set(userId, { value, expires: t + options.ttlMs });
    value.catch(() => {
      if (entries.get(userId)?.value === value) entries.delete(userId);
    });
    return value;
  };
}
