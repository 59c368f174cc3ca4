/**
 * The workers stack in prod: both workers and their MSK mappings (enabled in the primary, disabled in the
 * standby secondary), dead-letter queues, environment, least-privilege IAM, the reporting jobs' schedules,
 * the reports bucket, the migrations custom resource (writer region only), and the names the
 * observability stack and the DR runbook use.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REPORTING_MIGRATIONS } from '@shared/db/reporting-schema';
import { TOPICS } from '@shared/events';
import { loadConfig, resolveAccount, type RegionRole } from '../../lib/config';
import { Naming } from '../../lib/naming';
import { runbookSettings } from '../../lib/stacks/operations-stack';
import { migrationsHash, REPORTS_PREFIX, WorkersStack } from '../../lib/stacks/workers-stack';
import { platformOf, TEST_ACCOUNT, testApp } from '../helpers/platform';

const platform = platformOf('prod');
const { config } = platform;
const naming = Naming.of(config);
const names = naming.workers;
const regionOf = (role: RegionRole) => platform.regions.find((r) => r.role === role)!;
const templateOf = (role: 'primary' | 'secondary') => platform.template(regionOf(role).workers!);
const DATA_KEY_PARAMETER = /^SsmParameterValuetradingprodkeysdatakeyarn/;

/** The one resource of `type` whose properties match `props`; returns its logical id. */
function idOf(t: Template, type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(t.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0];
}
const functionId = (t: Template, name: string) => idOf(t, 'AWS::Lambda::Function', { FunctionName: name });
const queueId = (t: Template, name: string) => idOf(t, 'AWS::SQS::Queue', { QueueName: name });

/** Every statement of the role a function runs as (its default policy). */
function statementsOf(t: Template, fnName: string): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const fn = t.findResources('AWS::Lambda::Function')[functionId(t, fnName)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}
const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
const resourcesFor = (statements: { Action: string | string[]; Resource: unknown }[], action: string) =>
  statements.filter((s) => actionsOf([s]).includes(action)).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

it('exists in the trading-core regions only, after network, keys, data and messaging', () => {
  expect(regionOf('tertiary').workers).toBeUndefined();
  expect(platform.stacks.some((s) => s.stackName === `trading-prod-${config.regions.tertiary.region}-workers`)).toBe(false);
  for (const role of ['primary', 'secondary'] as const) {
    const r = regionOf(role);
    expect(r.workers!.stackName).toBe(`trading-prod-${config.regions[role].region}-workers`);
    expect(r.workers!.dependencies).toEqual(expect.arrayContaining([r.network, r.keys, r.data, r.messaging]));
  }
});

describe.each(['primary', 'secondary'] as const)('prod %s workers', (role) => {
  const t = () => templateOf(role);
  const enabled = role === 'primary';

  it.each([
    ['notifications', [TOPICS.trades, TOPICS.positions, TOPICS.notifications]],
    ['reporting', [TOPICS.trades, TOPICS.positions]],
  ] as const)(`maps %s to its topics, one consumer group each, ${enabled ? 'enabled' : 'disabled (standby)'}, failures to its DLQ`, (worker, topics) => {
    const source = config.workers[worker].eventSource;
    const fn = functionId(t(), names[worker]);
    const dlq = queueId(t(), worker === 'notifications' ? names.notificationsDeadLetterQueue : names.reportingDeadLetterQueue);
    const mappings = Object.values(t().findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fn } } }));
    expect(mappings.map((m: any) => m.Properties.Topics[0]).sort()).toEqual([...topics].sort());
    for (const topic of topics) {
      t().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fn },
        Topics: [topic],
        EventSourceArn: { Ref: Match.stringLikeRegexp('^SsmParameterValuetradingprodmessagingkafkaclusterarn') },
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `trading-prod-${worker}-${topic}` },
        StartingPosition: source.startingPosition,
        BatchSize: source.batchSize,
        MaximumBatchingWindowInSeconds: source.maxBatchingWindowSeconds,
        MaximumRetryAttempts: source.retryAttempts,
        ProvisionedPollerConfig: { MinimumPollers: source.pollers.minimum, MaximumPollers: source.pollers.maximum },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
        Enabled: enabled,
      });
    }
  });

  it('has no other mapping: 5 in all, none on the jobs or migrations functions, every group distinct', () => {
    const mappings = Object.values(t().findResources('AWS::Lambda::EventSourceMapping')) as any[];
    expect(mappings).toHaveLength(5);
    const groups = mappings.map((m) => m.Properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId);
    expect(new Set(groups).size).toBe(5);
    expect(mappings.every((m) => m.Properties.Enabled === enabled)).toBe(true);
  });

  it('keeps dead letters in KMS-encrypted, TLS-only queues for the configured days', () => {
    for (const queueName of [names.notificationsDeadLetterQueue, names.reportingDeadLetterQueue, names.schedulesDeadLetterQueue]) {
      t().hasResourceProperties('AWS::SQS::Queue', {
        QueueName: queueName,
        KmsMasterKeyId: { Ref: Match.stringLikeRegexp(DATA_KEY_PARAMETER.source) },
        MessageRetentionPeriod: config.workers.deadLetterRetentionDays * 86400,
      });
      t().hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId(t(), queueName) }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('gives each function exactly its environment', () => {
    const env = (name: string) => t().findResources('AWS::Lambda::Function')[functionId(t(), name)].Properties.Environment.Variables;
    const base = (name: string) => ({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: name, POWERTOOLS_METRICS_NAMESPACE: 'trading/prod/Workers' });
    const database = { SHARD_MAP_PARAMETER: '/trading/prod/data/aurora/shard-map', DATABASE_USER: 'app' };
    const n = config.workers.notifications;
    const r = config.workers.reporting;
    expect(env(names.notifications)).toEqual({
      ...base(names.notifications),
      ...database,
      DEAD_LETTER_QUEUE_URL: { Ref: queueId(t(), names.notificationsDeadLetterQueue) },
      DELIVERY_ATTEMPTS: String(n.deliveryAttempts),
      CONNECTIONS_TABLE: 'trading-prod-ws-connections',
      CONNECTIONS_BY_USER_INDEX: 'byUser',
      IDEMPOTENCY_TABLE: 'trading-prod-idempotency',
      IDEMPOTENCY_TTL_SECONDS: String(n.idempotencyTtlHours * 3600),
      EMAIL_FROM: n.emailFrom,
      PREFERENCES_TTL_SECONDS: String(n.preferencesTtlSeconds),
    });
    expect(env(names.reporting)).toEqual({
      ...base(names.reporting),
      ...database,
      DEAD_LETTER_QUEUE_URL: { Ref: queueId(t(), names.reportingDeadLetterQueue) },
      WRITE_ATTEMPTS: String(r.writeAttempts),
    });
    expect(env(names.reportingJobs)).toEqual({
      ...base(names.reportingJobs),
      ...database,
      REPORTS_BUCKET: { Ref: idOf(t(), 'AWS::S3::Bucket', { BucketName: names.reportsBucket(config.regions[role].region, TEST_ACCOUNT) }) },
      DETAIL_RETENTION_DAYS: '90',
      ROLLUP_RETENTION_DAYS: '730',
      PARTITIONS_AHEAD_DAYS: String(r.partitionsAheadDays),
      ACTIVE_SWITCH_FUNCTION: names.reporting,
      EXPORT_CONCURRENCY: String(r.exportConcurrency),
    });
  });

  it('runs the workers in the VPC with the Kafka client, database client and AWS API groups, sized from config', () => {
    for (const worker of ['notifications', 'reporting'] as const) {
      t().hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: names[worker],
        MemorySize: config.workers[worker].memoryMiB,
        Timeout: config.workers[worker].timeoutSeconds,
        VpcConfig: {
          SecurityGroupIds: Match.arrayWith([
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^AwsApiClients'), 'GroupId'] },
            { Ref: Match.stringLikeRegexp('^SsmParameterValuetradingprodmessagingkafkaclientsecuritygroupid') },
            { Ref: Match.stringLikeRegexp('^SsmParameterValuetradingproddatasecuritygroupsdatabaseclients') },
          ]),
          SubnetIds: Match.anyValue(),
        },
      });
    }
    t().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Lambda functions: HTTPS to AWS APIs',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
    });
  });

  it('grants the notifications worker only what it calls', () => {
    const s = statementsOf(t(), names.notifications);
    const region = config.regions[role].region;
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${TEST_ACCOUNT}:${resource}`;
    expect(resourcesFor(s, 'execute-api:ManageConnections')).toEqual([`arn:aws:execute-api:*:${TEST_ACCOUNT}:*/v1/POST/@connections/*`]);
    expect(resourcesFor(s, 'ses:SendEmail').sort()).toEqual([arn('ses', 'identity/notifications@trading.example.com'), arn('ses', 'identity/trading.example.com')]);
    expect(resourcesFor(s, 'sns:Publish')).toEqual(['*']);
    expect(resourcesFor(s, 'dynamodb:Query')).toEqual([arn('dynamodb', 'table/trading-prod-ws-connections/index/byUser')]);
    expect(resourcesFor(s, 'dynamodb:DeleteItem').sort()).toEqual([arn('dynamodb', 'table/trading-prod-idempotency'), arn('dynamodb', 'table/trading-prod-ws-connections')]);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) expect(resourcesFor(s, action)).toEqual([arn('dynamodb', 'table/trading-prod-idempotency')]);
    expect(actionsOf(s).filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(resourcesFor(s, 'sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [queueId(t(), names.notificationsDeadLetterQueue), 'Arn'] }]);
    const keys = resourcesFor(s, 'kms:Decrypt') as { Ref: string }[];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => DATA_KEY_PARAMETER.test(k.Ref))).toBe(true);
    expect(resourcesFor(s, 'ssm:GetParameter')).toEqual([arn('ssm', 'parameter/trading/prod/data/aurora/shard-map')]);
    expect(resourcesFor(s, 'rds-db:connect')).toHaveLength(config.data.aurora.shards);
    // Consumer groups: exactly its three, by name.
    const groups = JSON.stringify(resourcesFor(s, 'kafka-cluster:AlterGroup'));
    expect([...groups.matchAll(/\/(trading-prod-[a-z.-]+)"/g)].map((m) => m[1]).sort()).toEqual(
      [TOPICS.notifications, TOPICS.positions, TOPICS.trades].map((topic) => `trading-prod-notifications-${topic}`).sort(),
    );
    // The only wildcard resource: sns:Publish plus the actions that have no resource-level permissions.
    const star = s.filter((x) => x.Resource === '*').flatMap((x) => actionsOf([x]));
    expect(star.filter((a) => !a.startsWith('ec2:') && !a.startsWith('xray:'))).toEqual(['sns:Publish']);
  });

  it('grants the reporting worker its topics, its DLQ and the database only', () => {
    const s = statementsOf(t(), names.reporting);
    const services = new Set(actionsOf(s).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['ec2', 'kafka', 'kafka-cluster', 'kms', 'logs', 'rds-db', 'sqs', 'ssm', 'xray']);
    expect(resourcesFor(s, 'sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [queueId(t(), names.reportingDeadLetterQueue), 'Arn'] }]);
    const groups = JSON.stringify(resourcesFor(s, 'kafka-cluster:AlterGroup'));
    expect([...groups.matchAll(/\/(trading-prod-[a-z.-]+)"/g)].map((m) => m[1]).sort()).toEqual(['trading-prod-reporting-trading.positions', 'trading-prod-reporting-trading.trades']);
  });

  it('lets the reporting jobs write exports, read the active switch, log in to the database and dead-letter a failed run, nothing more', () => {
    const s = statementsOf(t(), names.reportingJobs);
    const bucket = idOf(t(), 'AWS::S3::Bucket', { BucketName: names.reportsBucket(config.regions[role].region, TEST_ACCOUNT) });
    // Exactly the prefix the export writes (layers/shared/src/reporting/export.ts reportKey).
    expect(REPORTS_PREFIX).toBe('daily');
    expect(resourcesFor(s, 's3:PutObject')).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/daily/*']] }]);
    expect(resourcesFor(s, 'lambda:ListEventSourceMappings')).toEqual(['*']);
    expect(actionsOf(s).filter((a) => /^(dynamodb|sns|ses|lambda):/.test(a))).toEqual(['lambda:ListEventSourceMappings']);
    expect(resourcesFor(s, 'sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [queueId(t(), names.schedulesDeadLetterQueue), 'Arn'] }]);
    expect(resourcesFor(s, 'rds-db:connect')).toHaveLength(config.data.aurora.shards);
  });

  it('schedules rollup hourly, retention and export daily (UTC), each invoking the jobs function with its job', () => {
    const jobs = functionId(t(), names.reportingJobs);
    const dlq = queueId(t(), names.schedulesDeadLetterQueue);
    const role_ = idOf(t(), 'AWS::IAM::Role', { RoleName: `trading-prod-${config.regions[role].region}-reporting-schedules` });
    for (const job of ['rollup', 'retention', 'export'] as const) {
      t().hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `trading-prod-reporting-${job}`,
        State: 'ENABLED',
        ScheduleExpression: config.workers.reporting.schedules[job],
        ScheduleExpressionTimezone: 'UTC',
        Target: {
          Arn: { 'Fn::GetAtt': [jobs, 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [role_, 'Arn'] },
          Input: JSON.stringify({ job }),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        },
      });
    }
    expect(config.workers.reporting.schedules.rollup).toBe('cron(5 * * * ? *)');
    t().resourceCountIs('AWS::Scheduler::Schedule', 3);
    // The scheduler may invoke the jobs function (no other) and dead-letter to its queue.
    const policy = Object.values(t().findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role_)) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toEqual([{ 'Fn::GetAtt': [jobs, 'Arn'] }]);
    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [dlq, 'Arn'] }]);
    t().hasResourceProperties('AWS::IAM::Role', {
      RoleName: `trading-prod-${config.regions[role].region}-reporting-schedules`,
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT } } })] },
    });
  });

  it('sends a job run that fails inside the function, after two retries, to the schedules queue (never dropped)', () => {
    const jobs = functionId(t(), names.reportingJobs);
    const dlq = queueId(t(), names.schedulesDeadLetterQueue);
    t().hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: jobs },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
  });

  it('keeps reports KMS-encrypted, versioned, private and access-logged; archives, then expires them; retains them in prod', () => {
    const name = names.reportsBucket(config.regions[role].region, TEST_ACCOUNT);
    const reports = config.workers.reporting.reports;
    t().hasResourceProperties('AWS::S3::Bucket', {
      BucketName: name,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: Match.stringLikeRegexp(DATA_KEY_PARAMETER.source) } }, BucketKeyEnabled: true },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^ReportsAccessLogs') }, LogFilePrefix: 'reports/' },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: reports.archiveAfterDays }],
            ExpirationInDays: reports.expireAfterDays,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          }),
        ],
      },
    });
    const bucketId = idOf(t(), 'AWS::S3::Bucket', { BucketName: name });
    expect(t().findResources('AWS::S3::Bucket')[bucketId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t().hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('publishes the reports bucket and dead-letter queue URLs for operators', () => {
    t().hasResourceProperties('AWS::SSM::Parameter', { Name: '/trading/prod/workers/reports-bucket', Value: { Ref: Match.stringLikeRegexp('^Reports[0-9A-F]') } });
    for (const [key, queue] of [
      ['notifications-dlq-url', names.notificationsDeadLetterQueue],
      ['reporting-dlq-url', names.reportingDeadLetterQueue],
      ['schedules-dlq-url', names.schedulesDeadLetterQueue],
    ]) {
      t().hasResourceProperties('AWS::SSM::Parameter', { Name: `/trading/prod/workers/${key}`, Value: { Ref: queueId(t(), queue) } });
    }
  });

  it(role === 'primary' ? 'runs the reporting migrations as a custom resource fingerprinted by REPORTING_MIGRATIONS' : 'runs no migrations (its Aurora is a replica)', () => {
    const resources = Object.values(t().findResources('Custom::ReportingMigrations')) as any[];
    if (role === 'secondary') {
      expect(resources).toHaveLength(0);
      expect(Object.keys(t().findResources('AWS::Lambda::Function', { Properties: { FunctionName: names.reportingMigrations } }))).toHaveLength(0);
      return;
    }
    expect(resources).toHaveLength(1);
    expect(resources[0].Properties).toMatchObject({ MigrationsHash: migrationsHash(REPORTING_MIGRATIONS), Migrations: (REPORTING_MIGRATIONS as readonly unknown[]).length });
    expect(resources[0].Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MigrationsProviderframeworkonEvent/), 'Arn'] });
    t().hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: names.reportingMigrations,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_METRICS_NAMESPACE: 'trading/prod/Workers', SHARD_MAP_PARAMETER: '/trading/prod/data/aurora/shard-map', DATABASE_USER: 'app' }) },
    });
  });
});

it('fingerprints the migrations: a new migration changes the custom resource, the same ones do not', () => {
  const hashWith = (migrations: unknown) => {
    const stack = new WorkersStack(testApp(), 'Probe', { config: loadConfig('prod'), target: resolveAccount(TEST_ACCOUNT, undefined), role: 'primary', reportingMigrations: migrations });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::ReportingMigrations')) as any[];
    return resource.Properties.MigrationsHash as string;
  };
  const current = hashWith(REPORTING_MIGRATIONS);
  expect(current).toBe(migrationsHash(REPORTING_MIGRATIONS));
  expect(hashWith(structuredClone(REPORTING_MIGRATIONS))).toBe(current);
  expect(hashWith([...(REPORTING_MIGRATIONS as readonly unknown[]), ['CREATE INDEX probe ON reporting.probe (id)']])).not.toBe(current);
});

describe('names other stacks use', () => {
  /** Values of a CloudWatch dimension anywhere in a template (alarms and dashboard bodies). */
  const dimensionValues = (template: Template, dimension: string) => {
    const text = JSON.stringify(template.toJSON());
    const alarms = [...text.matchAll(new RegExp(`"Name":"${dimension}","Value":"([^"]+)"`, 'g'))].map((m) => m[1]);
    const widgets = [...text.matchAll(new RegExp(`\\\\"${dimension}\\\\",\\\\"([^"\\\\]+)\\\\"`, 'g'))].map((m) => m[1]);
    return new Set([...alarms, ...widgets]);
  };

  it.each(['primary', 'secondary'] as const)('the %s observability stack alarms and charts queues and functions that exist here', (role) => {
    const workers = templateOf(role);
    const observability = platform.template(regionOf(role).observability);
    const queues = dimensionValues(observability, 'QueueName');
    expect([...queues].sort()).toEqual([names.notificationsDeadLetterQueue, names.reportingDeadLetterQueue, names.schedulesDeadLetterQueue]);
    for (const queue of queues) queueId(workers, queue);
    const apiFunctions = new Set(Object.values(naming.api.functions));
    const workerFunctions = [...dimensionValues(observability, 'FunctionName')].filter((f) => !apiFunctions.has(f));
    expect(workerFunctions.sort()).toEqual([names.notifications, names.reporting, names.reportingJobs]);
    for (const fn of workerFunctions) functionId(workers, fn);
  });

  it('the DR runbook moves exactly the functions that have event source mappings', () => {
    const workers = templateOf('secondary');
    const functions = workers.findResources('AWS::Lambda::Function');
    const mapped = new Set(Object.values(workers.findResources('AWS::Lambda::EventSourceMapping')).map((m: any) => functions[m.Properties.FunctionName.Ref].Properties.FunctionName));
    const settings = runbookSettings(config, naming, config.regions.secondary.region, TEST_ACCOUNT, 'aws');
    expect([...settings.names.workerFunctions].sort()).toEqual([...mapped].sort());
  });
});

it('dev: reports and dead letters are not retained, and dead letters keep the dev retention', () => {
  const dev = platformOf('dev');
  const t = dev.template(dev.regions.find((r) => r.role === 'primary')!.workers!);
  const bucket = Object.values(t.findResources('AWS::S3::Bucket', { Properties: { BucketName: Match.stringLikeRegexp('^trading-dev-reports-') } }));
  expect(bucket).toHaveLength(1);
  expect(bucket[0]).toMatchObject({ DeletionPolicy: 'Delete' });
  t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'trading-dev-notifications-dlq', MessageRetentionPeriod: dev.config.workers.deadLetterRetentionDays * 86400 });
  expect(dev.config.workers.deadLetterRetentionDays).not.toBe(config.workers.deadLetterRetentionDays);
});
