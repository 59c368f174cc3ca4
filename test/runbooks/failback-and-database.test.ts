/**
 * Failback (the planned reverse, run in the primary) and the database-only failover, from their
 * synthesized definitions, with the real steps, dynalite and mocked AWS (see ./harness.ts).
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { lockKey } from '../../functions/dr-runbook/lock';
import { auditItems, depsFor, type Execution, mockAws, newWorld, opsRequest, PRIMARY, prodSettings, runDefinition, SECONDARY, startDynalite, synthesizedDefinition, type World } from './harness';

let db: Awaited<ReturnType<typeof startDynalite>>;
let world: World;
let restore: () => void;

beforeAll(async () => {
  db = await startDynalite(prodSettings().names.runbookTable);
});
afterAll(async () => db.stop());
beforeEach(() => {
  world = newWorld();
  restore = mockAws(world);
});
afterEach(async () => {
  restore();
  await db.ddb.send(new DeleteCommand({ TableName: prodSettings().names.runbookTable, Key: lockKey({ dryRun: false }) }));
});

function expectEnded(run: Execution, status: Execution['status'], lastState: string) {
  expect({ status: run.status, last: run.states.at(-1) }).toEqual(
    run.status === status && run.states.at(-1) === lastState ? { status, last: lastState } : { status, last: lastState, error: run.error, pages: world.pages.map((p) => p.message) },
  );
}

it('failback: after a failover, the primary takes the writer back by switchover (no data loss), run in the primary', async () => {
  // The platform as a failover left it.
  Object.assign(world, { writerRegion: SECONDARY, cachePrimary: SECONDARY, killSwitch: { [PRIMARY]: 'on', [SECONDARY]: 'off' }, desired: { [PRIMARY]: 3, [SECONDARY]: 9 }, peakTasks: 9 });
  world.mappings = { [`${PRIMARY}:a`]: false, [`${SECONDARY}:a`]: true };
  const definition = synthesizedDefinition('trading-prod-dr-failback', PRIMARY);
  const request = { ...opsRequest('FailbackRequested', { dryRun: false }), region: PRIMARY };
  request.detail.originRegion = PRIMARY;
  const run = await runDefinition(definition, request, depsFor(prodSettings(PRIMARY), db.ddb), { executionName: 'failback-1' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(world.mutations).toEqual(
    expect.arrayContaining([`PutParameter@${SECONDARY}`, `SwitchoverGlobalCluster@${PRIMARY}`, `FailoverGlobalReplicationGroup@${PRIMARY}`, `UpdateService@${PRIMARY}`]),
  );
  expect(world.mutations).not.toContain(`FailoverGlobalCluster@${PRIMARY}`);
  expect(world.writerRegion).toBe(PRIMARY);
  expect(world.cachePrimary).toBe(PRIMARY);
  expect(world.killSwitch).toEqual({ [PRIMARY]: 'off', [SECONDARY]: 'on' });
  expect(world.mappings).toEqual({ [`${PRIMARY}:a`]: true, [`${SECONDARY}:a`]: false });
  const report = Object.values(world.reports)[0] as any;
  expect(report).toMatchObject({ outcome: 'succeeded', run: { operation: 'failback', mode: 'planned', sourceRegion: SECONDARY, targetRegion: PRIMARY }, measured: { dataLossWindowSeconds: 0 } });
  // MSK Replicator only copies primary -> secondary: a failback has no Kafka lag to weigh.
  expect(report.decision.kafkaLagSeconds).toBe('n/a');
  expect(world.events.find((e) => e.detailType === 'FailoverCompleted')?.detail).toMatchObject({ operation: 'failback', fromRegion: SECONDARY, toRegion: PRIMARY });
});

it('failback is refused while the old region is unhealthy (a planned switchover needs a healthy writer)', async () => {
  Object.assign(world, { writerRegion: SECONDARY, cachePrimary: SECONDARY });
  world.alarms[SECONDARY] = 'ALARM';
  const definition = synthesizedDefinition('trading-prod-dr-failback', PRIMARY);
  const request = { ...opsRequest('FailbackRequested', { dryRun: false }), region: PRIMARY };
  request.detail.originRegion = PRIMARY;
  const run = await runDefinition(definition, request, depsFor(prodSettings(PRIMARY), db.ddb), { executionName: 'failback-2' });
  expectEnded(run, 'SUCCEEDED', 'FinishRefusedDone');
  expect(world.mutations).toEqual([]);
  const report = Object.values(world.reports)[0] as any;
  expect(report.decision).toMatchObject({ decision: 'refuse', sourceHealth: 'ALARM' });
  expect(report.decision.reasons).toContain('a planned switchover needs a healthy writer region');
  expect((await auditItems(db.ddb, prodSettings().names.runbookTable, 'RUN#failback-2')).find((i) => i.sk === 'SUMMARY')).toMatchObject({ outcome: 'refused' });
});

it('database failover: kill switch and Aurora only; the cache, capacity and traffic stay', async () => {
  const definition = synthesizedDefinition('trading-prod-dr-database-failover');
  const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'planned', dryRun: false }), depsFor(prodSettings(), db.ddb), { executionName: 'db-1' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(world.mutations).toEqual([`PutParameter@${PRIMARY}`, `SwitchoverGlobalCluster@${SECONDARY}`]);
  expect(world.cachePrimary).toBe(PRIMARY);
});
