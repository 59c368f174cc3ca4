/** The restore runbook (complete data loss), from its synthesized definition in the prod primary. */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { lockKey } from '../../functions/dr-runbook/lock';
import { depsFor, mockAws, newWorld, PRIMARY, prodSettings, runDefinition, startDynalite, synthesizedDefinition, type World } from './harness';

let db: Awaited<ReturnType<typeof startDynalite>>;
let world: World;
let restore: () => void;
const settings = prodSettings(PRIMARY);
const definition = synthesizedDefinition('trading-prod-dr-restore', PRIMARY);
const request = (dryRun: boolean) => ({
  'detail-type': 'RestoreRequested',
  time: '2026-12-05T08:00:00.000Z',
  detail: { shard: 0, restoreTime: '2026-12-05T07:55:00Z', dryRun, requestedBy: 'alice', reason: 'bad migration' },
});

beforeAll(async () => {
  db = await startDynalite(settings.names.runbookTable);
});
afterAll(async () => db.stop());
beforeEach(() => {
  world = newWorld();
  restore = mockAws(world);
});
afterEach(async () => {
  restore();
  for (const dryRun of [true, false]) await db.ddb.send(new DeleteCommand({ TableName: settings.names.runbookTable, Key: lockKey({ dryRun }) }));
});

it('restores the shard into a new cluster, waits for it and its writer, then repoints the proxy and the shard map', async () => {
  const run = await runDefinition(definition, request(false), depsFor(settings, db.ddb), { executionName: 'restore-1' });
  expect({ status: run.status, last: run.states.at(-1), pages: run.status === 'SUCCEEDED' ? undefined : world.pages.map((p) => p.message) }).toEqual({ status: 'SUCCEEDED', last: 'FinishDone' });
  const restored = 'trading-prod-us-east-1-pg-0-r202612050800';
  expect(world.mutations).toEqual([
    `RestoreDBClusterToPointInTime@${PRIMARY}`,
    `CreateDBInstance@${PRIMARY}`,
    `DeregisterDBProxyTargets@${PRIMARY}`,
    `RegisterDBProxyTargets@${PRIMARY}`,
    `PutParameter@${PRIMARY}`,
  ]);
  expect(world.proxyTarget).toBe(restored);
  expect(JSON.parse(world.shardMap).shards[0]).toMatchObject({ clusterEndpoint: `${restored}.cluster.example.com`, proxyEndpoint: 'proxy.example.com' });
  // Both waiting steps polled.
  expect(run.states.filter((s) => s === 'RestoreCluster').length).toBeGreaterThan(1);
  expect(run.states.filter((s) => s === 'RestoreInstance').length).toBeGreaterThan(1);
});

it('dry run: checks the source, changes nothing', async () => {
  const run = await runDefinition(definition, request(true), depsFor(settings, db.ddb), { executionName: 'restore-dry' });
  expect(run.status).toBe('SUCCEEDED');
  expect(world.mutations).toEqual([]);
});
