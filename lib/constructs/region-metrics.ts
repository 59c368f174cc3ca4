/**
 * Every CloudWatch metric of one region's platform, built from deterministic names only (lib/naming.ts,
 * dataNames): the API, engine, MSK, Aurora, cache, workers and runbooks are created by other stacks (some
 * on other branches) and none is read at deploy time. Metrics carry their region, so the primary's
 * overview dashboard can chart every region; alarms use them in their own region only.
 *
 * Dimension names are AWS's (API Gateway by ApiName + Stage, Lambda by FunctionName, SQS by QueueName,
 * States by StateMachineArn, ECS by ClusterName + ServiceName, MSK by 'Cluster Name', Aurora by
 * DBClusterIdentifier, ElastiCache by CacheClusterId) and the engine's own (trading-engine-service.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { TOPICS } from '@shared/events';
import { ROLE_CAPABILITIES, type PlatformConfig, type RegionRole } from '../config';
import type { Naming } from '../naming';
import { dataNames } from '../stacks/data-contract';
import { ACTIVE_USERS_METRIC } from './trading-engine-service';

const MINUTE = Duration.minutes(1);
export const API_PERCENTILES = ['p50', 'p95', 'p99'] as const;
export type ApiPercentile = (typeof API_PERCENTILES)[number];

export interface RegionMetricsProps {
  readonly naming: Naming;
  readonly config: PlatformConfig;
  readonly role: RegionRole;
}

export class RegionMetrics {
  readonly region: string;
  readonly runsTradingCore: boolean;
  readonly canTakeOver: boolean;
  readonly isWriterRegion: boolean;
  private readonly role: RegionRole;
  private readonly naming: Naming;
  private readonly config: PlatformConfig;
  private readonly stack: Stack;

  constructor(scope: Construct, props: RegionMetricsProps) {
    this.stack = Stack.of(scope);
    this.naming = props.naming;
    this.role = props.role;
    this.config = props.config;
    this.region = props.config.regions[props.role].region;
    const capabilities = ROLE_CAPABILITIES[props.role];
    this.runsTradingCore = capabilities.runsTradingCore;
    this.canTakeOver = capabilities.canTakeOver;
    this.isWriterRegion = capabilities.isWriterRegion;
  }

  private metric(namespace: string, metricName: string, dimensionsMap: Record<string, string>, statistic: string, label?: string, period = MINUTE): cw.Metric {
    return new cw.Metric({ namespace, metricName, dimensionsMap, statistic, label, period, region: this.region });
  }

  /** Math over metrics that carry their region; only a SEARCH needs the region of its own (alarms refuse it). */
  private math(expression: string, usingMetrics: Record<string, cw.IMetric>, label: string, period = MINUTE): cw.MathExpression {
    // Ids carry the region and metric: one graph of the overview holds the same expression for every region.
    const suffix = `${this.region}_${label}`.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    const renamed: Record<string, cw.IMetric> = {};
    for (const [id, metric] of Object.entries(usingMetrics)) {
      renamed[`${id}_${suffix}`] = metric;
      expression = expression.replace(new RegExp(`\\b${id}\\b`, 'g'), `${id}_${suffix}`);
    }
    return new cw.MathExpression({ expression, usingMetrics: renamed, label, period, searchRegion: expression.startsWith('SEARCH(') ? this.region : undefined });
  }

  // ---- API tier (REST by ApiName + Stage) ----

  private get apiDimensions(): Record<string, string> {
    return { ApiName: this.naming.api.restApiName, Stage: this.naming.api.stageName };
  }

  apiLatency(percentile: ApiPercentile): cw.Metric {
    return this.metric('AWS/ApiGateway', 'Latency', this.apiDimensions, percentile, `API latency ${percentile}`);
  }

  apiRequests(): cw.Metric {
    return this.metric('AWS/ApiGateway', 'Count', this.apiDimensions, 'Sum', 'Requests');
  }

  /** 5XX responses as a percent of requests (API Gateway's 5XXError average is the fraction). */
  apiErrorRatePercent(): cw.MathExpression {
    return this.math('100 * errors', { errors: this.metric('AWS/ApiGateway', '5XXError', this.apiDimensions, 'Average') }, '5XX rate (%)');
  }

  apiClientErrorRatePercent(): cw.MathExpression {
    return this.math('100 * errors', { errors: this.metric('AWS/ApiGateway', '4XXError', this.apiDimensions, 'Average') }, '4XX rate (%)');
  }

  /**
   * WebSocket metrics are keyed by ApiId, which API Gateway generates: a search on the stage finds the
   * region's WebSocket API without a deploy-time read (the api stack deploys after this one).
   */
  webSocket(metricName: 'ConnectCount' | 'MessageCount' | 'ExecutionError' | 'IntegrationError' | 'ClientError'): cw.MathExpression {
    return this.math(
      `SEARCH('{AWS/ApiGateway,ApiId,Stage} MetricName="${metricName}" Stage="${this.naming.api.stageName}"', 'Sum', 60)`,
      {},
      `WebSocket ${metricName}`,
    );
  }

  // ---- Synthetic checks ----

  canarySuccess(check: 'health' | 'ws', period = MINUTE): cw.Metric {
    const label = check === 'health' ? 'GET /health success (%)' : 'WebSocket connect success (%)';
    return this.metric('CloudWatchSynthetics', 'SuccessPercent', { CanaryName: this.naming.canaryName(check) }, 'Average', label, period);
  }

  // ---- Trading engine (ECS, Container Insights, its own namespace) ----

  private get engineDimensions(): Record<string, string> {
    const { cluster, service } = this.naming.tradingEngine;
    return { ClusterName: cluster, ServiceName: service };
  }

  engineTasks(which: 'RunningTaskCount' | 'DesiredTaskCount'): cw.Metric {
    return this.metric('ECS/ContainerInsights', which, this.engineDimensions, 'Average', which === 'RunningTaskCount' ? 'Running tasks' : 'Desired tasks');
  }

  engineActiveUsers(): cw.Metric {
    return this.metric(this.naming.tradingEngine.metricNamespace, ACTIVE_USERS_METRIC, this.engineDimensions, 'Sum', 'Active trading users');
  }

  /** The scaling metric itself: sum(ActiveTradingUsers) / RunningTaskCount (trading-engine-service.ts). */
  engineUsersPerTask(): cw.MathExpression {
    return this.math('users / tasks', { users: this.engineActiveUsers(), tasks: this.engineTasks('RunningTaskCount') }, 'Active users per task');
  }

  engineUtilization(which: 'CPUUtilization' | 'MemoryUtilization'): cw.Metric {
    return this.metric('AWS/ECS', which, this.engineDimensions, 'Average', which === 'CPUUtilization' ? 'Engine CPU (%)' : 'Engine memory (%)');
  }

  // ---- MSK ----

  /** Consumer lag of a group on a topic (MSK publishes it per 'Consumer Group' + 'Topic'). */
  kafkaConsumerLag(consumerGroup: string, topic: string): cw.Metric {
    return this.metric(
      'AWS/Kafka',
      'SumOffsetLag',
      { 'Consumer Group': consumerGroup, 'Cluster Name': this.naming.kafkaClusterName, Topic: topic },
      'Maximum',
      `${consumerGroup} on ${topic}`,
    );
  }

  engineConsumerLag(): cw.Metric {
    return this.kafkaConsumerLag(this.naming.tradingEngine.consumerGroup, TOPICS.signals);
  }

  /** Highest broker disk use (%): MSK publishes KafkaDataLogsDiskUsed per broker (ids 1..n). */
  kafkaDiskUsedPercent(): cw.MathExpression {
    const brokers = this.config.messaging.kafka.brokers;
    const usingMetrics: Record<string, cw.IMetric> = {};
    for (let id = 1; id <= brokers; id++) {
      usingMetrics[`b${id}`] = this.metric('AWS/Kafka', 'KafkaDataLogsDiskUsed', { 'Cluster Name': this.naming.kafkaClusterName, 'Broker ID': String(id) }, 'Maximum');
    }
    return this.math(`MAX([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, 'Broker disk used, highest (%)', Duration.minutes(5));
  }

  /** MSK Replicator lag into this region (only a trading-core region that is not the writer runs one). */
  replicatorLatency(): cw.Metric | undefined {
    if (!this.runsTradingCore || this.isWriterRegion) return undefined;
    const name = this.naming.kafkaReplicatorName(this.config.regions.primary.region, this.region);
    return this.metric('AWS/Kafka', 'ReplicationLatency', { ReplicatorName: name }, 'Maximum', 'MSK Replicator latency (ms)');
  }

  // ---- Aurora (one cluster per shard in each region) ----

  get auroraShards(): number[] {
    return Array.from({ length: this.config.data.aurora.shards }, (_, i) => i);
  }

  auroraClusterId(shard: number): string {
    return dataNames(this.naming).cluster(this.region, shard);
  }

  aurora(shard: number, metricName: 'DatabaseConnections' | 'CPUUtilization' | 'AuroraGlobalDBReplicationLag' | 'AuroraGlobalDBRPOLag', statistic = 'Average'): cw.Metric {
    return this.metric('AWS/RDS', metricName, { DBClusterIdentifier: this.auroraClusterId(shard) }, statistic, `shard ${shard} ${metricName}`);
  }

  /** Readers reporting: each reader instance sends one CPU datapoint a minute under Role=READER. */
  auroraReaderCount(shard: number): cw.Metric {
    return this.metric('AWS/RDS', 'CPUUtilization', { DBClusterIdentifier: this.auroraClusterId(shard), Role: 'READER' }, 'SampleCount', `shard ${shard} readers`);
  }

  /** A heartbeat: the cluster sends CPU every minute while it runs; none means it is down. */
  auroraHeartbeat(shard: number): cw.Metric {
    return this.metric('AWS/RDS', 'CPUUtilization', { DBClusterIdentifier: this.auroraClusterId(shard) }, 'SampleCount', `shard ${shard} datapoints`);
  }

  // ---- ElastiCache (cluster mode: nodes <group>-<shard 4 digits>-<node 3 digits>) ----

  cacheNodes(): { id: string; isReplica: boolean }[] {
    const group = dataNames(this.naming).cacheReplicationGroup;
    const { shards, replicasPerShard } = this.config.data.cache;
    const nodes: { id: string; isReplica: boolean }[] = [];
    for (let s = 1; s <= shards; s++) {
      for (let n = 1; n <= replicasPerShard[this.role] + 1; n++) {
        nodes.push({ id: `${group}-${String(s).padStart(4, '0')}-${String(n).padStart(3, '0')}`, isReplica: n > 1 });
      }
    }
    return nodes;
  }

  cache(nodeId: string, metricName: 'EngineCPUUtilization' | 'DatabaseMemoryUsagePercentage' | 'Evictions' | 'ReplicationLag', statistic = 'Average'): cw.Metric {
    return this.metric('AWS/ElastiCache', metricName, { CacheClusterId: nodeId }, statistic, `${nodeId} ${metricName}`);
  }

  /** The highest value of `metricName` over every node (one alarm for the whole group). */
  cacheHighest(metricName: 'EngineCPUUtilization' | 'DatabaseMemoryUsagePercentage', period = MINUTE): cw.MathExpression {
    const usingMetrics: Record<string, cw.IMetric> = {};
    this.cacheNodes().forEach((node, i) => (usingMetrics[`n${i}`] = this.cache(node.id, metricName)));
    return this.math(`MAX([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, `Cache ${metricName}, highest node`, period);
  }

  // ---- Workers (trading-core regions): Lambda by FunctionName, their dead-letter queues by QueueName ----

  /** The event workers and the jobs function; `consumesKafka`: an MSK consumer (it has an offset lag). */
  get workers(): { name: string; function: string; deadLetterQueue: string; consumesKafka: boolean }[] {
    if (!this.runsTradingCore) return [];
    const w = this.naming.workers;
    return [
      { name: 'notifications', function: w.notifications, deadLetterQueue: w.notificationsDeadLetterQueue, consumesKafka: true },
      { name: 'reporting', function: w.reporting, deadLetterQueue: w.reportingDeadLetterQueue, consumesKafka: true },
      { name: 'reporting-jobs', function: w.reportingJobs, deadLetterQueue: w.schedulesDeadLetterQueue, consumesKafka: false },
    ];
  }

  lambda(functionName: string, metricName: 'Errors' | 'Invocations' | 'Duration' | 'OffsetLag' | 'Throttles', statistic = 'Sum'): cw.Metric {
    return this.metric('AWS/Lambda', metricName, { FunctionName: functionName }, statistic, `${functionName} ${metricName}`);
  }

  deadLetterDepth(queueName: string): cw.Metric {
    return this.metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queueName }, 'Maximum', `${queueName} messages`);
  }

  // ---- Runbooks (regions that can take over): Step Functions by StateMachineArn ----

  get runbooks(): { name: string; arn: string }[] {
    if (!this.canTakeOver) return [];
    const r = this.naming.runbooks;
    return [r.regionEvacuation, r.databaseFailover, r.failback, r.restore].map((name) => ({
      name,
      arn: `arn:${this.stack.partition}:states:${this.region}:${this.stack.account}:stateMachine:${name}`,
    }));
  }

  runbookExecutions(arn: string, outcome: 'ExecutionsStarted' | 'ExecutionsSucceeded' | 'ExecutionsFailed' | 'ExecutionsTimedOut' | 'ExecutionsAborted'): cw.Metric {
    return this.metric('AWS/States', outcome, { StateMachineArn: arn }, 'Sum', outcome.replace('Executions', ''), Duration.minutes(5));
  }
}

