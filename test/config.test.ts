import { ConfigError, loadConfig, PLACEHOLDER_ACCOUNT, resolveAccount, validateConfig } from '../lib/config';
import { prod } from '../lib/config/environments/prod';

/** A deep copy of prod with one change, to test one rule at a time. */
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

describe('environments', () => {
  it.each(['dev', 'staging', 'prod'])('%s is valid and keeps the blueprint floor of 3 tasks', (env) => {
    const config = loadConfig(env);
    expect(config.environment).toBe(env);
    expect(config.compute.minTasksPerService).toBeGreaterThanOrEqual(3);
  });

  it('defaults to dev', () => {
    expect(loadConfig().environment).toBe('dev');
  });

  it('carries the blueprint sizes and budgets', () => {
    const [dev, staging, prod] = ['dev', 'staging', 'prod'].map((e) => loadConfig(e));
    expect(dev.compute.baseNode).toEqual({ vcpu: 2, memoryGiB: 8 });
    expect(staging.compute.baseNode).toEqual({ vcpu: 4, memoryGiB: 16 });
    expect(prod.compute.baseNode).toEqual({ vcpu: 8, memoryGiB: 32 });
    expect(prod.compute.services).toEqual({
      api: { vcpu: 2, memoryGiB: 4 },
      tradingEngine: { vcpu: 4, memoryGiB: 8 },
      websocket: { vcpu: 2, memoryGiB: 4 },
    });
    expect([dev, staging, prod].map((c) => c.budget.monthlyUsd)).toEqual([500, 1500, 10000]);
  });

  it('places the roles in us-east-1, us-west-2 and eu-west-1 by default', () => {
    const { regions } = loadConfig('prod');
    expect([regions.primary.region, regions.secondary.region, regions.tertiary.region]).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
  });
});

describe('validation messages name the field, its value and what is allowed', () => {
  it('an unknown environment', () => {
    expect(() => loadConfig('qa')).toThrow('Unknown environment "qa" (from -c env=qa): expected one of dev, staging, prod');
  });

  it('a region without three availability zones', () => {
    const msg = messageOf(prodWith((c) => (c.regions.primary.availabilityZones = ['us-east-1a', 'us-east-1b'])));
    expect(msg).toContain('Invalid config in lib/config/environments/prod.ts');
    expect(msg).toContain('regions.primary.availabilityZones = ["us-east-1a","us-east-1b"]: expected exactly 3 availability zones');
  });

  it('a zone of another region', () => {
    const msg = messageOf(prodWith((c) => (c.regions.secondary.availabilityZones = ['us-west-2a', 'us-west-2b', 'us-east-1c'])));
    expect(msg).toContain('regions.secondary.availabilityZones = ["us-west-2a","us-west-2b","us-east-1c"]: every availability zone must belong to the region');
  });

  it('a missing field', () => {
    const msg = messageOf(prodWith((c) => delete c.regions.tertiary.vpcCidr));
    expect(msg).toMatch(/regions\.tertiary\.vpcCidr is missing: .*expected string/);
  });

  it('an unknown field', () => {
    expect(messageOf(prodWith((c) => (c.network.natGateway = 1)))).toContain('network: unknown field(s) natGateway');
  });

  it('a Fargate size AWS would refuse', () => {
    const msg = messageOf(prodWith((c) => (c.compute.services.tradingEngine = { vcpu: 4, memoryGiB: 4 })));
    expect(msg).toContain('compute.services.tradingEngine.memoryGiB = 4: Fargate allows 8 to 30 GiB in steps of 1 for 4 vCPU');
  });

  it('a service larger than the base node', () => {
    const msg = messageOf(prodWith((c) => (c.compute.services.api = { vcpu: 16, memoryGiB: 64 })));
    expect(msg).toContain('compute.services.api = {"vcpu":16,"memoryGiB":64}: must fit the environment\'s base node (8 vCPU / 32 GiB)');
  });

  it('fewer than 3 tasks per service', () => {
    expect(messageOf(prodWith((c) => (c.compute.minTasksPerService = 2)))).toContain(
      'compute.minTasksPerService = 2: the blueprint never runs fewer than 3 tasks per service',
    );
  });

  it('two roles in one region', () => {
    expect(messageOf(prodWith((c) => (c.regions.tertiary = { ...c.regions.primary, vpcCidr: '10.99.0.0/16' })))).toContain(
      'regions.tertiary.region = "us-east-1": each role needs its own region',
    );
  });

  it('a log retention CloudWatch does not offer', () => {
    expect(messageOf(prodWith((c) => (c.logs.retentionDays = 10)))).toMatch(/logs\.retentionDays = 10: /);
  });

  it('lists every problem in one message', () => {
    const msg = messageOf(
      prodWith((c) => {
        c.budget.monthlyUsd = -1;
        c.regions.primary.vpcCidr = '10.0.0.0/8';
      }),
    );
    expect(msg).toContain('budget.monthlyUsd = -1');
    expect(msg).toContain('regions.primary.vpcCidr = "10.0.0.0/8": expected an IPv4 CIDR block from /16 to /20');
  });
});

describe('account', () => {
  it('uses -c account before CDK_DEFAULT_ACCOUNT', () => {
    expect(resolveAccount('123456789012', '999999999999')).toEqual({ account: '123456789012', isPlaceholder: false });
    expect(resolveAccount(undefined, '999999999999')).toEqual({ account: '999999999999', isPlaceholder: false });
  });

  it('falls back to the synth-only placeholder', () => {
    expect(resolveAccount(undefined, undefined)).toEqual({ account: PLACEHOLDER_ACCOUNT, isPlaceholder: true });
  });

  it('refuses something that is not an account id', () => {
    expect(() => resolveAccount('prod-account', undefined)).toThrow('account = "prod-account": expected a 12-digit AWS account id');
  });
});
