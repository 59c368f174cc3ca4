/**
 * The event workers of a trading-core region (primary and secondary; the tertiary has no MSK). See
 * docs/workers/README.md.
 *
 * - notifications: consumes trading.trades, trading.positions and notifications.outbound; delivers to
 *   WebSocket connections (every region's API), e-mail (SES), SMS and mobile push (SNS).
 * - reporting: consumes trading.trades and trading.positions into reporting tables in Aurora.
 * - reporting jobs: rollup (hourly), retention and export (daily) on EventBridge Scheduler; exports go to
 *   the reports bucket. The jobs run only where the reporting function's mappings are enabled
 *   (ACTIVE_SWITCH_FUNCTION), so the DR runbook's consumer move moves them too.
 * - the reporting schema's migrations, run by a custom resource in the writer region only.
 *
 * One MSK mapping per (worker, topic), each with its own consumer group, bounded retries and the worker's
 * SQS dead-letter queue as on-failure destination. Mappings are enabled only where the role consumes
 * events (ROLE_CAPABILITIES.consumesEvents): the secondary is a warm standby whose Aurora is read-only and
 * whose deliveries would duplicate the primary's; the DR runbook's moveConsumers step flips them.
 */
import { createHash } from 'node:crypto';
import { ArnFormat, CustomResource, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ManagedKafkaEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { TOPICS, type TopicName } from '@shared/events';
import { REPORTING_MIGRATIONS } from '@shared/db/reporting-schema';
import { reportKey } from '@shared/reporting/export';
import { ROLE_CAPABILITIES } from '../config';
import { acknowledge, type Acknowledgement } from '../compliance';
import { grantKafka } from '../constructs/kafka-access';
import { PlatformFunction, type PlatformFunctionProps } from '../constructs/platform-function';
import { REPORTING_JOBS, type WorkerName, type WorkersParameter } from '../naming';
import { DATA_PARAMETERS, DATA_TABLES, DataContract } from './data-contract';
import { importKafkaCluster, type ImportedKafkaCluster } from './messaging-stack';
import { importPlatformVpc } from './network-stack';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

/** The topics each worker consumes (one mapping and one consumer group per topic). */
export const WORKER_TOPICS: Readonly<Record<WorkerName, readonly TopicName[]>> = {
  notifications: [TOPICS.trades, TOPICS.positions, TOPICS.notifications],
  reporting: [TOPICS.trades, TOPICS.positions],
};

/** The index of the connections table the notifications worker finds a user's connections by. */
export const CONNECTIONS_BY_USER_INDEX = 'byUser' satisfies keyof typeof DATA_TABLES.connections.indexes;

/** Old versions of a report (rewritten exports) are kept this long, then deleted. */
export const NONCURRENT_REPORT_VERSION_DAYS = 30;

/** The first segment of every export's key (`daily/YYYY/MM/DD/<user>.json`): the only prefix the jobs may write. */
export const REPORTS_PREFIX = reportKey('2000-01-01', 'user').split('/')[0];

/** The export job may run up to Lambda's maximum; rollup and retention finish well within it. */
const JOBS_TIMEOUT = Duration.minutes(15);

/** The custom resource's fingerprint of the reporting migrations: a new or changed migration changes it. */
export function migrationsHash(migrations: unknown): string {
  return createHash('sha256').update(JSON.stringify(migrations)).digest('hex');
}

export interface WorkersStackProps extends Omit<PlatformStackProps, 'description'> {
  /** @default REPORTING_MIGRATIONS (layers/shared/src/db/reporting-schema.ts) */
  readonly reportingMigrations?: unknown;
}

export class WorkersStack extends PlatformStack {
  readonly notifications: PlatformFunction;
  readonly reporting: PlatformFunction;
  readonly reportingJobs: PlatformFunction;
  /** Only in the writer region. */
  readonly reportingMigrations?: PlatformFunction;
  readonly deadLetterQueues: Readonly<Record<WorkerName, sqs.Queue>>;
  readonly schedulesDeadLetterQueue: sqs.Queue;
  readonly reportsBucket: s3.Bucket;

  private readonly kafka: ImportedKafkaCluster;
  private readonly data: DataContract;
  private readonly shardMapParameter: string;

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, { ...props, description: `Event workers of the ${props.role} region: notifications, reporting, reporting jobs and migrations` });
    if (!ROLE_CAPABILITIES[this.role].runsTradingCore) throw new Error(`the ${this.role} region runs no MSK cluster: it has no workers stack`);
    const { naming, config } = this;
    const names = naming.workers;
    const w = config.workers;
    this.kafka = importKafkaCluster(this);
    this.data = DataContract.of(this);
    this.shardMapParameter = naming.parameter('data', ...DATA_PARAMETERS.shardMap);
    const databaseUser = this.data.databaseUsers[0];

    // --- dead-letter queues -----------------------------------------------------------------------------
    const queue = (idName: string, queueName: string, what: string) => {
      const q = new sqs.Queue(this, idName, {
        queueName,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.data.dataKey,
        dataKeyReuse: Duration.hours(1),
        enforceSSL: true,
        retentionPeriod: Duration.days(w.deadLetterRetentionDays),
      });
      acknowledge(q, { id: 'AwsSolutions-SQS3', reason: `This queue IS the dead-letter queue of ${what}; a dead-letter queue of its own would only move the problem` });
      return q;
    };
    this.deadLetterQueues = {
      notifications: queue('NotificationsDeadLetters', names.notificationsDeadLetterQueue, 'the notifications worker (records it cannot deliver, and batches that exhaust their retries)'),
      reporting: queue('ReportingDeadLetters', names.reportingDeadLetterQueue, 'the reporting worker (records it cannot write, and batches that exhaust their retries)'),
    };
    this.schedulesDeadLetterQueue = queue('SchedulesDeadLetters', names.schedulesDeadLetterQueue, 'the reporting job schedules (runs EventBridge Scheduler could not deliver, and runs that failed after their retries)');

    // --- functions ------------------------------------------------------------------------------------
    const vpc = importPlatformVpc(this, ['private']);
    // PlatformFunction puts it in the private subnets with egress and adds the HTTPS group for AWS APIs;
    // these client groups reach only their stores.
    const inVpc = (...groups: ec2.ISecurityGroup[]): Partial<PlatformFunctionProps> => ({ vpc, securityGroups: groups });
    const common = { POWERTOOLS_METRICS_NAMESPACE: names.metricNamespace, SHARD_MAP_PARAMETER: this.shardMapParameter, DATABASE_USER: databaseUser };

    const n = w.notifications;
    const connections = this.data.table('connections');
    const idempotency = this.data.table('idempotency');
    this.notifications = new PlatformFunction(this, 'Notifications', {
      entry: 'functions/notifications/handler.ts',
      functionName: names.notifications,
      description: 'Notifications: trades, positions and outbound notifications to WebSocket, e-mail, SMS and push',
      logRetention: this.logRetention,
      memorySize: n.memoryMiB,
      timeout: Duration.seconds(n.timeoutSeconds),
      reservedConcurrentExecutions: n.reservedConcurrency,
      ...inVpc(this.kafka.clientSecurityGroup, this.data.databaseClients),
      environment: {
        POWERTOOLS_METRICS_NAMESPACE: common.POWERTOOLS_METRICS_NAMESPACE,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueues.notifications.queueUrl,
        DELIVERY_ATTEMPTS: String(n.deliveryAttempts),
        CONNECTIONS_TABLE: connections.tableName,
        CONNECTIONS_BY_USER_INDEX,
        IDEMPOTENCY_TABLE: idempotency.tableName,
        IDEMPOTENCY_TTL_SECONDS: String(n.idempotencyTtlHours * 3600),
        EMAIL_FROM: n.emailFrom,
        SHARD_MAP_PARAMETER: common.SHARD_MAP_PARAMETER,
        DATABASE_USER: common.DATABASE_USER,
        PREFERENCES_TTL_SECONDS: String(n.preferencesTtlSeconds),
      },
    });
    this.grantNotifications(this.notifications);

    const r = w.reporting;
    this.reporting = new PlatformFunction(this, 'Reporting', {
      entry: 'functions/reporting/handler.ts',
      functionName: names.reporting,
      description: 'Reporting: trades and positions into the reporting tables',
      logRetention: this.logRetention,
      memorySize: r.memoryMiB,
      timeout: Duration.seconds(r.timeoutSeconds),
      reservedConcurrentExecutions: r.reservedConcurrency,
      ...inVpc(this.kafka.clientSecurityGroup, this.data.databaseClients),
      environment: {
        POWERTOOLS_METRICS_NAMESPACE: common.POWERTOOLS_METRICS_NAMESPACE,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueues.reporting.queueUrl,
        WRITE_ATTEMPTS: String(r.writeAttempts),
        SHARD_MAP_PARAMETER: common.SHARD_MAP_PARAMETER,
        DATABASE_USER: common.DATABASE_USER,
      },
    });
    this.grantDatabase(this.reporting);

    for (const worker of ['notifications', 'reporting'] as const) this.consume(worker, worker === 'notifications' ? this.notifications : this.reporting);

    // --- reports bucket and scheduled jobs ----------------------------------------------------------------
    this.reportsBucket = this.createReportsBucket();
    this.reportingJobs = new PlatformFunction(this, 'ReportingJobs', {
      entry: 'functions/reporting-jobs/handler.ts',
      functionName: names.reportingJobs,
      description: 'Reporting jobs: hourly rollup, daily retention (partitions) and export',
      logRetention: this.logRetention,
      memorySize: r.memoryMiB,
      timeout: JOBS_TIMEOUT,
      ...inVpc(this.data.databaseClients),
      environment: {
        ...common,
        REPORTS_BUCKET: this.reportsBucket.bucketName,
        DETAIL_RETENTION_DAYS: String(r.detailRetentionDays),
        ROLLUP_RETENTION_DAYS: String(r.rollupRetentionDays),
        PARTITIONS_AHEAD_DAYS: String(r.partitionsAheadDays),
        ACTIVE_SWITCH_FUNCTION: names.reporting,
        EXPORT_CONCURRENCY: String(r.exportConcurrency),
      },
    });
    this.grantJobs(this.reportingJobs);
    // Scheduler invokes asynchronously: a run that fails inside the function is retried by Lambda, then
    // recorded in the same queue as an undeliverable one (never dropped). The jobs are idempotent.
    this.reportingJobs.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(this.schedulesDeadLetterQueue) });
    acknowledge(this.reportingJobs.role!, ...this.keyWildcardAcks("the schedules' dead-letter queue (the jobs function's on-failure destination)"));
    this.createSchedules();

    // --- migrations (writer region only: the other regions' Aurora is a replica, DDL is never forwarded) ---
    if (ROLE_CAPABILITIES[this.role].isWriterRegion) {
      this.reportingMigrations = new PlatformFunction(this, 'ReportingMigrationsFunction', {
        entry: 'functions/reporting-migrations/handler.ts',
        functionName: names.reportingMigrations,
        description: 'Applies the reporting schema migrations (custom resource, writer region)',
        logRetention: this.logRetention,
        timeout: Duration.minutes(5),
        ...inVpc(this.data.databaseClients),
        environment: common,
      });
      this.grantDatabase(this.reportingMigrations);
      this.createMigrations(this.reportingMigrations, props.reportingMigrations ?? REPORTING_MIGRATIONS);
    }

    // --- names operators read --------------------------------------------------------------------------
    const publish = (key: WorkersParameter, stringValue: string, description: string) =>
      new ssm.StringParameter(this, `Param-${key}`, { parameterName: names.parameter(key), stringValue, description });
    publish('reports-bucket', this.reportsBucket.bucketName, 'Reports bucket of this region (exports of the reporting jobs)');
    publish('notifications-dlq-url', this.deadLetterQueues.notifications.queueUrl, 'Dead-letter queue of the notifications worker (replay: docs/workers/README.md)');
    publish('reporting-dlq-url', this.deadLetterQueues.reporting.queueUrl, 'Dead-letter queue of the reporting worker (replay: docs/workers/README.md)');
    publish('schedules-dlq-url', this.schedulesDeadLetterQueue.queueUrl, 'Dead-letter queue of the reporting job schedules');
  }

  /** One mapping and one consumer group per topic, bounded retries, failures to the worker's dead-letter queue. */
  private consume(worker: WorkerName, fn: PlatformFunction): void {
    const source = this.config.workers[worker].eventSource;
    const topics = WORKER_TOPICS[worker];
    const group = (topic: TopicName) => this.naming.workers.consumerGroup(worker, topic);
    grantKafka(fn, { clusterArn: this.kafka.clusterArn, consume: topics.map((topic) => ({ topics: [topic], groupId: group(topic) })) });
    const enabled = ROLE_CAPABILITIES[this.role].consumesEvents;
    for (const topic of topics) {
      fn.addEventSource(
        new ManagedKafkaEventSource({
          clusterArn: this.kafka.clusterArn,
          topic,
          consumerGroupId: group(topic),
          startingPosition: lambda.StartingPosition[source.startingPosition],
          batchSize: source.batchSize,
          maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds),
          retryAttempts: source.retryAttempts,
          provisionedPollerConfig: { minimumPollers: source.pollers.minimum, maximumPollers: source.pollers.maximum },
          onFailure: new SqsDlq(this.deadLetterQueues[worker]),
          enabled,
        }),
      );
    }
    acknowledge(fn.role!, ...this.keyWildcardAcks(`the ${worker} worker's dead-letter queue (on-failure destination and the handler's own dead letters)`), {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
      reason: "Lambda's MSK event source attaches AWSLambdaMSKExecutionRole itself (cluster and network-interface discovery); the data-plane reads are granted per topic and group by grantKafka.",
    });
  }

  /** The shard map and IAM login to every shard's proxy as the application user. */
  private grantDatabase(fn: PlatformFunction): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [this.parameterArn(this.shardMapParameter)] }));
    for (let shard = 0; shard < this.data.shardCount; shard++) this.data.grantConnect(fn, shard, this.data.databaseUsers[0]);
  }

  private grantNotifications(fn: PlatformFunction): void {
    const n = this.config.workers.notifications;
    this.grantDatabase(fn);
    // Exactly what the worker does: Powertools idempotency records; finds a user's connections, deletes gone ones.
    const idempotency = this.data.table('idempotency');
    const connections = this.data.table('connections');
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resources: [idempotency.tableArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${connections.tableArn}/index/${CONNECTIONS_BY_USER_INDEX}`] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:DeleteItem'], resources: [connections.tableArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [this.data.dataKey.keyArn] }));
    // A user's connections may be on any region's WebSocket API (same stage name everywhere).
    const manageConnections = this.manageConnectionsArn();
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [manageConnections] }));
    const domain = n.emailFrom.split('@')[1];
    const identity = (name: string) => this.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    // SES authorizes against the verified identity: the address itself, or its domain.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [identity(n.emailFrom), identity(domain)] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    acknowledge(fn.role!, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'sns:Publish to a phone number (SMS) has no resource ARN and mobile push endpoints are created per device at run time; X-Ray and the EC2 network-interface actions of VPC attachment support no resource-level permissions either',
    }, {
      id: `AwsSolutions-IAM5[Resource::${this.manageConnectionsArn(true)}]`,
      reason: `A user's WebSocket connections may be held by any region's API: only POST to @connections on the ${this.naming.api.stageName} stage of this account's APIs, whose ids API Gateway generates`,
    });
  }

  private grantJobs(fn: PlatformFunction): void {
    this.grantDatabase(fn);
    // Exports only: PutObject under the exports' prefix, with the bucket's key.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.reportsBucket.arnForObjects(`${REPORTS_PREFIX}/*`)] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.data.dataKey.keyArn] }));
    // The active switch: the jobs run only where the reporting function's mappings are enabled.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:ListEventSourceMappings'], resources: ['*'] }));
    acknowledge(fn.role!, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'lambda:ListEventSourceMappings (the active switch, filtered by function name in the call), X-Ray and the EC2 network-interface actions of VPC attachment support no resource-level permissions',
    }, {
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.reportsBucket)}.Arn>/${REPORTS_PREFIX}/*]`,
      reason: `Exports are written as ${REPORTS_PREFIX}/YYYY/MM/DD/<user>.json: the keys are made per day and per user, nothing else in the bucket is writable`,
    });
  }

  /** Reports: KMS (the region's data key), TLS only, versioned, private, access-logged; archived, then expired. */
  private createReportsBucket(): s3.Bucket {
    const reports = this.config.workers.reporting.reports;
    const accessLogs = new s3.Bucket(this, 'ReportsAccessLogs', {
      // Server access log delivery supports SSE-S3 only on its target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(this.config.logs.retentionDays) }],
      removalPolicy: this.dataRemovalPolicy,
    });
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the server access logs of the reports bucket; logging the log bucket would log its own log deliveries without end',
    });
    const bucket = new s3.Bucket(this, 'Reports', {
      bucketName: this.naming.workers.reportsBucket(this.region, this.account),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.data.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'reports/',
      lifecycleRules: [
        {
          id: 'archive-then-expire',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(reports.archiveAfterDays) }],
          expiration: Duration.days(reports.expireAfterDays),
          noncurrentVersionExpiration: Duration.days(NONCURRENT_REPORT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: this.dataRemovalPolicy,
    });
    return bucket;
  }

  /** EventBridge Scheduler invokes the jobs function with {"job": "<name>"}; undeliverable runs go to a DLQ. */
  private createSchedules(): void {
    const { schedules } = this.config.workers.reporting;
    const role = new iam.Role(this, 'SchedulesRole', {
      roleName: this.naming.regionalPhysicalName(this.region, 'reporting-schedules'),
      description: 'EventBridge Scheduler: invokes the reporting jobs function, dead-letters what it cannot deliver',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.reportingJobs.functionArn] }));
    this.schedulesDeadLetterQueue.grantSendMessages(role);
    acknowledge(role, ...this.keyWildcardAcks('the schedules\' dead-letter queue'));
    for (const job of REPORTING_JOBS) {
      new scheduler.CfnSchedule(this, `Schedule-${job}`, {
        name: this.naming.workers.schedule(job),
        description: `Reporting job ${job} (workers.reporting.schedules.${job}, UTC)`,
        // In both regions: the function itself checks the active switch, so the standby's runs are no-ops.
        state: 'ENABLED',
        scheduleExpression: schedules[job],
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: this.reportingJobs.functionArn,
          roleArn: role.roleArn,
          input: JSON.stringify({ job }),
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: this.schedulesDeadLetterQueue.queueArn },
        },
      });
    }
  }

  /** A custom resource whose properties fingerprint the migrations: a new migration re-runs on deploy. */
  private createMigrations(fn: PlatformFunction, migrations: unknown): void {
    const logGroup = new logs.LogGroup(this, 'MigrationsProviderLogs', { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const frameworkRole = new iam.Role(this, 'MigrationsProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resource framework of the reporting migrations: invokes the migrations function',
    });
    logGroup.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'MigrationsProvider', { onEventHandler: fn, frameworkOnEventRole: frameworkRole, logGroup });
    new CustomResource(this, 'ReportingMigrations', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ReportingMigrations',
      properties: { MigrationsHash: migrationsHash(migrations), Migrations: Array.isArray(migrations) ? migrations.length : 0 },
    });
    acknowledge(frameworkRole, {
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(fn)}.Arn>:*]`,
      reason: 'The provider framework invokes the migrations function (grantInvoke covers its versions, <arn>:*); it can invoke nothing else',
    });
  }

  /** Queue.grantSendMessages with a KMS queue grants GenerateDataKey* and ReEncrypt* on that one key. */
  private keyWildcardAcks(what: string): Acknowledgement[] {
    return [
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: `${what} is encrypted with the region's data key: sending needs GenerateDataKey* on that one key (the grant names it)` },
      { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: `${what} is encrypted with the region's data key: the SQS send grant includes ReEncrypt* on that one key` },
    ];
  }

  /** The ARN, or (`asFinding`) how cdk-nag spells it in a finding: pseudo parameters as <AWS::…>. */
  private manageConnectionsArn(asFinding = false): string {
    const partition = asFinding && Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const account = asFinding && Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    return `arn:${partition}:execute-api:*:${account}:*/${this.naming.api.stageName}/POST/@connections/*`;
  }

  private parameterArn(name: string): string {
    return this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, ''), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  private logicalIdOf(construct: s3.Bucket | PlatformFunction): string {
    return this.getLogicalId(construct.node.defaultChild as s3.CfnBucket | lambda.CfnFunction);
  }
}
