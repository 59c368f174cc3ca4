/**
 * The reporting Lambdas' handlers as Lambda calls them, bundled by esbuild as PlatformFunction bundles them
 * (CJS, SDK external: @middy/core 6 is ESM-only, which jest cannot load unbundled): environment read at
 * cold start, SDK clients mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeMskEvent, encodeRawMskRecord } from '@shared/events';

const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);

const SHARD_MAP = {
  version: 1,
  shardKey: 'user_id % shardCount',
  shardCount: 1,
  region: 'us-east-1',
  port: 5432,
  database: 'trading',
  shards: [{ shard: 0, clusterEndpoint: 'c0.example.com', readerEndpoint: 'r0.example.com', proxyEndpoint: 'p0.example.com', proxyReadOnlyEndpoint: 'pro0.example.com' }],
};

const ENV = {
  POWERTOOLS_SERVICE_NAME: 'trading-test-reporting',
  POWERTOOLS_METRICS_NAMESPACE: 'Trading/Reporting',
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_REGION: 'us-east-1',
  SHARD_MAP_PARAMETER: '/trading/test/data/shard-map',
  DATABASE_USER: 'reporting',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/reporting-dlq',
  REPORTS_BUCKET: 'reports',
  ACTIVE_SWITCH_FUNCTION: 'trading-test-reporting',
};

const context = { functionName: 'f', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', memoryLimitInMB: '256', awsRequestId: 'req-1', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 60_000 };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const saved = { ...process.env };

// Bundled inside the worktree so that the bundle resolves the SDK from its node_modules (one copy, mocked).
const bundleDir = mkdtempSync(join(__dirname, '../../.handler-bundle-'));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
let bundles = 0;

/** A fresh cold start of `fn`'s handler with `env` (a new bundle file: a new module scope, the same mocked SDK). */
function load(fn: 'reporting' | 'reporting-jobs' | 'reporting-migrations', env: Record<string, string | undefined> = {}): Handler {
  const outfile = join(bundleDir, `${fn}-${++bundles}.cjs`);
  buildSync({
    entryPoints: [join(__dirname, `../../functions/${fn}/handler.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['@aws-sdk/*'],
    tsconfig: join(__dirname, '../../tsconfig.json'),
    logLevel: 'silent',
  });
  process.env = { ...saved, ...ENV, ...env };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile).handler;
}

beforeEach(() => {
  ssm.reset();
  sqs.reset();
  lambda.reset();
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(SHARD_MAP) } });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  process.env = saved;
  jest.restoreAllMocks();
});

describe('reporting consumer handler', () => {
  it('dead-letters malformed records to the SQS queue with the reason, and succeeds', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const handler = load('reporting');
    const event = encodeMskEvent([
      encodeRawMskRecord({ topic: 'trading.trades', key: 'u-1', value: '{nope', offset: 4 }),
      encodeRawMskRecord({ topic: 'trading.positions', key: 'u-1', value: null, offset: 9 }),
    ]);
    expect(await handler(event, context)).toEqual({ records: 2, tradesInserted: 0, positionsInserted: 0, deadLettered: 2 });
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent.map((s) => s.QueueUrl)).toEqual([ENV.DEAD_LETTER_QUEUE_URL, ENV.DEAD_LETTER_QUEUE_URL]);
    expect(sent.map((s) => JSON.parse(s.MessageBody!).consumer)).toEqual(['trading-test-reporting', 'trading-test-reporting']);
    expect(sent.map((s) => s.MessageAttributes?.source?.StringValue).sort()).toEqual(['trading.positions-0@9', 'trading.trades-0@4']);
  });

  it('fails the batch when the dead-letter queue refuses (nothing is dropped)', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const handler = load('reporting');
    await expect(handler(encodeMskEvent([encodeRawMskRecord({ topic: 'trading.trades', value: 'x' })]), context)).rejects.toThrow('AccessDenied');
  });

  it('refuses a bad WRITE_ATTEMPTS and a missing queue URL at cold start, naming the variable', () => {
    expect(() => load('reporting', { WRITE_ATTEMPTS: 'many' })).toThrow('WRITE_ATTEMPTS');
    expect(() => load('reporting', { DEAD_LETTER_QUEUE_URL: '' })).toThrow('DEAD_LETTER_QUEUE_URL is not set');
  });
});

describe('reporting jobs handler', () => {
  it('skips in a standby region without touching the database', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ State: 'Disabled' }] });
    const handler = load('reporting-jobs');
    expect(await handler({ job: 'export' }, context)).toEqual({ job: 'export', skipped: 'standby' });
    expect(lambda.commandCalls(ListEventSourceMappingsCommand)[0].args[0].input.FunctionName).toBe('trading-test-reporting');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('refuses a bad event naming the field', async () => {
    const handler = load('reporting-jobs');
    await expect(handler({ job: 'export', date: 'yesterday' }, context)).rejects.toThrow('field "date"');
  });

  it('refuses a bad EXPORT_CONCURRENCY at cold start', () => {
    expect(() => load('reporting-jobs', { EXPORT_CONCURRENCY: '0' })).toThrow('EXPORT_CONCURRENCY');
  });
});

describe('reporting migrations handler', () => {
  it('answers Delete without reading the shard map', async () => {
    const handler = load('reporting-migrations');
    expect(await handler({ RequestType: 'Delete', PhysicalResourceId: 'reporting-schema' }, context)).toEqual({ PhysicalResourceId: 'reporting-schema' });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });
});
