/** The billing webhook on the local PostgreSQL: signature, replay window, idempotency by the provider's event id. */
import type { AccountEvent } from '@shared/clients/event-bus';
import { poolTransactional } from '@shared/clients/sql';
import { SubscriptionChangedV1 } from '@shared/events';
import { billingRoutes, signPayload, type BillingDeps } from '../../functions/api-billing-webhook/logic';
import { apiDatabase, describeWith, restEvent, silentLog, type ApiTestDatabase } from '../helpers/services';

const routes = billingRoutes(silentLog);
const SECRET = 'whsec_test_0123456789';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;

describeWith({ postgres: true }, 'billing webhook (PostgreSQL)', () => {
  let database: ApiTestDatabase;
  let published: AccountEvent[];
  let deps: BillingDeps;

  beforeAll(async () => void (database = await apiDatabase('billing')));
  afterAll(async () => database?.drop());
  beforeEach(() => {
    published = [];
    deps = { dbFor: () => poolTransactional(database.pool), events: { publish: async (e) => void published.push(e) }, signingSecret: async () => SECRET, maxBodyBytes: 4096, now: () => NOW };
  });

  const payload = (id: string, status = 'active') => JSON.stringify({ id, type: 'subscription.updated', data: { userId: 'u-bill', plan: 'pro', status, currentPeriodEnd: '2026-04-01T00:00:00.000Z' } });
  const deliver = (body: string, signature = signPayload(SECRET, nowSeconds, body)) => routes(restEvent('POST', '/billing/webhook', { body, headers: { 'X-Billing-Signature': signature } }), deps);

  it('stores a signed event, publishes SubscriptionChanged, and treats a redelivery as a duplicate with the same event id', async () => {
    const body = payload('evt_001');
    const first = await deliver(body);
    expect(first.statusCode).toBe(200);
    const answer = JSON.parse(first.body);
    expect(answer).toMatchObject({ received: 'evt_001', duplicate: false });
    const { rows } = await database.pool.query(`SELECT plan, status, billing_event_id FROM api.subscriptions WHERE user_id = 'u-bill'`);
    expect(rows).toEqual([{ plan: 'pro', status: 'active', billing_event_id: 'evt_001' }]);
    expect(() => SubscriptionChangedV1.schema.parse(published[0])).not.toThrow();

    const again = JSON.parse((await deliver(body)).body);
    expect(again).toEqual({ ...answer, duplicate: true });
    // Republished with the same id: a publish lost after the first store is repaired; consumers deduplicate.
    expect(published.map((e) => e.eventId)).toEqual([answer.eventId, answer.eventId]);
    expect((await database.pool.query(`SELECT count(*)::int AS n FROM api.billing_events WHERE billing_event_id = 'evt_001'`)).rows[0].n).toBe(1);
  });

  it('updates the subscription on a later event', async () => {
    await deliver(payload('evt_002', 'past_due'));
    const { rows } = await database.pool.query(`SELECT status FROM api.subscriptions WHERE user_id = 'u-bill'`);
    expect(rows[0].status).toBe('past_due');
  });

  it.each([
    ['no signature', undefined, /required/],
    ['a signature with another secret', signPayload('wrong-secret', nowSeconds, payload('evt_x')), /does not match/],
    ['a replayed (stale) signature', signPayload(SECRET, nowSeconds - 301, payload('evt_x')), /tolerance/],
    ['a malformed signature', 't=abc,v1=zz', /malformed/],
  ])('refuses %s with 401 and stores nothing', async (_name, signature, message) => {
    const body = payload('evt_x');
    const event = restEvent('POST', '/billing/webhook', { body, headers: signature ? { 'x-billing-signature': signature } : {} });
    const result = await routes(event, deps);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).message).toMatch(message);
    expect((await database.pool.query(`SELECT 1 FROM api.billing_events WHERE billing_event_id = 'evt_x'`)).rows).toEqual([]);
    expect(published).toEqual([]);
  });

  it('answers 400 naming the field for a signed but invalid event, and 413 for an oversized body', async () => {
    const bad = JSON.stringify({ id: 'evt_003', type: 'subscription.updated', data: { userId: 'u', plan: 'pro', status: 'gold' } });
    const result = await deliver(bad);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).field).toBe('data.status');
    expect((await deliver('x'.repeat(5000))).statusCode).toBe(413);
  });
});
