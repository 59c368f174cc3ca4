/**
 * The observability stack of every region: severity topics, alarms with their thresholds and actions per
 * environment, the region-health composite alarm the failover rules match, canaries, dashboards with the
 * widgets docs/operations.md tours, and the engine's ADOT sidecar.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { REGION_ROLES, type EnvironmentName, type RegionRole } from '../../lib/config';
import { platformOf } from '../helpers/platform';

const regionOf = (env: EnvironmentName, role: RegionRole) => platformOf(env).regions.find((r) => r.role === role)!;
const templateOf = (env: EnvironmentName, role: RegionRole): Template => platformOf(env).template(regionOf(env, role).observability);

/** The alarm named `<app>-<env>-<name>` (exactly one). */
function alarm(t: Template, env: EnvironmentName, name: string): Record<string, any> {
  const found = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `trading-${env}-${name}` } }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** The logical id of the severity topic `severity` in template `t`. */
function topicId(t: Template, env: EnvironmentName, severity: string): string {
  const ids = Object.keys(t.findResources('AWS::SNS::Topic', { Properties: { TopicName: `trading-${env}-alarms-${severity}` } }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Every widget title of a dashboard (its body is a Fn::Join of literal strings and tokens). */
function widgetTitles(dashboard: Record<string, any>): string[] {
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '"TOKEN"')).join('');
  return [...text.matchAll(/"title":"([^"]*)"/g)].map((m) => m[1]);
}

describe.each(REGION_ROLES)('prod %s observability stack', (role) => {
  const t = () => templateOf('prod', role);
  const region = () => platformOf('prod').config.regions[role].region;

  it('has one KMS-encrypted topic per severity under the shared names', () => {
    for (const severity of ['critical', 'warning', 'info']) {
      t().hasResourceProperties('AWS::SNS::Topic', { TopicName: `trading-prod-alarms-${severity}`, KmsMasterKeyId: Match.anyValue() });
    }
  });

  it('pages on the critical alarms with the blueprint thresholds, and resolves the page when they clear', () => {
    const critical = { Ref: topicId(t(), 'prod', 'critical') };
    const errors = alarm(t(), 'prod', 'api-5xx-rate-critical');
    expect(errors).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [critical], OKActions: [critical] });
    expect(alarm(t(), 'prod', 'api-p95-critical')).toMatchObject({ Threshold: 1000, AlarmActions: [critical] });
    expect(alarm(t(), 'prod', 'canary-health-failing')).toMatchObject({ Threshold: 100, ComparisonOperator: 'LessThanThreshold', AlarmActions: [critical] });
    expect(alarm(t(), 'prod', 'database-down-shard-0')).toMatchObject({ TreatMissingData: 'breaching', AlarmActions: [critical] });
  });

  it('notifies on the warning alarms: error rate 1%, latency objectives 100 / 300 / 500 ms, cache CPU 80% for 10 minutes', () => {
    const warning = { Ref: topicId(t(), 'prod', 'warning') };
    expect(alarm(t(), 'prod', 'api-5xx-rate-warning')).toMatchObject({ Threshold: 1, AlarmActions: [warning] });
    expect(alarm(t(), 'prod', 'api-p50-objective')).toMatchObject({ Threshold: 100, AlarmActions: [warning] });
    expect(alarm(t(), 'prod', 'api-p95-objective')).toMatchObject({ Threshold: 300, AlarmActions: [warning] });
    expect(alarm(t(), 'prod', 'api-p99-objective')).toMatchObject({ Threshold: 500, AlarmActions: [warning] });
    expect(alarm(t(), 'prod', 'cache-cpu')).toMatchObject({ Threshold: 80, EvaluationPeriods: 10, DatapointsToAlarm: 10, AlarmActions: [warning] });
    expect(alarm(t(), 'prod', 'cache-memory')).toMatchObject({ Threshold: 85, AlarmActions: [warning] });
  });

  it('sums the region up in the composite alarm the failover rules match by name', () => {
    const composite = Object.values(t().findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    expect(composite[0].Properties.AlarmName).toBe(`trading-prod-${region()}-region-health`);
    // The rule names its members by ARN (Fn::GetAtt of their logical ids): resolve them to alarm names.
    const alarms = t().findResources('AWS::CloudWatch::Alarm');
    const members = [...JSON.stringify(composite[0].Properties.AlarmRule).matchAll(/"Fn::GetAtt":\["([^"]+)","Arn"\]/g)].map((m) => alarms[m[1]].Properties.AlarmName);
    // A slow API pages but is no reason to leave the region.
    expect(members.sort()).toEqual(['trading-prod-api-5xx-rate-critical', 'trading-prod-canary-health-failing', 'trading-prod-database-down-shard-0']);
  });

  it('runs the /health and WebSocket canaries every minute, reading the API ids from SSM', () => {
    t().hasResourceProperties('AWS::Synthetics::Canary', {
      Name: 'trading-prod-health',
      Schedule: Match.objectLike({ Expression: 'rate(1 minute)' }),
      RunConfig: Match.objectLike({ EnvironmentVariables: Match.objectLike({ API_ID_PARAMETER: '/trading/prod/api/rest-api-id', HEALTH_PATH: '/health' }) }),
    });
    t().hasResourceProperties('AWS::Synthetics::Canary', {
      Name: 'trading-prod-ws',
      RunConfig: Match.objectLike({ EnvironmentVariables: Match.objectLike({ API_ID_PARAMETER: '/trading/prod/api/websocket-api-id' }) }),
    });
  });

  it('logs info events (alarm changes, ops events) through one resource policy, with a dead-letter queue', () => {
    t().resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    t().hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.cloudwatch'] }),
      Targets: Match.arrayWith([Match.objectLike({ DeadLetterConfig: Match.anyValue() })]),
    });
  });

  it('has the region dashboard with the API, data and alarm widgets, and the engine, Kafka and worker ones where they run', () => {
    const dashboards = t().findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: `trading-prod-${region()}` } });
    const titles = widgetTitles(Object.values(dashboards)[0]);
    const everywhere = ['API latency p50 / p95 / p99 (ms)', 'API error rate (%)', 'API throughput (requests/min)', 'WebSocket connections and messages', 'Aurora connections', 'Aurora CPU (%)', 'Aurora readers', 'Cache engine CPU (%)', 'Cache evictions', 'Cache replication lag (s)'];
    const tradingCore = ['Trading engine tasks', 'Active trading users per task vs scaling target', 'Trading engine CPU and memory (%)', 'Kafka consumer lag per group (messages)', 'Worker errors and invocations', 'Worker dead-letter depth', 'Runbook executions and outcome'];
    expect(titles).toEqual(expect.arrayContaining(everywhere));
    expect(titles.some((x) => x.startsWith('Uptime vs 99.9%'))).toBe(true);
    if (role === 'tertiary') for (const title of tradingCore) expect(titles).not.toContain(title);
    else expect(titles).toEqual(expect.arrayContaining(tradingCore));
  });
});

describe('the cross-region overview', () => {
  it('lives in the primary only and compares every region', () => {
    const overview = (role: RegionRole) => templateOf('prod', role).findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: 'trading-prod-overview' } });
    expect(Object.keys(overview('secondary'))).toHaveLength(0);
    expect(Object.keys(overview('tertiary'))).toHaveLength(0);
    const titles = widgetTitles(Object.values(overview('primary'))[0]);
    expect(titles).toEqual(
      expect.arrayContaining(['Synthetic checks success by region (%)', 'API latency p95 by region (ms)', 'API error rate by region (%)', 'Aurora RPO lag by region (ms)', 'MSK Replicator lag (ms)']),
    );
  });
});

describe('thresholds differ by environment, from config', () => {
  it.each([
    ['dev', 10, 2000],
    ['staging', 5, 1000],
    ['prod', 5, 1000],
  ] as const)('%s: the error-rate page at its config value, the p95 page at its config value', (env, errorRate, p95) => {
    const { thresholds } = platformOf(env).config.observability;
    expect([thresholds.errorRatePercent.critical, thresholds.apiP95CriticalMs]).toEqual([errorRate, p95]);
    const t = templateOf(env, 'primary');
    expect(alarm(t, env, 'api-5xx-rate-critical').Threshold).toBe(errorRate);
    expect(alarm(t, env, 'api-p95-critical').Threshold).toBe(p95);
  });
});
