/**
 * Every name that crosses a stack or a region comes from here: stack ids, physical names, SSM parameter
 * paths. Producers write and consumers read the same deterministic names, so stacks are wired without
 * CloudFormation exports (which cannot change while imported and never cross regions).
 *
 *   stack id         <app>-<env>-<region>-<layer>     trading-prod-us-east-1-network
 *   global stack id  <app>-<env>-global               trading-prod-global (in the primary region)
 *   physical name    <app>-<env>-<name>               trading-prod-ops
 *   SSM parameter    /<app>/<env>/<path>              /trading/prod/network/vpc-id
 *
 * One region deploys with `cdk deploy '<app>-<env>-<region>-*'`.
 */
import { createHash } from 'node:crypto';
import type { PlatformConfig } from './config';

/**
 * Stacks per region, in deployment order. Stateful layers carry termination protection. `keys` holds the
 * region's customer-managed keys apart from the data they encrypt: other regions' data stacks name them
 * (global table replicas, secret replicas) before this region's data stack exists.
 */
export const REGION_LAYERS = [
  'network',
  'keys',
  'data',
  'messaging',
  'application',
  'identity',
  'api',
  'workers',
  'observability',
  'operations',
] as const;
export type RegionLayer = (typeof REGION_LAYERS)[number];

/** What the messaging stack of a trading-core region publishes under /<app>/<env>/messaging/kafka/…. */
export const KAFKA_PARAMETERS = ['cluster-arn', 'bootstrap-brokers', 'client-security-group-id'] as const;
export type KafkaParameter = (typeof KAFKA_PARAMETERS)[number];

/** The event workers that consume MSK (workers stack). */
export const WORKER_NAMES = ['notifications', 'reporting'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];
/** The reporting worker's scheduled jobs (EventBridge Scheduler sends `{"job":"<name>"}`). */
export const REPORTING_JOBS = ['rollup', 'retention', 'export'] as const;
export type ReportingJob = (typeof REPORTING_JOBS)[number];
/** What the workers stack publishes under /<app>/<env>/workers/… for operators. */
export const WORKERS_PARAMETERS = ['reports-bucket', 'notifications-dlq-url', 'reporting-dlq-url', 'schedules-dlq-url'] as const;
export type WorkersParameter = (typeof WORKERS_PARAMETERS)[number];

/** Alarm severities: critical pages, warning notifies, info is logged (docs/operations.md). */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export class Naming {
  readonly prefix: string;

  constructor(
    readonly app: string,
    readonly environment: string,
  ) {
    this.prefix = `${app}-${environment}`;
  }

  static of(config: PlatformConfig): Naming {
    return new Naming(config.app, config.environment);
  }

  regionStackId(region: string, layer: RegionLayer): string {
    return `${this.prefix}-${region}-${layer}`;
  }

  get globalStackId(): string {
    return `${this.prefix}-global`;
  }

  /** A physical name unique to this app and environment (regional resources). */
  physicalName(...parts: string[]): string {
    return [this.prefix, ...parts].join('-');
  }

  /** A physical name for account-global resources (IAM roles): carries the region. */
  regionalPhysicalName(region: string, ...parts: string[]): string {
    return [this.prefix, region, ...parts].join('-');
  }

  /** An SSM parameter path under this app and environment. */
  parameter(...parts: string[]): string {
    return `/${this.app}/${this.environment}/${parts.join('/')}`;
  }

  /** The MSK cluster of a trading-core region (one per region, same name in each). */
  get kafkaClusterName(): string {
    return this.physicalName('kafka');
  }

  /** The EventBridge bus for operational events, one per region (same name in each). */
  get opsBusName(): string {
    return this.physicalName('ops');
  }

  /** The ARN of the ops bus in `region`: deterministic, so other regions can target it without a lookup. */
  opsBusArn(partition: string, region: string, account: string): string {
    return `arn:${partition}:events:${region}:${account}:event-bus/${this.opsBusName}`;
  }

  kafkaParameter(key: KafkaParameter): string {
    return this.parameter('messaging', 'kafka', key);
  }

  /**
   * The region's trading kill switch, an SSM parameter: `on` halts new trading (the engine stops taking
   * signals; the API should refuse trading commands), `off` allows it. The DR runbook turns it on in the
   * region it evacuates. Created `off` by the application stack.
   */
  get killSwitchParameter(): string {
    return this.parameter('application', 'kill-switch');
  }

  /** The trading engine's names in every region that runs it (the runbooks scale it by these). */
  get tradingEngine(): { readonly cluster: string; readonly service: string; readonly consumerGroup: string; readonly metricNamespace: string } {
    return {
      cluster: this.physicalName('engine'),
      service: this.physicalName('trading-engine'),
      consumerGroup: this.physicalName('trading-engine'),
      metricNamespace: `${this.app}/${this.environment}/TradingEngine`,
    };
  }

  /** A CloudWatch metric namespace of one component, e.g. `trading/prod/Api`. */
  metricNamespace(component: string): string {
    return `${this.app}/${this.environment}/${component}`;
  }

  /** The REST and WebSocket APIs of a region (same names in each region) and the stage clients call. */
  get api(): {
    readonly restApiName: string;
    readonly webSocketApiName: string;
    readonly stageName: string;
    readonly healthPath: string;
    readonly restApiIdParameter: string;
    readonly webSocketApiIdParameter: string;
    readonly metricNamespace: string;
    /** The API's Lambda functions (same names in each region); observability alarms on them. */
    readonly functions: {
      readonly authorizer: string;
      readonly dashboard: string;
      readonly plans: string;
      readonly preferences: string;
      readonly commands: string;
      readonly billingWebhook: string;
      readonly webSocket: string;
      readonly cacheInvalidation: string;
    };
    /** The WAF WebACL on the REST stage (metric name and WebACL name). */
    readonly webAclName: string;
    /** Access log groups of the REST and WebSocket stages. */
    readonly restAccessLogGroup: string;
    readonly webSocketAccessLogGroup: string;
    /** The billing provider's HMAC signing secret (created in the primary, replicated to every region). */
    readonly billingWebhookSecretName: string;
    /** The cache-invalidation consumer's group on trading.positions (trading-core regions). */
    readonly cacheInvalidationConsumerGroup: string;
    /** A region-local copy of the user pool's JWKS the authorizer keeps, so tokens verify with the pool's region down. */
    readonly jwksCopyParameter: string;
  } {
    return {
      restApiName: this.physicalName('api'),
      webSocketApiName: this.physicalName('ws'),
      stageName: 'v1',
      healthPath: '/health',
      restApiIdParameter: this.parameter('api', 'rest-api-id'),
      webSocketApiIdParameter: this.parameter('api', 'websocket-api-id'),
      metricNamespace: this.metricNamespace('Api'),
      functions: {
        authorizer: this.physicalName('api-authorizer'),
        dashboard: this.physicalName('api-dashboard'),
        plans: this.physicalName('api-plans'),
        preferences: this.physicalName('api-preferences'),
        commands: this.physicalName('api-commands'),
        billingWebhook: this.physicalName('api-billing-webhook'),
        webSocket: this.physicalName('api-websocket'),
        cacheInvalidation: this.physicalName('api-cache-invalidation'),
      },
      webAclName: this.physicalName('api-waf'),
      restAccessLogGroup: `/${this.app}/${this.environment}/api/rest-access`,
      webSocketAccessLogGroup: `/${this.app}/${this.environment}/api/websocket-access`,
      billingWebhookSecretName: this.physicalName('api', 'billing-webhook'),
      cacheInvalidationConsumerGroup: this.physicalName('api-cache-invalidation'),
      jwksCopyParameter: this.parameter('api', 'jwks-copy'),
    };
  }

  /**
   * The Cognito user pool (identity stack, primary region only). Its ids are published in the primary's
   * parameter store; the api stacks of other regions read them at deploy time (CrossRegionParameter).
   */
  get identity(): { readonly userPoolName: string; readonly userPoolIdParameter: string; readonly userPoolClientIdParameter: string } {
    return {
      userPoolName: this.physicalName('users'),
      userPoolIdParameter: this.parameter('identity', 'user-pool-id'),
      userPoolClientIdParameter: this.parameter('identity', 'user-pool-client-id'),
    };
  }

  /**
   * The event workers' names (trading-core regions, workers stack): functions, dead-letter queues, the
   * consumer group of each (worker, topic), the reporting jobs' schedules and reports bucket, and the SSM
   * parameters operators read.
   */
  get workers(): {
    readonly notifications: string;
    readonly reporting: string;
    readonly reportingJobs: string;
    readonly reportingMigrations: string;
    readonly notificationsDeadLetterQueue: string;
    readonly reportingDeadLetterQueue: string;
    readonly schedulesDeadLetterQueue: string;
    readonly metricNamespace: string;
    /** One group per (worker, topic): a group's committed offsets then belong to one mapping only. */
    consumerGroup(worker: WorkerName, topic: string): string;
    schedule(job: ReportingJob): string;
    /** S3 names are global: region and account make it unique. */
    reportsBucket(region: string, account: string): string;
    parameter(key: WorkersParameter): string;
  } {
    return {
      notifications: this.physicalName('notifications'),
      reporting: this.physicalName('reporting'),
      reportingJobs: this.physicalName('reporting-jobs'),
      reportingMigrations: this.physicalName('reporting-migrations'),
      notificationsDeadLetterQueue: this.physicalName('notifications-dlq'),
      reportingDeadLetterQueue: this.physicalName('reporting-dlq'),
      schedulesDeadLetterQueue: this.physicalName('reporting-schedules-dlq'),
      metricNamespace: this.metricNamespace('Workers'),
      consumerGroup: (worker, topic) => this.physicalName(worker, topic),
      schedule: (job) => this.physicalName('reporting', job),
      reportsBucket: (region, account) => `${this.physicalName('reports', region)}-${account}`,
      parameter: (key) => this.parameter('workers', key),
    };
  }

  /** The failover runbooks' state machines (regions that can take over; same names in each). */
  get runbooks(): {
    readonly regionEvacuation: string;
    readonly databaseFailover: string;
    readonly failback: string;
    readonly restore: string;
    readonly metricNamespace: string;
  } {
    return {
      regionEvacuation: this.physicalName('dr-region-evacuation'),
      databaseFailover: this.physicalName('dr-database-failover'),
      failback: this.physicalName('dr-failback'),
      restore: this.physicalName('dr-restore'),
      metricNamespace: this.metricNamespace('Runbooks'),
    };
  }

  /** The runbook steps' functions (read-and-record checks; mutating actions) in each region that can take over. */
  get runbookFunctions(): { readonly checks: string; readonly actions: string } {
    return { checks: this.physicalName('dr-checks'), actions: this.physicalName('dr-actions') };
  }

  /** The bucket of runbook reports (S3 names are global: region and account make it unique). */
  runbookReportBucket(region: string, account: string): string {
    return `${this.physicalName('runbook-reports', region)}-${account}`;
  }

  /**
   * The composite alarm that sums up a region's health (observability stack, every region). The
   * failover rules of the regions that can take over match its state changes by this name.
   */
  regionHealthAlarmName(region: string): string {
    return this.regionalPhysicalName(region, 'region-health');
  }

  /** The SNS topic of one alarm severity in a region (observability stack; same name in each region). */
  alarmTopicName(severity: Severity): string {
    return this.physicalName('alarms', severity);
  }

  /** The MSK Replicator that copies `source`'s cluster into `target`'s (created in the target region). */
  kafkaReplicatorName(sourceRegion: string, targetRegion: string): string {
    return this.physicalName('kafka', sourceRegion, 'to', targetRegion);
  }

  /**
   * A CloudWatch Synthetics canary (same name in each region). Canary names allow at most 21 characters:
   * a longer one keeps the start of the prefix and a short hash of the whole, so it stays unique.
   */
  canaryName(check: 'health' | 'ws'): string {
    const full = `${this.prefix}-${check}`;
    if (full.length <= CANARY_NAME_MAX) return full;
    const hash = createHash('sha256').update(full).digest('hex').slice(0, 4);
    return `${this.prefix.slice(0, CANARY_NAME_MAX - check.length - hash.length - 2)}-${hash}-${check}`;
  }

  /** Observability names: the dashboards and the log group that records info-severity events. */
  get observability(): { readonly overviewDashboard: string; readonly infoLogGroup: string; regionDashboard(region: string): string } {
    return {
      overviewDashboard: this.physicalName('overview'),
      infoLogGroup: `/${this.app}/${this.environment}/observability/info-events`,
      regionDashboard: (region: string) => this.regionalPhysicalName(region),
    };
  }
}

/** CloudWatch Synthetics refuses canary names longer than this. */
const CANARY_NAME_MAX = 21;
