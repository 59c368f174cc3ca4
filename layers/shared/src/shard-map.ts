/**
 * The Aurora shard map and its routing rule, for code that runs in the platform (engine, API, workers).
 *
 * Each region's data stack publishes its shard map as JSON in SSM at /<app>/<env>/data/aurora/shard-map
 * (see docs/data.md). A user lives on shard `user_id % shardCount`, where user_id is the user's integer id
 * or, for UUIDs, the 128-bit integer the UUID spells. The shard count only changes with a data migration.
 */
import { z } from 'zod';

const hostname = z.string().min(1);

const shardEndpointsSchema = z.strictObject({
  shard: z.number().int().min(0),
  /** Writer endpoint: writes in the writer region (elsewhere only after a promotion). */
  clusterEndpoint: hostname,
  readerEndpoint: hostname,
  /** RDS Proxy read/write endpoint: IAM authentication, TLS. */
  proxyEndpoint: hostname,
  /** RDS Proxy read-only endpoint: this region's readers. */
  proxyReadOnlyEndpoint: hostname,
});

export const shardMapSchema = z
  .strictObject({
    version: z.literal(1),
    shardKey: z.literal('user_id % shardCount'),
    shardCount: z.number().int().min(1),
    region: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    database: z.string().min(1),
    shards: z.array(shardEndpointsSchema),
  })
  .superRefine((map, ctx) => {
    if (map.shards.length !== map.shardCount) {
      ctx.addIssue({ code: 'custom', path: ['shards'], message: `expected ${map.shardCount} shards (shardCount), found ${map.shards.length}` });
    }
    map.shards.forEach((s, i) => {
      if (s.shard !== i) ctx.addIssue({ code: 'custom', path: ['shards', i, 'shard'], message: `expected shard ${i} at position ${i}` });
    });
  });

export type ShardMap = z.infer<typeof shardMapSchema>;
export type ShardEndpoints = ShardMap['shards'][number];

/** Parses the SSM value; a bad map fails with every field that is wrong, by path. */
export function parseShardMap(json: string): ShardMap {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`shard map: not JSON (${(e as Error).message})`);
  }
  const result = shardMapSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`shard map: ${issues.join('; ')}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^\d+$/;

/** The shard of `userId`: `user_id % shardCount`, exact for ids beyond 2^53 and for UUIDs. */
export function shardOf(userId: string | number | bigint, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new Error(`shardCount ${shardCount}: expected a positive integer`);
  return Number(userIdValue(userId) % BigInt(shardCount));
}

/** The endpoints that serve `userId` in this region. */
export function endpointsFor(map: ShardMap, userId: string | number | bigint): ShardEndpoints {
  return map.shards[shardOf(userId, map.shardCount)];
}

function userIdValue(userId: string | number | bigint): bigint {
  if (typeof userId === 'bigint' && userId >= 0n) return userId;
  if (typeof userId === 'number' && Number.isSafeInteger(userId) && userId >= 0) return BigInt(userId);
  if (typeof userId === 'string' && DECIMAL.test(userId)) return BigInt(userId);
  if (typeof userId === 'string' && UUID.test(userId)) return BigInt(`0x${userId.replace(/-/g, '')}`);
  throw new Error(`userId ${JSON.stringify(typeof userId === 'bigint' ? String(userId) : userId)}: expected a non-negative integer id or a UUID`);
}
