/**
 * Read-only observations the steps share: the writer region of each Aurora global cluster, the cache's
 * global datastore roles, replication lags from CloudWatch, and alarm states. Nothing here writes.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeGlobalReplicationGroupsCommand, type GlobalReplicationGroup } from '@aws-sdk/client-elasticache';
import { DescribeGlobalClustersCommand, type GlobalCluster } from '@aws-sdk/client-rds';
import { clusterId, replicatorName, type RunbookSettings } from './settings';
import type { Deps } from './types';

export const regionOfArn = (arn: string | undefined) => arn?.split(':')[3];

export interface GlobalClusterView {
  readonly globalCluster: string;
  readonly writerRegion: string | undefined;
  /** pending / failing-over / switching-over while AWS moves the writer. */
  readonly failoverStatus: string | undefined;
  readonly memberArn: (region: string) => string | undefined;
  readonly raw: GlobalCluster;
}

export async function describeGlobalCluster(deps: Deps, region: string, globalCluster: string): Promise<GlobalClusterView> {
  const out = await deps.clients(region).rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalCluster }));
  const raw = out.GlobalClusters?.[0];
  if (!raw) throw new Error(`global cluster ${globalCluster} not found in ${region}`);
  const members = raw.GlobalClusterMembers ?? [];
  return {
    globalCluster,
    writerRegion: regionOfArn(members.find((m) => m.IsWriter)?.DBClusterArn),
    failoverStatus: raw.FailoverState?.Status,
    memberArn: (r) => members.find((m) => regionOfArn(m.DBClusterArn) === r)?.DBClusterArn,
    raw,
  };
}

export interface CacheView {
  readonly id: string;
  readonly status: string | undefined;
  readonly primaryRegion: string | undefined;
  readonly member: (region: string) => { readonly replicationGroupId?: string; readonly role?: string } | undefined;
}

/** The global datastore whose id ends with the configured suffix (ElastiCache prefixes it per region). */
export async function describeCache(deps: Deps, region: string): Promise<CacheView | null> {
  const suffix = deps.settings.names.cacheGlobalDatastoreSuffix;
  if (!suffix) return null;
  const out = await deps.clients(region).elasticache.send(new DescribeGlobalReplicationGroupsCommand({ ShowMemberInfo: true }));
  const group: GlobalReplicationGroup | undefined = out.GlobalReplicationGroups?.find((g) => g.GlobalReplicationGroupId?.endsWith(`-${suffix}`));
  if (!group?.GlobalReplicationGroupId) throw new Error(`global datastore *-${suffix} not found in ${region}`);
  const members = group.Members ?? [];
  return {
    id: group.GlobalReplicationGroupId,
    status: group.Status,
    primaryRegion: members.find((m) => m.Role?.toUpperCase() === 'PRIMARY')?.ReplicationGroupRegion,
    member: (r) => {
      const m = members.find((x) => x.ReplicationGroupRegion === r);
      return m && { replicationGroupId: m.ReplicationGroupId, role: m.Role };
    },
  };
}

/** The latest value of a metric (or the largest of a search expression's series), or null without data. */
export async function latestValue(cloudwatch: CloudWatchClient, query: MetricDataQuery, now: Date, minutes = 5): Promise<number | null> {
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - minutes * 60_000),
      EndTime: now,
      MetricDataQueries: [{ ...query, Id: 'm', ReturnData: true }],
      ScanBy: 'TimestampDescending',
    }),
  );
  const latest = (out.MetricDataResults ?? []).map((r) => r.Values?.[0]).filter((v): v is number => typeof v === 'number');
  return latest.length ? Math.max(...latest) : null;
}

export interface Lags {
  /** Seconds; null = no data (counted as over budget: unknown is not safe). */
  readonly auroraSeconds: number | null;
  readonly cacheSeconds: number | null | 'n/a';
  readonly kafkaSeconds: number | null | 'n/a';
}

/** Replication lag into `target` from `source`, as CloudWatch reports it in the target region. */
export async function measureLags(deps: Deps, source: string, target: string): Promise<Lags> {
  const s: RunbookSettings = deps.settings;
  const cw = deps.clients(target).cloudwatch;
  const now = deps.now();
  const aurora: (number | null)[] = [];
  for (let shard = 0; shard < s.names.globalClusters.length; shard++) {
    const ms = await latestValue(cw, metric('AWS/RDS', 'AuroraGlobalDBRPOLag', [{ Name: 'DBClusterIdentifier', Value: clusterId(s, target, shard) }]), now);
    aurora.push(ms === null ? null : ms / 1000);
  }
  const cacheSeconds = s.names.cacheGlobalDatastoreSuffix
    ? await latestValue(
        cw,
        { Id: 'm', Expression: `MAX(SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName="GlobalDatastoreReplicationLag" "${s.names.cacheReplicationGroup}"', 'Maximum', 60))` },
        now,
      )
    : 'n/a';
  // MSK Replicator copies primary -> secondary only: a failback has no Kafka replication to weigh.
  const replicates = source === s.regions.primary && target === s.regions.secondary;
  const kafkaMs = replicates
    ? await latestValue(cw, metric('AWS/Kafka', 'ReplicationLatency', [{ Name: 'ReplicatorName', Value: replicatorName(s, source, target) }]), now)
    : 'n/a';
  return {
    auroraSeconds: aurora.some((v) => v === null) ? null : Math.max(0, ...(aurora as number[])),
    cacheSeconds,
    kafkaSeconds: kafkaMs === 'n/a' || kafkaMs === null ? kafkaMs : kafkaMs / 1000,
  };
}

function metric(namespace: string, name: string, dimensions: { Name: string; Value: string }[]): MetricDataQuery {
  return { Id: 'm', MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions }, Period: 60, Stat: 'Maximum' } };
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'missing' | 'unreachable';

export async function alarmState(deps: Deps, region: string, alarmName: string): Promise<AlarmState> {
  try {
    const out = await deps.clients(region).cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] }));
    const alarm = out.CompositeAlarms?.[0] ?? out.MetricAlarms?.[0];
    return (alarm?.StateValue as AlarmState | undefined) ?? 'missing';
  } catch {
    // A region whose CloudWatch does not answer is not healthy.
    return 'unreachable';
  }
}
