/**
 * The dashboards: one per region (what that region runs, by role) and the cross-region overview in the
 * primary. Widget titles are part of the contract with docs/operations.md ("dashboards tour") and the
 * tests; metrics come from RegionMetrics, so a dashboard and an alarm never disagree on a dimension.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { ObservabilityConfig } from '../config';
import { API_PERCENTILES, type RegionMetrics } from '../constructs/region-metrics';
import type { PlatformStack } from './platform-stack';

const HALF = 12;
const THIRD = 8;
const QUARTER = 6;
const HEIGHT = 6;

function graph(title: string, left: cw.IMetric[], options: Partial<cw.GraphWidgetProps> = {}): cw.GraphWidget {
  return new cw.GraphWidget({ title, left, width: THIRD, height: HEIGHT, ...options });
}

function header(text: string): cw.TextWidget {
  return new cw.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });
}

/** The uptime figure: the health check's success over the whole time range, against the objective. */
function uptime(title: string, metrics: RegionMetrics[], o: ObservabilityConfig): cw.SingleValueWidget {
  return new cw.SingleValueWidget({
    title,
    metrics: metrics.map((m) => m.canarySuccess('health').with({ label: `${m.region} uptime (%)` })),
    setPeriodToTimeRange: true,
    fullPrecision: true,
    width: HALF,
    height: HEIGHT,
  });
}

export function buildRegionDashboard(scope: PlatformStack, m: RegionMetrics, o: ObservabilityConfig, alarms: cw.IAlarm[]): cw.Dashboard {
  const t = o.thresholds;
  const dashboard = new cw.Dashboard(scope, 'RegionDashboard', {
    dashboardName: scope.naming.observability.regionDashboard(m.region),
    defaultInterval: Duration.hours(3),
  });
  const objective = (label: string, value: number, color = cw.Color.ORANGE): cw.HorizontalAnnotation => ({ label, value, color });

  dashboard.addWidgets(header(`API tier and uptime — ${m.region} (${scope.role})`));
  dashboard.addWidgets(
    graph('API latency p50 / p95 / p99 (ms)', API_PERCENTILES.map((p) => m.apiLatency(p)), {
      leftAnnotations: [
        objective('p50 objective', t.latencyObjectivesMs.p50, cw.Color.GREEN),
        objective('p95 objective', t.latencyObjectivesMs.p95),
        objective('p99 objective', t.latencyObjectivesMs.p99, cw.Color.PURPLE),
        objective('p95 pages', t.apiP95CriticalMs, cw.Color.RED),
      ],
    }),
    graph('API error rate (%)', [m.apiErrorRatePercent(), m.apiClientErrorRatePercent()], {
      leftAnnotations: [objective('warning', t.errorRatePercent.warning), objective('critical', t.errorRatePercent.critical, cw.Color.RED)],
    }),
    graph('API throughput (requests/min)', [m.apiRequests()]),
  );
  dashboard.addWidgets(
    graph('WebSocket connections and messages', [m.webSocket('ConnectCount'), m.webSocket('MessageCount')], { right: [m.webSocket('ExecutionError')] }),
    graph('Synthetic checks success (%)', [m.canarySuccess('health'), m.canarySuccess('ws')], {
      leftYAxis: { min: 0, max: 100 },
      leftAnnotations: [objective('uptime objective', o.canary.uptimeObjectivePercent, cw.Color.RED)],
    }),
    new cw.SingleValueWidget({
      title: `Uptime vs ${o.canary.uptimeObjectivePercent}% (GET /health success over the time range)`,
      metrics: [m.canarySuccess('health').with({ label: 'Uptime (%)' }), m.canarySuccess('ws').with({ label: 'WebSocket connect (%)' })],
      setPeriodToTimeRange: true,
      fullPrecision: true,
      width: THIRD,
      height: HEIGHT,
    }),
  );

  if (m.runsTradingCore) {
    dashboard.addWidgets(header('Trading engine and Kafka'));
    dashboard.addWidgets(
      graph('Trading engine tasks', [m.engineTasks('RunningTaskCount'), m.engineTasks('DesiredTaskCount')]),
      graph('Active trading users per task vs scaling target', [m.engineUsersPerTask()], {
        right: [m.engineActiveUsers()],
        leftAnnotations: [objective('scaling target', scope.config.tradingEngine.scaling.targetActiveUsersPerTask, cw.Color.GREEN)],
      }),
      graph('Trading engine CPU and memory (%)', [m.engineUtilization('CPUUtilization'), m.engineUtilization('MemoryUtilization')], {
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [objective('CPU warning', t.cpu.percent), objective('memory warning', t.memoryPercent, cw.Color.RED)],
      }),
    );
    const replicator = m.replicatorLatency();
    dashboard.addWidgets(
      graph('Kafka consumer lag per group (messages)', [m.engineConsumerLag(), ...m.workers.filter((w) => w.consumesKafka).map((w) => m.lambda(w.function, 'OffsetLag', 'Maximum'))]),
      replicator
        ? graph('MSK Replicator lag (ms)', [replicator])
        : // The writer is the Replicator's source: the lag is measured where it replicates to.
          new cw.TextWidget({ markdown: '**MSK Replicator lag**: this region is the source; see the secondary\'s dashboard or the overview.', width: THIRD, height: HEIGHT }),
      graph('MSK broker disk used (%)', [m.kafkaDiskUsedPercent()], { leftAnnotations: [objective('storage warning', t.storagePercent, cw.Color.RED)] }),
    );
  }

  dashboard.addWidgets(header('Aurora and cache'));
  const shards = m.auroraShards;
  dashboard.addWidgets(
    graph('Aurora connections', shards.map((s) => m.aurora(s, 'DatabaseConnections')), { width: QUARTER }),
    graph('Aurora CPU (%)', shards.map((s) => m.aurora(s, 'CPUUtilization')), { width: QUARTER, leftAnnotations: [objective('CPU warning', t.cpu.percent)] }),
    graph('Aurora readers', shards.map((s) => m.auroraReaderCount(s)), { width: QUARTER }),
    graph(
      'Aurora global replication lag and RPO lag (ms)',
      shards.flatMap((s) => [m.aurora(s, 'AuroraGlobalDBReplicationLag', 'Maximum'), m.aurora(s, 'AuroraGlobalDBRPOLag', 'Maximum')]),
      { width: QUARTER, leftAnnotations: [objective('lag warning', t.rpoLagWarningSeconds * 1000, cw.Color.RED)] },
    ),
  );
  const nodes = m.cacheNodes();
  dashboard.addWidgets(
    graph('Cache engine CPU (%)', nodes.map((n) => m.cache(n.id, 'EngineCPUUtilization')), { width: QUARTER }),
    graph('Cache memory used for data (%)', nodes.map((n) => m.cache(n.id, 'DatabaseMemoryUsagePercentage')), { width: QUARTER }),
    graph('Cache evictions', nodes.map((n) => m.cache(n.id, 'Evictions', 'Sum')), { width: QUARTER }),
    graph('Cache replication lag (s)', nodes.filter((n) => n.isReplica).map((n) => m.cache(n.id, 'ReplicationLag', 'Maximum')), { width: QUARTER }),
  );

  if (m.workers.length > 0) {
    dashboard.addWidgets(header('Workers'));
    dashboard.addWidgets(
      graph('Worker errors and invocations', m.workers.map((w) => m.lambda(w.function, 'Errors')), { right: m.workers.map((w) => m.lambda(w.function, 'Invocations')) }),
      graph('Worker duration p99 (ms)', m.workers.map((w) => m.lambda(w.function, 'Duration', 'p99'))),
      graph('Worker dead-letter depth', m.workers.map((w) => m.deadLetterDepth(w.deadLetterQueue)), {
        leftAnnotations: [objective('warning', t.deadLetterMessages, cw.Color.RED)],
      }),
    );
  }
  if (m.runbooks.length > 0) {
    dashboard.addWidgets(header('Runbooks'));
    dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Runbook executions and outcome',
        left: m.runbooks.flatMap((r) =>
          (['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'] as const).map((outcome) =>
            m.runbookExecutions(r.arn, outcome).with({ label: `${r.name.slice(scope.naming.prefix.length + 1)} ${outcome.replace('Executions', '').toLowerCase()}` }),
          ),
        ),
        stacked: false,
        width: 24,
        height: HEIGHT,
      }),
    );
  }
  dashboard.addWidgets(header('Alarms'));
  dashboard.addWidgets(new cw.AlarmStatusWidget({ title: `Alarms of ${m.region}`, alarms, width: 24, height: HEIGHT }));
  return dashboard;
}

/** The primary's view of every region: the same figures side by side (metrics carry their region). */
export function buildOverviewDashboard(scope: Construct & PlatformStack, regions: RegionMetrics[], o: ObservabilityConfig): cw.Dashboard {
  const dashboard = new cw.Dashboard(scope, 'OverviewDashboard', {
    dashboardName: scope.naming.observability.overviewDashboard,
    defaultInterval: Duration.hours(3),
  });
  const byRegion = (f: (m: RegionMetrics) => cw.Metric | cw.MathExpression | undefined, label: string) =>
    regions.flatMap((m) => {
      const metric = f(m);
      return metric ? [metric.with({ label: `${m.region} ${label}` })] : [];
    });
  dashboard.addWidgets(header('Every region'));
  dashboard.addWidgets(
    uptime(`Uptime by region vs ${o.canary.uptimeObjectivePercent}% (GET /health success over the time range)`, regions, o),
    graph('Synthetic checks success by region (%)', byRegion((m) => m.canarySuccess('health'), 'health'), { width: HALF }),
  );
  dashboard.addWidgets(
    graph('API latency p95 by region (ms)', byRegion((m) => m.apiLatency('p95'), 'p95'), {
      leftAnnotations: [{ label: 'p95 objective', value: o.thresholds.latencyObjectivesMs.p95, color: cw.Color.ORANGE }],
    }),
    graph('API error rate by region (%)', byRegion((m) => m.apiErrorRatePercent(), '5XX %'), {
      leftAnnotations: [{ label: 'critical', value: o.thresholds.errorRatePercent.critical, color: cw.Color.RED }],
    }),
    graph('API throughput by region (requests/min)', byRegion((m) => m.apiRequests(), 'requests')),
  );
  const core = regions.filter((m) => m.runsTradingCore);
  dashboard.addWidgets(
    graph('Trading engine tasks by region', byRegion((m) => (m.runsTradingCore ? m.engineTasks('RunningTaskCount') : undefined), 'running tasks')),
    graph('Active trading users by region', byRegion((m) => (m.runsTradingCore ? m.engineActiveUsers() : undefined), 'active users')),
    graph('MSK Replicator lag (ms)', byRegion((m) => m.replicatorLatency(), 'replicator latency')),
  );
  const shard0 = regions[0].auroraShards.length > 0;
  dashboard.addWidgets(
    graph('Aurora global replication lag by region (ms)', shard0 ? byRegion((m) => (m.isWriterRegion ? undefined : m.aurora(0, 'AuroraGlobalDBReplicationLag', 'Maximum')), 'shard 0 lag') : []),
    graph('Aurora RPO lag by region (ms)', shard0 ? byRegion((m) => (m.isWriterRegion ? undefined : m.aurora(0, 'AuroraGlobalDBRPOLag', 'Maximum')), 'shard 0 RPO lag') : []),
    graph(
      'Runbook executions by region',
      regions.flatMap((m) => m.runbooks.map((r) => m.runbookExecutions(r.arn, 'ExecutionsStarted').with({ label: `${m.region} ${r.name.slice(scope.naming.prefix.length + 1)} started` }))),
    ),
  );
  dashboard.addWidgets(
    graph('Kafka consumer lag by region (trading engine)', core.map((m) => m.engineConsumerLag().with({ label: `${m.region} engine lag` })), { width: HALF }),
    graph(
      'Worker dead-letter depth by region',
      core.flatMap((m) => m.workers.map((w) => m.deadLetterDepth(w.deadLetterQueue).with({ label: `${m.region} ${w.name} dead letters` }))),
      { width: HALF },
    ),
  );
  return dashboard;
}
