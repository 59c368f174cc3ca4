/**
 * WebSocket routes against dynalite (a DynamoDB implementation): connection records with TTL, channel
 * subscriptions as a string set, bad frames; and the MessagePack vs JSON frame size of real updates.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');
import { createEvent, PositionChangedV1, TradeExecutedV1 } from '@shared/events';
import { decodeFrame, encodeFrame } from '@shared/ws/frames';
import { DATA_TABLES } from '../../lib/stacks/data-contract';
import { handleWebSocket, type WebSocketDeps, type WebSocketEvent } from '../../functions/api-websocket/logic';
import { dynamoConnectionStore } from '../../functions/api-websocket/store';

const TABLE = 'ws-connections-test';
const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('WebSocket routes (dynalite)', () => {
  let server: { listen(port: number, cb: (e?: Error) => void): void; close(cb: () => void): void; address(): AddressInfo };
  let documents: DynamoDBDocumentClient;
  let deps: WebSocketDeps;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve, reject) => server.listen(0, (e) => (e ? reject(e) : resolve())));
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${server.address().port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: DATA_TABLES.connections.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: DATA_TABLES.connections.partitionKey, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    documents = DynamoDBDocumentClient.from(client);
    deps = { store: dynamoConnectionStore(documents, TABLE), connectionTtlSeconds: 7800, maxFrameBytes: 512, region: 'eu-west-1', now: () => NOW };
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(resolve)));

  const event = (routeKey: string, connectionId: string, extra: Partial<WebSocketEvent> = {}): WebSocketEvent => ({
    requestContext: { routeKey, connectionId, apiId: 'a1b2c3d4e5', stage: 'live', authorizer: { userId: 'ws-user' } },
    ...extra,
  });
  const record = async (connectionId: string) => (await documents.send(new GetCommand({ TableName: TABLE, Key: { connectionId } }))).Item;

  it('records a connection with its user, frame format, where it lives (API, region, stage) and TTL on $connect, and deletes it on $disconnect', async () => {
    expect(await handleWebSocket(event('$connect', 'c-1', { queryStringParameters: { token: 'jwt', format: 'msgpack' } }), deps)).toEqual({ statusCode: 200 });
    expect(await record('c-1')).toEqual({
      connectionId: 'c-1',
      userId: 'ws-user',
      format: 'msgpack',
      connectedAt: NOW.toISOString(),
      apiId: 'a1b2c3d4e5',
      region: 'eu-west-1',
      stage: 'live',
      [DATA_TABLES.connections.ttlAttribute]: NOW.getTime() / 1000 + 7800,
    });
    await handleWebSocket(event('$disconnect', 'c-1'), deps);
    expect(await record('c-1')).toBeUndefined();
  });

  it('refuses $connect with an unknown frame format', async () => {
    expect(await handleWebSocket(event('$connect', 'c-2', { queryStringParameters: { format: 'xml' } }), deps)).toEqual({ statusCode: 400 });
    expect(await record('c-2')).toBeUndefined();
  });

  it('subscribes and unsubscribes channels (a string set, idempotent) and acknowledges each frame', async () => {
    await handleWebSocket(event('$connect', 'c-3'), deps);
    const send = (body: unknown, routeKey = (body as { action: string }).action) => handleWebSocket(event(routeKey, 'c-3', { body: JSON.stringify(body) }), deps);
    const ack = await send({ action: 'subscribe', channels: ['positions', 'trades'] });
    expect(ack.statusCode).toBe(200);
    expect(JSON.parse(ack.body!)).toEqual({ kind: 'ack', action: 'subscribe', channels: ['positions', 'trades'] });
    await send({ action: 'subscribe', channels: ['positions', 'notifications'] });
    expect((await record('c-3'))!.channels).toEqual(new Set(['positions', 'trades', 'notifications']));
    await send({ action: 'unsubscribe', channels: ['trades', 'notifications'] });
    expect((await record('c-3'))!.channels).toEqual(new Set(['positions']));
    expect((await record('c-3'))!.format).toBe('json');
  });

  it('answers bad frames with an error naming the field, and an unknown connection with 410', async () => {
    await handleWebSocket(event('$connect', 'c-4'), deps);
    const reply = async (routeKey: string, body: string, id = 'c-4') => {
      const r = await handleWebSocket(event(routeKey, id, { body }), deps);
      return { status: r.statusCode, body: JSON.parse(r.body!) };
    };
    expect((await reply('subscribe', '{"action":"subscribe","channels":["orders"]}')).body).toMatchObject({ kind: 'error', field: 'channels.0' });
    expect((await reply('subscribe', '{"action":"subscribe","channels":[]}')).body.field).toBe('channels');
    expect((await reply('subscribe', '{"action":"subscribe"')).body).toMatchObject({ kind: 'error', field: '$' });
    expect((await reply('subscribe', JSON.stringify({ action: 'subscribe', channels: ['positions'], pad: 'x'.repeat(600) }))).body.message).toMatch(/larger than 512/);
    expect((await reply('$default', '{"action":"ping"}')).body).toMatchObject({ kind: 'error', field: 'action' });
    expect(await reply('subscribe', '{"action":"subscribe","channels":["trades"]}', 'gone')).toEqual({ status: 410, body: expect.objectContaining({ kind: 'error' }) });
  });
});

describe('frame formats', () => {
  it('MessagePack frames decode to the same update as JSON frames, and are smaller', () => {
    const position = createEvent(PositionChangedV1, { userId: 'user-42', symbol: 'BTC-USD', quantity: '0.75', averageEntryPrice: '61000.5', realizedPnl: '120.25', sequence: 17 });
    const trade = createEvent(TradeExecutedV1, { userId: 'user-42', tradeId: 't-1', orderId: 'o-1', symbol: 'BTC-USD', side: 'buy', quantity: '0.25', price: '61000.5', fee: '1.5', feeCurrency: 'USD', liquidity: 'taker' });
    for (const [kind, data] of [['positions', position], ['trades', trade]] as const) {
      const frame = { kind, data };
      const json = encodeFrame('json', frame) as string;
      const packed = encodeFrame('msgpack', frame) as Uint8Array;
      expect(decodeFrame(packed)).toEqual(decodeFrame(json));
      expect(packed.byteLength).toBeLessThan(Buffer.byteLength(json));
    }
  });
});
