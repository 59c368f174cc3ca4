/**
 * The Aurora shard map and its routing rule, for code that runs in the platform (engine, API, workers):
 * the one place the rule is implemented.
 *
 * Each region's data stack publishes its shard map as JSON in SSM at /<app>/<env>/data/aurora/shard-map
 * (see docs/data.md). A user lives on shard `user_id % shardCount`, where user_id is, for any id the event
 * catalog accepts:
 *   - an all-digit id: the decimal integer it spells;
 *   - a UUID (8-4-4-4-12 hex, any case): the 128-bit integer it spells;
 *   - any other id: the first 64 bits (big-endian, unsigned) of the SHA-256 of its UTF-8 bytes.
 * The shard count only changes with a data migration.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { userId as catalogUserId } from './events/primitives';

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

/**
 * The shard of `userId`: `user_id % shardCount` (see above), exact beyond 2^53. A user id is a string as the
 * event catalog defines it; a number or bigint is taken as the integer id it is. Throws, naming the id, for
 * anything else (empty, too long, a character the catalog refuses, a negative or fractional number).
 */
export function shardOf(userId: string | number | bigint, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new Error(`shardCount ${shardCount}: expected a positive integer`);
  return Number(userIdValue(userId) % BigInt(shardCount));
}

/** The endpoints that serve `userId` in this region. */
export function endpointsFor(map: ShardMap, userId: string | number | bigint): ShardEndpoints {
  return map.shards[shardOf(userId, map.shardCount)];
}

/** The user_id of `user_id % shardCount`. */
function userIdValue(userId: string | number | bigint): bigint {
  if (typeof userId === 'bigint' || typeof userId === 'number') {
    if (typeof userId === 'bigint' ? userId >= 0n : Number.isSafeInteger(userId) && userId >= 0) return BigInt(userId);
    throw new Error(`userId ${String(userId)}: a numeric user id must be a non-negative integer (beyond 2^53 - 1, pass a bigint or a decimal string)`);
  }
  const checked = catalogUserId.safeParse(userId);
  if (!checked.success) throw new Error(`userId ${JSON.stringify(userId)}: ${checked.error.issues[0].message} (the event catalog's userId)`);
  if (DECIMAL.test(userId)) return BigInt(userId);
  if (UUID.test(userId)) return BigInt(`0x${userId.replace(/-/g, '')}`);
  return createHash('sha256').update(userId, 'utf8').digest().readBigUInt64BE(0);
}
