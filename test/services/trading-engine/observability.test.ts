/** What operators and AWS see of the engine: the EMF scaling metric, /health and /ready. */
import type { AddressInfo } from 'node:net';
import { TOPICS } from '@shared/events';
import { ActiveUsers } from '../../../services/trading-engine/src/active-users';
import type { ShardedStores } from '../../../services/trading-engine/src/db/shards';
import { dec } from '../../../services/trading-engine/src/decimal';
import { TradingEngine } from '../../../services/trading-engine/src/engine';
import { healthServer } from '../../../services/trading-engine/src/http';
import { MemoryKafka } from '../../../services/trading-engine/src/kafka/memory';
import { ManualKillSwitch } from '../../../services/trading-engine/src/kill-switch';
import { silentLogger } from '../../../services/trading-engine/src/log';
import { ACTIVE_USERS_METRIC, ActiveUsersReporter, activeUsersRecord } from '../../../services/trading-engine/src/metrics';
import { PaperBroker } from '../../../services/trading-engine/src/paper-broker';

const identity = { namespace: 'Trading/Engine', clusterName: 'trading-prod-engine', serviceName: 'trading-prod-trading-engine', taskId: 'abc123' };

describe('ActiveTradingUsers in Embedded Metric Format', () => {
  it('is one datapoint under the service dimensions, stamped with the start of the minute', () => {
    expect(activeUsersRecord(identity, 812, Date.parse('2025-03-14T09:26:53.589Z'))).toEqual({
      _aws: {
        Timestamp: Date.parse('2025-03-14T09:26:00.000Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'Trading/Engine',
            Dimensions: [['ClusterName', 'ServiceName']],
            Metrics: [{ Name: 'ActiveTradingUsers', Unit: 'Count', StorageResolution: 60 }],
          },
        ],
      },
      ClusterName: 'trading-prod-engine',
      ServiceName: 'trading-prod-trading-engine',
      TaskId: 'abc123',
      ActiveTradingUsers: 812,
    });
  });

  it('the reporter writes one JSON line per emission with the live count, every dimension present as a member', () => {
    const now = Date.parse('2025-03-14T09:27:01.000Z');
    const users = new ActiveUsers(15 * 60_000, () => now);
    ['a', 'b', 'c'].forEach((u, i) => users.touch(u, i));
    const lines: string[] = [];
    new ActiveUsersReporter(identity, users, (l) => lines.push(l), () => now).emit();
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]);
    expect(record[ACTIVE_USERS_METRIC]).toBe(3);
    // EMF rule: every dimension key and metric name is a top-level member of the same object.
    for (const directive of record._aws.CloudWatchMetrics) {
      for (const key of directive.Dimensions.flat()) expect(typeof record[key]).toBe('string');
      for (const m of directive.Metrics) expect(typeof record[m.Name]).toBe('number');
    }
  });
});

describe('/health and /ready', () => {
  let database = true;
  const stores = { ping: () => (database ? Promise.resolve() : Promise.reject(new Error('proxy unreachable'))) } as unknown as ShardedStores;
  const kafka = new MemoryKafka();
  const killSwitch = new ManualKillSwitch(false);
  const engine = new TradingEngine({
    consumer: kafka.consumer('g', TOPICS.signals),
    producer: kafka.producer(),
    stores,
    broker: new PaperBroker({ slippageBps: 0, latencyMs: 0, feeBps: 0 }),
    killSwitch,
    activeUsers: new ActiveUsers(60_000),
    logger: silentLogger,
    settings: { consumerName: 'g', symbols: new Set(['BTC-USD']), defaultOrderNotional: dec('1000') },
  });
  const server = healthServer(engine);
  let base: string;

  beforeAll(async () => {
    await engine.start();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await engine.drain();
    await new Promise((r) => server.close(r));
  });
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };

  it('ready while in the group with the database answering and trading enabled', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok', state: 'running' } });
    expect(await get('/ready')).toEqual({
      status: 200,
      body: { ready: true, state: 'running', checks: { consumer: true, database: true, tradingEnabled: true, accepting: true }, partitions: [0, 1, 2, 3, 4, 5] },
    });
  });

  it('not ready, but still healthy, when the database is down or the kill switch is on: ECS must not replace every task', async () => {
    database = false;
    killSwitch.set(true);
    const ready = await get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ consumer: true, database: false, tradingEnabled: false, accepting: false });
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok', state: 'halted' } });
    database = true;
    killSwitch.set(false);
  });

  it('unhealthy once the engine has failed for good; unknown paths are 404', async () => {
    expect((await get('/nope')).status).toBe(404);
    engine.fail(new Error('kafka client gave up'));
    expect(await get('/health')).toEqual({ status: 503, body: { status: 'failed', state: 'failed' } });
  });
});
