/**
 * The notifications worker's routing without AWS: preferences and defaults, channel intersection, quiet
 * hours, per-user-and-symbol coalescing of position updates, connections (subscription, legacy records),
 * dead letters for bad records and failed deliveries; and the channel senders against mocked AWS clients
 * (PostToConnection per endpoint and format, gone connections removed, bounded retries, SES, SNS).
 */
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsDeadLetters } from '@shared/clients/dead-letter-queue';
import { encodeRawMskRecord, type MskRecord } from '@shared/events';
import { DEFAULT_PREFERENCES, type NotificationPreferences } from '@shared/notifications/preferences';
import { withRetries } from '@shared/runtime/retry';
import { decodeFrame } from '@shared/ws/frames';
import { deliverySender, managementApiClients, regionOf } from '../../functions/notifications/delivery';
import { connectionEndpoint, routeNotifications, type Connection, type Delivery, type RouterDeps } from '../../functions/notifications/logic';
import { AT, batch, notification, position, trade } from './notifications-fixtures';

const API = { apiId: 'abc123', region: 'eu-west-1', stage: 'live' };
const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/live';

function harness(options: { prefs?: Record<string, Partial<NotificationPreferences>>; connections?: Record<string, Connection[]>; fail?: (d: Delivery) => Error | undefined } = {}) {
  const delivered: Delivery[] = [];
  const dead: { record: MskRecord; error: Error }[] = [];
  const connectionLookups: string[] = [];
  const deps: RouterDeps = {
    preferencesOf: async (userId) => ({ ...DEFAULT_PREFERENCES, ...options.prefs?.[userId] }),
    connectionsOf: async (userId) => {
      connectionLookups.push(userId);
      return options.connections?.[userId] ?? [];
    },
    deliver: async (d) => {
      const error = options.fail?.(d);
      if (error) throw error;
      delivered.push(d);
    },
    deadLetter: async (record, error) => void dead.push({ record, error: error as Error }),
    now: () => AT,
  };
  return { deps, delivered, dead, connectionLookups };
}

const live = (connectionId: string, channels: string[], format: 'json' | 'msgpack' = 'json'): Connection => ({ connectionId, format, channels: new Set(channels), ...API });

describe('routing', () => {
  it('pushes a trade to every live connection of the user subscribed to trades, and only those', async () => {
    const h = harness({ connections: { u1: [live('c1', ['trades']), live('c2', ['positions']), live('c3', ['trades', 'positions'], 'msgpack')] } });
    const t = trade('u1');
    const summary = await routeNotifications(batch(t), h.deps);
    expect(h.delivered).toHaveLength(1);
    const [d] = h.delivered;
    expect(d).toMatchObject({ channel: 'websocket', idempotencyKey: t.eventId, eventId: t.eventId, userId: 'u1' });
    if (d.channel !== 'websocket') throw new Error('expected a websocket delivery');
    expect(d.connections).toEqual([
      { connectionId: 'c1', format: 'json', endpoint: ENDPOINT },
      { connectionId: 'c3', format: 'msgpack', endpoint: ENDPOINT },
    ]);
    expect(d.frame).toEqual({ kind: 'trades', eventId: t.eventId, occurredAt: t.occurredAt, tradeId: 'trd-1', orderId: 'ord-1', symbol: 'BTC-USD', side: 'buy', quantity: '0.5', price: '64250.50', fee: '1.20', feeCurrency: 'USD', liquidity: 'taker' });
    expect(summary).toMatchObject({ records: 1, delivered: 1, deadLettered: 0, badRecords: 0 });
  });

  it('skips and counts connection records without apiId/region/stage, and looks connections up once per user per batch', async () => {
    const legacy: Connection = { connectionId: 'old', format: 'json', channels: new Set(['trades']) };
    const h = harness({ connections: { u1: [legacy, live('c1', ['trades'])] } });
    const summary = await routeNotifications(batch(trade('u1', 't1'), trade('u1', 't2'), trade('u1', 't3')), h.deps);
    expect(h.delivered.map((d) => d.channel === 'websocket' && d.connections.map((c) => c.connectionId))).toEqual([['c1'], ['c1'], ['c1']]);
    expect(h.connectionLookups).toEqual(['u1']);
    expect(summary.legacyConnections).toBe(1);
  });

  it('sends nothing to a user with no subscribed connection and no other channel (defaults)', async () => {
    const h = harness({ connections: { u1: [live('c1', ['positions'])] } });
    const summary = await routeNotifications(batch(trade('u1')), h.deps);
    expect(h.delivered).toEqual([]);
    expect(summary).toMatchObject({ delivered: 0, deadLettered: 0 });
  });

  it('coalesces position updates per user and symbol: only the highest sequence is pushed, whatever the arrival order', async () => {
    const h = harness({ connections: { u1: [live('c1', ['positions'])], u2: [live('c2', ['positions'])] } });
    const btc = [3, 1, 7, 5, 2, 9, 4, 8, 6, 0].map((s) => position('u1', 'BTC-USD', s));
    const summary = await routeNotifications(batch(...btc, position('u1', 'ETH-USD', 4), position('u2', 'BTC-USD', 2), position('u1', 'ETH-USD', 3)), h.deps);
    // Users are routed concurrently: compare in a fixed order.
    const frames = h.delivered.map((d) => (d.channel === 'websocket' ? { user: d.userId, symbol: d.frame.symbol, sequence: d.frame.sequence } : null));
    expect(frames.sort((a, b) => `${a!.user}${a!.symbol}`.localeCompare(`${b!.user}${b!.symbol}`))).toEqual([
      { user: 'u1', symbol: 'BTC-USD', sequence: 9 },
      { user: 'u1', symbol: 'ETH-USD', sequence: 4 },
      { user: 'u2', symbol: 'BTC-USD', sequence: 2 },
    ]);
    expect(summary).toMatchObject({ records: 13, coalesced: 10, delivered: 3 });
  });

  it('sends positions on WebSocket only, even if a stored preference lists other channels', async () => {
    const h = harness({ prefs: { u1: { email: 'a@example.com', channels: { ...DEFAULT_PREFERENCES.channels, position: ['websocket', 'email'] } } }, connections: { u1: [live('c1', ['positions'])] } });
    await routeNotifications(batch(position('u1', 'BTC-USD', 1)), h.deps);
    expect(h.delivered.map((d) => d.channel)).toEqual(['websocket']);
  });

  it('delivers a notification on the hinted channels the user enabled for its category, with the address from the preferences', async () => {
    const prefs: Partial<NotificationPreferences> = {
      email: 'ada@example.com',
      phone: '+14155550100',
      pushEndpointArn: 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/app/0f0e0d0c-0b0a-0908-0706-050403020100',
      channels: { ...DEFAULT_PREFERENCES.channels, price_alert: ['websocket', 'sms', 'push'] },
    };
    const h = harness({ prefs: { u1: prefs }, connections: { u1: [live('c1', ['notifications'])] } });
    const n = notification('u1', { category: 'price_alert', channels: ['email', 'sms', 'push', 'websocket'], title: 'BTC at 70000', body: 'BTC-USD crossed 70000.', data: { symbol: 'BTC-USD' } });
    await routeNotifications(batch(n), h.deps);
    expect(h.delivered.map((d) => d.channel).sort()).toEqual(['push', 'sms', 'websocket']);
    expect(h.delivered.find((d) => d.channel === 'sms')).toMatchObject({ phoneNumber: '+14155550100', text: 'BTC at 70000: BTC-USD crossed 70000.' });
    expect(h.delivered.find((d) => d.channel === 'push')).toMatchObject({ endpointArn: prefs.pushEndpointArn, title: 'BTC at 70000', data: { symbol: 'BTC-USD' } });
    expect(h.delivered.find((d) => d.channel === 'websocket')).toMatchObject({ frame: { kind: 'notifications', category: 'price_alert', title: 'BTC at 70000' } });
  });

  it('uses the defaults for a user without preferences: security goes to e-mail too, but only once an address is known', async () => {
    const h = harness({ connections: { u1: [live('c1', ['notifications'])] } });
    const summary = await routeNotifications(batch(notification('u1', { channels: ['email', 'websocket', 'sms'] })), h.deps);
    expect(h.delivered.map((d) => d.channel)).toEqual(['websocket']);
    expect(summary.noAddress).toBe(1);

    const withEmail = harness({ prefs: { u1: { email: 'ada@example.com' } } });
    await routeNotifications(batch(notification('u1', { channels: ['email', 'sms'] })), withEmail.deps);
    expect(withEmail.delivered).toEqual([expect.objectContaining({ channel: 'email', to: 'ada@example.com', subject: 'New sign-in', text: 'A new device signed in.' })]);
  });

  it('holds e-mail, SMS and push in quiet hours (wrapping midnight, in the user time zone) unless the priority is high; WebSocket is never held', async () => {
    // 12:00 UTC is 21:00 in Tokyo: inside 20:00-07:00.
    const prefs = { email: 'ada@example.com', quietHours: { start: '20:00', end: '07:00', timeZone: 'Asia/Tokyo' } };
    const h = harness({ prefs: { u1: prefs }, connections: { u1: [live('c1', ['notifications'])] } });
    const normal = notification('u1');
    const high = notification('u1', { priority: 'high', title: 'Liquidation warning' });
    const summary = await routeNotifications(batch(normal, high), h.deps);
    expect(h.delivered.map((d) => `${d.eventId === normal.eventId ? 'normal' : 'high'}:${d.channel}`)).toEqual(['normal:websocket', 'high:websocket', 'high:email']);
    expect(summary.quietHeld).toBe(1);

    // 12:00 UTC is 13:00 in Paris: outside 22:00-07:00, so the e-mail goes.
    const day = harness({ prefs: { u1: { ...prefs, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' } } } });
    await routeNotifications(batch(notification('u1')), day.deps);
    expect(day.delivered.map((d) => d.channel)).toEqual(['email']);
  });

  it('keys a notification with a dedupeKey by user and key, so that two events with the same key are one notification', async () => {
    const h = harness({ prefs: { u1: { email: 'ada@example.com' } } });
    const a = notification('u1', { channels: ['email'], dedupeKey: 'price_alert:BTC-USD:70000' });
    const b = notification('u1', { channels: ['email'] });
    await routeNotifications(batch(a, b), h.deps);
    expect(h.delivered.map((d) => d.idempotencyKey)).toEqual(['u1:price_alert:BTC-USD:70000', b.eventId]);
  });

  it('dead-letters a record that does not decode and routes the rest of the batch', async () => {
    const h = harness({ connections: { u1: [live('c1', ['trades'])] } });
    const bad = encodeRawMskRecord({ topic: 'trading.trades', key: 'u1', value: '{"type":"TradeExecuted"', offset: 7 });
    const summary = await routeNotifications(batch(trade('u1'), bad), h.deps);
    expect(h.dead).toHaveLength(1);
    expect(h.dead[0].record).toBe(bad);
    expect(h.dead[0].error.message).toMatch(/value.*not valid JSON/);
    expect(summary).toMatchObject({ records: 2, badRecords: 1, delivered: 1, deadLettered: 1 });
  });

  it('dead-letters a record whose delivery failed on some channel, naming the channel, after the channels that worked', async () => {
    const h = harness({
      prefs: { u1: { email: 'ada@example.com' } },
      connections: { u1: [live('c1', ['notifications'])] },
      fail: (d) => (d.channel === 'email' ? Object.assign(new Error('Email address is not verified'), { name: 'MessageRejected' }) : undefined),
    });
    const n = notification('u1');
    const other = trade('u2');
    const summary = await routeNotifications(batch(n, other), h.deps);
    expect(h.delivered.map((d) => d.channel)).toEqual(['websocket']);
    expect(h.dead).toHaveLength(1);
    expect(h.dead[0].error.message).toBe('delivery on email failed: MessageRejected: Email address is not verified');
    expect(summary).toMatchObject({ failedDeliveries: 1, deadLettered: 1, delivered: 1 });
  });

  it('dead-letters the records of a user whose preferences cannot be read, and goes on with the others', async () => {
    const h = harness({ connections: { u2: [live('c2', ['trades'])] } });
    const deps: RouterDeps = { ...h.deps, preferencesOf: async (userId) => (userId === 'u1' ? Promise.reject(new Error('connection refused')) : DEFAULT_PREFERENCES) };
    const summary = await routeNotifications(batch(trade('u1', 't1'), trade('u1', 't2'), trade('u2')), deps);
    expect(h.dead.map((d) => d.error.name)).toEqual(['PreferencesUnavailable', 'PreferencesUnavailable']);
    expect(h.dead[0].error.message).toMatch(/preferences of u1 could not be read: connection refused/);
    expect(h.delivered.map((d) => d.userId)).toEqual(['u2']);
    expect(summary.deadLettered).toBe(2);
  });

  it('writes dead letters to SQS with the reason, and fails the batch when the queue refuses (so nothing is dropped)', async () => {
    const sqs = mockClient(SQSClient);
    try {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const h = harness();
      const deps = { ...h.deps, deadLetter: sqsDeadLetters(new SQSClient({ region: 'us-east-1' }), 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq', 'notifications') };
      const bad = encodeRawMskRecord({ topic: 'notifications.outbound', key: 'u1', value: 'not json', offset: 3 });
      await routeNotifications(batch(bad), deps);
      const [call] = sqs.commandCalls(SendMessageCommand);
      const letter = JSON.parse(call.args[0].input.MessageBody!);
      expect(letter).toMatchObject({ type: 'DeadLetterRecorded', consumer: 'notifications', field: 'value', source: { topic: 'notifications.outbound', offset: 3 }, original: { value: bad.value } });
      expect(call.args[0].input.MessageAttributes?.source.StringValue).toBe('notifications.outbound-0@3');

      sqs.on(SendMessageCommand).rejects(Object.assign(new Error('access denied'), { name: 'AccessDenied' }));
      await expect(routeNotifications(batch(bad), deps)).rejects.toThrow('access denied');
    } finally {
      sqs.restore();
    }
  });
});

describe('channel senders (mocked AWS)', () => {
  const apigw = mockClient(ApiGatewayManagementApiClient);
  const ses = mockClient(SESv2Client);
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    apigw.reset();
    ses.reset();
    sns.reset();
  });
  afterAll(() => [apigw, ses, sns].forEach((m) => m.restore()));

  function sender(removed: string[] = [], retries: number[] = []) {
    const created: string[] = [];
    const managementApi = managementApiClients((endpoint) => {
      created.push(endpoint);
      return new ApiGatewayManagementApiClient({ endpoint, region: regionOf(endpoint) });
    });
    const send = deliverySender({
      managementApi,
      removeConnection: async (id) => void removed.push(id),
      ses: new SESv2Client({ region: 'us-east-1' }),
      emailFrom: 'alerts@example.com',
      sns: new SNSClient({ region: 'us-east-1' }),
      retry: (call) => withRetries(call, { attempts: 3, sleep: async () => undefined, onRetry: (_e, attempt) => retries.push(attempt) }),
    });
    return { send, created };
  }
  const base = { idempotencyKey: 'e-1', eventId: 'e-1', userId: 'u1' };
  const frame = { kind: 'trades' as const, symbol: 'BTC-USD', price: '64250.50' };

  it('posts the frame to each connection on its own endpoint in its format, with one client per endpoint', async () => {
    apigw.on(PostToConnectionCommand).resolves({});
    const other = connectionEndpoint('zzz999', 'us-east-1', 'live');
    const { send, created } = sender();
    const result = await send({
      ...base,
      channel: 'websocket',
      frame,
      connections: [
        { connectionId: 'c1', format: 'json', endpoint: ENDPOINT },
        { connectionId: 'c2', format: 'msgpack', endpoint: ENDPOINT },
        { connectionId: 'c3', format: 'json', endpoint: other },
      ],
    });
    expect(result).toEqual({ posted: 3, gone: 0 });
    expect(created).toEqual([ENDPOINT, other]);
    const calls = apigw.commandCalls(PostToConnectionCommand).map((c) => c.args[0].input);
    const byId = Object.fromEntries(calls.map((c) => [c.ConnectionId, c.Data as Uint8Array]));
    expect(JSON.parse(Buffer.from(byId.c1).toString('utf8'))).toEqual(frame);
    expect(decodeFrame(byId.c2)).toEqual(frame);
    expect(() => JSON.parse(Buffer.from(byId.c2).toString('utf8'))).toThrow();
  });

  it('removes a gone connection (GoneException or 410) instead of failing, and retries a throttled post', async () => {
    const removed: string[] = [];
    const retries: number[] = [];
    apigw
      .on(PostToConnectionCommand, { ConnectionId: 'gone' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }))
      .on(PostToConnectionCommand, { ConnectionId: 'gone-410' })
      .rejects(Object.assign(new Error('Gone'), { name: 'UnknownError', $metadata: { httpStatusCode: 410 } }))
      .on(PostToConnectionCommand, { ConnectionId: 'busy' })
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({});
    const { send } = sender(removed, retries);
    const connections = ['gone', 'gone-410', 'busy'].map((connectionId) => ({ connectionId, format: 'json' as const, endpoint: ENDPOINT }));
    expect(await send({ ...base, channel: 'websocket', frame, connections })).toEqual({ posted: 1, gone: 2 });
    expect(removed.sort()).toEqual(['gone', 'gone-410']);
    expect(retries).toEqual([1]);
  });

  it('gives up after DELIVERY_ATTEMPTS on a transient error, and at once on a permanent one', async () => {
    const retries: number[] = [];
    apigw.on(PostToConnectionCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
    const { send } = sender([], retries);
    await expect(send({ ...base, channel: 'websocket', frame, connections: [{ connectionId: 'c1', format: 'json', endpoint: ENDPOINT }] })).rejects.toThrow('boom');
    expect(apigw.commandCalls(PostToConnectionCommand)).toHaveLength(3);

    ses.on(SendEmailCommand).rejects(Object.assign(new Error('not verified'), { name: 'MessageRejected', $metadata: { httpStatusCode: 400 } }));
    await expect(send({ ...base, channel: 'email', to: 'a@example.com', subject: 's', text: 't' })).rejects.toThrow('not verified');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('sends e-mail with SES v2 from EMAIL_FROM, SMS and push with SNS', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const { send } = sender();
    expect(await send({ ...base, channel: 'email', to: 'ada@example.com', subject: 'Trade executed', text: 'Bought 0.5 BTC-USD' })).toEqual({ messageId: 'ses-1' });
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input).toEqual({
      FromEmailAddress: 'alerts@example.com',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: { Simple: { Subject: { Data: 'Trade executed', Charset: 'UTF-8' }, Body: { Text: { Data: 'Bought 0.5 BTC-USD', Charset: 'UTF-8' } } } },
    });
    await send({ ...base, channel: 'sms', phoneNumber: '+14155550100', text: 'hello' });
    const arn = 'arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/0f0e0d0c-0b0a-0908-0706-050403020100';
    await send({ ...base, channel: 'push', endpointArn: arn, title: 'T', body: 'B', data: { symbol: 'BTC-USD' } });
    const [sms, push] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(sms).toMatchObject({ PhoneNumber: '+14155550100', Message: 'hello', MessageAttributes: { 'AWS.SNS.SMS.SMSType': { StringValue: 'Transactional' } } });
    expect(push).toMatchObject({ TargetArn: arn, MessageStructure: 'json' });
    const message = JSON.parse(push.Message!);
    expect(message.default).toBe('B');
    expect(JSON.parse(message.APNS)).toEqual({ aps: { alert: { title: 'T', body: 'B' } }, symbol: 'BTC-USD' });
    expect(JSON.parse(message.GCM)).toEqual({ notification: { title: 'T', body: 'B' }, data: { symbol: 'BTC-USD' } });
  });
});
