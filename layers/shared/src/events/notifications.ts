/** Outbound notifications, keyed (partitioned) by userId: one user's messages arrive in order. */
import * as z from 'zod';
import { defineEvent, type EventOf } from './define';
import { eventId, identifier, userId } from './primitives';

/** Channel hints: the notifications worker drops channels the user has not enabled. */
export const NOTIFICATION_CHANNELS = ['websocket', 'email', 'sms', 'push'] as const;
export const NOTIFICATION_CATEGORIES = ['order', 'trade', 'position', 'price_alert', 'security', 'system'] as const;

export const NotificationRequestedV1 = defineEvent('NotificationRequested', 1, 'Tell a user something, on the channels hinted.', {
  userId,
  category: z.enum(NOTIFICATION_CATEGORIES),
  channels: z
    .array(z.enum(NOTIFICATION_CHANNELS))
    .min(1)
    .refine((c) => new Set(c).size === c.length, { message: 'channels must be distinct' }),
  /** `high` bypasses the user's quiet hours (security alerts, liquidations). */
  priority: z.enum(['normal', 'high']),
  title: z.string().min(1).max(200),
  body: z.string().min(1).max(2000),
  /** Template variables or deep-link parameters for the client. */
  data: z.record(z.string(), z.string()).optional(),
  /** One notification per key within the worker's dedupe window, e.g. `price_alert:BTC-USD:70000`. */
  dedupeKey: identifier.optional(),
  /** The eventId of the event that caused it. */
  causationId: eventId.optional(),
});

export type NotificationRequested = EventOf<typeof NotificationRequestedV1>;
