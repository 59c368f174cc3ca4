/** The trading engine's config section: values AWS or the engine would refuse fail synth, naming the field. */
import { ConfigError, loadConfig, validateConfig } from '../lib/config';
import { prod } from '../lib/config/environments/prod';

function prodWith(change: (c: any) => void): unknown {
  const copy = structuredClone(prod);
  change(copy);
  return copy;
}

function messageOf(raw: unknown): string {
  try {
    validateConfig(raw, 'lib/config/environments/prod.ts');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('trading engine config', () => {
  it('prod: the blueprint engine (4 vCPU / 8 GB), 3-20 tasks in the primary, a warm floor of 2 in the secondary, 800 users a task', () => {
    const { tradingEngine, compute, messaging } = loadConfig('prod');
    expect(compute.services.tradingEngine).toEqual({ vcpu: 4, memoryGiB: 8 });
    expect(tradingEngine.capacity).toEqual({ primary: { minTasks: 3, maxTasks: 20 }, secondary: { minTasks: 2, maxTasks: 20 } });
    expect(tradingEngine.scaling).toMatchObject({ targetActiveUsersPerTask: 800, cpuTargetPercent: 70, memoryTargetPercent: 80 });
    expect(tradingEngine.capacity.primary.maxTasks).toBeLessThanOrEqual(messaging.kafka.topics['trading.signals'].partitions);
  });

  it('more tasks than partitions of trading.signals (a task without a partition idles)', () => {
    const msg = messageOf(prodWith((c) => (c.tradingEngine.capacity.secondary.maxTasks = 200)));
    expect(msg).toContain(
      'tradingEngine.capacity.secondary.maxTasks = 200: must not exceed the 128 partitions of trading.signals (messaging.kafka.topics): each task needs a partition of users',
    );
  });

  it('fewer tasks than the blueprint floor in the primary (the secondary may run warm below it)', () => {
    expect(messageOf(prodWith((c) => (c.tradingEngine.capacity.primary.minTasks = 2)))).toContain(
      'tradingEngine.capacity.primary.minTasks = 2: must be at least compute.minTasksPerService (3)',
    );
    expect(() => validateConfig(prodWith((c) => (c.tradingEngine.capacity.secondary.minTasks = 1)), 'prod')).not.toThrow();
  });

  it('min above max', () => {
    expect(messageOf(prodWith((c) => (c.tradingEngine.capacity.primary = { minTasks: 9, maxTasks: 5 })))).toContain(
      'tradingEngine.capacity.primary.minTasks = 9: minTasks must not exceed maxTasks',
    );
  });

  it('a stop timeout Fargate refuses', () => {
    expect(messageOf(prodWith((c) => (c.tradingEngine.stopTimeoutSeconds = 300)))).toContain('tradingEngine.stopTimeoutSeconds = 300: Fargate allows at most 120 s');
  });

  it('another engine image needs a repository name and a tag or digest ECR accepts', () => {
    const msg = messageOf(prodWith((c) => (c.tradingEngine.image = { source: 'ecr', repositoryName: 'Quant/Engine', tag: 'latest tag' })));
    expect(msg).toContain('tradingEngine.image.repositoryName = "Quant/Engine": expected an ECR repository name');
    expect(msg).toContain('tradingEngine.image.tag = "latest tag": expected an image tag');
  });

  it('a database section of its own (the engine uses data.aurora: its shards, and its first database user)', () => {
    expect(messageOf(prodWith((c) => (c.tradingEngine.database = { user: 'app', shards: 1 })))).toContain('tradingEngine: unknown field(s) database');
  });

  it('a symbol that is not a BASE-QUOTE pair, or listed twice', () => {
    expect(messageOf(prodWith((c) => (c.tradingEngine.symbols = ['BTCUSD'])))).toContain('tradingEngine.symbols.0 = "BTCUSD": expected a BASE-QUOTE pair');
    expect(messageOf(prodWith((c) => (c.tradingEngine.symbols = ['BTC-USD', 'BTC-USD'])))).toContain('symbols must be distinct');
  });
});
