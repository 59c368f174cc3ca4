/**
 * POST /billing/webhook: the billing provider reports subscription changes. No user JWT here: the request
 * is authenticated by its HMAC-SHA256 signature over `<timestamp>.<raw body>` with the shared secret
 * (Secrets Manager), within 5 minutes of its timestamp (replays are refused). Idempotent by the
 * provider's event id: the first delivery is stored (ledger + subscription, one transaction); every
 * delivery publishes SubscriptionChanged with the same event id, so consumers deduplicate and a publish
 * that failed after the store is repaired by the provider's retry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { EventPublisher } from '@shared/clients/event-bus';
import type { Transactional } from '@shared/clients/sql';
import { API_SCHEMA } from '@shared/db/api-schema';
import { createEvent, identifier, SUBSCRIPTION_STATUSES, SubscriptionChangedV1, userId } from '@shared/events';
import { bodyText, HttpError, json, router, validateInput, type ErrorLog, type RestEvent } from '@shared/http/rest';
import { deterministicEventId } from '@shared/runtime/ids';

export const SIGNATURE_HEADER = 'x-billing-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface BillingDeps {
  readonly dbFor: (userId: string) => Transactional;
  readonly events: EventPublisher;
  readonly signingSecret: () => Promise<string>;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
}

export const billingEvent = z.strictObject({
  id: identifier,
  type: z.enum(['subscription.created', 'subscription.updated', 'subscription.cancelled']),
  data: z.strictObject({
    userId,
    plan: identifier,
    status: z.enum(SUBSCRIPTION_STATUSES),
    currentPeriodEnd: z.iso.datetime().optional(),
  }),
});

/** `t=<unix seconds>,v1=<hex>`, as the provider signs. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifySignature(header: string | undefined, body: string, secret: string, now: Date): void {
  if (!header) throw new HttpError(401, `${SIGNATURE_HEADER} header is required`, SIGNATURE_HEADER);
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) throw new HttpError(401, `${SIGNATURE_HEADER} is malformed`, SIGNATURE_HEADER);
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) throw new HttpError(401, 'signature timestamp is outside the 5-minute tolerance', SIGNATURE_HEADER);
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'))) throw new HttpError(401, 'signature does not match', SIGNATURE_HEADER);
}

export async function receiveBillingEvent(event: RestEvent, deps: BillingDeps) {
  const now = (deps.now ?? (() => new Date()))();
  const text = bodyText(event, deps.maxBodyBytes);
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === SIGNATURE_HEADER)?.[1];
  // Verify before parsing: nothing unauthenticated is interpreted.
  verifySignature(header, text, await deps.signingSecret(), now);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`, '$');
  }
  const billing = validateInput(billingEvent, raw);
  const { data } = billing;
  const eventId = deterministicEventId(data.userId, `billing:${billing.id}`);
  const stored = await deps.dbFor(data.userId).transaction(async (tx) => {
    const { rows } = await tx.query(
      `INSERT INTO ${API_SCHEMA}.billing_events (billing_event_id, user_id, event_id, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (billing_event_id) DO NOTHING RETURNING billing_event_id`,
      [billing.id, data.userId, eventId, now.toISOString()],
    );
    if (rows.length === 0) return false;
    await tx.query(
      `INSERT INTO ${API_SCHEMA}.subscriptions (user_id, plan, status, current_period_end, billing_event_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE SET plan = EXCLUDED.plan, status = EXCLUDED.status,
         current_period_end = EXCLUDED.current_period_end, billing_event_id = EXCLUDED.billing_event_id, updated_at = EXCLUDED.updated_at`,
      [data.userId, data.plan, data.status, data.currentPeriodEnd ?? null, billing.id, now.toISOString()],
    );
    return true;
  });
  await deps.events.publish(
    createEvent(
      SubscriptionChangedV1,
      { eventId, userId: data.userId, billingEventId: billing.id, plan: data.plan, status: data.status, ...(data.currentPeriodEnd ? { currentPeriodEnd: data.currentPeriodEnd } : {}) },
      { now: () => now },
    ),
  );
  return json(200, { received: billing.id, eventId, duplicate: !stored });
}

export const billingRoutes = (log: ErrorLog) => router<BillingDeps>({ 'POST /billing/webhook': receiveBillingEvent }, log);
