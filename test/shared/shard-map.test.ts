import { endpointsFor, parseShardMap, shardOf } from '@shared/shard-map';
import { REGION_ROLES } from '../../lib/config';
import { platformOf } from '../helpers/platform';

/** The shard-map parameter a data stack publishes, with every deploy-time token replaced by a sample hostname. */
function publishedShardMap(env: 'dev' | 'prod', role: (typeof REGION_ROLES)[number]): string {
  const platform = platformOf(env);
  const stack = platform.regions.find((r) => r.role === role)!.data;
  const [param] = Object.values<any>(
    platform.template(stack).findResources('AWS::SSM::Parameter', { Properties: { Name: `/trading/${env}/data/aurora/shard-map` } }),
  );
  const [, parts] = param.Properties.Value['Fn::Join'];
  return parts.map((p: unknown) => (typeof p === 'string' ? p : 'host.example.internal')).join('');
}

const map = (shardCount: number) =>
  JSON.stringify({
    version: 1,
    shardKey: 'user_id % shardCount',
    shardCount,
    region: 'us-east-1',
    port: 5432,
    database: 'trading',
    shards: Array.from({ length: shardCount }, (_, shard) => ({
      shard,
      clusterEndpoint: `pg-${shard}.cluster`,
      readerEndpoint: `pg-${shard}.cluster-ro`,
      proxyEndpoint: `pg-${shard}.proxy`,
      proxyReadOnlyEndpoint: `pg-${shard}-ro.proxy`,
    })),
  });

describe('shardOf: user_id % shardCount', () => {
  it('maps integer ids, as numbers, bigints or decimal strings', () => {
    expect([0, 1, 2, 3, 4, 5].map((id) => shardOf(id, 4))).toEqual([0, 1, 2, 3, 0, 1]);
    expect(shardOf(10n, 3)).toBe(1);
    expect(shardOf('42', 5)).toBe(2);
    expect(shardOf(7, 1)).toBe(0);
  });

  it('stays exact beyond 2^53', () => {
    expect(shardOf('9007199254740993', 2)).toBe(1);
    expect(shardOf(2n ** 64n + 5n, 8)).toBe(5);
  });

  it('reads a UUID as the 128-bit integer it spells', () => {
    expect(shardOf('00000000-0000-0000-0000-00000000000b', 4)).toBe(3);
    expect(shardOf('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 2)).toBe(1);
  });

  it('refuses ids that are not a non-negative integer or a UUID, naming the value', () => {
    for (const bad of [-1, 1.5, 'alice', '', '12ab']) {
      expect(() => shardOf(bad, 2)).toThrow(`userId ${JSON.stringify(bad)}: expected a non-negative integer id or a UUID`);
    }
    expect(() => shardOf(Number.MAX_SAFE_INTEGER + 2, 2)).toThrow('expected a non-negative integer id or a UUID');
    expect(() => shardOf(1, 0)).toThrow('shardCount 0: expected a positive integer');
  });
});

describe('parseShardMap', () => {
  it('parses a map and routes a user to its shard\'s endpoints', () => {
    const parsed = parseShardMap(map(3));
    expect(endpointsFor(parsed, 7)).toEqual({
      shard: 1,
      clusterEndpoint: 'pg-1.cluster',
      readerEndpoint: 'pg-1.cluster-ro',
      proxyEndpoint: 'pg-1.proxy',
      proxyReadOnlyEndpoint: 'pg-1-ro.proxy',
    });
  });

  const messageOf = (json: string) => {
    try {
      parseShardMap(json);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the map to be rejected');
  };

  it('names a missing or malformed field by path', () => {
    const bad = JSON.parse(map(2));
    delete bad.shards[0].proxyEndpoint;
    expect(messageOf(JSON.stringify(bad))).toMatch(/^shard map: shards\.0\.proxyEndpoint: /);
    expect(messageOf(JSON.stringify({ ...JSON.parse(map(1)), shardKey: 'user_id % 7' }))).toMatch(/^shard map: shardKey: /);
    expect(messageOf('{')).toMatch(/^shard map: not JSON/);
  });

  it('refuses a map whose shards do not match its count or order', () => {
    const bad = JSON.parse(map(2));
    bad.shardCount = 3;
    bad.shards[1].shard = 5;
    const message = messageOf(JSON.stringify(bad));
    expect(message).toContain('shards: expected 3 shards (shardCount), found 2');
    expect(message).toContain('shards.1.shard: expected shard 1 at position 1');
  });

  it.each(REGION_ROLES)('reads the map the %s data stack publishes', (role) => {
    for (const env of ['dev', 'prod'] as const) {
      const parsed = parseShardMap(publishedShardMap(env, role));
      expect(parsed).toMatchObject({ version: 1, shardCount: platformOf(env).config.data.aurora.shards, port: 5432, database: 'trading' });
      expect(endpointsFor(parsed, 12345).proxyEndpoint).toBe('host.example.internal');
    }
  });
});
