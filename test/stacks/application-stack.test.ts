/**
 * The trading engine's CloudFormation, per environment and region role: where it exists, its task
 * (size, non-root, read-only root, logs), service (circuit breaker, groups), load balancer health
 * checks, and its scaling policies with the metric math.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REGION_ROLES, resolveAccount, validateConfig, type EnvironmentName, type RegionRole } from '../../lib/config';
import { prod as prodFile } from '../../lib/config/environments/prod';
import { buildPlatform } from '../../lib/platform';
import { ADOT_COLLECTOR_IMAGE } from '../../lib/constructs/trading-engine-service';
import { ALL_ENVIRONMENTS, platformOf, TEST_ACCOUNT, testApp } from '../helpers/platform';

const TRADING_CORE: readonly RegionRole[] = ['primary', 'secondary'];

describe.each(ALL_ENVIRONMENTS)('trading engine in %s', (env: EnvironmentName) => {
  const platform = platformOf(env);
  const { config } = platform;
  const engine = config.tradingEngine;
  const stackOf = (role: RegionRole) => platform.regions.find((r) => r.role === role)!.application;
  const template = (role: RegionRole) => platform.template(stackOf(role)!);

  it('runs in the primary and secondary only, in <app>-<env>-<region>-application', () => {
    for (const role of REGION_ROLES) {
      const stack = stackOf(role);
      if (!TRADING_CORE.includes(role)) {
        expect(stack).toBeUndefined();
        continue;
      }
      expect(stack!.stackName).toBe(`trading-${env}-${config.regions[role].region}-application`);
      const t = template(role);
      t.resourceCountIs('AWS::ECS::Service', 1);
      t.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterName: `trading-${env}-engine`,
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
    }
  });

  it('deploys after the data and messaging stacks of its region, whose parameters it reads', () => {
    for (const role of TRADING_CORE) {
      const { application, data, messaging } = platform.regions.find((r) => r.role === role)!;
      expect(application!.dependencies).toEqual(expect.arrayContaining([data, messaging]));
    }
  });

  describe.each(TRADING_CORE)('%s region', (role) => {
    const t = () => template(role);

    it('task: configured size, non-root user, read-only root file system, logs with retention', () => {
      const size = config.compute.services.tradingEngine;
      t().hasResourceProperties('AWS::ECS::TaskDefinition', {
        Family: `trading-${env}-trading-engine`,
        Cpu: String(size.vcpu * 1024),
        Memory: String(size.memoryGiB * 1024),
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        ContainerDefinitions: [
          Match.objectLike({
            Name: 'engine',
            // Starts once its tracing sidecar runs (the collector is not essential: it never stops trading).
            DependsOn: [{ ContainerName: 'otel-collector', Condition: 'START' }],
            User: '65532:65532',
            ReadonlyRootFilesystem: true,
            StopTimeout: engine.stopTimeoutSeconds,
            PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
            MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
            LogConfiguration: {
              LogDriver: 'awslogs',
              Options: Match.objectLike({ 'awslogs-stream-prefix': 'engine', mode: 'blocking', 'awslogs-group': Match.anyValue() }),
            },
          }),
          Match.objectLike({ Name: 'otel-collector', Essential: false, Image: ADOT_COLLECTOR_IMAGE }),
        ],
      });
      t().hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/trading/${env}/trading-engine`, RetentionInDays: config.logs.retentionDays });
    });

    it('task environment: names and tuning from config, never a secret', () => {
      const container = Object.values(t().findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];
      const environment = Object.fromEntries(container.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
      expect(environment).toMatchObject({
        ENGINE_BROKERS_PARAMETER: `/trading/${env}/messaging/kafka/bootstrap-brokers`,
        ENGINE_SHARD_MAP_PARAMETER: `/trading/${env}/data/aurora/shard-map`,
        ENGINE_KILL_SWITCH_PARAMETER: `/trading/${env}/application/kill-switch`,
        ENGINE_GROUP_ID: `trading-${env}-trading-engine`,
        ENGINE_DB_USER: config.data.aurora.databaseUsers[0],
        ENGINE_SYMBOLS: engine.symbols.join(','),
        ENGINE_ACTIVE_WINDOW_MINUTES: String(engine.scaling.activeWindowMinutes),
        ENGINE_METRIC_NAMESPACE: `trading/${env}/TradingEngine`,
        ENGINE_DRAIN_SECONDS: String(engine.stopTimeoutSeconds - 5),
      });
      expect(Object.keys(environment).filter((k) => /PASSWORD|SECRET|TOKEN|KEY/i.test(k))).toEqual([]);
      expect(container.Secrets).toBeUndefined();
    });

    it('image: built from services/trading-engine at deploy time (an asset), never during synth', () => {
      const container = Object.values(t().findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];
      expect(JSON.stringify(container.Image)).toContain('container-assets');
    });

    it('service: circuit breaker with rollback, no desired count to reset, private subnets, engine + Kafka + PostgreSQL client groups', () => {
      const [service] = Object.values(t().findResources('AWS::ECS::Service')).map((r) => r.Properties);
      expect(service).toMatchObject({
        ServiceName: `trading-${env}-trading-engine`,
        LaunchType: 'FARGATE',
        DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
        HealthCheckGracePeriodSeconds: 60,
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
      expect(service.DesiredCount).toBeUndefined();
      const groups = JSON.stringify(service.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups);
      expect(groups).toMatch(/SsmParameterValuetrading\w+messagingkafkaclientsecuritygroupid/);
      expect(groups).toMatch(/SsmParameterValuetrading\w+datasecuritygroupsdatabaseclients/);
    });

    it('internal load balancer: /health every 10 s, 5 s timeout, unhealthy after 3 failures', () => {
      t().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'application' });
      t().hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 8080,
        TargetType: 'ip',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        UnhealthyThresholdCount: 3,
        HealthyThresholdCount: 2,
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
      });
      // Only from inside the VPC (config's literal block).
      t().hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [Match.objectLike({ CidrIp: config.regions[role].vpcCidr, FromPort: 80, ToPort: 80 })],
      });
    });

    it(`scales between the ${role}'s configured tasks on sum(ActiveTradingUsers) / RunningTaskCount, with CPU and memory back-stops`, () => {
      t().hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: engine.capacity[role as 'primary' | 'secondary'].minTasks,
        MaxCapacity: engine.capacity[role as 'primary' | 'secondary'].maxTasks,
        ScalableDimension: 'ecs:service:DesiredCount',
        ServiceNamespace: 'ecs',
      });
      const service = { Name: 'ServiceName', Value: Match.anyValue() };
      const cluster = { Name: 'ClusterName', Value: Match.anyValue() };
      t().hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: engine.scaling.targetActiveUsersPerTask,
          ScaleOutCooldown: engine.scaling.scaleOutCooldownSeconds,
          ScaleInCooldown: engine.scaling.scaleInCooldownSeconds,
          CustomizedMetricSpecification: {
            Metrics: [
              {
                Id: 'users',
                Label: Match.anyValue(),
                MetricStat: { Metric: { Namespace: `trading/${env}/TradingEngine`, MetricName: 'ActiveTradingUsers', Dimensions: [cluster, service] }, Stat: 'Sum', Unit: 'Count' },
                ReturnData: false,
              },
              {
                Id: 'tasks',
                Label: Match.anyValue(),
                MetricStat: { Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: [cluster, service] }, Stat: 'Average' },
                ReturnData: false,
              },
              { Id: 'usersPerTask', Label: 'sum(ActiveTradingUsers) / RunningTaskCount', Expression: 'users / tasks', ReturnData: true },
            ],
          },
        },
      });
      for (const [metric, target] of [
        ['ECSServiceAverageCPUUtilization', engine.scaling.cpuTargetPercent],
        ['ECSServiceAverageMemoryUtilization', engine.scaling.memoryTargetPercent],
      ] as const) {
        t().hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
          TargetTrackingScalingPolicyConfiguration: {
            PredefinedMetricSpecification: { PredefinedMetricType: metric },
            TargetValue: target,
            ScaleOutCooldown: engine.scaling.scaleOutCooldownSeconds,
            ScaleInCooldown: engine.scaling.scaleInCooldownSeconds,
          },
        });
      }
      t().resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 3);
    });

    it('task role: its own topics and group, rds-db:connect as its role, its parameters; no wildcard action', () => {
      const policies = Object.values(t().findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument.Statement).flat();
      const text = JSON.stringify(policies);
      const statement = (action: string) => policies.filter((s: { Action: string | string[] }) => [s.Action].flat().includes(action));
      expect(JSON.stringify(statement('kafka-cluster:ReadData'))).toContain('/trading.signals');
      expect(JSON.stringify(statement('kafka-cluster:ReadData'))).not.toContain('/trading.orders');
      const written = JSON.stringify(statement('kafka-cluster:WriteData'));
      for (const topic of ['trading.orders', 'trading.trades', 'trading.positions', 'trading.deadletter']) expect(written).toContain(`/${topic}`);
      expect(written).not.toContain('/trading.signals');
      expect(JSON.stringify(statement('kafka-cluster:AlterGroup'))).toContain(`/trading-${env}-trading-engine`);
      expect(JSON.stringify(statement('rds-db:connect'))).toContain(`/${config.data.aurora.databaseUsers[0]}`);
      for (const p of ['messaging/kafka/bootstrap-brokers', 'data/aurora/shard-map', 'application/kill-switch']) {
        expect(JSON.stringify(statement('ssm:GetParameter'))).toContain(`parameter/trading/${env}/${p}`);
      }
      expect(text).not.toMatch(/"(kafka-cluster|rds-db|ssm):\*"/);
    });

    it('holds the region kill switch (off) and publishes the engine names for the runbooks', () => {
      t().hasResourceProperties('AWS::SSM::Parameter', { Name: `/trading/${env}/application/kill-switch`, Value: 'off' });
      for (const key of ['cluster-name', 'service-name', 'load-balancer-dns']) {
        t().hasResourceProperties('AWS::SSM::Parameter', { Name: `/trading/${env}/application/trading-engine/${key}` });
      }
    });
  });
});

describe('another engine image', () => {
  it('config can point the service at an ECR repository and tag instead of the built-in engine', () => {
    const config = validateConfig(
      { ...structuredClone(prodFile), tradingEngine: { ...structuredClone(prodFile.tradingEngine), image: { source: 'ecr', repositoryName: 'quant/engine', tag: 'v2.3.1' } } },
      'test',
    );
    const app: App = testApp();
    const platform = buildPlatform(app, config, resolveAccount(TEST_ACCOUNT, undefined));
    const stack = platform.regions.find((r) => r.role === 'primary')!.application!;
    const container = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];
    const image = JSON.stringify(container.Image);
    expect(image).toContain('/quant/engine:v2.3.1');
    expect(image).not.toContain('container-assets');
    expect(container.User).toBe('65532:65532');
  });
});

describe('the data tier it connects to (DataContract)', () => {
  /** Prod with three shards and the engine's role first among the proxies' users. */
  const config = validateConfig(
    { ...structuredClone(prodFile), data: { ...structuredClone(prodFile.data), aurora: { ...structuredClone(prodFile.data.aurora), shards: 3, databaseUsers: ['engine', 'reporting'] } } },
    'test',
  );
  const platform = buildPlatform(testApp(), config, resolveAccount(TEST_ACCOUNT, undefined));
  const regionOf = (role: RegionRole) => platform.regions.find((r) => r.role === role)!;

  it.each(TRADING_CORE)('%s: logs in as the first database user through every shard\'s proxy, and as no other', (role) => {
    const t = Template.fromStack(regionOf(role).application!);
    const container = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];
    expect(container.Environment).toContainEqual({ Name: 'ENGINE_DB_USER', Value: 'engine' });
    const connect = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: string | string[] }) => [s.Action].flat().includes('rds-db:connect'));
    const resources = connect.flatMap((s: { Resource: unknown }) => [s.Resource].flat());
    expect(resources).toHaveLength(3);
    resources.forEach((resource, shard) => {
      const text = JSON.stringify(resource);
      expect(text).toContain(`SsmParameterValuetradingproddataaurorashards${shard}proxyarn`);
      expect(text).toContain('"/engine"');
    });
  });

  it.each(TRADING_CORE)('%s: reads only data parameters that its region\'s data stack publishes, and only those it uses', (role) => {
    const { application, data } = regionOf(role);
    const published = Object.values<any>(Template.fromStack(data).findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name);
    const read = Object.values<any>(Template.fromStack(application!).toJSON().Parameters)
      .map((p) => p.Default as string)
      .filter((name) => name.startsWith('/trading/prod/data/'));
    expect(read.sort()).toEqual(['/trading/prod/data/security-groups/database-clients', ...[0, 1, 2].map((n) => `/trading/prod/data/aurora/shards/${n}/proxy-arn`)].sort());
    for (const name of read) expect(published).toContain(name);
  });
});
