/**
 * The operations stack in prod: runbooks, triggers, lock table use, report bucket and alarms in the
 * regions that can take over (primary, secondary), none in the tertiary.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { platformOf } from '../helpers/platform';

const platform = platformOf('prod');
const { config } = platform;
const regionOf = (role: 'primary' | 'secondary' | 'tertiary') => platform.regions.find((r) => r.role === role)!;
const template = (role: 'primary' | 'secondary') => platform.template(regionOf(role).operations!);
const RUNBOOKS = ['trading-prod-dr-region-evacuation', 'trading-prod-dr-database-failover', 'trading-prod-dr-failback', 'trading-prod-dr-restore'];

it('exists in the primary and secondary only, after messaging, data and application', () => {
  expect(regionOf('tertiary').operations).toBeUndefined();
  for (const role of ['primary', 'secondary'] as const) {
    const r = regionOf(role);
    expect(r.operations!.stackName).toBe(`trading-prod-${config.regions[role].region}-operations`);
    expect(r.operations!.dependencies).toEqual(expect.arrayContaining([r.messaging, r.data, r.application]));
  }
  expect(regionOf('primary').operations!.dependencies).toContain(regionOf('secondary').messaging);
});

describe.each(['primary', 'secondary'] as const)('%s region', (role) => {
  it('holds the four runbooks by their shared names, traced and logged', () => {
    const t = template(role);
    for (const name of RUNBOOKS) {
      t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: name,
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      });
    }
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 4);
  });

  it('steps run in two functions with the settings, the runbook metric namespace and the lock table', () => {
    const t = template(role);
    for (const [name, group] of [
      ['trading-prod-dr-checks', 'checks'],
      ['trading-prod-dr-actions', 'actions'],
    ]) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Environment: {
          Variables: Match.objectLike({
            RUNBOOK_STEP_GROUP: group,
            RUNBOOK_TABLE: 'trading-prod-runbook',
            POWERTOOLS_METRICS_NAMESPACE: 'trading/prod/Runbooks',
            RUNBOOK_SETTINGS: Match.anyValue(),
          }),
        },
      });
    }
    // The lock: conditional writes on the runbook global table's replica in this region.
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['dynamodb:PutItem', 'dynamodb:UpdateItem']),
            Resource: Match.arrayWith([`arn:aws:dynamodb:${config.regions[role].region}:111111111111:table/trading-prod-runbook`]),
          }),
        ]),
      },
    });
  });

  it('only the actions function may fail over Aurora, and only these global clusters', () => {
    const t = template(role);
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')).map(([id, p]) => ({ id, statements: JSON.stringify(p.Properties.PolicyDocument) }));
    const failover = policies.filter((p) => p.statements.includes('rds:FailoverGlobalCluster'));
    expect(failover.map((p) => p.id)).toEqual([expect.stringMatching(/^ActionsRole/)]);
    expect(failover[0].statements).toContain('arn:aws:rds::111111111111:global-cluster:trading-prod-pg-0');
  });

  it('report bucket: Object Lock (compliance, 1 year) in prod, encrypted, SSL only, no public access', () => {
    const t = template(role);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `trading-prod-runbook-reports-${config.regions[role].region}-111111111111`,
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('human requests on the ops bus start the runbook of the region they target', () => {
    const t = template(role);
    const region = config.regions[role].region;
    const failoverTarget = role === 'secondary' ? [region, { exists: false }] : [region];
    const failbackTarget = role === 'primary' ? [region, { exists: false }] : [region];
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'trading-prod-ops',
      EventPattern: { source: ['platform.ops.failover'], 'detail-type': ['FailoverRequested'], detail: { targetRegion: failoverTarget } },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }) })],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'trading-prod-ops',
      EventPattern: { source: ['platform.ops.failover'], 'detail-type': ['FailbackRequested'], detail: { targetRegion: failbackTarget } },
    });
  });

  it('failed or timed-out executions and undelivered triggers page through the critical topic', () => {
    const t = template(role);
    const region = config.regions[role].region;
    const alarms = t.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(4 * 2 + 1);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([`arn:aws:sns:${region}:111111111111:trading-prod-alarms-critical`]);
    }
  });
});

it('the primary forwards its AWS Health issues and region-health alarm to the secondary ops bus', () => {
  const t = template('primary');
  t.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: 'default',
    EventPattern: { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['RDS', 'ELASTICACHE', 'KAFKA', 'MSK', 'ECS'], eventTypeCategory: ['issue'] } },
    Targets: [Match.objectLike({ Arn: 'arn:aws:events:us-west-2:111111111111:event-bus/trading-prod-ops' })],
  });
  t.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: 'default',
    EventPattern: { source: ['aws.cloudwatch'], detail: { alarmName: ['trading-prod-us-east-1-region-health'], state: { value: ['ALARM'] } } },
  });
});

it('the secondary starts the evacuation on the forwarded signals, and holds the game day (off by default, a dry run)', () => {
  const t = template('secondary');
  t.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: 'trading-prod-ops',
    EventPattern: { source: ['aws.cloudwatch'], region: ['us-east-1'], detail: { alarmName: ['trading-prod-us-east-1-region-health'] } },
  });
  t.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'trading-prod-ops', EventPattern: Match.objectLike({ source: ['aws.health'], region: ['us-east-1'] }) });
  expect(config.runbooks.gameDays.enabled).toBe(false);
  t.hasResourceProperties('AWS::Scheduler::Schedule', {
    State: 'DISABLED',
    ScheduleExpression: config.runbooks.gameDays.schedule,
    Target: Match.objectLike({ Input: JSON.stringify({ source: 'platform.ops.drill', 'detail-type': 'GameDay', detail: {} }) }),
  });
  template('primary').resourceCountIs('AWS::Scheduler::Schedule', 0);
});
