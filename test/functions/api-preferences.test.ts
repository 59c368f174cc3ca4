/** Notification preferences on the local PostgreSQL (the API schema's migration included): defaults, replace, bad input naming the field. */
import { DEFAULT_PREFERENCES } from '@shared/notifications/preferences';
import { preferencesRoutes, type PreferencesDeps } from '../../functions/api-preferences/logic';
import { apiDatabase, describeWith, restEvent, silentLog, type ApiTestDatabase } from '../helpers/services';

const routes = preferencesRoutes(silentLog);
const RESOURCE = '/notifications/preferences';
const ARN = 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/trading-app/0f0e0d0c-0b0a-0908-0706-050403020100';

describeWith({ postgres: true }, 'notification preferences route (PostgreSQL)', () => {
  let database: ApiTestDatabase;
  let deps: PreferencesDeps;
  beforeAll(async () => {
    database = await apiDatabase('preferences_route');
    deps = { sqlFor: () => database.pool, maxBodyBytes: 2048, now: () => new Date('2026-03-01T00:00:00.000Z') };
  });
  afterAll(async () => database?.drop());

  const get = async (userId: string) => {
    const r = await routes(restEvent('GET', RESOURCE, { userId }), deps);
    return { status: r.statusCode, body: JSON.parse(r.body) };
  };
  const put = async (userId: string, body: unknown) => {
    const r = await routes(restEvent('PUT', RESOURCE, { userId, body }), deps);
    return { status: r.statusCode, body: JSON.parse(r.body) };
  };

  it('answers the defaults for a user who never set any', async () => {
    expect(await get('u-new')).toEqual({ status: 200, body: { preferences: DEFAULT_PREFERENCES, defaults: true } });
  });

  it('replaces the caller preferences with PUT and reads them back with GET; another user is untouched', async () => {
    const body = {
      email: 'ada@example.com',
      phone: '+447700900123',
      pushEndpointArn: ARN,
      channels: { trade: ['websocket', 'push'], price_alert: ['sms', 'push'], security: ['email', 'sms'] },
      quietHours: { start: '23:00', end: '06:30', timeZone: 'Europe/London' },
    };
    const written = await put('u-ada', body);
    expect(written.status).toBe(200);
    const expected = { ...body, channels: { ...DEFAULT_PREFERENCES.channels, ...body.channels }, updatedAt: '2026-03-01T00:00:00.000Z' };
    expect(written.body).toEqual({ preferences: expected, defaults: false });
    expect(await get('u-ada')).toEqual({ status: 200, body: { preferences: expected, defaults: false } });
    expect((await get('u-other')).body.defaults).toBe(true);

    // PUT is a replacement: what is left out returns to its default.
    expect((await put('u-ada', { email: 'ada@example.com' })).body.preferences).toEqual({ ...DEFAULT_PREFERENCES, email: 'ada@example.com', updatedAt: '2026-03-01T00:00:00.000Z' });
  });

  it.each([
    [{ email: 'not-an-address' }, 'email'],
    [{ phone: '0033612345678' }, 'phone'],
    [{ pushEndpointArn: 'arn:aws:sns:eu-west-1:123456789012:my-topic' }, 'pushEndpointArn'],
    [{ channels: { trade: ['fax'] } }, 'channels.trade.0'],
    [{ channels: { trade: ['websocket', 'websocket'] } }, 'channels.trade'],
    [{ channels: { position: ['websocket', 'email'] }, email: 'a@example.com' }, 'channels.position'],
    [{ channels: { trade: ['sms'] } }, 'channels.trade'],
    [{ quietHours: { start: '25:00', end: '07:00', timeZone: 'UTC' } }, 'quietHours.start'],
    [{ quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } }, 'quietHours.timeZone'],
    [{ colour: 'blue' }, '$'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const r = await put('u-bad', body);
    expect(r.status).toBe(400);
    expect(r.body.field).toBe(field);
    expect((await get('u-bad')).body.defaults).toBe(true);
  });

  it('names an unknown category', async () => {
    expect((await put('u-bad', { channels: { gossip: ['websocket'] } })).body).toMatchObject({ field: 'channels', message: expect.stringContaining('"gossip"') });
  });

  it('says why a channel cannot be enabled without its address', async () => {
    const r = await put('u-bad', { channels: { security: ['websocket', 'sms'] } });
    expect(r.body).toMatchObject({ field: 'channels.security', message: expect.stringMatching(/sms needs phone to be set/) });
  });

  it('refuses a missing or oversized body, and a method the route does not serve', async () => {
    expect((await routes(restEvent('PUT', RESOURCE, { userId: 'u-bad' }), deps)).statusCode).toBe(400);
    expect((await put('u-bad', { email: `${'a'.repeat(3000)}@example.com` })).status).toBe(413);
    expect((await routes(restEvent('DELETE', RESOURCE, { userId: 'u-bad' }), deps)).statusCode).toBe(404);
  });
});
