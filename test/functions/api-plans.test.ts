/** Investment plans on the local PostgreSQL (the API schema's migration included): CRUD, events, bad input. */
import type { AccountEvent } from '@shared/clients/event-bus';
import { InvestmentPlanChangedV1 } from '@shared/events';
import { planRoutes, type PlansDeps } from '../../functions/api-plans/logic';
import { apiDatabase, describeWith, restEvent, silentLog, type ApiTestDatabase } from '../helpers/services';

const routes = planRoutes(silentLog);

describeWith({ postgres: true }, 'investment plans (PostgreSQL)', () => {
  let database: ApiTestDatabase;
  let published: AccountEvent[];
  let deps: PlansDeps;

  beforeAll(async () => void (database = await apiDatabase('plans')));
  afterAll(async () => database?.drop());
  beforeEach(() => {
    published = [];
    deps = { sqlFor: () => database.pool, events: { publish: async (e) => void published.push(e) }, maxBodyBytes: 1024, now: () => new Date('2026-03-01T00:00:00.000Z') };
  });

  const create = (userId: string, body: unknown) => routes(restEvent('POST', '/plans', { userId, body }), deps);

  it('creates, lists, updates and cancels a plan, publishing a valid InvestmentPlanChanged for each change', async () => {
    const created = await create('u-plans', { symbol: 'BTC-USD', amount: '250.00', currency: 'USD', frequency: 'weekly' });
    expect(created.statusCode).toBe(201);
    const { plan, eventId } = JSON.parse(created.body);
    expect(plan).toMatchObject({ symbol: 'BTC-USD', amount: '250.00', currency: 'USD', frequency: 'weekly', status: 'active', revision: 1 });
    expect(published[0]).toMatchObject({ type: 'InvestmentPlanChanged', eventId, change: 'created', planId: plan.planId, userId: 'u-plans' });
    expect(() => InvestmentPlanChangedV1.schema.parse(published[0])).not.toThrow();

    const updated = await routes(restEvent('PATCH', '/plans/{planId}', { userId: 'u-plans', path: { planId: plan.planId }, body: { amount: '300', status: 'paused' } }), deps);
    expect(updated.statusCode).toBe(200);
    expect(JSON.parse(updated.body).plan).toMatchObject({ amount: '300', status: 'paused', frequency: 'weekly', revision: 2 });

    const cancelled = await routes(restEvent('DELETE', '/plans/{planId}', { userId: 'u-plans', path: { planId: plan.planId } }), deps);
    expect(JSON.parse(cancelled.body).plan).toMatchObject({ status: 'cancelled', revision: 3 });
    expect(published.map((e) => (e as unknown as { change: string }).change)).toEqual(['created', 'updated', 'cancelled']);

    const listed = JSON.parse((await routes(restEvent('GET', '/plans', { userId: 'u-plans' }), deps)).body);
    expect(listed.plans).toHaveLength(1);
    expect((await routes(restEvent('GET', '/plans', { userId: 'someone-else' }), deps)).body).toBe('{"plans":[]}');
  });

  it("answers 404 for another user's plan and for a cancelled one, and changes nothing", async () => {
    const { plan } = JSON.parse((await create('owner', { symbol: 'ETH-USD', amount: '10', currency: 'USD', frequency: 'daily' })).body);
    const intruder = await routes(restEvent('DELETE', '/plans/{planId}', { userId: 'intruder', path: { planId: plan.planId } }), deps);
    expect(intruder.statusCode).toBe(404);
    await routes(restEvent('DELETE', '/plans/{planId}', { userId: 'owner', path: { planId: plan.planId } }), deps);
    const again = await routes(restEvent('PATCH', '/plans/{planId}', { userId: 'owner', path: { planId: plan.planId }, body: { amount: '5' } }), deps);
    expect(again.statusCode).toBe(404);
    expect(JSON.parse(again.body).field).toBe('planId');
  });

  it.each([
    [{ symbol: 'btcusd', amount: '1', currency: 'USD', frequency: 'daily' }, 'symbol'],
    [{ symbol: 'BTC-USD', amount: '-5', currency: 'USD', frequency: 'daily' }, 'amount'],
    [{ symbol: 'BTC-USD', amount: 5, currency: 'USD', frequency: 'daily' }, 'amount'],
    [{ symbol: 'BTC-USD', amount: '5', currency: 'USD', frequency: 'hourly' }, 'frequency'],
    [{ symbol: 'BTC-USD', amount: '5', frequency: 'daily' }, 'currency'],
    [{ symbol: 'BTC-USD', amount: '5', currency: 'USD', frequency: 'daily', admin: true }, '$'],
    ['{"symbol":', '$'],
  ])('refuses bad create body #%# with a 400 naming the field', async (body, field) => {
    const result = await create('u-bad', body);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).field).toBe(field);
    expect(published).toEqual([]);
  });

  it('refuses an update with nothing to change, a bad plan id, and an oversized body (413)', async () => {
    const empty = await routes(restEvent('PATCH', '/plans/{planId}', { userId: 'u', path: { planId: '6f1c1e7e-3f5c-4b8e-9a3e-2f4f1c1e7e3f' }, body: {} }), deps);
    expect(empty.statusCode).toBe(400);
    const badId = await routes(restEvent('DELETE', '/plans/{planId}', { userId: 'u', path: { planId: '42' } }), deps);
    expect(JSON.parse(badId.body)).toMatchObject({ field: 'planId' });
    const huge = await create('u', { symbol: 'BTC-USD', amount: '5', currency: 'USD', frequency: 'daily', note: 'x'.repeat(2000) });
    expect(huge.statusCode).toBe(413);
  });
});
