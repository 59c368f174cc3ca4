/**
 * The runbook steps. Each reads the state it is about to change first, so running it again is harmless
 * (a retried Lambda, a resumed runbook, a second poll), and in a dry run every read and decision happens
 * but no mutating call is made: the result says what would have been done.
 *
 * A step returns `done: false` while AWS is still moving something (Aurora, cache); the state machine
 * waits `pollSeconds` and calls it again, until `stepTimeoutSeconds` after its first call, when it fails
 * and the runbook pages.
 */
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DisassociateGlobalReplicationGroupCommand, FailoverGlobalReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  CreateDBInstanceCommand,
  DeregisterDBProxyTargetsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBProxyTargetsCommand,
  FailoverGlobalClusterCommand,
  RegisterDBProxyTargetsCommand,
  RestoreDBClusterToPointInTimeCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseShardMap } from '@shared/shard-map';
import { decide } from './decide';
import { page, runPk } from './evidence';
import { acquireLock } from './lock';
import { alarmState, describeCache, describeGlobalCluster, measureLags } from './observe';
import { clusterId, regionHealthAlarm } from './settings';
import { RunbookError, type Deps, type RunState, type StepOutcome } from './types';

export type { StepOutcome };
type Details = StepOutcome['details'];

const done = (details: Details, extra: Record<string, unknown> = {}): StepOutcome => ({ status: 'succeeded', done: true, details, ...extra });
const skipped = (details: Details, extra: Record<string, unknown> = {}): StepOutcome => ({ status: 'skipped', done: true, details, ...extra });
const waiting = (details: Details, extra: Record<string, unknown> = {}): StepOutcome => ({ status: 'inProgress', done: false, details, ...extra });

/** Fails a polling step that has been waiting longer than the configured step timeout. */
function checkDeadline(step: string, state: RunState, deps: Deps): string {
  const first = (state.results?.[step]?.firstCalledAt as string | undefined) ?? deps.now().toISOString();
  const elapsed = (deps.now().getTime() - Date.parse(first)) / 1000;
  if (elapsed > deps.settings.stepTimeoutSeconds) {
    throw new RunbookError(`${step} still in progress after ${Math.round(elapsed)}s (step timeout ${deps.settings.stepTimeoutSeconds}s)`);
  }
  return first;
}

export async function lockStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const outcome = await acquireLock(state.run, deps);
  if (outcome.acquired) return done({ acquired: true }, { acquired: true });
  const why = outcome.heldBy ? `runbook ${outcome.heldBy} holds the lock` : `cool-down until ${outcome.coolDownUntil}`;
  // The suppressed trigger leaves its own audit record (it never reaches the finish step).
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.settings.names.runbookTable,
      Item: { pk: runPk(state.run.runId), sk: 'SUMMARY', ...state.run, outcome: 'suppressed', why, at: deps.now().toISOString() },
    }),
  );
  return skipped({ acquired: false, suppressed: why }, { acquired: false });
}

/** The primary's region-health alarm must still be in ALARM after the sustain wait (flapping guard). */
export async function confirmAlarmStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  if (run.trigger !== 'alarm') return skipped({ reason: `trigger is ${run.trigger}` }, { sustained: true });
  const alarm = regionHealthAlarm(deps.settings, run.sourceRegion);
  const value = await alarmState(deps, run.sourceRegion, alarm);
  const sustained = value === 'ALARM' || value === 'unreachable';
  return done({ alarm, state: value, sustained }, { sustained });
}

export async function assessStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const s = deps.settings;
  const [sourceHealth, targetHealth] = await Promise.all([
    alarmState(deps, run.sourceRegion, regionHealthAlarm(s, run.sourceRegion)),
    alarmState(deps, run.targetRegion, regionHealthAlarm(s, run.targetRegion)),
  ]);
  const clusters = await Promise.all(s.names.globalClusters.map((g) => describeGlobalCluster(deps, run.targetRegion, g)));
  const alreadyPromoted = clusters.every((c) => c.writerRegion === run.targetRegion && !c.failoverStatus);
  const lags = await measureLags(deps, run.sourceRegion, run.targetRegion);
  const decision = decide({ mode: run.mode, sourceHealth, targetHealth, alreadyPromoted, lags, rpoBudgetSeconds: s.rpoBudgetSeconds, approvalPolicy: s.approval });
  const details: Details = {
    sourceHealth,
    targetHealth,
    alreadyPromoted,
    auroraLagSeconds: lags.auroraSeconds,
    cacheLagSeconds: lags.cacheSeconds,
    kafkaLagSeconds: lags.kafkaSeconds,
    rpoBudgetSeconds: s.rpoBudgetSeconds,
    worstLagSeconds: decision.worstLagSeconds,
    decision: decision.decision,
    method: decision.method,
    needsApproval: decision.needsApproval,
    reasons: decision.reasons.join('; '),
  };
  // The Choice states read `decision` and `waitForApproval` (a dry run never waits for a human).
  return done(details, { ...decision, waitForApproval: decision.needsApproval && !run.dryRun });
}

/** Called with a task token: pages the approvers with the commands to approve or deny, then waits. */
export async function requestApprovalStep(state: RunState, deps: Deps, taskToken: string | undefined): Promise<StepOutcome> {
  if (!taskToken) throw new RunbookError('requestApproval needs the task token ($$.Task.Token)');
  const { run } = state;
  const assess = state.results?.assess;
  await deps.ddb.send(
    new PutCommand({ TableName: deps.settings.names.runbookTable, Item: { pk: runPk(run.runId), sk: 'APPROVAL', taskToken, requestedAt: deps.now().toISOString() } }),
  );
  const output = (approved: boolean) => JSON.stringify(JSON.stringify({ approved, approvedBy: '<your name>' }));
  await page(
    'critical',
    `Approval needed: ${run.runbook} to ${run.targetRegion}`,
    [
      `Runbook ${run.runbook} (${run.runId}) asks for approval to ${run.operation} from ${run.sourceRegion} to ${run.targetRegion} (${run.mode}).`,
      `Why: ${String(assess?.details.reasons ?? 'see the assess step')}`,
      `Approve: aws stepfunctions send-task-success --region ${deps.settings.region} --task-token '${taskToken}' --task-output ${output(true)}`,
      `Deny:    aws stepfunctions send-task-failure --region ${deps.settings.region} --task-token '${taskToken}' --error Denied --cause '<why>'`,
    ].join('\n'),
    deps,
  );
  return done({ requested: true });
}

/** Trading stops in the old region first (the engine and the API honour the switch). */
export async function killSwitchStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const name = deps.settings.names.killSwitchParameter;
  const ssm = deps.clients(run.sourceRegion).ssm;
  let current: string | undefined;
  try {
    current = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (e) {
    // A dead region cannot be told to stop; the database failover fences its writers anyway.
    if (run.mode === 'unplanned') return skipped({ region: run.sourceRegion, unreachable: true, error: (e as Error).message });
    throw e;
  }
  if (current === 'on') return skipped({ region: run.sourceRegion, alreadyOn: true });
  if (run.dryRun) return skipped({ region: run.sourceRegion, wouldSet: 'on', current: current ?? null });
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'on', Overwrite: true, Type: 'String' }));
  } catch (e) {
    if (run.mode === 'unplanned') return skipped({ region: run.sourceRegion, unreachable: true, error: (e as Error).message });
    throw e;
  }
  return done({ region: run.sourceRegion, set: 'on', previous: current ?? null });
}

/** Trading resumes in the region that now holds the writer (a failback finds it switched off there). */
export async function resumeTradingStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const name = deps.settings.names.killSwitchParameter;
  const ssm = deps.clients(run.targetRegion).ssm;
  const current = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  if (current !== 'on') return skipped({ region: run.targetRegion, alreadyOff: true });
  if (run.dryRun) return skipped({ region: run.targetRegion, wouldSet: 'off' });
  await ssm.send(new PutParameterCommand({ Name: name, Value: 'off', Overwrite: true, Type: 'String' }));
  return done({ region: run.targetRegion, set: 'off' });
}

export async function failoverDatabaseStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const firstCalledAt = checkDeadline('failoverDatabase', state, deps);
  const method = (state.results?.assess?.method as string | undefined) ?? (run.mode === 'planned' ? 'switchover' : 'failover');
  const rds = deps.clients(run.targetRegion).rds;
  const details: Details = { method };
  let allDone = true;
  for (const globalCluster of deps.settings.names.globalClusters) {
    const view = await describeGlobalCluster(deps, run.targetRegion, globalCluster);
    if (view.writerRegion === run.targetRegion && !view.failoverStatus) {
      details[globalCluster] = 'writer in target';
      continue;
    }
    if (view.failoverStatus) {
      details[globalCluster] = view.failoverStatus;
      allDone = false;
      continue;
    }
    const target = view.memberArn(run.targetRegion);
    if (!target) throw new RunbookError(`${globalCluster} has no member in ${run.targetRegion}`);
    if (run.dryRun) {
      details[globalCluster] = `would ${method} to ${target}`;
      continue;
    }
    if (method === 'switchover') {
      await rds.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalCluster, TargetDbClusterIdentifier: target }));
    } else {
      // Within the budget, or approved by a human (the assess step and the approval decided).
      await rds.send(new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: globalCluster, TargetDbClusterIdentifier: target, AllowDataLoss: true }));
    }
    details[globalCluster] = `${method} started`;
    allDone = false;
  }
  if (run.dryRun) return skipped(details, { firstCalledAt });
  return allDone ? done(details, { firstCalledAt }) : waiting(details, { firstCalledAt });
}

export async function failoverCacheStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const firstCalledAt = checkDeadline('failoverCache', state, deps);
  const cache = await describeCache(deps, run.targetRegion);
  if (!cache) return skipped({ reason: 'no global datastore (data.cache.globalDatastore: off)' }, { firstCalledAt });
  const member = cache.member(run.targetRegion);
  if (cache.primaryRegion === run.targetRegion && cache.status === 'available') return done({ globalDatastore: cache.id, primary: run.targetRegion }, { firstCalledAt });
  if (!member?.replicationGroupId) {
    // Disassociated by an earlier unplanned run: the target's group is standalone and writable.
    return done({ globalDatastore: cache.id, detached: true }, { firstCalledAt });
  }
  if (cache.status !== 'available') return waiting({ globalDatastore: cache.id, status: cache.status ?? null }, { firstCalledAt });
  if (run.dryRun) return skipped({ globalDatastore: cache.id, wouldFailoverTo: member.replicationGroupId }, { firstCalledAt });
  const ec = deps.clients(run.targetRegion).elasticache;
  try {
    await ec.send(
      new FailoverGlobalReplicationGroupCommand({ GlobalReplicationGroupId: cache.id, PrimaryRegion: run.targetRegion, PrimaryReplicationGroupId: member.replicationGroupId }),
    );
    return waiting({ globalDatastore: cache.id, failover: 'started' }, { firstCalledAt });
  } catch (e) {
    if (run.mode !== 'unplanned') throw e;
    // The failover needs the old primary to answer; when it does not, detach the target (it becomes writable).
    await ec.send(
      new DisassociateGlobalReplicationGroupCommand({ GlobalReplicationGroupId: cache.id, ReplicationGroupId: member.replicationGroupId, ReplicationGroupRegion: run.targetRegion }),
    );
    return waiting({ globalDatastore: cache.id, disassociate: 'started', failoverError: (e as Error).message }, { firstCalledAt });
  }
}

/** The target's engine to the source's recent peak; the state machine then raises the scaling floor. */
export async function raiseCapacityStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const s = deps.settings;
  const { engineCluster: cluster, engineService: service } = s.names;
  let peak: number | null = null;
  let peakFrom = 'RunningTaskCount (3 h maximum)';
  try {
    const now = deps.now();
    const out = await deps.clients(run.sourceRegion).cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 3 * 3600_000),
        EndTime: now,
        MetricDataQueries: [
          {
            Id: 'tasks',
            MetricStat: {
              Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: service }] },
              Period: 300,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    const values = out.MetricDataResults?.[0]?.Values ?? [];
    if (values.length) peak = Math.max(...values);
  } catch {
    // The source region's metrics may be gone with it.
  }
  if (peak === null) {
    peakFrom = 'the primary capacity floor (no metrics from the source region)';
    peak = s.fallbackCapacity.minTasks;
  }
  const ecs = deps.clients(run.targetRegion).ecs;
  const current = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0];
  if (!current) throw new RunbookError(`engine service ${service} not found in ${run.targetRegion}`);
  const desired = Math.min(Math.max(peak, current.desiredCount ?? 0), s.fallbackCapacity.maxTasks);
  const scaling = { resourceId: `service/${cluster}/${service}`, minCapacity: desired, maxCapacity: Math.max(s.fallbackCapacity.maxTasks, desired) };
  const details: Details = { peak, peakFrom, currentDesired: current.desiredCount ?? 0, desired };
  if ((current.desiredCount ?? 0) >= desired) return skipped({ ...details, alreadyAtPeak: true }, { scaling });
  if (run.dryRun) return skipped({ ...details, wouldSetDesired: desired }, { scaling });
  await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: desired }));
  return done(details, { scaling });
}

/** Event source mappings of the workers: on in the target, off in the source (if it answers). */
export async function moveConsumersStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const details: Details = {};
  const switchRegion = async (region: string, enabled: boolean) => {
    const lambda = deps.clients(region).lambda;
    for (const fn of deps.settings.names.workerFunctions) {
      const mappings = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn }))).EventSourceMappings ?? [];
      for (const m of mappings) {
        const isOn = m.State === 'Enabled' || m.State === 'Enabling';
        const key = `${region}:${fn}:${m.UUID}`;
        if (isOn === enabled) details[key] = `already ${m.State}`;
        else if (run.dryRun) details[key] = `would ${enabled ? 'enable' : 'disable'}`;
        else {
          await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: enabled }));
          details[key] = enabled ? 'enabled' : 'disabled';
        }
      }
    }
  };
  await switchRegion(run.targetRegion, true);
  try {
    await switchRegion(run.sourceRegion, false);
  } catch (e) {
    if (run.mode !== 'unplanned') throw e;
    details[`${run.sourceRegion}`] = `unreachable: ${(e as Error).message}`;
  }
  return run.dryRun ? skipped(details) : done(details);
}

/** Route 53 weighted records (set identifier = region): the target takes the weight, the source none. */
export async function moveTrafficStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const { traffic } = deps.settings;
  if (!traffic.hostedZoneId || !traffic.recordName) return skipped({ reason: 'no hosted zone configured (runbooks.traffic)' });
  const name = traffic.recordName.endsWith('.') ? traffic.recordName : `${traffic.recordName}.`;
  const out = await deps.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: traffic.hostedZoneId, StartRecordName: name, MaxItems: 100 }));
  const weighted = (out.ResourceRecordSets ?? []).filter((r) => r.Name === name && r.Weight !== undefined);
  const of = (region: string) => weighted.find((r) => r.SetIdentifier === region);
  const target = of(run.targetRegion);
  const source = of(run.sourceRegion);
  if (!target) throw new RunbookError(`no weighted record ${name} with set identifier ${run.targetRegion} in ${traffic.hostedZoneId}`);
  const details: Details = { record: name, targetWeight: target.Weight ?? 0, sourceWeight: source?.Weight ?? null };
  if ((target.Weight ?? 0) > 0 && (source?.Weight ?? 0) === 0) return skipped({ ...details, alreadyMoved: true });
  if (run.dryRun) return skipped({ ...details, wouldSet: `${run.targetRegion}=100 ${run.sourceRegion}=0` });
  const upsert = (r: ResourceRecordSet, weight: number) => ({ Action: 'UPSERT' as const, ResourceRecordSet: { ...r, Weight: weight } });
  await deps.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: traffic.hostedZoneId,
      ChangeBatch: { Comment: `runbook ${run.runId}`, Changes: [upsert(target, 100), ...(source ? [upsert(source, 0)] : [])] },
    }),
  );
  return done(details);
}

/** The target serves: writer and cache primary there, its health alarm OK, its API answering, trading on. */
export async function verifyStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const s = deps.settings;
  const findings: string[] = [];
  const details: Details = {};
  for (const g of s.names.globalClusters) {
    const view = await describeGlobalCluster(deps, run.targetRegion, g);
    details[g] = view.writerRegion ?? 'no writer';
    if (view.writerRegion !== run.targetRegion) findings.push(`${g}: writer in ${view.writerRegion ?? 'no region'}`);
  }
  // A database failover moves the writer only: the cache and the API stay where they are.
  const databaseOnly = run.runbook === 'databaseFailover';
  const cache = databaseOnly ? null : await describeCache(deps, run.targetRegion);
  if (cache) {
    const member = cache.member(run.targetRegion);
    details.cachePrimary = cache.primaryRegion ?? null;
    if (member && cache.primaryRegion !== run.targetRegion) findings.push(`cache primary in ${cache.primaryRegion ?? 'no region'}`);
  }
  const health = await alarmState(deps, run.targetRegion, regionHealthAlarm(s, run.targetRegion));
  details.targetHealth = health;
  if (health === 'ALARM' || health === 'unreachable') findings.push(`target region-health ${health}`);
  const ssm = deps.clients(run.targetRegion).ssm;
  const killSwitch = (await ssm.send(new GetParameterCommand({ Name: s.names.killSwitchParameter })).catch(() => undefined))?.Parameter?.Value;
  details.targetKillSwitch = killSwitch ?? 'missing';
  if (killSwitch === 'on') findings.push('the target region kill switch is on');
  const apiId = databaseOnly ? undefined : (await ssm.send(new GetParameterCommand({ Name: s.names.restApiIdParameter })).catch(() => undefined))?.Parameter?.Value;
  if (apiId) {
    const url = `https://${apiId}.execute-api.${run.targetRegion}.amazonaws.com/${s.names.apiStage}${s.names.apiHealthPath}`;
    const status = await deps.fetch(url).then((r) => r.status, () => 0);
    details.apiHealth = status;
    if (status !== 200) findings.push(`API health ${url} answered ${status || 'nothing'}`);
  } else details.apiHealth = 'no API deployed';
  details.findings = findings.join('; ');
  // A dry run changed nothing, so the findings are what a real run would have fixed.
  if (run.dryRun) return skipped(details);
  // Health checks and DNS settle: worth the state machine's bounded retries before it pages.
  if (findings.length) {
    const e = new Error(findings.join('; '));
    e.name = 'TransientError';
    throw e;
  }
  return done(details);
}

// ---- restore: the blueprint's "complete data loss" case ----------------------------------------------

/** The restored cluster's id: the shard's cluster id and the request's minute, so a rerun finds it. */
const restoredId = (state: RunState, deps: Deps) =>
  `${clusterId(deps.settings, state.run.targetRegion, state.run.restore!.shard)}-r${state.run.requestedAt.replace(/[^0-9]/g, '').slice(0, 12)}`;

export async function restoreClusterStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  if (!run.restore) throw new RunbookError('restore step without a restore request');
  const firstCalledAt = checkDeadline('restoreCluster', state, deps);
  const rds = deps.clients(run.targetRegion).rds;
  const sourceId = clusterId(deps.settings, run.targetRegion, run.restore.shard);
  const newId = restoredId(state, deps);
  const existing = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: newId })).then((o) => o.DBClusters?.[0], () => undefined);
  if (existing) {
    return existing.Status === 'available' ? done({ cluster: newId, status: 'available' }, { cluster: newId, firstCalledAt }) : waiting({ cluster: newId, status: existing.Status ?? null }, { cluster: newId, firstCalledAt });
  }
  const source = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: sourceId }))).DBClusters?.[0];
  if (!source) throw new RunbookError(`cluster ${sourceId} not found in ${run.targetRegion}`);
  const details: Details = { source: sourceId, cluster: newId, restoreTime: run.restore.restoreTime ?? 'latest restorable' };
  if (run.dryRun) return skipped(details, { cluster: newId, firstCalledAt });
  await rds.send(
    new RestoreDBClusterToPointInTimeCommand({
      SourceDBClusterIdentifier: sourceId,
      DBClusterIdentifier: newId,
      RestoreType: 'copy-on-write',
      ...(run.restore.restoreTime ? { RestoreToTime: new Date(run.restore.restoreTime) } : { UseLatestRestorableTime: true }),
      DBSubnetGroupName: source.DBSubnetGroup,
      VpcSecurityGroupIds: source.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId!).filter(Boolean),
      KmsKeyId: source.KmsKeyId,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: source.DeletionProtection,
      CopyTagsToSnapshot: true,
    }),
  );
  return waiting({ ...details, restore: 'started' }, { cluster: newId, firstCalledAt });
}

export async function restoreInstanceStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const firstCalledAt = checkDeadline('restoreInstance', state, deps);
  const cluster = state.results?.restoreCluster?.cluster as string;
  const rds = deps.clients(run.targetRegion).rds;
  const instanceId = `${cluster}-w`;
  const existing = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId })).then((o) => o.DBInstances?.[0], () => undefined);
  if (existing) {
    return existing.DBInstanceStatus === 'available' ? done({ instance: instanceId }, { firstCalledAt }) : waiting({ instance: instanceId, status: existing.DBInstanceStatus ?? null }, { firstCalledAt });
  }
  if (run.dryRun) return skipped({ instance: instanceId, wouldCreate: true }, { firstCalledAt });
  const sourceId = clusterId(deps.settings, run.targetRegion, run.restore!.shard);
  const source = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: sourceId }))).DBClusters?.[0];
  const writer = source?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier ?? source?.DBClusterMembers?.[0]?.DBInstanceIdentifier;
  const instanceClass = writer ? (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: writer }))).DBInstances?.[0]?.DBInstanceClass : undefined;
  await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: instanceId, DBClusterIdentifier: cluster, Engine: 'aurora-postgresql', DBInstanceClass: instanceClass ?? 'db.serverless' }));
  return waiting({ instance: instanceId, create: 'started' }, { firstCalledAt });
}

/** The shard's proxy targets the restored cluster, and the shard map names its endpoints. */
export async function repointStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const s = deps.settings;
  const shard = run.restore!.shard;
  const cluster = state.results?.restoreCluster?.cluster as string;
  const rds = deps.clients(run.targetRegion).rds;
  const ssm = deps.clients(run.targetRegion).ssm;
  const proxy = `${s.names.clusterPrefix}-pg-${shard}`;
  const targets = (await rds.send(new DescribeDBProxyTargetsCommand({ DBProxyName: proxy }))).Targets ?? [];
  const current = targets.find((t) => t.Type === 'TRACKED_CLUSTER')?.RdsResourceId;
  const map = parseShardMap((await ssm.send(new GetParameterCommand({ Name: s.names.shardMapParameter }))).Parameter?.Value ?? '');
  const restored = run.dryRun ? undefined : (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster }))).DBClusters?.[0];
  const details: Details = { proxy, previousTarget: current ?? null, cluster };
  if (current === cluster && map.shards[shard].clusterEndpoint === restored?.Endpoint) return skipped({ ...details, alreadyRepointed: true });
  if (run.dryRun) return skipped({ ...details, wouldRepoint: true });
  if (current && current !== cluster) await rds.send(new DeregisterDBProxyTargetsCommand({ DBProxyName: proxy, DBClusterIdentifiers: [current] }));
  if (current !== cluster) await rds.send(new RegisterDBProxyTargetsCommand({ DBProxyName: proxy, DBClusterIdentifiers: [cluster] }));
  const shards = map.shards.map((e) => (e.shard === shard ? { ...e, clusterEndpoint: restored!.Endpoint!, readerEndpoint: restored!.ReaderEndpoint! } : e));
  await ssm.send(new PutParameterCommand({ Name: s.names.shardMapParameter, Value: JSON.stringify({ ...map, shards }), Overwrite: true, Type: 'String' }));
  return done(details);
}
