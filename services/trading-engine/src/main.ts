/**
 * The container's entry point: reads its settings, resolves the endpoints the data and messaging stacks
 * publish in SSM, migrates its schema, joins the consumer group and serves /health and /ready. On
 * SIGTERM (ECS stopping the task: scale-in, deployment, failover) it drains within the stop timeout.
 */
import { hostname } from 'node:os';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { TOPICS } from '@shared/events';
import { parseShardMap } from '@shared/shard-map';
import { ActiveUsers } from './active-users';
import { poolDatabase } from './db/database';
import { iamPool } from '@shared/clients/postgres';
import { ShardedStores } from './db/shards';
import { EngineStore } from './db/store';
import { dec } from './decimal';
import { TradingEngine } from './engine';
import { healthServer } from './http';
import { MskConsumer, MskProducer, mskKafka } from './kafka/msk';
import { SsmKillSwitch } from './kill-switch';
import { jsonLogger, type Logger } from './log';
import { ActiveUsersReporter } from './metrics';
import { PaperBroker } from './paper-broker';
import { loadSettings } from './settings';

async function main(): Promise<void> {
  const settings = loadSettings();
  const taskId = await ecsTaskId();
  const logger = jsonLogger({ service: settings.ENGINE_SERVICE_NAME, taskId });
  const ssm = new SSMClient({ region: settings.AWS_REGION });

  // Liveness first: the load balancer's grace period runs while the engine connects.
  let engine: TradingEngine | undefined;
  const server = healthServer({
    isHealthy: () => engine?.isHealthy() ?? true,
    readiness: () => engine?.readiness() ?? Promise.resolve({ ready: false, state: 'created', checks: {}, partitions: [] }),
    get currentState() {
      return engine?.currentState ?? 'created';
    },
  });
  server.listen(settings.PORT);

  const endpoints = await readParameters(ssm, [settings.ENGINE_BROKERS_PARAMETER, settings.ENGINE_SHARD_MAP_PARAMETER]);
  const brokers = endpoints[settings.ENGINE_BROKERS_PARAMETER].split(',').map((b) => b.trim());
  const shardMap = parseShardMap(endpoints[settings.ENGINE_SHARD_MAP_PARAMETER]);
  const pools = shardMap.shards.map((shard) =>
    iamPool({
      host: shard.proxyEndpoint,
      port: shardMap.port,
      database: shardMap.database,
      user: settings.ENGINE_DB_USER,
      region: settings.AWS_REGION,
      maxConnections: settings.ENGINE_DB_POOL_SIZE,
      onIdleError: (error) => logger.log('warn', 'idle database connection lost; it is replaced on next use', { shard: shard.shard, error: error.message }),
    }),
  );
  const databases = pools.map(poolDatabase);
  const stores = new ShardedStores(databases.map((db) => new EngineStore(db)));
  await stores.migrate();

  const killSwitch = new SsmKillSwitch(ssm, settings.ENGINE_KILL_SWITCH_PARAMETER, settings.ENGINE_KILL_SWITCH_POLL_SECONDS * 1000, logger);
  await killSwitch.start();

  const kafka = mskKafka({ brokers, region: settings.AWS_REGION, clientId: `${settings.ENGINE_GROUP_ID}-${taskId}`, logger });
  const activeUsers = new ActiveUsers(settings.ENGINE_ACTIVE_WINDOW_MINUTES * 60_000);
  const running = new TradingEngine({
    consumer: new MskConsumer(kafka, settings.ENGINE_GROUP_ID, TOPICS.signals, settings.ENGINE_PARTITIONS_CONCURRENTLY, (e) => running.fail(e)),
    producer: new MskProducer(kafka),
    stores,
    broker: new PaperBroker({ slippageBps: settings.ENGINE_SLIPPAGE_BPS, latencyMs: settings.ENGINE_LATENCY_MS, feeBps: settings.ENGINE_FEE_BPS }),
    killSwitch,
    activeUsers,
    logger,
    settings: { consumerName: settings.ENGINE_GROUP_ID, symbols: new Set(settings.ENGINE_SYMBOLS), defaultOrderNotional: dec(settings.ENGINE_DEFAULT_ORDER_NOTIONAL) },
  });
  engine = running;
  await running.start();

  const reporter = new ActiveUsersReporter(
    { namespace: settings.ENGINE_METRIC_NAMESPACE, clusterName: settings.ENGINE_CLUSTER_NAME, serviceName: settings.ENGINE_SERVICE_NAME, taskId },
    activeUsers,
  );
  reporter.start();
  logger.log('info', 'trading engine running', { brokers: brokers.length, shards: databases.length, group: settings.ENGINE_GROUP_ID });

  const shutdown = once(async (signal: string) => {
    logger.log('info', `${signal}: draining`, { drainSeconds: settings.ENGINE_DRAIN_SECONDS });
    const deadline = setTimeout(() => {
      // Whatever is still uncommitted is redelivered to the next owner and deduplicated there.
      logger.log('error', 'drain did not finish within the stop timeout: exiting with records uncommitted');
      process.exit(1);
    }, settings.ENGINE_DRAIN_SECONDS * 1000);
    reporter.stop();
    killSwitch.stop();
    await running.drain();
    await Promise.all(databases.map((db) => db.close()));
    server.close();
    clearTimeout(deadline);
    logger.log('info', 'stopped cleanly');
    process.exit(0);
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Reads SSM parameters (at most 10 a call); a missing one is a deployment error and stops the task. */
async function readParameters(ssm: SSMClient, names: readonly string[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (let i = 0; i < names.length; i += 10) {
    const batch = names.slice(i, i + 10);
    const { Parameters = [], InvalidParameters = [] } = await ssm.send(new GetParametersCommand({ Names: batch }));
    if (InvalidParameters.length) throw new Error(`SSM parameters not found: ${InvalidParameters.join(', ')} (is the data or messaging stack of this region deployed?)`);
    for (const p of Parameters) values[p.Name!] = p.Value!;
  }
  return values;
}

/** The task's id from the ECS task metadata endpoint (v4); the host name outside ECS. */
async function ecsTaskId(): Promise<string> {
  const uri = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (!uri) return hostname();
  try {
    const task = (await (await fetch(`${uri}/task`)).json()) as { TaskARN?: string };
    return task.TaskARN?.split('/').pop() ?? hostname();
  } catch {
    return hostname();
  }
}

function once<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let started: Promise<void> | undefined;
  return (...args) => (started ??= fn(...args));
}

function fatal(logger: Logger) {
  return (error: unknown) => {
    logger.log('error', 'trading engine failed to start', { error: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  };
}

main().catch(fatal(jsonLogger({ service: 'trading-engine' })));
