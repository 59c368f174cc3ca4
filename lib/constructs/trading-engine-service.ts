/**
 * The trading engine on Fargate: an ECS cluster with Container Insights, the service behind an internal
 * load balancer (health checks on /health), a non-root task with a read-only root file system, and
 * scaling on active trading users per task (target tracking on metric math, L1, since the L2 refuses
 * math) with CPU and memory back-stops.
 *
 * It reaches MSK and the database through the client security groups and SSM parameters the messaging
 * and data stacks publish (the data tier through its contract, `DataContract`); the task role holds only
 * its topics, its consumer group, `rds-db:connect` as its database role on every shard's proxy and read
 * access to its three parameters.
 */
import * as path from 'node:path';
import { Duration, IgnoreMode, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { TOPICS } from '@shared/events';
import { acknowledge } from '../compliance';
import type { FargateSize, TradingEngineConfig } from '../config';
import type { Naming } from '../naming';
import { grantKafka } from './kafka-access';

/** The port the engine serves /health and /ready on. */
export const ENGINE_PORT = 8080;
/** The image's unprivileged user (distroless `nonroot`); another engine's image must run as it too. */
export const ENGINE_USER = '65532:65532';
export const ACTIVE_USERS_METRIC = 'ActiveTradingUsers';
/** Seconds between SIGTERM and the stop timeout the engine keeps for exiting after its drain. */
const DRAIN_MARGIN_SECONDS = 5;

const REPO_ROOT = path.join(__dirname, '../..');
/** The image's build context is the repository root cut down to what the Dockerfile copies. */
const ASSET_INCLUDE = ['package.json', 'package-lock.json', 'tsconfig.json', 'layers/shared/src', 'services/trading-engine'];

/** What the engine needs of its region's data tier: `DataContract.of(stack)` is one. */
export interface EngineDatabase {
  /** Security group carrying the egress to the proxies (the data stores admit it). */
  readonly databaseClients: ec2.ISecurityGroup;
  readonly shardCount: number;
  /** IAM database authentication as `dbUser` through the proxy of `shard`. */
  grantConnect(grantee: iam.IGrantable, shard: number, dbUser: string): iam.Grant;
}

export interface TradingEngineServiceProps {
  readonly vpc: ec2.IVpc;
  /** The VPC's CIDR block as config spells it (a literal, so that checks can read the ingress rule). */
  readonly vpcCidr: string;
  readonly naming: Naming;
  readonly engine: TradingEngineConfig;
  readonly size: FargateSize;
  /** Tasks in this region (the primary's, or the secondary's warm floor). */
  readonly capacity: { readonly minTasks: number; readonly maxTasks: number };
  readonly logRetention: logs.RetentionDays;
  /** Of the log group and the access-log bucket. */
  readonly removalPolicy: RemovalPolicy;
  /** The region's MSK cluster ARN and client security group (from the messaging stack's parameters). */
  readonly kafka: { readonly clusterArn: string; readonly clientSecurityGroup: ec2.ISecurityGroup };
  /** The region's data tier: the engine connects to every shard. */
  readonly database: EngineDatabase;
  /** The PostgreSQL role the engine logs in as (IAM authentication through RDS Proxy). */
  readonly databaseUser: string;
  /** SSM parameter names the task reads at start (and the kill switch, polled). */
  readonly parameters: { readonly brokers: string; readonly shardMap: string; readonly killSwitch: string };
}

export class TradingEngineService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly scaling: ecs.ScalableTaskCount;
  readonly activeUsersPolicy: appscaling.CfnScalingPolicy;

  constructor(scope: Construct, id: string, props: TradingEngineServiceProps) {
    super(scope, id);
    const { naming, engine, vpc } = props;
    const names = naming.tradingEngine;
    const stack = Stack.of(this);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: names.cluster,
      // RunningTaskCount, the scaling expression's denominator, exists only with Container Insights.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: names.service,
      cpu: props.size.vcpu * 1024,
      memoryLimitMiB: props.size.memoryGiB * 1024,
      // Built where `cdk deploy` runs: x86_64 builds everywhere without emulation.
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: engineLogGroupName(naming),
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const container = this.taskDefinition.addContainer('engine', {
      image: engineImage(this, engine),
      user: ENGINE_USER,
      readonlyRootFilesystem: true,
      essential: true,
      portMappings: [{ containerPort: ENGINE_PORT, protocol: ecs.Protocol.TCP }],
      stopTimeout: Duration.seconds(engine.stopTimeoutSeconds),
      // Blocking: an EMF line (the scaling metric) must never be dropped for a full buffer.
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'engine', mode: ecs.AwsLogDriverMode.BLOCKING }),
      environment: {
        AWS_REGION: stack.region,
        ENGINE_BROKERS_PARAMETER: props.parameters.brokers,
        ENGINE_SHARD_MAP_PARAMETER: props.parameters.shardMap,
        ENGINE_DB_USER: props.databaseUser,
        ENGINE_KILL_SWITCH_PARAMETER: props.parameters.killSwitch,
        ENGINE_KILL_SWITCH_POLL_SECONDS: String(engine.killSwitchPollSeconds),
        ENGINE_GROUP_ID: names.consumerGroup,
        ENGINE_SYMBOLS: engine.symbols.join(','),
        ENGINE_SLIPPAGE_BPS: String(engine.paperBroker.slippageBps),
        ENGINE_LATENCY_MS: String(engine.paperBroker.latencyMs),
        ENGINE_FEE_BPS: String(engine.paperBroker.feeBps),
        ENGINE_DEFAULT_ORDER_NOTIONAL: engine.paperBroker.defaultOrderNotional,
        ENGINE_ACTIVE_WINDOW_MINUTES: String(engine.scaling.activeWindowMinutes),
        ENGINE_METRIC_NAMESPACE: names.metricNamespace,
        ENGINE_CLUSTER_NAME: names.cluster,
        ENGINE_SERVICE_NAME: names.service,
        ENGINE_DRAIN_SECONDS: String(engine.stopTimeoutSeconds - DRAIN_MARGIN_SECONDS),
        PORT: String(ENGINE_PORT),
      },
    });
    acknowledge(this.taskDefinition, {
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment carries names and tuning only (SSM parameter names, consumer group, metric dimensions, broker settings), never a secret: endpoints are read from SSM at start, credentials are the task role (IAM auth to MSK and RDS Proxy).',
    });
    // The only writable path: a task-scoped scratch volume (the image itself writes nothing).
    this.taskDefinition.addVolume({ name: 'tmp' });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    this.addTracingSidecar(logGroup, container);

    const serviceGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc,
      description: 'Trading engine tasks: health checks in; AWS APIs out (Kafka and PostgreSQL through their client groups)',
      allowAllOutbound: false,
    });
    serviceGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (SSM, STS, ECR, CloudWatch Logs) through endpoints or NAT');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: names.service,
      taskDefinition: this.taskDefinition,
      // No desiredCount: a deployment must never reset what autoscaling (or the failover runbook) set.
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceGroup, props.kafka.clientSecurityGroup, props.database.databaseClients],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // Start-up reads SSM, migrates, joins the consumer group: health checks wait this long.
      healthCheckGracePeriod: Duration.seconds(60),
      platformVersion: ecs.FargatePlatformVersion.LATEST,
    });

    this.loadBalancer = this.internalLoadBalancer(props, serviceGroup);
    this.grantAccess(props);
    this.scaling = this.service.autoScaleTaskCount({ minCapacity: props.capacity.minTasks, maxCapacity: props.capacity.maxTasks });
    this.activeUsersPolicy = this.scaleOnActiveUsers(engine, names.metricNamespace);
  }

  /**
   * The AWS Distro for OpenTelemetry collector beside the engine: it receives OTLP on localhost and sends
   * traces to X-Ray and ECS task metrics as EMF, with AWS's default ECS pipeline. Not essential: a collector
   * crash must never stop trading; the engine starts only once the collector runs, so early spans are kept.
   */
  private addTracingSidecar(logGroup: logs.ILogGroup, engine: ecs.ContainerDefinition): void {
    const collector = this.taskDefinition.addContainer('otel-collector', {
      image: ecs.ContainerImage.fromRegistry(ADOT_COLLECTOR_IMAGE),
      command: ['--config=/etc/ecs/ecs-default-config.yaml'],
      essential: false,
      memoryReservationMiB: 128,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'otel-collector' }),
    });
    engine.addContainerDependencies({ container: collector, condition: ecs.ContainerDependencyCondition.START });
    engine.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4317');
    const taskRole = this.taskDefinition.taskRole;
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], resources: ['*'] }),
    );
    // The default pipeline writes ECS task metrics as EMF to this log group.
    const { region, account, partition } = Stack.of(this);
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [`arn:${partition}:logs:${region}:${account}:log-group:${ADOT_METRICS_LOG_GROUP}`, `arn:${partition}:logs:${region}:${account}:log-group:${ADOT_METRICS_LOG_GROUP}:*`],
      }),
    );
    acknowledge(taskRole, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments, PutTelemetryRecords and the sampling-rule reads support no resource-level permissions (AWS service authorization reference).',
    }, {
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:${ADOT_METRICS_LOG_GROUP}:*]`,
      reason: 'The collector writes log streams it names per task at run time, inside the one log group of ADOT\'s ECS metrics pipeline.',
    });
  }

  private internalLoadBalancer(props: TradingEngineServiceProps, serviceGroup: ec2.SecurityGroup): elbv2.ApplicationLoadBalancer {
    const { vpc, vpcCidr } = props;
    const albGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'Trading engine internal load balancer: HTTP from the VPC',
      allowAllOutbound: false,
    });
    albGroup.addIngressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(80), 'HTTP from inside the VPC (operations tools, canaries)');
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: albGroup,
      dropInvalidHeaderFields: true,
    });
    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      // ALB access logs support SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: false,
      lifecycleRules: [{ expiration: Duration.days(props.logRetention) }],
    });
    alb.logAccessLogs(accessLogs, 'trading-engine');
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket only receives the internal load balancer access logs; server access logs of a log bucket would log the log delivery itself.',
    });
    const listener = alb.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    listener.addTargets('Engine', {
      port: ENGINE_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: {
        path: '/health',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        unhealthyThresholdCount: 3,
        healthyThresholdCount: 2,
        healthyHttpCodes: '200',
      },
      // ECS sends SIGTERM only after deregistration: the engine drains itself, so do not wait 300 s first.
      deregistrationDelay: Duration.seconds(10),
    });
    serviceGroup.addIngressRule(albGroup, ec2.Port.tcp(ENGINE_PORT), 'Health checks from the internal load balancer');
    albGroup.addEgressRule(serviceGroup, ec2.Port.tcp(ENGINE_PORT), 'Health checks and requests to the engine tasks');
    return alb;
  }

  private grantAccess(props: TradingEngineServiceProps): void {
    const role = this.taskDefinition.taskRole;
    const names = props.naming.tradingEngine;
    grantKafka(role, {
      clusterArn: props.kafka.clusterArn,
      consume: [{ topics: [TOPICS.signals], groupId: names.consumerGroup }],
      produce: [TOPICS.orders, TOPICS.trades, TOPICS.positions, TOPICS.deadLetter],
    });
    for (let shard = 0; shard < props.database.shardCount; shard++) props.database.grantConnect(role, shard, props.databaseUser);
    for (const [id, name] of Object.entries(props.parameters)) {
      ssm.StringParameter.fromStringParameterName(this, `Read-${id}`, name).grantRead(role);
    }
    acknowledge(this.taskDefinition.executionRole!, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which every image pull needs, supports no resource-level permission (AWS service authorization reference).',
    });
  }

  /**
   * Target tracking on sum(ActiveTradingUsers) / RunningTaskCount. Each task writes one ActiveTradingUsers
   * datapoint a minute under the service's dimensions, so the minute's Sum is the total over tasks.
   */
  private scaleOnActiveUsers(engine: TradingEngineConfig, namespace: string): appscaling.CfnScalingPolicy {
    const { scaling } = engine;
    const cooldowns = { scaleOutCooldown: Duration.seconds(scaling.scaleOutCooldownSeconds), scaleInCooldown: Duration.seconds(scaling.scaleInCooldownSeconds) };
    const dimensions = [
      { name: 'ClusterName', value: this.cluster.clusterName },
      { name: 'ServiceName', value: this.service.serviceName },
    ];
    const policy = new appscaling.CfnScalingPolicy(this, 'ActiveUsersScaling', {
      policyName: `${this.service.serviceName}-active-users`,
      policyType: 'TargetTrackingScaling',
      // The ECS L2 keeps its ScalableTarget as the child `Target`; referencing it orders the policy after it.
      scalingTargetId: (this.scaling.node.findChild('Target') as appscaling.ScalableTarget).scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: scaling.targetActiveUsersPerTask,
        scaleOutCooldown: scaling.scaleOutCooldownSeconds,
        scaleInCooldown: scaling.scaleInCooldownSeconds,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'users',
              label: 'Active trading users, summed over tasks',
              metricStat: { metric: { namespace, metricName: ACTIVE_USERS_METRIC, dimensions }, stat: 'Sum', unit: 'Count' },
              returnData: false,
            },
            {
              id: 'tasks',
              label: 'Running tasks',
              metricStat: { metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions }, stat: 'Average' },
              returnData: false,
            },
            { id: 'usersPerTask', label: 'sum(ActiveTradingUsers) / RunningTaskCount', expression: 'users / tasks', returnData: true },
          ],
        },
      },
    });
    this.scaling.scaleOnCpuUtilization('CpuBackstop', { targetUtilizationPercent: scaling.cpuTargetPercent, ...cooldowns });
    this.scaling.scaleOnMemoryUtilization('MemoryBackstop', { targetUtilizationPercent: scaling.memoryTargetPercent, ...cooldowns });
    return policy;
  }
}

/** The ADOT collector, pinned: a collector upgrade is a reviewed change, not a side effect of a deploy. */
export const ADOT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0';
/** Where ADOT's default ECS pipeline writes task metrics (EMF). */
const ADOT_METRICS_LOG_GROUP = '/aws/ecs/application/metrics';

/** The engine's log group (its error metric filter lives in the observability stack). */
export function engineLogGroupName(naming: Naming): string {
  return `/${naming.app}/${naming.environment}/trading-engine`;
}

/** The repository's engine built from source at deploy time, or another engine's image from ECR. */
function engineImage(scope: Construct, engine: TradingEngineConfig): ecs.ContainerImage {
  if (engine.image.source === 'ecr') {
    const repository = ecr.Repository.fromRepositoryName(scope, 'EngineRepository', engine.image.repositoryName);
    return ecs.ContainerImage.fromEcrRepository(repository, engine.image.tag);
  }
  return ecs.ContainerImage.fromAsset(REPO_ROOT, {
    file: 'services/trading-engine/Dockerfile',
    platform: Platform.LINUX_AMD64,
    ignoreMode: IgnoreMode.DOCKER,
    exclude: ['*', ...ASSET_INCLUDE.map((p) => `!${p}`), '**/node_modules', '**/cdk.out'],
  });
}
