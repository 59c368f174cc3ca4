/** The engine's pure parts: decimals, position arithmetic, the paper broker, active users, the kill switch, settings, shard routing. */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ActiveUsers } from '../../../services/trading-engine/src/active-users';
import { add, dec, div, mul, round, str } from '../../../services/trading-engine/src/decimal';
import { SsmKillSwitch } from '../../../services/trading-engine/src/kill-switch';
import { silentLogger } from '../../../services/trading-engine/src/log';
import { PaperBroker } from '../../../services/trading-engine/src/paper-broker';
import { applyFill, FLAT, type Fill } from '../../../services/trading-engine/src/positions';
import { loadSettings } from '../../../services/trading-engine/src/settings';
import { shardOf } from '@shared/shard-map';
import { ShardedStores } from '../../../services/trading-engine/src/db/shards';
import type { EngineStore } from '../../../services/trading-engine/src/db/store';

describe('decimal', () => {
  it('is exact where doubles are not', () => {
    expect(str(add(dec('0.1'), dec('0.2')))).toBe('0.3');
    expect(str(mul(dec('64250.12345678'), dec('0.00012345')))).toBe('7.931677740739491');
    expect(str(dec('-0.000000000000000001'))).toBe('-0.000000000000000001');
  });

  it('rounds half away from zero', () => {
    expect(str(round(dec('1.005'), 2))).toBe('1.01');
    expect(str(round(dec('-1.005'), 2))).toBe('-1.01');
    expect(str(div(dec('1000'), dec('3')), 8)).toBe('333.33333333');
  });

  it('refuses what is not a decimal string', () => {
    expect(() => dec('1e5')).toThrow('not a decimal string: "1e5"');
    expect(() => dec('0.1234567890123456789')).toThrow('more than 18 fraction digits');
  });
});

describe('positions', () => {
  const fill = (side: 'buy' | 'sell', quantity: string, price: string, fee = '0'): Fill => ({ side, quantity: dec(quantity), price: dec(price), fee: dec(fee) });
  const view = (p: ReturnType<typeof applyFill>) => [str(p.quantity), str(p.averageEntryPrice), str(p.realizedPnl), p.sequence];

  it('opens short, covers part at a profit, flips long at the fill price', () => {
    let p = applyFill(FLAT, fill('sell', '2', '100'));
    expect(view(p)).toEqual(['-2', '100', '0', 1]);
    p = applyFill(p, fill('buy', '1', '90', '0.5'));
    expect(view(p)).toEqual(['-1', '100', '9.5', 2]);
    p = applyFill(p, fill('buy', '3', '80'));
    expect(view(p)).toEqual(['2', '80', '29.5', 3]);
  });
});

describe('paper broker', () => {
  it('fills at the reference price moved against the user by the slippage, after the latency, with the fee', async () => {
    const slept: number[] = [];
    const broker = new PaperBroker({ slippageBps: 25, latencyMs: 40, feeBps: 10 }, () => new Date(0), async (ms) => void slept.push(ms));
    const buy = await broker.execute({ side: 'buy', referencePrice: dec('100') });
    const sell = await broker.execute({ side: 'sell', referencePrice: dec('100') });
    expect([str(buy.price), str(sell.price)]).toEqual(['100.25', '99.75']);
    expect(str(broker.fee(dec('2'), buy.price))).toBe('0.2005');
    expect(slept).toEqual([40, 40]);
  });
});

describe('active users', () => {
  it('counts users seen within the window, once each, and forgets those of revoked partitions', () => {
    let now = 0;
    const users = new ActiveUsers(60_000, () => now);
    users.touch('a', 0);
    users.touch('b', 1);
    now = 30_000;
    users.touch('a', 0);
    users.touch('c', 2);
    expect(users.count()).toBe(3);
    now = 61_000; // b was last seen at 0
    expect(users.count()).toBe(2);
    users.retainPartitions([2]);
    expect(users.count()).toBe(1);
    now = 91_000;
    expect(users.count()).toBe(0);
  });
});

describe('kill switch from SSM', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());
  const name = '/trading/test/application/kill-switch';
  const make = () => new SsmKillSwitch(new SSMClient({ region: 'us-east-1' }), name, 1000, silentLogger);

  it('is halted until read, follows the parameter, and tells listeners', async () => {
    const sw = make();
    const seen: boolean[] = [];
    sw.onChange((h) => seen.push(h));
    expect(sw.isHalted()).toBe(true);
    ssm.on(GetParameterCommand, { Name: name }).resolves({ Parameter: { Value: 'off' } });
    await sw.refresh();
    expect(sw.isHalted()).toBe(false);
    ssm.on(GetParameterCommand, { Name: name }).resolves({ Parameter: { Value: 'on' } });
    await sw.refresh();
    expect(sw.isHalted()).toBe(true);
    expect(seen).toEqual([false, true]);
  });

  it('fails closed on an unexpected value, and keeps the last state when SSM is unreachable', async () => {
    const sw = make();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'off' } });
    await sw.refresh();
    ssm.on(GetParameterCommand).rejects(new Error('throttled'));
    await sw.refresh();
    expect(sw.isHalted()).toBe(false);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'maybe' } });
    await sw.refresh();
    expect(sw.isHalted()).toBe(true);
  });
});

describe('settings', () => {
  const env = {
    AWS_REGION: 'us-east-1',
    ENGINE_BROKERS_PARAMETER: '/trading/dev/messaging/brokers',
    ENGINE_SHARD_MAP_PARAMETER: '/trading/dev/data/aurora/shard-map',
    ENGINE_DB_USER: 'app',
    ENGINE_KILL_SWITCH_PARAMETER: '/trading/dev/application/kill-switch',
    ENGINE_GROUP_ID: 'trading-dev-trading-engine',
    ENGINE_SYMBOLS: 'BTC-USD, ETH-USD',
    ENGINE_SLIPPAGE_BPS: '5',
    ENGINE_LATENCY_MS: '25',
    ENGINE_FEE_BPS: '10',
    ENGINE_DEFAULT_ORDER_NOTIONAL: '1000',
    ENGINE_ACTIVE_WINDOW_MINUTES: '15',
    ENGINE_METRIC_NAMESPACE: 'Trading/Engine',
    ENGINE_CLUSTER_NAME: 'trading-dev-engine',
    ENGINE_SERVICE_NAME: 'trading-dev-trading-engine',
    ENGINE_DRAIN_SECONDS: '55',
  };

  it('parses the environment the task definition sets', () => {
    expect(loadSettings(env)).toMatchObject({
      ENGINE_SHARD_MAP_PARAMETER: '/trading/dev/data/aurora/shard-map',
      ENGINE_DB_POOL_SIZE: 10,
      ENGINE_SYMBOLS: ['BTC-USD', 'ETH-USD'], ENGINE_LATENCY_MS: 25, PORT: 8080, ENGINE_KILL_SWITCH_POLL_SECONDS: 5 });
  });

  it('names every missing or bad variable', () => {
    const { ENGINE_GROUP_ID: _, ...missing } = env;
    expect(() => loadSettings({ ...missing, ENGINE_LATENCY_MS: 'fast' })).toThrow(/ENGINE_GROUP_ID: [^\n]+\n\s+ENGINE_LATENCY_MS: /);
  });
});

describe('database shards', () => {
  const stores = (n: number) => new ShardedStores(Array.from({ length: n }, (_, shard) => ({ shard }) as unknown as EngineStore));
  const shardOfStore = (store: EngineStore) => (store as unknown as { shard: number }).shard;

  it('route every id the catalog accepts by the data tier\'s rule (@shared/shard-map), and everyone to shard 0 when there is one', () => {
    const eight = stores(8);
    for (const id of ['1000', '1001', '98765432109876543210', '0b9e4c1e-8d7f-4f5a-9a43-3f1c2b7d9e01', 'alice', 'user-42', 'acct:7@venue.example']) {
      expect(shardOfStore(eight.forUser(id))).toBe(shardOf(id, 8));
    }
    expect([shardOfStore(eight.forUser('1001')), shardOfStore(eight.forUser('alice'))]).toEqual([1, 7]);
    expect(shardOfStore(stores(1).forUser('alice'))).toBe(0);
  });

  it('refuse an id the event catalog refuses, even with one shard', () => {
    expect(() => stores(1).forUser('')).toThrow('userId "": expected 1-128 characters');
    expect(() => new ShardedStores([])).toThrow('at least one database shard is needed');
  });
});
