/**
 * Notification preferences: stored on the local PostgreSQL by the API schema's migration (defaults for a
 * user without a row, round trip, a tolerant read of an unexpected document), the worker's TTL cache, and
 * quiet-hours windows in the user's time zone.
 */
import { cachedPreferences, DEFAULT_PREFERENCES, inQuietHours, preferencesBody, preferencesFromBody, readPreferences, writePreferences, type NotificationPreferences } from '@shared/notifications/preferences';
import { apiDatabase, describeWith, type ApiTestDatabase } from '../helpers/services';

describeWith({ postgres: true }, 'notification preferences (PostgreSQL)', () => {
  let database: ApiTestDatabase;
  beforeAll(async () => void (database = await apiDatabase('notification_prefs')));
  afterAll(async () => database?.drop());

  it('gives the documented defaults to a user without a row', async () => {
    expect(await readPreferences(database.pool, 'nobody')).toEqual(DEFAULT_PREFERENCES);
    expect(DEFAULT_PREFERENCES.channels).toMatchObject({ trade: ['websocket'], position: ['websocket'], security: ['websocket', 'email'] });
  });

  it('stores and reads back a document, and replaces it on the next write', async () => {
    const body = preferencesBody.parse({
      email: 'ada@example.com',
      phone: '+14155550100',
      channels: { trade: ['websocket', 'email'], price_alert: ['sms'] },
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' },
    });
    const stored = await writePreferences(database.pool, 'u-prefs', preferencesFromBody(body, new Date('2026-03-01T00:00:00.000Z')));
    expect(stored).toEqual({
      email: 'ada@example.com',
      phone: '+14155550100',
      pushEndpointArn: null,
      channels: { ...DEFAULT_PREFERENCES.channels, trade: ['websocket', 'email'], price_alert: ['sms'] },
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' },
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    expect(await readPreferences(database.pool, 'u-prefs')).toEqual(stored);

    await writePreferences(database.pool, 'u-prefs', preferencesFromBody(preferencesBody.parse({}), new Date('2026-03-02T00:00:00.000Z')));
    expect(await readPreferences(database.pool, 'u-prefs')).toEqual({ ...DEFAULT_PREFERENCES, updatedAt: '2026-03-02T00:00:00.000Z' });
    const { rows } = await database.pool.query(`SELECT count(*)::int AS n FROM api.notification_preferences WHERE user_id = 'u-prefs'`);
    expect(rows[0].n).toBe(1);
  });

  it('reads a document written by another version tolerantly: unknown channels and categories ignored, a missing category defaulted', async () => {
    await database.pool.query(
      `INSERT INTO api.notification_preferences (user_id, channels, quiet_hours, updated_at) VALUES ('u-odd', $1::jsonb, $2::jsonb, now())`,
      [JSON.stringify({ trade: ['websocket', 'pigeon'], marketing: ['email'] }), JSON.stringify({ start: 'late', end: '07:00', timeZone: 'UTC' })],
    );
    const prefs = await readPreferences(database.pool, 'u-odd');
    expect(prefs.channels).toEqual({ ...DEFAULT_PREFERENCES.channels, trade: ['websocket'] });
    expect(prefs.quietHours).toBeNull();
  });
});

describe('preferences cache and quiet hours', () => {
  it('serves a user from memory for the TTL, shares concurrent loads, and does not cache a failure', async () => {
    let clock = 0;
    const loads: string[] = [];
    let fail = true;
    const prefs = cachedPreferences(
      async (userId) => {
        loads.push(userId);
        if (fail) throw new Error('down');
        return DEFAULT_PREFERENCES;
      },
      { ttlMs: 60_000, now: () => clock },
    );
    await expect(prefs('u1')).rejects.toThrow('down');
    fail = false;
    await Promise.all([prefs('u1'), prefs('u1'), prefs('u2')]);
    expect(loads).toEqual(['u1', 'u1', 'u2']);
    clock = 59_999;
    await prefs('u1');
    expect(loads).toHaveLength(3);
    clock = 60_000;
    await prefs('u1');
    expect(loads).toEqual(['u1', 'u1', 'u2', 'u1']);
  });

  it('evicts the oldest entry beyond maxEntries', async () => {
    const loads: string[] = [];
    const prefs = cachedPreferences(async (u) => (loads.push(u), DEFAULT_PREFERENCES as NotificationPreferences), { ttlMs: 60_000, maxEntries: 2, now: () => 0 });
    for (const u of ['a', 'b', 'c', 'b', 'a']) await prefs(u);
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('tells quiet hours in the user time zone, for windows inside a day and across midnight', () => {
    const paris = (start: string, end: string) => ({ start, end, timeZone: 'Europe/Paris' });
    // 2026-03-01 is winter time: Paris = UTC+1.
    expect(inQuietHours(paris('22:00', '07:00'), new Date('2026-03-01T21:00:00Z'))).toBe(true); // 22:00 local
    expect(inQuietHours(paris('22:00', '07:00'), new Date('2026-03-01T20:59:00Z'))).toBe(false); // 21:59
    expect(inQuietHours(paris('22:00', '07:00'), new Date('2026-03-02T05:59:00Z'))).toBe(true); // 06:59
    expect(inQuietHours(paris('22:00', '07:00'), new Date('2026-03-02T06:00:00Z'))).toBe(false); // 07:00
    expect(inQuietHours(paris('12:00', '14:00'), new Date('2026-03-01T12:30:00Z'))).toBe(true); // 13:30
    expect(inQuietHours(paris('12:00', '14:00'), new Date('2026-03-01T13:00:00Z'))).toBe(false); // 14:00
    expect(inQuietHours(paris('08:00', '08:00'), new Date('2026-03-01T07:00:00Z'))).toBe(false);
    expect(inQuietHours(null, new Date())).toBe(false);
  });
});
