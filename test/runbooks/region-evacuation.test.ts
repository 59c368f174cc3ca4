/**
 * The region evacuation runbook as synthesized for prod (secondary region, where it runs), executed by a
 * local Step Functions interpreter with the real step code, dynalite for the lock and audit records, and
 * mocked AWS APIs over a model of the platform.
 */
import { lockKey } from '../../functions/dr-runbook/lock';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Execution, auditItems, depsFor, mockAws, newWorld, opsRequest, PRIMARY, prodSettings, runDefinition, SECONDARY, startDynalite, synthesizedDefinition, type World } from './harness';

const settings = prodSettings();
const table = settings.names.runbookTable;
let db: Awaited<ReturnType<typeof startDynalite>>;
let world: World;
let restore: () => void;
const definition = synthesizedDefinition('trading-prod-dr-region-evacuation');

beforeAll(async () => {
  db = await startDynalite(table);
});
afterAll(async () => db.stop());
beforeEach(() => {
  world = newWorld();
  restore = mockAws(world);
});
afterEach(async () => {
  restore();
  // Each test starts with a free lock (the table is shared by the file).
  for (const dryRun of [true, false]) await db.ddb.send(new DeleteCommand({ TableName: table, Key: lockKey({ dryRun }) }));
});

const deps = (overrides: Partial<typeof settings> = {}) => depsFor({ ...settings, ...overrides }, db.ddb);

/** The execution's status and last state, with what it paged when it is not what the test expects. */
function expectEnded(run: Execution, status: Execution['status'], lastState: string) {
  expect({ status: run.status, last: run.states.at(-1) }).toEqual(
    run.status === status && run.states.at(-1) === lastState ? { status, last: lastState } : { status, last: lastState, error: run.error, pages: world.pages.map((p) => p.message) },
  );
}
const platformMutations = () => world.mutations;

it('planned switchover: kill switch, Aurora switchover, cache failover, capacity, consumers, verify, report; no approval', async () => {
  const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'planned', dryRun: false }), deps(), { executionName: 'planned-1' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(world.mutations).toEqual(
    expect.arrayContaining([`PutParameter@${PRIMARY}`, `SwitchoverGlobalCluster@${SECONDARY}`, `FailoverGlobalReplicationGroup@${SECONDARY}`, `UpdateService@${SECONDARY}`, `UpdateEventSourceMapping@${SECONDARY}`, `UpdateEventSourceMapping@${PRIMARY}`]),
  );
  expect(world.mutations).not.toContain(`FailoverGlobalCluster@${SECONDARY}`);
  expect(world.writerRegion).toBe(SECONDARY);
  expect(world.killSwitch[PRIMARY]).toBe('on');
  expect(world.desired[SECONDARY]).toBe(9);
  expect(run.sdkCalls).toEqual([{ state: 'RaiseScalingFloor', input: expect.objectContaining({ ResourceId: 'service/trading-prod-engine/trading-prod-trading-engine', MinCapacity: 9 }) }]);
  expect(run.approvalsAsked).toBe(0);
  // The Aurora step polled until the switchover finished.
  expect(run.states.filter((s) => s === 'FailoverDatabase').length).toBeGreaterThan(1);
  const report = Object.values(world.reports)[0];
  expect(report).toMatchObject({ outcome: 'succeeded', dryRun: false, measured: { dataLossWindowSeconds: 0 }, decision: { decision: 'proceed', method: 'switchover' } });
  expect(world.events.map((e) => e.detailType)).toEqual(expect.arrayContaining(['FailoverStepCompleted', 'FailoverCompleted']));
  const summary = (await auditItems(db.ddb, table, 'RUN#planned-1')).find((i) => i.sk === 'SUMMARY');
  expect(summary).toMatchObject({ outcome: 'succeeded' });
  // The lock is released into its cool-down.
  const lock = (await db.ddb.send(new GetCommand({ TableName: table, Key: lockKey({ dryRun: false }) }))).Item!;
  expect(lock.holder).toBeUndefined();
  expect(lock.coolDownUntil).toBeGreaterThan(Date.now() / 1000);
});

it('unplanned failover within the RPO budget: prod asks a human (possible data loss), then fails over allowing data loss', async () => {
  const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'unplanned', dryRun: false }), deps(), { executionName: 'unplanned-1', approval: 'approve' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(run.approvalsAsked).toBe(1);
  expect(world.pages[0].message).toContain('send-task-success');
  expect(world.pages[0].topic).toBe('arn:aws:sns:us-west-2:111111111111:trading-prod-alarms-critical');
  expect(platformMutations()).toContain(`FailoverGlobalCluster@${SECONDARY}`);
  expect(platformMutations()).not.toContain(`SwitchoverGlobalCluster@${SECONDARY}`);
  const report = Object.values(world.reports)[0] as any;
  // The worst lag of the three (MSK Replicator, 1.5 s) is the data-loss window the report records.
  expect(report.decision).toMatchObject({ decision: 'approve', method: 'failover', auroraLagSeconds: 0.8, cacheLagSeconds: 1, kafkaLagSeconds: 1.5, worstLagSeconds: 1.5, rpoBudgetSeconds: 60 });
  expect(report.measured.dataLossWindowSeconds).toBe(1.5);
  expect(report.approval).toEqual({ approved: true, approvedBy: 'test approver' });
});

it('unplanned failover within the budget proceeds without a human where config allows it (overBudget policy)', async () => {
  const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'unplanned', dryRun: false }), deps({ approval: { unplannedDataLoss: 'overBudget', planned: false } }), { approval: 'deny' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(run.approvalsAsked).toBe(0);
  expect(platformMutations()).toContain(`FailoverGlobalCluster@${SECONDARY}`);
});

it('refuses a failover above the RPO budget without approval: nothing moves, the refusal is recorded', async () => {
  world.auroraLagMs = 120_000;
  for (const [answer, id] of [['deny', 'over-1'], ['timeout', 'over-2']] as const) {
    const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'unplanned', dryRun: false }), deps({ approval: { unplannedDataLoss: 'overBudget', planned: false } }), { approval: answer, executionName: id });
    expectEnded(run, 'SUCCEEDED', 'FinishRefusedDone');
    expect(run.approvalsAsked).toBe(1);
    const summary = (await auditItems(db.ddb, table, `RUN#${id}`)).find((i) => i.sk === 'SUMMARY');
    expect(summary).toMatchObject({ outcome: 'refused' });
  }
  expect(platformMutations()).toEqual([]);
  expect(world.writerRegion).toBe(PRIMARY);
});

it('concurrent triggers: exactly one execution runs, the others are recorded as suppressed; automatic triggers respect the cool-down', async () => {
  const request = opsRequest('FailoverRequested', { mode: 'planned', dryRun: false });
  const runs = await Promise.all(['c-1', 'c-2', 'c-3'].map((id) => runDefinition(definition, request, deps(), { executionName: id })));
  const ran = runs.filter((r) => r.states.includes('KillSwitch'));
  const suppressed = runs.filter((r) => r.states.at(-1) === 'Suppressed');
  expect(ran).toHaveLength(1);
  expect(suppressed).toHaveLength(2);
  expect(platformMutations().filter((m) => m.startsWith('SwitchoverGlobalCluster'))).toHaveLength(1);
  const outcomes = await Promise.all(['c-1', 'c-2', 'c-3'].map(async (id) => (await auditItems(db.ddb, table, `RUN#${id}`)).find((i) => i.sk === 'SUMMARY')?.outcome));
  expect(outcomes.sort()).toEqual(['succeeded', 'suppressed', 'suppressed']);

  // Right after, the primary's region-health alarm fires: an automatic trigger inside the cool-down is suppressed.
  const alarm = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', region: PRIMARY, time: new Date().toISOString(), detail: { alarmName: 'trading-prod-us-east-1-region-health', state: { value: 'ALARM' } } };
  const automatic = await runDefinition(definition, alarm, deps(), { executionName: 'alarm-1' });
  expectEnded(automatic, 'SUCCEEDED', 'Suppressed');
  expect((await auditItems(db.ddb, table, 'RUN#alarm-1')).find((i) => i.sk === 'SUMMARY')).toMatchObject({ outcome: 'suppressed', why: expect.stringContaining('cool-down') });
});

it('a step failing half-way pauses the runbook and pages; the lock stays held; nothing after it runs', async () => {
  world.failures.UpdateService = Object.assign(new Error('service trading-prod-trading-engine is draining'), { name: 'InvalidParameterException' });
  const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'planned', dryRun: false }), deps(), { executionName: 'half-1' });
  expectEnded(run, 'FAILED', 'Failed');
  expect(run.states).toContain('Paused');
  expect(run.states).not.toContain('MoveTraffic');
  const critical = world.pages.find((p) => p.topic.endsWith('alarms-critical'))!;
  expect(critical.subject).toBe('regionEvacuation PAUSED at raiseCapacity');
  expect(critical.message).toContain('draining');
  expect(world.events.find((e) => e.detailType === 'FailoverAborted')?.detail).toMatchObject({ failedStep: 'raiseCapacity', runId: 'half-1' });
  expect((Object.values(world.reports)[0] as any).outcome).toBe('failed');
  const lock = (await db.ddb.send(new GetCommand({ TableName: table, Key: lockKey({ dryRun: false }) }))).Item!;
  expect(lock.holder).toBe('half-1');
  // Not retried: a non-transient error goes straight to the Catch.
  expect(run.states.filter((s) => s === 'RaiseCapacity')).toHaveLength(1);
});

it('dry run: every check runs, no mutating call is made, the report says what would have happened', async () => {
  const run = await runDefinition(definition, opsRequest('FailoverRequested', { mode: 'unplanned', dryRun: true }), deps(), { executionName: 'dry-1' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(platformMutations()).toEqual([]);
  expect(run.sdkCalls).toEqual([]);
  // Prod would ask a human, but a dry run never waits.
  expect(run.approvalsAsked).toBe(0);
  const report = Object.values(world.reports)[0] as any;
  expect(report.dryRun).toBe(true);
  const details = Object.fromEntries(report.steps.map((s: any) => [s.step, s.details]));
  expect(details.killSwitch).toMatchObject({ wouldSet: 'on' });
  expect(details.failoverDatabase['trading-prod-pg-0']).toMatch(/^would failover to arn:aws:rds:us-west-2/);
  expect(details.failoverCache).toMatchObject({ wouldFailoverTo: 'trading-prod-cache' });
  expect(details.raiseCapacity).toMatchObject({ wouldSetDesired: 9 });
  expect(details.assess).toMatchObject({ decision: 'approve', needsApproval: true });
  expect(world.events.filter((e) => e.detailType === 'FailoverStepCompleted').every((e) => e.detail.dryRun === true)).toBe(true);
});

it('an alarm trigger waits the sustain time and stops when the alarm recovered', async () => {
  world.alarms[PRIMARY] = 'OK';
  const alarm = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', region: PRIMARY, time: new Date().toISOString(), detail: { alarmName: 'trading-prod-us-east-1-region-health', state: { value: 'ALARM' } } };
  const run = await runDefinition(definition, alarm, deps(), { executionName: 'alarm-ok' });
  expectEnded(run, 'SUCCEEDED', 'FinishRecoveredDone');
  expect(run.states).toEqual(expect.arrayContaining(['SustainAlarm', 'ConfirmAlarm']));
  expect(platformMutations()).toEqual([]);
});

it('primary region down: the alarm stays in ALARM, its APIs do not answer; the runbook skips what it cannot reach, detaches the cache and fails over with approval', async () => {
  const down = Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
  world.alarms[PRIMARY] = 'ALARM';
  world.failures = {
    [`GetParameter@${PRIMARY}`]: down,
    [`ListEventSourceMappings@${PRIMARY}`]: down,
    FailoverGlobalReplicationGroup: Object.assign(new Error('primary region unavailable'), { name: 'InvalidGlobalReplicationGroupStateFault' }),
  };
  const alarm = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', region: PRIMARY, time: new Date().toISOString(), detail: { alarmName: 'trading-prod-us-east-1-region-health', state: { value: 'ALARM' } } };
  const run = await runDefinition(definition, alarm, deps(), { executionName: 'down-1', approval: 'approve' });
  expectEnded(run, 'SUCCEEDED', 'FinishDone');
  expect(run.states.slice(0, 6)).toEqual(['Prepare', 'AcquireLock', 'LockAcquired', 'AlarmTriggered', 'SustainAlarm', 'ConfirmAlarm']);
  expect(run.approvalsAsked).toBe(1);
  expect(platformMutations()).toEqual(expect.arrayContaining([`FailoverGlobalCluster@${SECONDARY}`, `DisassociateGlobalReplicationGroup@${SECONDARY}`, `UpdateEventSourceMapping@${SECONDARY}`]));
  expect(platformMutations().some((m) => m.endsWith(`@${PRIMARY}`))).toBe(false);
  const steps = Object.fromEntries(((Object.values(world.reports)[0] as any).steps as any[]).map((s) => [s.step, s]));
  expect(steps.killSwitch).toMatchObject({ status: 'skipped', details: { unreachable: true } });
  expect(steps.failoverCache).toMatchObject({ status: 'succeeded', details: { detached: true } });
  expect(steps.moveConsumers.details[PRIMARY]).toContain('unreachable');
});
