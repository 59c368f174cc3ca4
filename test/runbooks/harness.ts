/**
 * Runs a runbook's SYNTHESIZED state machine (the DefinitionString of the prod secondary's operations
 * template) in aws-local-stepfunctions, with every Lambda task running the real step code
 * (functions/dr-runbook) in-process. The lock, audit and approval records live in dynalite (a real
 * DynamoDB implementation: conditional writes are real); the AWS APIs the steps call are mocked with
 * aws-sdk-client-mock over a small model of the platform (`World`) that moves when a mutating call is
 * made, and logs every mutating call, so a test can assert what changed and what did not.
 */
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeGlobalReplicationGroupsCommand, DisassociateGlobalReplicationGroupCommand, ElastiCacheClient, FailoverGlobalReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  CreateDBInstanceCommand,
  DeregisterDBProxyTargetsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBProxyTargetsCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  RegisterDBProxyTargetsCommand,
  RestoreDBClusterToPointInTimeCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { StateMachine } from 'aws-local-stepfunctions';
import { runStep, type StepInput } from '../../functions/dr-runbook/logic';
import { parseSettings, type RunbookSettings } from '../../functions/dr-runbook/settings';
import type { Deps, RegionClients } from '../../functions/dr-runbook/types';
import { Naming } from '../../lib/naming';
import { runbookSettings } from '../../lib/stacks/operations-stack';
import { platformOf, TEST_ACCOUNT } from '../helpers/platform';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); this machine runs Node 20.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => import('node:http').Server;

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';

/** The platform as the mocked AWS APIs see it. */
export interface World {
  writerRegion: string;
  /** How many more DescribeGlobalClusters calls report the move in progress after it was asked for. */
  auroraMovePolls: number;
  auroraMoving: boolean;
  auroraLagMs: number | null;
  cachePrimary: string;
  /** The target's replication group left the global datastore (standalone, writable). */
  cacheDetached: boolean;
  cacheLagSeconds: number;
  kafkaLagMs: number;
  alarms: Record<string, 'OK' | 'ALARM'>;
  killSwitch: Record<string, string>;
  desired: Record<string, number>;
  peakTasks: number;
  mappings: Record<string, boolean>;
  /** Mutating AWS calls, in order: `<Command>@<region>`. */
  mutations: string[];
  pages: { subject: string; message: string; topic: string }[];
  events: { detailType: string; detail: Record<string, unknown> }[];
  reports: Record<string, Record<string, unknown>>;
  /** Make a mutating call fail: `UpdateService` (any region) or `UpdateService@us-east-1` -> the error to throw. */
  failures: Record<string, Error>;
  /** Restore: clusters and instances that exist (id -> polls left before `available`), the proxy's target, the shard map. */
  clusters: Record<string, number>;
  instances: Record<string, number>;
  proxyTarget: string;
  shardMap: string;
}

export function newWorld(): World {
  return {
    writerRegion: PRIMARY,
    auroraMovePolls: 1,
    auroraMoving: false,
    auroraLagMs: 800,
    cachePrimary: PRIMARY,
    cacheDetached: false,
    cacheLagSeconds: 1,
    kafkaLagMs: 1500,
    alarms: { [PRIMARY]: 'OK', [SECONDARY]: 'OK' },
    killSwitch: { [PRIMARY]: 'off', [SECONDARY]: 'off' },
    desired: { [PRIMARY]: 9, [SECONDARY]: 2 },
    peakTasks: 9,
    mappings: { [`${PRIMARY}:a`]: true, [`${SECONDARY}:a`]: false },
    mutations: [],
    pages: [],
    events: [],
    reports: {},
    failures: {},
    clusters: { 'trading-prod-us-east-1-pg-0': 0 },
    instances: { 'trading-prod-us-east-1-pg-0-writer': 0 },
    proxyTarget: 'trading-prod-us-east-1-pg-0',
    shardMap: JSON.stringify({
      version: 1,
      shardKey: 'user_id % shardCount',
      shardCount: 1,
      region: PRIMARY,
      port: 5432,
      database: 'trading',
      shards: [{ shard: 0, clusterEndpoint: 'old.cluster.example.com', readerEndpoint: 'old.ro.example.com', proxyEndpoint: 'proxy.example.com', proxyReadOnlyEndpoint: 'proxy-ro.example.com' }],
    }),
  };
}

const regionOf = async (getClient: any) => {
  const r = getClient().config.region;
  return typeof r === 'function' ? await (r as () => Promise<string>)() : String(r);
};

/** Installs the mocks over `world` (call once per test; `resetMocks` between tests). */
export function mockAws(world: World) {
  const mocks = [RDSClient, CloudWatchClient, ElastiCacheClient, SSMClient, ECSClient, LambdaClient, SNSClient, EventBridgeClient, S3Client, Route53Client].map((c) =>
    mockClient(c as never),
  ) as unknown as ReturnType<typeof mockClient>[];
  const [rds, cw, ec, ssm, ecs, lambda, sns, eb, s3] = mocks;
  const mutate = (name: string, region: string) => {
    const failure = world.failures[name] ?? world.failures[`${name}@${region}`];
    if (failure) throw failure;
    world.mutations.push(`${name}@${region}`);
  };
  const arn = (region: string) => `arn:aws:rds:${region}:${TEST_ACCOUNT}:cluster:trading-prod-${region}-pg-0`;

  rds.on(DescribeGlobalClustersCommand).callsFake(async () => {
    if (world.auroraMoving && world.auroraMovePolls-- <= 0) world.auroraMoving = false;
    return {
      GlobalClusters: [
        {
          GlobalClusterIdentifier: 'trading-prod-pg-0',
          FailoverState: world.auroraMoving ? { Status: 'switching-over' } : undefined,
          GlobalClusterMembers: [PRIMARY, SECONDARY].map((r) => ({ DBClusterArn: arn(r), IsWriter: r === world.writerRegion })),
        },
      ],
    };
  });
  const moveAurora = (name: string) => async (input: { TargetDbClusterIdentifier: string }, getClient: any) => {
    mutate(name, await regionOf(getClient));
    world.writerRegion = input.TargetDbClusterIdentifier.split(':')[3];
    world.auroraMoving = true;
    return {};
  };
  rds.on(SwitchoverGlobalClusterCommand).callsFake(moveAurora('SwitchoverGlobalCluster'));
  rds.on(FailoverGlobalClusterCommand).callsFake(moveAurora('FailoverGlobalCluster'));

  const notFound = (what: string) => Object.assign(new Error(`${what} not found`), { name: 'DBClusterNotFoundFault' });
  const poll = (table: Record<string, number>, id: string) => (table[id]-- > 0 ? 'creating' : 'available');
  rds.on(DescribeDBClustersCommand).callsFake(async (input: { DBClusterIdentifier: string }) => {
    const id = input.DBClusterIdentifier;
    if (!(id in world.clusters)) throw notFound(id);
    return {
      DBClusters: [
        {
          DBClusterIdentifier: id,
          Status: poll(world.clusters, id),
          Endpoint: `${id}.cluster.example.com`,
          ReaderEndpoint: `${id}.cluster-ro.example.com`,
          DBSubnetGroup: 'data',
          VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }],
          KmsKeyId: 'key',
          DBClusterMembers: [{ DBInstanceIdentifier: `${id}-writer`, IsClusterWriter: true }],
        },
      ],
    };
  });
  rds.on(DescribeDBInstancesCommand).callsFake(async (input: { DBInstanceIdentifier: string }) => {
    const id = input.DBInstanceIdentifier;
    if (!(id in world.instances)) throw notFound(id);
    return { DBInstances: [{ DBInstanceIdentifier: id, DBInstanceStatus: poll(world.instances, id), DBInstanceClass: 'db.r6g.2xlarge' }] };
  });
  rds.on(RestoreDBClusterToPointInTimeCommand).callsFake(async (input: { DBClusterIdentifier: string }, getClient: any) => {
    mutate('RestoreDBClusterToPointInTime', await regionOf(getClient));
    world.clusters[input.DBClusterIdentifier] = 1;
    return {};
  });
  rds.on(CreateDBInstanceCommand).callsFake(async (input: { DBInstanceIdentifier: string }, getClient: any) => {
    mutate('CreateDBInstance', await regionOf(getClient));
    world.instances[input.DBInstanceIdentifier] = 1;
    return {};
  });
  rds.on(DescribeDBProxyTargetsCommand).callsFake(async () => ({ Targets: [{ Type: 'TRACKED_CLUSTER', RdsResourceId: world.proxyTarget }] }));
  rds.on(DeregisterDBProxyTargetsCommand).callsFake(async (_: unknown, getClient: any) => {
    mutate('DeregisterDBProxyTargets', await regionOf(getClient));
    return {};
  });
  rds.on(RegisterDBProxyTargetsCommand).callsFake(async (input: { DBClusterIdentifiers: string[] }, getClient: any) => {
    mutate('RegisterDBProxyTargets', await regionOf(getClient));
    world.proxyTarget = input.DBClusterIdentifiers[0];
    return {};
  });

  cw.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames: string[] }, getClient: any) => {
    const region = await regionOf(getClient);
    return { CompositeAlarms: [{ AlarmName: input.AlarmNames[0], StateValue: world.alarms[region] ?? 'OK' }] };
  });
  cw.on(GetMetricDataCommand).callsFake(async (input: { MetricDataQueries: { MetricStat?: { Metric: { MetricName: string } }; Expression?: string }[] }) => {
    const q = input.MetricDataQueries[0];
    const name = q.MetricStat?.Metric.MetricName ?? (q.Expression?.includes('GlobalDatastoreReplicationLag') ? 'GlobalDatastoreReplicationLag' : '');
    const value: Record<string, number | null> = {
      AuroraGlobalDBRPOLag: world.auroraLagMs,
      GlobalDatastoreReplicationLag: world.cacheLagSeconds,
      ReplicationLatency: world.kafkaLagMs,
      RunningTaskCount: world.peakTasks,
    };
    const v = value[name];
    return { MetricDataResults: [{ Id: 'm', Values: v === null || v === undefined ? [] : [v] }] };
  });

  ec.on(DescribeGlobalReplicationGroupsCommand).callsFake(async () => ({
    GlobalReplicationGroups: [
      {
        GlobalReplicationGroupId: 'ldgnf-trading-prod-cache',
        Status: 'available',
        Members: [PRIMARY, SECONDARY].filter((r) => !(world.cacheDetached && r === SECONDARY)).map((r) => ({ ReplicationGroupId: 'trading-prod-cache', ReplicationGroupRegion: r, Role: r === world.cachePrimary ? 'PRIMARY' : 'SECONDARY' })),
      },
    ],
  }));
  ec.on(FailoverGlobalReplicationGroupCommand).callsFake(async (input: { PrimaryRegion: string }, getClient: any) => {
    mutate('FailoverGlobalReplicationGroup', await regionOf(getClient));
    world.cachePrimary = input.PrimaryRegion;
    return {};
  });
  ec.on(DisassociateGlobalReplicationGroupCommand).callsFake(async (_: unknown, getClient: any) => {
    mutate('DisassociateGlobalReplicationGroup', await regionOf(getClient));
    world.cacheDetached = true;
    return {};
  });

  ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }, getClient: any) => {
    const region = await regionOf(getClient);
    if (world.failures[`GetParameter@${region}`]) throw world.failures[`GetParameter@${region}`];
    if (input.Name.endsWith('kill-switch')) return { Parameter: { Name: input.Name, Value: world.killSwitch[region] } };
    if (input.Name.endsWith('shard-map')) return { Parameter: { Name: input.Name, Value: world.shardMap } };
    const e = new Error(`Parameter ${input.Name} not found`);
    e.name = 'ParameterNotFound';
    throw e;
  });
  ssm.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string }, getClient: any) => {
    const region = await regionOf(getClient);
    mutate('PutParameter', region);
    if (input.Name.endsWith('shard-map')) world.shardMap = input.Value;
    else world.killSwitch[region] = input.Value;
    return {};
  });

  ecs.on(DescribeServicesCommand).callsFake(async (_: unknown, getClient: any) => ({ services: [{ desiredCount: world.desired[await regionOf(getClient)] }] }));
  ecs.on(UpdateServiceCommand).callsFake(async (input: { desiredCount: number }, getClient: any) => {
    const region = await regionOf(getClient);
    mutate('UpdateService', region);
    world.desired[region] = input.desiredCount;
    return {};
  });

  lambda.on(ListEventSourceMappingsCommand).callsFake(async (input: { FunctionName: string }, getClient: any) => {
    const region = await regionOf(getClient);
    if (world.failures[`ListEventSourceMappings@${region}`]) throw world.failures[`ListEventSourceMappings@${region}`];
    // One mapping, on the notifications worker only.
    if (!input.FunctionName.endsWith('notifications')) return { EventSourceMappings: [] };
    return { EventSourceMappings: [{ UUID: `${region}:a`, State: world.mappings[`${region}:a`] ? 'Enabled' : 'Disabled' }] };
  });
  lambda.on(UpdateEventSourceMappingCommand).callsFake(async (input: { UUID: string; Enabled: boolean }, getClient: any) => {
    mutate('UpdateEventSourceMapping', await regionOf(getClient));
    world.mappings[input.UUID] = input.Enabled;
    return {};
  });

  sns.on(PublishCommand).callsFake(async (input: { Subject: string; Message: string; TopicArn: string }) => {
    world.pages.push({ subject: input.Subject, message: input.Message, topic: input.TopicArn });
    return { MessageId: 'm' };
  });
  eb.on(PutEventsCommand).callsFake(async (input: { Entries: { DetailType: string; Detail: string }[] }) => {
    for (const e of input.Entries) world.events.push({ detailType: e.DetailType, detail: JSON.parse(e.Detail) });
    return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
  });
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string }) => {
    world.reports[input.Key] = JSON.parse(input.Body);
    return {};
  });
  return () => mocks.forEach((m) => m.restore());
}

/** dynalite on a free port with the runbook table (key and TTL as the data stack creates it). */
export async function startDynalite(tableName: string): Promise<{ ddb: DynamoDBDocumentClient; stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({ region: SECONDARY, endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    ddb: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    stop: async () => {
      client.destroy();
      // Not awaited: keep-alive sockets would hold close() open.
      server.close();
    },
  };
}

/** Settings exactly as the prod operations stack renders them for `region`, from the real config. */
export function prodSettings(region: string = SECONDARY): RunbookSettings {
  const { config } = platformOf('prod');
  return parseSettings(JSON.stringify(runbookSettings(config, Naming.of(config), region, TEST_ACCOUNT, 'aws')));
}

export function depsFor(settings: RunbookSettings, ddb: DynamoDBDocumentClient, now: () => Date = () => new Date()): Deps {
  const cache = new Map<string, RegionClients>();
  const clients = (region: string): RegionClients => {
    let c = cache.get(region);
    if (!c) {
      const config = { region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
      c = {
        rds: new RDSClient(config),
        cloudwatch: new CloudWatchClient(config),
        elasticache: new ElastiCacheClient(config),
        ssm: new SSMClient(config),
        ecs: new ECSClient(config),
        lambda: new LambdaClient(config),
        sns: new SNSClient(config),
        events: new EventBridgeClient(config),
      };
      cache.set(region, c);
    }
    return c;
  };
  return {
    settings,
    clients,
    ddb,
    s3: new S3Client({ region: settings.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    route53: new Route53Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    now,
    fetch: async () => ({ status: 200 }),
  };
}

/** The state machine named `name`, as synthesized into the prod `region` operations stack. */
export function synthesizedDefinition(name: string, region: string = SECONDARY): Record<string, any> {
  const platform = platformOf('prod');
  const stack = platform.regions.find((r) => r.operations?.region === region)!.operations!;
  const resources = platform.template(stack).toJSON().Resources as Record<string, any>;
  const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === name);
  if (!machine) throw new Error(`no state machine ${name} in ${stack.stackName}`);
  const body = machine.Properties.DefinitionString;
  // Fn::Join of literal strings and the functions' ARNs (GetAtt): the ARNs become placeholders; the
  // Task states run locally by name, so what they point at does not matter.
  const parts: unknown[] = body['Fn::Join'][1];
  const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Partition"}' ? 'aws' : `arn:aws:lambda:${region}:${TEST_ACCOUNT}:function:${JSON.stringify(p).replace(/[^A-Za-z0-9]/g, '')}`)).join('');
  return JSON.parse(text);
}

function taskStates(definition: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  const walk = (states: Record<string, any>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') out[name] = state;
      if (state.Type === 'Parallel') for (const b of state.Branches) walk(b.States);
    }
  };
  walk(definition.States);
  return out;
}

function stateNames(definition: Record<string, any>, type: string): string[] {
  const out: string[] = [];
  const walk = (states: Record<string, any>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === type) out.push(name);
      if (state.Type === 'Parallel') for (const b of state.Branches) walk(b.States);
    }
  };
  walk(definition.States);
  return out;
}

export interface RunOptions {
  /** What the approver does when asked: approve, deny, or never answer (timeout). */
  readonly approval?: 'approve' | 'deny' | 'timeout';
  readonly executionName?: string;
}

export interface Execution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: string;
  /** Every state entered, in order. */
  readonly states: string[];
  /** The direct SDK integration calls (RegisterScalableTarget). */
  readonly sdkCalls: { state: string; input: any }[];
  readonly approvalsAsked: number;
}

/** Runs the synthesized definition with the real step code; waits and retry pauses are zero. */
export async function runDefinition(definition: Record<string, any>, input: unknown, deps: Deps, options: RunOptions = {}): Promise<Execution> {
  const sdkCalls: { state: string; input: any }[] = [];
  let approvalsAsked = 0;
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  for (const [name, state] of Object.entries(taskStates(definition))) {
    const resource: string = state.Resource;
    if (resource.startsWith('arn:aws:states:::aws-sdk:')) {
      handlers[name] = async (i) => {
        sdkCalls.push({ state: name, input: i });
        return {};
      };
    } else if (resource.endsWith('.waitForTaskToken')) {
      handlers[name] = async (i) => {
        approvalsAsked++;
        await runStep(i.Payload as StepInput, deps, 'checks');
        const answer = options.approval ?? 'timeout';
        if (answer === 'approve') return { approved: true, approvedBy: 'test approver' };
        const e = new Error(answer === 'deny' ? 'denied by the test approver' : 'no answer');
        e.name = answer === 'deny' ? 'Denied' : 'States.Timeout';
        throw e;
      };
    } else {
      handlers[name] = async (i) => runStep(i as StepInput, deps);
    }
  }
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false, checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: zero(stateNames(definition, 'Wait')),
      retryIntervalOverrides: zero(Object.keys(taskStates(definition))),
    },
    context: { Execution: { Name: options.executionName ?? `run-${Math.random().toString(36).slice(2, 10)}` }, Task: { Token: 'task-token-1' } } as never,
  });
  const states: string[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') states.push(event.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, states, sdkCalls, approvalsAsked };
  } catch (e) {
    await collect.catch(() => undefined);
    return { status: 'FAILED', error: `${(e as Error).message} ${String(((e as Error).cause as Error | undefined)?.name ?? '')}`, states, sdkCalls, approvalsAsked };
  }
}

/** Every audit item of the table (small in tests). */
export async function auditItems(ddb: DynamoDBDocumentClient, table: string, pk: string): Promise<Record<string, any>[]> {
  const out = await ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }));
  return out.Items ?? [];
}

/** An ops event as EventBridge delivers it to the rule target. */
export function opsRequest(detailType: 'FailoverRequested' | 'FailbackRequested', detail: Record<string, unknown>) {
  return {
    version: '0',
    id: 'e1',
    source: 'platform.ops.failover',
    'detail-type': detailType,
    time: new Date().toISOString(),
    region: SECONDARY,
    detail: { version: 1, eventId: '3f1c1e2a-0000-4000-8000-000000000001', occurredAt: new Date().toISOString(), originRegion: SECONDARY, requestedBy: 'alice', reason: 'test', ...detail },
  };
}
