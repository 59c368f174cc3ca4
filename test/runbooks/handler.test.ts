/**
 * The Lambda handler itself (middy + Powertools over logic.ts), bundled by esbuild exactly as
 * PlatformFunction bundles it (CJS, SDK external; @middy/core 6 is ESM-only, which jest cannot load
 * unbundled): loads with its environment, runs a step, and each function refuses the other's steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type * as HandlerModule from '../../functions/dr-runbook/handler';
import { opsRequest, prodSettings } from './harness';

const ddb = mockClient(DynamoDBDocumentClient);
const context = { functionName: 'trading-prod-dr-checks', awsRequestId: 'r1', getRemainingTimeInMillis: () => 30_000 } as never;
// Bundled inside the worktree so the bundle resolves the SDK from its node_modules (one copy, mocked).
const bundleDir = mkdtempSync(join(__dirname, '../../.handler-bundle-'));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
let loaded: typeof HandlerModule.handler | undefined;
/** Loaded after the environment is set: the handler reads it at module scope, as in Lambda. */
function load(): typeof HandlerModule.handler {
  if (!loaded) {
    const outfile = join(bundleDir, 'handler.cjs');
    buildSync({
      entryPoints: [join(__dirname, '../../functions/dr-runbook/handler.ts')],
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
    loaded = (require(outfile) as typeof HandlerModule).handler;
  }
  return loaded;
}

beforeAll(() => {
  process.env.RUNBOOK_SETTINGS = JSON.stringify(prodSettings());
  process.env.RUNBOOK_STEP_GROUP = 'checks';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'trading/prod/Runbooks';
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  ddb.on(PutCommand).resolves({});
});
afterAll(() => ddb.restore());

it('runs prepare through the middy chain and records it', async () => {
  const handler = load();
  const out = (await handler({ step: 'prepare', runbook: 'regionEvacuation', executionName: 'h-1', event: opsRequest('FailoverRequested', { mode: 'planned', dryRun: true }) }, context)) as any;
  expect(out.run).toMatchObject({ runId: 'h-1', mode: 'planned', dryRun: true, sourceRegion: 'us-east-1', targetRegion: 'us-west-2', trigger: 'request' });
  expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).toMatchObject({ pk: 'RUN#h-1', step: 'prepare' });
});

it('the checks function refuses a mutating step', async () => {
  const handler = load();
  await expect(handler({ step: 'failoverDatabase', state: { run: {} as never } }, context)).rejects.toMatchObject({ name: 'RunbookError', message: 'failoverDatabase: not a step of the checks function' });
});

it('a request for another region is refused with a message naming it', async () => {
  const handler = load();
  const event = opsRequest('FailoverRequested', { mode: 'planned', dryRun: true, targetRegion: 'us-east-1' });
  await expect(handler({ step: 'prepare', runbook: 'regionEvacuation', executionName: 'h-2', event }, context)).rejects.toMatchObject({
    name: 'RunbookError',
    message: expect.stringContaining('target region us-east-1 is not this region (us-west-2)'),
  });
});
