import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('shardOf: user_id % shardCount, one rule for every id the event catalog accepts', () => {
  it('maps integer ids, as numbers, bigints or decimal strings', () => {
    expect([0, 1, 2, 3, 4, 5].map((id) => shardOf(id, 4))).toEqual([0, 1, 2, 3, 0, 1]);
    expect(shardOf(10n, 3)).toBe(1);
    expect(shardOf('42', 5)).toBe(2);
    expect(shardOf('0042', 5)).toBe(2);
    expect(shardOf(7, 1)).toBe(0);
  });

  it('stays exact beyond 2^53', () => {
    expect(shardOf('9007199254740993', 2)).toBe(1);
    expect(shardOf(2n ** 64n + 5n, 8)).toBe(5);
    expect(shardOf('9'.repeat(128), 7)).toBe(Number(BigInt('9'.repeat(128)) % 7n));
  });

  it('reads a UUID, in either case, as the 128-bit integer it spells', () => {
    expect(shardOf('00000000-0000-0000-0000-00000000000b', 4)).toBe(3);
    expect(shardOf('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 2)).toBe(1);
    const uuid = '0b9e4c1e-8d7f-4f5a-9a43-3f1c2b7d9e01';
    expect(shardOf(uuid, 5)).toBe(Number(0x0b9e4c1e8d7f4f5a9a433f1c2b7d9e01n % 5n));
    expect(shardOf(uuid.toUpperCase(), 5)).toBe(shardOf(uuid, 5));
  });

  // Fixed vectors, so that an implementation in another language can check itself (docs/data.md).
  it('takes any other id as the first 64 bits (big-endian, unsigned) of the SHA-256 of its UTF-8 bytes', () => {
    // SHA-256("alice") = 2bd806c97f0e00af 1a1f…: user_id = 0x2bd806c97f0e00af = 3159282601090220207.
    expect([2, 3, 8].map((n) => shardOf('alice', n))).toEqual([1, 2, 7]);
    expect([2, 3, 8].map((n) => shardOf('user-42', n))).toEqual([1, 2, 1]); // 0x6d894aa3ee802549
    expect([2, 3, 8].map((n) => shardOf('bob@example.com', n))).toEqual([0, 1, 4]); // 0x5ff860bf1190596c
    // Hex without the dashes is not a UUID: it is hashed like any other id.
    expect(shardOf('0b9e4c1e8d7f4f5a9a433f1c2b7d9e01', 8)).toBe(2); // 0x1a46903b2e2756a2
    expect(shardOf('alice', 1)).toBe(0);
  });

  it('matches the vectors docs/data.md gives other implementations', () => {
    const doc = readFileSync(join(__dirname, '../../docs/data.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([^`]+)` \| [^|]+ \| (\d) \| (\d) \| (\d) \|$/gm)];
    expect(rows.map((r) => r[1])).toEqual(['1001', '00000000-0000-0000-0000-00000000000b', 'alice', 'user-42', 'bob@example.com']);
    for (const [, id, ...shards] of rows) expect([2, 3, 8].map((n) => shardOf(id, n))).toEqual(shards.map(Number));
  });

  it('is stable: the same id always lands on the same shard', () => {
    const ids = ['alice', 'user-42', 'acct:7@venue.example', '1000', '0b9e4c1e-8d7f-4f5a-9a43-3f1c2b7d9e01'];
    const first = ids.map((id) => shardOf(id, 8));
    for (let i = 0; i < 3; i++) expect(ids.map((id) => shardOf(id, 8))).toEqual(first);
  });

  it.each([
    ['other ids', (i: number) => `user-${i}`],
    ['UUIDs', (i: number) => createHash('md5').update(String(i)).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')],
    ['integer ids', (i: number) => String(1_000_000 + i)],
  ])('spreads 10,000 %s roughly evenly over 8 shards', (_, idOf) => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 10_000; i++) counts[shardOf(idOf(i), 8)]++;
    // Each shard within 10% of 1,250, and a chi-square below the 0.1% critical value for 7 degrees of freedom.
    for (const n of counts) expect(Math.abs(n - 1250)).toBeLessThan(125);
    expect(counts.reduce((chi, n) => chi + (n - 1250) ** 2 / 1250, 0)).toBeLessThan(24.32);
  });

  it('refuses an id the event catalog refuses, naming it and the rule', () => {
    const rule = "expected 1-128 characters from letters, digits and . _ : @ - (the event catalog's userId)";
    for (const bad of ['', 'a b', 'x'.repeat(129), 'é', 'alice/bob']) {
      expect(() => shardOf(bad, 2)).toThrow(`userId ${JSON.stringify(bad)}: ${rule}`);
    }
    expect(() => shardOf(undefined as unknown as string, 2)).toThrow(/^userId undefined: /);
  });

  it('refuses a negative, fractional or unsafe number and a bad shard count', () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 2, -1n]) {
      expect(() => shardOf(bad, 2)).toThrow(`userId ${String(bad)}: a numeric user id must be a non-negative integer`);
    }
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
