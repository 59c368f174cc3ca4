/**
 * Operations of a region that can take over (primary and secondary): the failover runbooks, what starts
 * them, and their evidence.
 *
 * - Four Step Functions runbooks (naming.runbooks): region evacuation, database failover, failback,
 *   restore; their steps run in two functions over functions/dr-runbook (checks: reads and bookkeeping;
 *   actions: the mutating calls), each with only its own permissions.
 * - Rules on this region's ops bus: a human's FailoverRequested / FailbackRequested whose target is this
 *   region (no target: the secondary for a failover, the primary for a failback), and, in the secondary,
 *   the primary's AWS Health issues and region-health alarm, which the primary's default-bus rules forward
 *   here. A runbook always runs in the region that takes over, so one trigger starts one execution.
 * - The one-runbook-at-a-time lock, audit records and approval tokens in the runbook global table; reports
 *   in an S3 bucket (Object Lock in prod); paging through the severity topics of the observability stack
 *   (referenced by name: naming.alarmTopicName).
 * - Alarms on failed or timed-out executions and on undelivered triggers; the game-day schedule (off by
 *   default) that runs the evacuation as a dry run.
 */
import { Arn, ArnFormat, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { OPS_SOURCES } from '@shared/events';
import { ROLE_CAPABILITIES, type PlatformConfig } from '../config';
import { acknowledge } from '../compliance';
import { PlatformFunction } from '../constructs/platform-function';
import { RunbookStateMachine, type RunbookKind } from '../constructs/runbook-state-machine';
import { SEVERITIES, type Naming, type Severity } from '../naming';
import { DATA_PARAMETERS, dataNames, DataContract } from './data-contract';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

/** AWS Health service codes of what a region evacuation protects (the primary's data and engine). */
export const HEALTH_SERVICES = ['RDS', 'ELASTICACHE', 'KAFKA', 'MSK', 'ECS'] as const;

/** The settings the step functions read (functions/dr-runbook/settings.ts), from config and naming. */
export function runbookSettings(config: PlatformConfig, naming: Naming, region: string, account: string, partition: string) {
  const names = dataNames(naming);
  const r = config.runbooks;
  return {
    environment: config.environment,
    region,
    regions: { primary: config.regions.primary.region, secondary: config.regions.secondary.region, tertiary: config.regions.tertiary.region },
    rpoBudgetSeconds: r.rpoBudgetSeconds,
    coolDownSeconds: r.coolDownMinutes * 60,
    lockLeaseSeconds: r.lockLeaseMinutes * 60,
    approval: { unplannedDataLoss: r.approval.unplannedDataLoss, planned: r.approval.planned },
    traffic: { ...r.traffic },
    stepTimeoutSeconds: r.stepTimeoutMinutes * 60,
    fallbackCapacity: { ...config.tradingEngine.capacity.primary },
    names: {
      runbookTable: names.table('runbook'),
      reportBucket: naming.runbookReportBucket(region, account),
      opsBus: naming.opsBusName,
      killSwitchParameter: naming.killSwitchParameter,
      restApiIdParameter: naming.api.restApiIdParameter,
      apiStage: naming.api.stageName,
      apiHealthPath: naming.api.healthPath,
      engineCluster: naming.tradingEngine.cluster,
      engineService: naming.tradingEngine.service,
      globalClusters: Array.from({ length: config.data.aurora.shards }, (_, i) => names.globalCluster(i)),
      clusterPrefix: naming.prefix,
      cacheGlobalDatastoreSuffix: config.data.cache.globalDatastore === 'off' ? null : names.globalDatastoreSuffix,
      cacheReplicationGroup: names.cacheReplicationGroup,
      replicatorPrefix: naming.physicalName('kafka'),
      workerFunctions: [naming.workers.notifications, naming.workers.reporting],
      shardMapParameter: naming.parameter('data', ...DATA_PARAMETERS.shardMap),
      regionHealthAlarmPrefix: naming.prefix,
      topicArnTemplate: Object.fromEntries(SEVERITIES.map((s) => [s, `arn:${partition}:sns:{region}:${account}:${naming.alarmTopicName(s)}`])) as Record<Severity, string>,
      metricNamespace: naming.runbooks.metricNamespace,
    },
  };
}

export class OperationsStack extends PlatformStack {
  readonly reportBucket: s3.Bucket;
  readonly checks: PlatformFunction;
  readonly actions: PlatformFunction;
  readonly runbooks: Readonly<Record<RunbookKind, sfn.StateMachine>>;
  readonly triggerDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description'>) {
    super(scope, id, { ...props, description: `Operations of the ${props.role} region: failover runbooks, their triggers, lock, reports and alarms` });
    if (!ROLE_CAPABILITIES[this.role].canTakeOver) throw new Error(`the ${this.role} region cannot take over: it has no operations stack`);
    const { naming, config } = this;
    const runbookConfig = config.runbooks;
    const prod = config.environment === 'prod';

    this.reportBucket = new s3.Bucket(this, 'Reports', {
      bucketName: naming.runbookReportBucket(this.region, this.account),
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Evidence: in prod no one, root included, can change or delete a report for a year.
      objectLockEnabled: prod || undefined,
      objectLockDefaultRetention: prod ? s3.ObjectLockRetention.compliance(Duration.days(365)) : undefined,
      removalPolicy: this.dataRemovalPolicy,
    });
    acknowledge(this.reportBucket, {
      id: 'AwsSolutions-S1',
      reason: 'Reports are written only by the runbook checks function and are immutable (versioned, Object Lock in prod); CloudTrail records every API call on the bucket, server access logs would add nothing reviewable',
    });

    const settings = runbookSettings(config, naming, this.region, this.account, this.partition);
    const environment = {
      RUNBOOK_SETTINGS: JSON.stringify(settings),
      POWERTOOLS_METRICS_NAMESPACE: naming.runbooks.metricNamespace,
    };
    const fn = (idName: 'Checks' | 'Actions', functionName: string, group: 'checks' | 'actions', description: string) =>
      new PlatformFunction(this, idName, {
        entry: 'functions/dr-runbook/handler.ts',
        functionName,
        description,
        logRetention: this.logRetention,
        timeout: Duration.seconds(60),
        memorySize: 512,
        environment: { ...environment, RUNBOOK_STEP_GROUP: group },
      });
    this.checks = fn('Checks', naming.runbookFunctions.checks, 'checks', 'Runbook steps that read and record: prepare, lock, go/no-go, approval, verify, report');
    this.actions = fn('Actions', naming.runbookFunctions.actions, 'actions', 'Runbook steps that change the platform: kill switch, Aurora, cache, capacity, consumers, traffic, restore');
    this.grant(settings);

    const make = (kind: RunbookKind, stateMachineName: string) =>
      new RunbookStateMachine(this, kind.charAt(0).toUpperCase() + kind.slice(1), {
        runbook: kind,
        stateMachineName,
        checks: this.checks,
        actions: this.actions,
        pollInterval: Duration.seconds(runbookConfig.pollSeconds),
        alarmSustain: Duration.minutes(runbookConfig.alarmSustainMinutes),
        approvalTimeout: Duration.minutes(runbookConfig.approval.timeoutMinutes),
        stepTimeout: Duration.seconds(90),
        executionTimeout: Duration.hours(6),
        scalableTargetArn: this.formatArn({ service: 'application-autoscaling', resource: 'scalable-target', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        logRetention: this.logRetention,
        logRemovalPolicy: RemovalPolicy.DESTROY,
      }).stateMachine;
    this.runbooks = {
      regionEvacuation: make('regionEvacuation', naming.runbooks.regionEvacuation),
      databaseFailover: make('databaseFailover', naming.runbooks.databaseFailover),
      failback: make('failback', naming.runbooks.failback),
      restore: make('restore', naming.runbooks.restore),
    };
    // RegisterScalableTarget on an ECS service checks that the caller may describe and update it.
    const engineService = this.formatArn({ service: 'ecs', resource: 'service', resourceName: `${naming.tradingEngine.cluster}/${naming.tradingEngine.service}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    for (const machine of [this.runbooks.regionEvacuation, this.runbooks.failback]) {
      machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [engineService] }));
    }
    const fnArnFinding = (f: PlatformFunction) => `<${(this.resolve(f.functionArn) as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]}.Arn>:*`;
    for (const machine of Object.values(this.runbooks)) {
      acknowledge(
        machine,
        {
          id: `AwsSolutions-IAM5[Resource::${fnArnFinding(this.checks)}]`,
          reason: 'Step Functions grants lambda:InvokeFunction on every version of the runbook checks function (<arn>:*), the function the state machine calls',
        },
        {
          id: `AwsSolutions-IAM5[Resource::${fnArnFinding(this.actions)}]`,
          reason: 'Step Functions grants lambda:InvokeFunction on every version of the runbook actions function (<arn>:*), the function the state machine calls',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'X-Ray PutTraceSegments and the CloudWatch Logs delivery actions Step Functions needs for execution logging have no resource-level permissions',
        },
        {
          id: `AwsSolutions-IAM5[Resource::${this.formatArn({ service: 'application-autoscaling', resource: 'scalable-target', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })}]`,
          reason: 'RegisterScalableTarget is authorized on scalable-target ARNs whose ids AWS generates; the call names the engine service (service/<cluster>/<service>) only',
        },
      );
    }

    this.triggerDeadLetters = new sqs.Queue(this, 'TriggerDeadLetters', {
      queueName: naming.physicalName('runbook-trigger-dlq'),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.triggerDeadLetters, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue IS the dead-letter queue of the runbook trigger rules and schedule; a dead-letter queue of its own would only move the problem',
    });

    this.triggers();
    this.gameDays();
    this.alarms();
  }

  /** EventBridge rules that start the runbooks; in the primary, forwarding of its health signals. */
  private triggers(): void {
    const { naming, config } = this;
    const here = this.region;
    const opsBus = events.EventBus.fromEventBusName(this, 'OpsBus', naming.opsBusName);
    const start = (machine: sfn.IStateMachine) => new targets.SfnStateMachine(machine, { deadLetterQueue: this.triggerDeadLetters, retryAttempts: 3, maxEventAge: Duration.hours(1) });
    // A request without a target goes to the default target of its kind (secondary for a failover, primary for a failback).
    const target = (defaultRegion: string) => (here === defaultRegion ? [here, { exists: false }] : [here]);
    const primary = config.regions.primary.region;
    const secondary = config.regions.secondary.region;

    const rule = (id: string, description: string, pattern: Record<string, unknown>, machine: sfn.IStateMachine, bus: events.IEventBus = opsBus) => {
      const r = new events.Rule(this, id, { eventBus: bus, description, eventPattern: { source: ['placeholder'] }, targets: [start(machine)] });
      // Rendered as written: the L2 pattern type cannot express `exists` inside a value list.
      (r.node.defaultChild as events.CfnRule).addPropertyOverride('EventPattern', pattern);
      return r;
    };
    rule(
      'FailoverRequested',
      `A human's FailoverRequested for ${here} -> ${naming.runbooks.regionEvacuation}`,
      { source: [OPS_SOURCES.failover], 'detail-type': ['FailoverRequested'], detail: { targetRegion: target(secondary) } },
      this.runbooks.regionEvacuation,
    );
    rule(
      'FailbackRequested',
      `A human's FailbackRequested for ${here} -> ${naming.runbooks.failback}`,
      { source: [OPS_SOURCES.failover], 'detail-type': ['FailbackRequested'], detail: { targetRegion: target(primary) } },
      this.runbooks.failback,
    );

    const healthPattern = { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: [...HEALTH_SERVICES], eventTypeCategory: ['issue'] } };
    const alarmPattern = {
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [naming.regionHealthAlarmName(primary)], state: { value: ['ALARM'] } },
    };
    if (here === secondary) {
      // The primary's signals, forwarded from its default bus (below) to this ops bus.
      rule('PrimaryHealthEvent', `AWS Health issues of ${primary} -> ${naming.runbooks.regionEvacuation}`, { ...healthPattern, region: [primary] }, this.runbooks.regionEvacuation);
      rule('PrimaryRegionHealthAlarm', `${naming.regionHealthAlarmName(primary)} in ALARM -> ${naming.runbooks.regionEvacuation}`, { ...alarmPattern, region: [primary] }, this.runbooks.regionEvacuation);
    }
    if (here === primary) {
      // AWS Health and alarm events land on the default bus of their own region: send them to the region that takes over.
      const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
      const secondaryBus = events.EventBus.fromEventBusArn(this, 'SecondaryOpsBus', naming.opsBusArn(this.partition, secondary, this.account));
      const role = new iam.Role(this, 'ForwardHealthRole', {
        roleName: naming.regionalPhysicalName(here, 'dr-health-forwarder'),
        description: `EventBridge: forwards ${here}'s AWS Health issues and region-health alarm to ${naming.opsBusName} in ${secondary}`,
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      });
      for (const [id, pattern] of [
        ['ForwardHealthEvents', healthPattern],
        ['ForwardRegionHealthAlarm', alarmPattern],
      ] as const) {
        const r = new events.Rule(this, id, {
          eventBus: defaultBus,
          description: `${id === 'ForwardHealthEvents' ? 'AWS Health issues' : 'The region-health alarm'} of ${here} -> ${naming.opsBusName} in ${secondary}`,
          eventPattern: { source: ['placeholder'] },
          targets: [new targets.EventBus(secondaryBus, { role, deadLetterQueue: this.triggerDeadLetters })],
        });
        (r.node.defaultChild as events.CfnRule).addPropertyOverride('EventPattern', pattern);
      }
    }
  }

  /** EventBridge Scheduler runs the region evacuation as a dry run (in the region it would move to). */
  private gameDays(): void {
    const { gameDays } = this.config.runbooks;
    if (this.region !== this.config.regions.secondary.region) return;
    const machine = this.runbooks.regionEvacuation;
    const role = new iam.Role(this, 'GameDayRole', {
      roleName: this.naming.regionalPhysicalName(this.region, 'dr-game-day'),
      description: 'EventBridge Scheduler: starts the region evacuation runbook as a dry run on game days',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
    });
    machine.grantStartExecution(role);
    this.triggerDeadLetters.grantSendMessages(role);
    new scheduler.CfnSchedule(this, 'GameDay', {
      name: this.naming.physicalName('dr-game-day'),
      description: 'Game day: region evacuation, dry run (runbooks.gameDays)',
      // Created off unless config turns it on, so switching it on is a config change, not a new resource.
      state: gameDays.enabled ? 'ENABLED' : 'DISABLED',
      scheduleExpression: gameDays.schedule,
      scheduleExpressionTimezone: gameDays.timezone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: machine.stateMachineArn,
        roleArn: role.roleArn,
        // The prepare step forces a dry run for this source, whatever the input says.
        input: JSON.stringify({ source: OPS_SOURCES.drill, 'detail-type': 'GameDay', detail: {} }),
        deadLetterConfig: { arn: this.triggerDeadLetters.queueArn },
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
  }

  /** Failed or timed-out runs and undelivered triggers page (critical topic of this region). */
  private alarms(): void {
    const critical = sns.Topic.fromTopicArn(this, 'CriticalTopic', this.topicArn('critical'));
    const page = new cwActions.SnsAction(critical);
    for (const [kind, machine] of Object.entries(this.runbooks)) {
      for (const [metricName, what] of [
        ['ExecutionsFailed', 'failed'],
        ['ExecutionsTimedOut', 'timed out'],
      ] as const) {
        const alarm = new cloudwatch.Alarm(this, `${kind}${metricName}`, {
          alarmName: this.naming.regionalPhysicalName(this.region, 'dr', kind, what.replace(' ', '-')),
          alarmDescription: `A ${kind} runbook execution ${what}: the platform may be half-moved. See docs/runbooks/.`,
          metric: machine.metric(metricName, { period: Duration.minutes(1), statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(page);
      }
    }
    const undelivered = new cloudwatch.Alarm(this, 'UndeliveredTriggers', {
      alarmName: this.naming.regionalPhysicalName(this.region, 'dr', 'undelivered-triggers'),
      alarmDescription: 'A runbook trigger (rule or game day) could not start its state machine: see the trigger dead-letter queue',
      metric: this.triggerDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    undelivered.addAlarmAction(page);
  }

  /** Built from the name: the observability stack creates the topics (naming.alarmTopicName). */
  topicArn(severity: Severity, region: string = this.region): string {
    return Arn.format({ partition: this.partition, service: 'sns', region, account: this.account, resource: this.naming.alarmTopicName(severity) });
  }

  /** Each function gets only what its steps call. */
  private grant(settings: ReturnType<typeof runbookSettings>): void {
    const table = DataContract.of(this).table('runbook');
    const takeOver = [this.config.regions.primary.region, this.config.regions.secondary.region];
    const arn = (service: string, region: string, resource: string) => `arn:${this.partition}:${service}:${region}:${this.account}:${resource}`;
    const opsBusArn = this.naming.opsBusArn(this.partition, this.region, this.account);
    const topics = SEVERITIES.map((s) => this.topicArn(s));
    const prefix = this.naming.prefix;
    const killSwitches = takeOver.map((r) => arn('ssm', r, `parameter${this.naming.killSwitchParameter}`));
    const readOnly = (actions: string[], reason: string) => new iam.PolicyStatement({ actions, resources: ['*'], sid: reason });

    for (const fn of [this.checks, this.actions]) {
      // Both record their steps: audit records, step events.
      fn.bindTable('RUNBOOK_TABLE', table, 'readWrite');
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [opsBusArn] }));
      fn.addToRolePolicy(
        readOnly(['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms', 'rds:DescribeGlobalClusters', 'elasticache:DescribeGlobalReplicationGroups'], 'ReadOnlyObservation'),
      );
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [...killSwitches, ...takeOver.map((r) => arn('ssm', r, `parameter${this.naming.api.restApiIdParameter}`))] }));
    }
    this.checks.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: topics }));
    this.reportBucket.grantPut(this.checks, 'runs/*');

    const a = this.actions;
    a.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: killSwitches }));
    a.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [arn('ssm', this.region, `parameter${settings.names.shardMapParameter}`)] }));
    a.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
        resources: [
          ...settings.names.globalClusters.map((g) => `arn:${this.partition}:rds::${this.account}:global-cluster:${g}`),
          ...takeOver.map((r) => arn('rds', r, `cluster:${prefix}-*`)),
        ],
      }),
    );
    a.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['rds:RestoreDBClusterToPointInTime', 'rds:CreateDBInstance', 'rds:AddTagsToResource', 'rds:RegisterDBProxyTargets', 'rds:DeregisterDBProxyTargets', 'rds:DescribeDBProxyTargets', 'rds:DescribeDBClusters', 'rds:DescribeDBInstances'],
        resources: [
          arn('rds', this.region, `cluster:${prefix}-*`),
          arn('rds', this.region, `db:${prefix}-*`),
          arn('rds', this.region, `db-proxy:*`),
          arn('rds', this.region, `target-group:*`),
          arn('rds', this.region, `subgrp:*`),
          arn('rds', this.region, `cluster-pitr:*`),
        ],
      }),
    );
    DataContract.of(this).dataKey.grant(a, 'kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey');
    a.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['elasticache:FailoverGlobalReplicationGroup', 'elasticache:DisassociateGlobalReplicationGroup'],
        resources: [`arn:${this.partition}:elasticache::${this.account}:globalreplicationgroup:*${dataNames(this.naming).globalDatastoreSuffix}`, ...takeOver.map((r) => arn('elasticache', r, `replicationgroup:${dataNames(this.naming).cacheReplicationGroup}`))],
      }),
    );
    a.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: takeOver.map((r) => arn('ecs', r, `service/${this.naming.tradingEngine.cluster}/${this.naming.tradingEngine.service}`)) }));
    a.addToRolePolicy(readOnly(['lambda:ListEventSourceMappings'], 'ListMappingsHasNoResource'));
    a.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:UpdateEventSourceMapping'], resources: takeOver.map((r) => arn('lambda', r, 'event-source-mapping:*')) }));
    const { hostedZoneId } = this.config.runbooks.traffic;
    if (hostedZoneId) {
      a.addToRolePolicy(new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'], resources: [`arn:${this.partition}:route53:::hostedzone/${hostedZoneId}`] }));
    }
    const tableIndexes = takeOver.map((r) => `arn:${this.partition}:dynamodb:${r}:${this.account}:table/${settings.names.runbookTable}/index/*`);
    const common = [
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: 'The runbook table is encrypted with the data key: DynamoDB needs GenerateDataKey* on that one key (the grant names it)' },
      { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: 'The runbook table is encrypted with the data key: the DynamoDB read-write grant includes ReEncrypt* on that one key' },
      ...tableIndexes.map((i) => ({ id: `AwsSolutions-IAM5[Resource::${i}]`, reason: 'The read-write grant on the runbook global table covers its indexes (index/*) in this region and its replica' })),
    ];
    acknowledge(this.checks.role!, ...common, { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: 'Writing a report (grantPut) includes aborting its own multipart upload; scoped to the report keys' }, {
      id: `AwsSolutions-IAM5[Resource::<${(this.resolve(this.reportBucket.bucketArn) as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]}.Arn>/runs/*]`,
      reason: 'Reports are written under runs/<runbook>/<date>/<run id>.json: the keys are made per execution',
    });
    const generated = [
      `arn:${this.partition}:elasticache::${this.account}:globalreplicationgroup:*${dataNames(this.naming).globalDatastoreSuffix}`,
      ...takeOver.flatMap((r) => [arn('lambda', r, 'event-source-mapping:*'), arn('rds', r, `cluster:${prefix}-*`)]),
      ...['cluster-pitr:*', `db:${prefix}-*`, 'db-proxy:*', 'subgrp:*', 'target-group:*'].map((x) => arn('rds', this.region, x)),
    ];
    acknowledge(
      this.actions.role!,
      ...common,
      ...generated.map((g) => ({
        id: `AwsSolutions-IAM5[Resource::${g}]`,
        reason: 'Ids AWS generates or a run creates (global datastore prefix, mapping UUIDs, restored clusters, proxy target groups), limited to this environment\'s name prefix where the id allows it',
      })),
    );
  }
}
