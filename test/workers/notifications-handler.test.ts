/**
 * The notifications handler's wiring (module-scope clients from the environment, the middy chain, the SQS
 * dead-letter sink named by POWERTOOLS_SERVICE_NAME, the read-only shard pools from the SSM shard map, bounded
 * retries): a bad record and a record whose preferences cannot be read (the database refuses connections)
 * are both dead-lettered with their reason, and the invocation succeeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeRawMskRecord } from '@shared/events';
import { batch, trade } from './notifications-fixtures';

const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);

/** A port that refuses connections: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('notifications handler', () => {
  let handler: (event: unknown, context: unknown) => Promise<Record<string, number>>;
  const bundleDir = mkdtempSync(join(__dirname, '../../.handler-bundle-notifications-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    const port = await closedPort();
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_SERVICE_NAME: 'trading-test-notifications',
      POWERTOOLS_METRICS_NAMESPACE: 'Trading/Test/Workers',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/trading-test-notifications-dlq',
      DELIVERY_ATTEMPTS: '2',
      CONNECTIONS_TABLE: 'trading-test-ws-connections',
      CONNECTIONS_BY_USER_INDEX: 'byUser',
      IDEMPOTENCY_TABLE: 'trading-test-idempotency',
      EMAIL_FROM: 'alerts@example.com',
      SHARD_MAP_PARAMETER: '/trading/test/data/aurora/shard-map',
      DATABASE_USER: 'app',
    });
    const shardMap = {
      version: 1,
      shardKey: 'user_id % shardCount',
      shardCount: 1,
      region: 'us-east-1',
      port,
      database: 'trading',
      shards: [{ shard: 0, clusterEndpoint: 'cluster.invalid', readerEndpoint: 'reader.invalid', proxyEndpoint: 'writer.invalid', proxyReadOnlyEndpoint: '127.0.0.1' }],
    };
    ssm.on(GetParameterCommand, { Name: '/trading/test/data/aurora/shard-map' }).resolves({ Parameter: { Value: JSON.stringify(shardMap) } });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    // The handler reads its environment at module scope: load it after setting it. Bundled as PlatformFunction
    // bundles it (CJS, SDK external: @middy/core is ESM-only, which jest cannot load unbundled), inside the
    // worktree so that the bundle resolves the one (mocked) SDK copy.
    const outfile = join(bundleDir, 'handler.cjs');
    buildSync({
      entryPoints: [join(__dirname, '../../functions/notifications/handler.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      external: ['@aws-sdk/*'],
      tsconfig: join(__dirname, '../../tsconfig.json'),
      logLevel: 'silent',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ handler } = require(outfile) as { handler: typeof handler });
  });
  afterAll(() => {
    rmSync(bundleDir, { recursive: true, force: true });
    process.env = saved;
    ssm.restore();
    sqs.restore();
  });

  it('dead-letters a bad record and a record whose preferences are unreadable (through the read-only endpoint), and succeeds', async () => {
    const bad = encodeRawMskRecord({ topic: 'trading.trades', key: 'u1', value: 'nope', offset: 9 });
    const context = { functionName: 'trading-test-notifications', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 };
    const summary = await handler(batch(bad, trade('u1')), context);
    expect(summary).toMatchObject({ records: 2, badRecords: 1, deadLettered: 2, delivered: 0 });
    const letters = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(letters.map((l) => l.QueueUrl)).toEqual([process.env.DEAD_LETTER_QUEUE_URL, process.env.DEAD_LETTER_QUEUE_URL]);
    expect(letters.map((l) => l.MessageAttributes?.consumer.StringValue)).toEqual(['trading-test-notifications', 'trading-test-notifications']);
    const bodies = letters.map((l) => JSON.parse(l.MessageBody!));
    expect(bodies[0]).toMatchObject({ field: 'value', source: { offset: 9 } });
    expect(bodies[1]).toMatchObject({ errorType: 'PreferencesUnavailable', reason: expect.stringMatching(/preferences of u1 could not be read: .*ECONNREFUSED/) });
    // The pools read the shard map once per environment.
    await handler(batch(bad), context);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });
});
