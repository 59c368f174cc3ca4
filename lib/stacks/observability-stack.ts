/**
 * Observability of one region (every region): the severity topics, the synthetic checks, the alarms by
 * severity, the region-health composite alarm the failover rules match by name, the info event log, the
 * region's dashboard and, in the primary, the cross-region overview dashboard.
 *
 * Everything it watches is found by deterministic name (RegionMetrics), so it deploys before the api,
 * workers and operations stacks, which publish to its topics. What it reads at deploy time: the ops bus
 * (messaging stack) and the engine's log group (application stack), both by name. See docs/operations.md.
 */
import { Annotations, ArnFormat, Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { OPS_SOURCE_PREFIX } from '@shared/events';
import { acknowledge } from '../compliance';
import { REGION_ROLES, type ObservabilityConfig } from '../config';
import type { Severity } from '../naming';
import { ApiCanaries } from '../constructs/api-canaries';
import { RegionMetrics } from '../constructs/region-metrics';
import { SeverityTopics } from '../constructs/severity-topics';
import { engineLogGroupName } from '../constructs/trading-engine-service';
import { PlatformStack, type PlatformStackProps } from './platform-stack';
import { buildOverviewDashboard, buildRegionDashboard } from './observability-dashboards';

/** An alarm this stack creates, with what a test or the docs need to know about it. */
export interface PlatformAlarm {
  readonly alarm: cw.Alarm;
  readonly severity: Exclude<Severity, 'info'>;
  /** Part of the region-health composite alarm (the failover rules act on it). */
  readonly regionHealth: boolean;
}

interface AlarmSpec {
  readonly name: string;
  readonly description: string;
  readonly metric: cw.IMetric;
  readonly threshold: number;
  readonly comparison?: cw.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: cw.TreatMissingData;
  readonly regionHealth?: boolean;
}

export class ObservabilityStack extends PlatformStack {
  readonly topics: SeverityTopics;
  readonly canaries: ApiCanaries;
  readonly metrics: RegionMetrics;
  readonly alarms: PlatformAlarm[] = [];
  readonly regionHealth: cw.CompositeAlarm;
  readonly infoLog: logs.LogGroup;
  readonly dashboard: cw.Dashboard;
  /** Only in the primary. */
  readonly overview?: cw.Dashboard;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description' | 'stateful'>) {
    super(scope, id, { ...props, description: `Observability of the ${props.role} region: alarm topics, alarms, synthetic checks, dashboards` });
    const o = this.config.observability;
    this.metrics = new RegionMetrics(this, { naming: this.naming, config: this.config, role: this.role });

    this.topics = new SeverityTopics(this, 'AlarmTopics', { naming: this.naming, subscriptions: o.subscriptions, removalPolicy: this.dataRemovalPolicy });
    this.canaries = new ApiCanaries(this, 'Canaries', { naming: this.naming, canary: o.canary, removalPolicy: this.dataRemovalPolicy });

    this.criticalAlarms(o);
    this.warningAlarms(o);
    this.regionHealth = new cw.CompositeAlarm(this, 'RegionHealth', {
      compositeAlarmName: this.naming.regionHealthAlarmName(this.region),
      alarmDescription: `${this.region} is unhealthy: its API is down or failing, or its database is down. The failover rules of the regions that can take over match this alarm by name (docs/operations.md).`,
      alarmRule: cw.AlarmRule.anyOf(...this.alarms.filter((a) => a.regionHealth).map((a) => cw.AlarmRule.fromAlarm(a.alarm, cw.AlarmState.ALARM))),
    });
    // Its members page on their own; the composite's changes are recorded (info) and drive failover.
    this.regionHealth.addAlarmAction(new cwActions.SnsAction(this.topics.topics.info));
    this.regionHealth.addOkAction(new cwActions.SnsAction(this.topics.topics.info));

    this.infoLog = this.infoEvents();
    if (this.metrics.runsTradingCore) this.engineErrorFilter();

    this.dashboard = buildRegionDashboard(this, this.metrics, o, this.alarms.map((a) => a.alarm));
    if (this.role === 'primary') {
      const regions = REGION_ROLES.map((role) => new RegionMetrics(this, { naming: this.naming, config: this.config, role }));
      this.overview = buildOverviewDashboard(this, regions, o);
    }
    if (this.config.environment === 'prod' && o.subscriptions.critical.emails.length + o.subscriptions.critical.httpsEndpoints.length === 0) {
      Annotations.of(this.topics.topics.critical).addWarningV2(
        'platform:nobody-paged',
        'The critical topic has no subscription: nobody is paged. Add observability.subscriptions.critical (docs/operations.md).',
      );
    }
  }

  /** Critical pages: the region's API is down or failing, or its database is down. */
  private criticalAlarms(o: ObservabilityConfig): void {
    const m = this.metrics;
    const { canary, thresholds: t } = o;
    const runs = { evaluationPeriods: canary.evaluationRuns, datapointsToAlarm: canary.failedRunsToAlarm };
    const period = Duration.minutes(canary.scheduleMinutes);
    // Missing runs keep the state: a canary that has not run yet (a fresh deploy) must not start a failover.
    for (const [check, what] of [['health', 'GET /health'], ['ws', 'WebSocket connect']] as const) {
      this.addAlarm('critical', check === 'health' ? 'HealthCheckFailing' : 'WebSocketCheckFailing', {
        name: `canary-${check}-failing`,
        description: `${what} failed in ${canary.failedRunsToAlarm} of the last ${canary.evaluationRuns} synthetic runs: the API is down in ${this.region}.`,
        metric: m.canarySuccess(check, period),
        threshold: 100,
        comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
        ...runs,
        treatMissingData: cw.TreatMissingData.MISSING,
        regionHealth: check === 'health',
      });
    }
    this.addAlarm('critical', 'ApiErrorRateCritical', {
      name: 'api-5xx-rate-critical',
      description: `More than ${t.errorRatePercent.critical}% of API requests fail with 5XX (3 of 5 minutes).`,
      metric: m.apiErrorRatePercent(),
      threshold: t.errorRatePercent.critical,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      regionHealth: true,
    });
    this.addAlarm('critical', 'ApiP95Critical', {
      name: 'api-p95-critical',
      description: `API p95 latency above ${t.apiP95CriticalMs} ms (3 of 5 minutes).`,
      metric: m.apiLatency('p95'),
      threshold: t.apiP95CriticalMs,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    for (const shard of m.auroraShards) {
      this.addAlarm('critical', `DatabaseDownShard${shard}`, {
        name: `database-down-shard-${shard}`,
        description: `Aurora cluster ${m.auroraClusterId(shard)} sent no metrics for 3 minutes: the database of shard ${shard} is down in ${this.region}.`,
        metric: m.auroraHeartbeat(shard),
        threshold: 1,
        comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cw.TreatMissingData.BREACHING,
        regionHealth: true,
      });
    }
  }

  /** Warning notifies: error rate, latency objectives, sustained CPU, memory, storage, lag, dead letters. */
  private warningAlarms(o: ObservabilityConfig): void {
    const m = this.metrics;
    const t = o.thresholds;
    const sustained = { evaluationPeriods: t.cpu.minutes, datapointsToAlarm: t.cpu.minutes };
    this.addAlarm('warning', 'ApiErrorRateWarning', {
      name: 'api-5xx-rate-warning',
      description: `More than ${t.errorRatePercent.warning}% of API requests fail with 5XX (3 of 5 minutes).`,
      metric: m.apiErrorRatePercent(),
      threshold: t.errorRatePercent.warning,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    for (const p of ['p50', 'p95', 'p99'] as const) {
      this.addAlarm('warning', `ApiLatencyObjective${p.toUpperCase()}`, {
        name: `api-${p}-objective`,
        description: `API ${p} latency misses its ${t.latencyObjectivesMs[p]} ms objective (3 of 5 minutes).`,
        metric: m.apiLatency(p),
        threshold: t.latencyObjectivesMs[p],
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      });
    }
    if (m.runsTradingCore) {
      this.addAlarm('warning', 'EngineCpu', {
        name: 'engine-cpu',
        description: `Trading engine CPU above ${t.cpu.percent}% for ${t.cpu.minutes} minutes (scaling is not keeping up).`,
        metric: m.engineUtilization('CPUUtilization'),
        threshold: t.cpu.percent,
        ...sustained,
      });
      this.addAlarm('warning', 'EngineMemory', {
        name: 'engine-memory',
        description: `Trading engine memory above ${t.memoryPercent}% (5 minutes).`,
        metric: m.engineUtilization('MemoryUtilization'),
        threshold: t.memoryPercent,
        evaluationPeriods: 5,
      });
      this.addAlarm('warning', 'KafkaStorage', {
        name: 'kafka-storage',
        description: `An MSK broker's data disk is more than ${t.storagePercent}% used.`,
        metric: m.kafkaDiskUsedPercent(),
        threshold: t.storagePercent,
        evaluationPeriods: 2,
      });
      for (const worker of m.workers) {
        this.addAlarm('warning', `DeadLetters-${worker.name}`, {
          name: `${worker.name}-dead-letters`,
          description: `${worker.deadLetterQueue} holds ${t.deadLetterMessages} or more messages: events the ${worker.name} worker could not process.`,
          metric: m.deadLetterDepth(worker.deadLetterQueue),
          threshold: t.deadLetterMessages,
          comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        });
      }
    }
    for (const shard of m.auroraShards) {
      this.addAlarm('warning', `DatabaseCpuShard${shard}`, {
        name: `database-cpu-shard-${shard}`,
        description: `Aurora cluster ${m.auroraClusterId(shard)} CPU above ${t.cpu.percent}% for ${t.cpu.minutes} minutes.`,
        metric: m.aurora(shard, 'CPUUtilization'),
        threshold: t.cpu.percent,
        ...sustained,
      });
      if (!m.isWriterRegion) {
        this.addAlarm('warning', `DatabaseReplicationLagShard${shard}`, {
          name: `database-replication-lag-shard-${shard}`,
          description: `Aurora global replication into ${this.region} lags more than ${t.rpoLagWarningSeconds} s (shard ${shard}): a failover now would lose that much.`,
          metric: m.aurora(shard, 'AuroraGlobalDBReplicationLag', 'Maximum'),
          threshold: t.rpoLagWarningSeconds * 1000,
          evaluationPeriods: 3,
        });
      }
    }
    this.addAlarm('warning', 'CacheCpu', {
      name: 'cache-cpu',
      description: `A cache node's engine CPU above ${t.cpu.percent}% for ${t.cpu.minutes} minutes.`,
      metric: m.cacheHighest('EngineCPUUtilization'),
      threshold: t.cpu.percent,
      ...sustained,
    });
    this.addAlarm('warning', 'CacheMemory', {
      name: 'cache-memory',
      description: `A cache node uses more than ${t.memoryPercent}% of its memory for data (evictions follow).`,
      metric: m.cacheHighest('DatabaseMemoryUsagePercentage'),
      threshold: t.memoryPercent,
      evaluationPeriods: 5,
    });
    for (const runbook of m.runbooks) {
      this.addAlarm('warning', `RunbookFailed-${runbook.name}`, {
        name: `${runbook.name.slice(this.naming.prefix.length + 1)}-failed`,
        description: `Runbook ${runbook.name} failed, timed out or was aborted: see its execution history and docs/runbooks/.`,
        metric: new cw.MathExpression({
          expression: 'failed + timedOut + aborted',
          usingMetrics: {
            failed: m.runbookExecutions(runbook.arn, 'ExecutionsFailed'),
            timedOut: m.runbookExecutions(runbook.arn, 'ExecutionsTimedOut'),
            aborted: m.runbookExecutions(runbook.arn, 'ExecutionsAborted'),
          },
          label: 'Failed, timed out or aborted',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }
  }

  private addAlarm(severity: 'critical' | 'warning', id: string, spec: AlarmSpec): cw.Alarm {
    const alarm = new cw.Alarm(this, id, {
      alarmName: this.naming.physicalName(spec.name),
      alarmDescription: `[${severity}] ${spec.description} What to do: docs/operations.md#${spec.name.replace(/-(shard-\d+|notifications|reporting)$/, '')}`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData ?? cw.TreatMissingData.NOT_BREACHING,
    });
    const topic = new cwActions.SnsAction(this.topics.topics[severity]);
    alarm.addAlarmAction(topic);
    // The pager resolves the incident when the alarm clears.
    if (severity === 'critical') alarm.addOkAction(topic);
    this.alarms.push({ alarm, severity, regionHealth: spec.regionHealth ?? false });
    return alarm;
  }

  /**
   * Info is logged: deployments and service actions of the engine, runbook executions and steps, alarm
   * state changes and ops events go to a log group (and the info topic, for whoever subscribes).
   */
  private infoEvents(): logs.LogGroup {
    const log = new logs.LogGroup(this, 'InfoEvents', {
      logGroupName: this.naming.observability.infoLogGroup,
      retention: this.logRetention,
      removalPolicy: this.dataRemovalPolicy,
    });
    const deadLetters = new sqs.Queue(this, 'InfoEventsDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(deadLetters, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the info event rules (events EventBridge could not deliver); it needs no dead-letter queue of its own.',
    });
    // One resource policy for every rule: CloudWatch Logs allows 10 per region and account, and CDK's
    // CloudWatchLogGroup target would add one per rule through a custom resource with logs:* on `*`.
    new logs.ResourcePolicy(this, 'InfoEventsWriters', {
      resourcePolicyName: this.naming.physicalName('info-events-writers'),
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [log.logGroupArn],
        }),
      ],
    });
    const toLog: events.IRuleTarget = {
      bind: () => ({
        arn: this.formatArn({ service: 'logs', resource: 'log-group', resourceName: log.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        deadLetterConfig: { arn: deadLetters.queueArn },
      }),
    };
    const deliver = [toLog, new targets.SnsTopic(this.topics.topics.info, { deadLetterQueue: deadLetters })];
    const { partition, account, region } = this;
    const engine = this.naming.tradingEngine;
    const rule = (id: string, description: string, eventPattern: events.EventPattern, eventBus?: events.IEventBus) =>
      new events.Rule(this, id, { description, eventPattern, eventBus, targets: deliver });

    rule('AlarmStateChanges', 'Every state change of this environment\u2019s alarms (the audit of what paged and when)', {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: events.Match.prefix(`arn:${partition}:cloudwatch:${region}:${account}:alarm:${this.naming.prefix}-`),
    });
    if (this.metrics.runsTradingCore) {
      rule('EngineDeployments', 'Deployments and service actions (scaling, placement) of the trading engine', {
        source: ['aws.ecs'],
        detailType: ['ECS Deployment State Change', 'ECS Service Action'],
        resources: [`arn:${partition}:ecs:${region}:${account}:service/${engine.cluster}/${engine.service}`],
      });
    }
    rule('DatabaseEvents', 'Aurora cluster events: failovers, global switchovers, readers added or removed by auto scaling', {
      source: ['aws.rds'],
      detailType: ['RDS DB Cluster Event'],
      resources: this.metrics.auroraShards.map((s) => `arn:${partition}:rds:${region}:${account}:cluster:${this.metrics.auroraClusterId(s)}`),
    });
    if (this.metrics.runbooks.length > 0) {
      rule('RunbookExecutions', 'Start and outcome of every runbook execution', {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: this.metrics.runbooks.map((r) => r.arn) },
      });
    }
    const opsBus = events.EventBus.fromEventBusName(this, 'OpsBus', this.naming.opsBusName);
    rule('OpsEvents', 'Ops events on the region\u2019s ops bus: failover requested, runbook steps, drills, region health', { source: events.Match.prefix(OPS_SOURCE_PREFIX) }, opsBus);
    return log;
  }

  /** Error lines of the engine (JSON logs, level "error") as a metric, and a warning when they persist. */
  private engineErrorFilter(): void {
    const namespace = this.naming.tradingEngine.metricNamespace;
    const engineLogs = logs.LogGroup.fromLogGroupName(this, 'EngineLogs', engineLogGroupName(this.naming));
    new logs.MetricFilter(this, 'EngineErrors', {
      logGroup: engineLogs,
      filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'error'),
      metricNamespace: namespace,
      metricName: 'ErrorLogLines',
      metricValue: '1',
      defaultValue: 0,
    });
    this.addAlarm('warning', 'EngineErrorLogs', {
      name: 'engine-error-logs',
      description: 'The trading engine logged errors in 5 consecutive minutes (records failing, kill switch unreadable, engine restarts).',
      metric: new cw.Metric({ namespace, metricName: 'ErrorLogLines', statistic: 'Sum', period: Duration.minutes(1) }),
      threshold: 0,
      evaluationPeriods: 5,
    });
  }
}
