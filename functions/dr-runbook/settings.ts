/**
 * What the runbook steps know about the platform: region roles, names and the policy from config. The
 * operations stack renders it as one JSON environment variable (RUNBOOK_SETTINGS), so the steps never
 * guess a name and tests build the same object from the real config (`runbookSettings` in the stack).
 */
import * as z from 'zod';

export const runbookSettingsSchema = z.object({
  environment: z.enum(['dev', 'staging', 'prod']),
  /** The region this function runs in (the runbook runs in the region that takes over). */
  region: z.string(),
  regions: z.object({ primary: z.string(), secondary: z.string(), tertiary: z.string() }),
  rpoBudgetSeconds: z.number(),
  coolDownSeconds: z.number(),
  lockLeaseSeconds: z.number(),
  approval: z.object({ unplannedDataLoss: z.enum(['always', 'overBudget']), planned: z.boolean() }),
  traffic: z.object({ mode: z.enum(['route53', 'arc']), hostedZoneId: z.string().optional(), recordName: z.string().optional() }),
  stepTimeoutSeconds: z.number(),
  /** The primary's floor, the capacity to raise to when the source's peak cannot be read. */
  fallbackCapacity: z.object({ minTasks: z.number(), maxTasks: z.number() }),
  names: z.object({
    runbookTable: z.string(),
    reportBucket: z.string(),
    opsBus: z.string(),
    killSwitchParameter: z.string(),
    restApiIdParameter: z.string(),
    apiStage: z.string(),
    apiHealthPath: z.string(),
    engineCluster: z.string(),
    engineService: z.string(),
    /** Per shard: the global cluster and its member cluster identifier per region. */
    globalClusters: z.array(z.string()),
    clusterPrefix: z.string(),
    /** `null` when the cache has no global datastore (`data.cache.globalDatastore: off`). */
    cacheGlobalDatastoreSuffix: z.string().nullable(),
    cacheReplicationGroup: z.string(),
    /** MSK Replicator into `region` (named after its source region). */
    replicatorPrefix: z.string(),
    workerFunctions: z.array(z.string()),
    shardMapParameter: z.string(),
    regionHealthAlarmPrefix: z.string(),
    /** SNS topic ARN per severity, per region: `{region}` is replaced. */
    topicArnTemplate: z.object({ critical: z.string(), warning: z.string(), info: z.string() }),
    metricNamespace: z.string(),
  }),
});
export type RunbookSettings = z.infer<typeof runbookSettingsSchema>;

export function parseSettings(json: string): RunbookSettings {
  return runbookSettingsSchema.parse(JSON.parse(json));
}

/** Cluster identifier of shard `shard` in `region` (as the data stack names it). */
export function clusterId(s: RunbookSettings, region: string, shard: number): string {
  return `${s.names.clusterPrefix}-${region}-pg-${shard}`;
}

export function regionHealthAlarm(s: RunbookSettings, region: string): string {
  return `${s.names.regionHealthAlarmPrefix}-${region}-region-health`;
}

export function replicatorName(s: RunbookSettings, from: string, to: string): string {
  return `${s.names.replicatorPrefix}-${from}-to-${to}`;
}

export function topicArn(s: RunbookSettings, severity: 'critical' | 'warning' | 'info', region: string = s.region): string {
  return s.names.topicArnTemplate[severity].replace('{region}', region);
}
