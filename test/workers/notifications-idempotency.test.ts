/**
 * Exactly-once delivery against dynalite (a real DynamoDB implementation): the worker's whole chain
 * (routing, Powertools idempotency on the idempotency table in its default layout, the channel senders,
 * the connections table and its byUser index, written by the real $connect route) with only the
 * delivery APIs (API Gateway management, SES, SNS, SQS) mocked.
 *
 * - a redelivered batch sends nothing twice;
 * - a failed delivery leaves no idempotency record, so a replay from the dead-letter queue sends it
 *   (and only it: the channels that worked are not sent again);
 * - a gone connection is deleted from the table; an expired one is not posted to.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsDeadLetters } from '@shared/clients/dead-letter-queue';
import { DEFAULT_PREFERENCES, type NotificationPreferences } from '@shared/notifications/preferences';
import { withRetries } from '@shared/runtime/retry';
import { DATA_TABLES } from '../../lib/stacks/data-contract';
import { handleWebSocket, type WebSocketDeps } from '../../functions/api-websocket/logic';
import { dynamoConnectionStore } from '../../functions/api-websocket/store';
import { dynamoConnections } from '../../functions/notifications/connections';
import { deliverySender, idempotentDeliverer, managementApiClients, regionOf } from '../../functions/notifications/delivery';
import { routeNotifications, type RouterDeps } from '../../functions/notifications/logic';
import { AT, batch, notification, position, trade } from './notifications-fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => import('node:http').Server;

const CONNECTIONS = 'ws-connections-test';
const IDEMPOTENCY = 'idempotency-test';
const INDEX = 'byUser';

describe('notifications worker exactly-once (dynalite)', () => {
  let server: import('node:http').Server;
  let client: DynamoDBClient;
  let documents: DynamoDBDocumentClient;
  const apigw = mockClient(ApiGatewayManagementApiClient);
  const ses = mockClient(SESv2Client);
  const sqs = mockClient(SQSClient);

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const connections = DATA_TABLES.connections;
    await client.send(
      new CreateTableCommand({
        TableName: CONNECTIONS,
        KeySchema: [{ AttributeName: connections.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: connections.partitionKey, AttributeType: 'S' },
          { AttributeName: connections.indexes.byUser.partitionKey, AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: INDEX,
            KeySchema: [
              { AttributeName: connections.indexes.byUser.partitionKey, KeyType: 'HASH' },
              { AttributeName: connections.indexes.byUser.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new CreateTableCommand({
        TableName: IDEMPOTENCY,
        KeySchema: [{ AttributeName: DATA_TABLES.idempotency.partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: DATA_TABLES.idempotency.partitionKey, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    documents = DynamoDBDocumentClient.from(client);
  });
  afterAll(async () => {
    [apigw, ses, sqs].forEach((m) => m.restore());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    [apigw, ses, sqs].forEach((m) => m.reset());
    apigw.on(PostToConnectionCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dl-1' });
  });

  /** Connects through the real $connect route (in `region`) and subscribes. */
  async function connect(userId: string, connectionId: string, channels: string[], region = 'eu-west-1') {
    const ws: WebSocketDeps = { store: dynamoConnectionStore(documents, CONNECTIONS), connectionTtlSeconds: 7800, maxFrameBytes: 4096, region, now: () => AT };
    const requestContext = { connectionId, apiId: `api-${region}`, stage: 'live', authorizer: { userId } };
    expect(await handleWebSocket({ requestContext: { ...requestContext, routeKey: '$connect' }, queryStringParameters: { format: 'json' } }, ws)).toEqual({ statusCode: 200 });
    expect((await handleWebSocket({ requestContext: { ...requestContext, routeKey: 'subscribe' }, body: JSON.stringify({ action: 'subscribe', channels }) }, ws)).statusCode).toBe(200);
  }

  const endpoints: string[] = [];

  function worker(prefs: Record<string, Partial<NotificationPreferences>> = {}) {
    const connections = dynamoConnections(documents, CONNECTIONS, INDEX, () => AT.getTime());
    const retry = <T>(call: () => Promise<T>) => withRetries(call, { attempts: 3, sleep: async () => undefined });
    const { deliver, config } = idempotentDeliverer(
      deliverySender({
        managementApi: managementApiClients((endpoint) => {
          endpoints.push(endpoint);
          return new ApiGatewayManagementApiClient({ endpoint, region: regionOf(endpoint) });
        }),
        removeConnection: connections.removeConnection,
        ses: new SESv2Client({ region: 'us-east-1' }),
        emailFrom: 'alerts@example.com',
        sns: new SNSClient({ region: 'us-east-1' }),
        retry,
      }),
      { persistenceStore: new DynamoDBPersistenceLayer({ tableName: IDEMPOTENCY, awsSdkV3Client: client }), expiresAfterSeconds: 86_400 },
    );
    // What the handler does per invocation (an in-progress record then expires with the invocation).
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Parameters<typeof config.registerLambdaContext>[0]);
    const deps: RouterDeps = {
      preferencesOf: async (userId) => ({ ...DEFAULT_PREFERENCES, ...prefs[userId] }),
      connectionsOf: connections.connectionsOf,
      deliver,
      deadLetter: sqsDeadLetters(new SQSClient({ region: 'us-east-1' }), 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq', 'notifications'),
      now: () => AT,
    };
    return deps;
  }

  const posts = () => apigw.commandCalls(PostToConnectionCommand).map((c) => `${c.args[0].input.ConnectionId}:${JSON.parse(Buffer.from(c.args[0].input.Data as Uint8Array).toString('utf8')).eventId}`);
  const idempotencyItems = async () => (await documents.send(new ScanCommand({ TableName: IDEMPOTENCY }))).Items ?? [];

  it('delivers each event once per channel, and a redelivered batch sends nothing twice', async () => {
    await connect('user-a', 'a-eu', ['trades', 'positions', 'notifications'], 'eu-west-1');
    await connect('user-a', 'a-us', ['trades'], 'us-east-1');
    const deps = worker({ 'user-a': { email: 'ada@example.com' } });
    const t = trade('user-a');
    const p = position('user-a', 'BTC-USD', 5);
    const n = notification('user-a');
    const event = batch(t, p, position('user-a', 'BTC-USD', 4), n);

    const first = await routeNotifications(event, deps);
    expect(first).toMatchObject({ records: 4, coalesced: 1, delivered: 4, duplicates: 0, deadLettered: 0 });
    expect(posts().sort()).toEqual([`a-eu:${n.eventId}`, `a-eu:${p.eventId}`, `a-eu:${t.eventId}`, `a-us:${t.eventId}`].sort());
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    // Each post went to the connection's own API, in the region it was made (one client per endpoint).
    expect(endpoints.sort()).toEqual(['https://api-eu-west-1.execute-api.eu-west-1.amazonaws.com/live', 'https://api-us-east-1.execute-api.us-east-1.amazonaws.com/live']);

    // One record per (event, channel): Powertools' default layout, the key an MD5 of [idempotencyKey, channel].
    const items = await idempotencyItems();
    const keyOf = (key: string, channel: string) => `notifications.delivery#${createHash('md5').update(JSON.stringify([key, channel])).digest('base64')}`;
    expect(items.map((i) => i.id).sort()).toEqual([keyOf(t.eventId, 'websocket'), keyOf(p.eventId, 'websocket'), keyOf(n.eventId, 'websocket'), keyOf(n.eventId, 'email')].sort());
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const item of items) {
      expect(item.status).toBe('COMPLETED');
      expect(item.expiration).toBeGreaterThan(nowSeconds + 86_400 - 30);
      expect(item.expiration).toBeLessThanOrEqual(nowSeconds + 86_400 + 1);
    }

    const again = await routeNotifications(event, deps);
    expect(again).toMatchObject({ delivered: 0, duplicates: 4, deadLettered: 0 });
    expect(apigw.commandCalls(PostToConnectionCommand)).toHaveLength(4);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(await idempotencyItems()).toHaveLength(4);
  });

  it('leaves no idempotency record for a failed delivery: the record is dead-lettered, and its replay sends only what failed', async () => {
    await connect('user-b', 'b-1', ['notifications']);
    const deps = worker({ 'user-b': { email: 'bob@example.com' } });
    const n = notification('user-b');
    const start = (await idempotencyItems()).length;
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('sending paused'), { name: 'SendingPausedException', $metadata: { httpStatusCode: 400 } }));

    const failed = await routeNotifications(batch(n), deps);
    expect(failed).toMatchObject({ delivered: 1, failedDeliveries: 1, deadLettered: 1 });
    const letter = JSON.parse(sqs.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!);
    expect(letter).toMatchObject({ consumer: 'notifications', errorType: 'DeliveryFailed', reason: 'delivery on email failed: SendingPausedException: sending paused', source: { topic: 'notifications.outbound' } });
    // The WebSocket delivery is recorded; the failed e-mail left nothing (Powertools deleted its in-progress record).
    expect((await idempotencyItems()).map((i) => i.status)).not.toContain('INPROGRESS');
    const before = (await idempotencyItems()).length;
    expect(before).toBe(start + 1);

    // The operator fixes SES and replays the dead letter's original record.
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const replay = { ...batch(n), records: { 'notifications.outbound-0': [{ ...letter.source, key: letter.original.key, value: letter.original.value, headers: letter.original.headers }] } };
    const replayed = await routeNotifications(replay, deps);
    expect(replayed).toMatchObject({ delivered: 1, duplicates: 1, deadLettered: 0, failedDeliveries: 0 });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(ses.commandCalls(SendEmailCommand)[1].args[0].input.Destination).toEqual({ ToAddresses: ['bob@example.com'] });
    expect(apigw.commandCalls(PostToConnectionCommand)).toHaveLength(1);
    expect(await idempotencyItems()).toHaveLength(before + 1);
  });

  it('deletes a gone connection from the table, posts to none that expired, and skips (and counts) records without an endpoint', async () => {
    await connect('user-c', 'c-live', ['trades']);
    await connect('user-c', 'c-gone', ['trades']);
    await documents.send(new PutCommand({ TableName: CONNECTIONS, Item: { connectionId: 'c-old', userId: 'user-c', format: 'json', channels: new Set(['trades']), expiresAt: AT.getTime() / 1000 + 60 } }));
    await documents.send(new PutCommand({ TableName: CONNECTIONS, Item: { connectionId: 'c-expired', userId: 'user-c', format: 'json', channels: new Set(['trades']), apiId: 'x', region: 'eu-west-1', stage: 'live', expiresAt: AT.getTime() / 1000 - 1 } }));
    apigw.on(PostToConnectionCommand, { ConnectionId: 'c-gone' }).rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));

    const summary = await routeNotifications(batch(trade('user-c')), worker());
    expect(summary).toMatchObject({ delivered: 1, deadLettered: 0, legacyConnections: 1 });
    expect(apigw.commandCalls(PostToConnectionCommand).map((c) => c.args[0].input.ConnectionId).sort()).toEqual(['c-gone', 'c-live']);
    expect((await documents.send(new GetCommand({ TableName: CONNECTIONS, Key: { connectionId: 'c-gone' } }))).Item).toBeUndefined();
    expect((await documents.send(new GetCommand({ TableName: CONNECTIONS, Key: { connectionId: 'c-live' } }))).Item).toBeDefined();
  });
});
