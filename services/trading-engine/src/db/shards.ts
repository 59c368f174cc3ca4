/**
 * Horizontal shards of the database (data.aurora.shards): each user's rows live on one shard, chosen by
 * the data tier's documented key `user_id % N`, where user_id is the integer an all-digit id spells or
 * the 128-bit integer a UUID spells (as the data tier's shard-map module computes it). The event catalog
 * also allows other ids (`user-42`); the data tier defines no shard for them, so they go by their FNV-1a
 * 32-bit hash (UTF-8). With one shard (every environment today) every user is on shard 0.
 */
import { z } from 'zod';
import type { EngineStore } from './store';

/** The shard map the data stack publishes in SSM (version 1), as far as the engine reads it. */
const shardMapSchema = z.object({
  version: z.literal(1),
  shardCount: z.number().int().min(1),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1),
  shards: z.array(z.object({ shard: z.number().int().min(0), proxyEndpoint: z.string().min(1) })).min(1),
});
export type ShardMap = z.output<typeof shardMapSchema>;

/** Parses the shard map; refuses one whose shards do not number 0..shardCount-1 in order. */
export function parseShardMap(json: string): ShardMap {
  const map = shardMapSchema.parse(JSON.parse(json));
  if (map.shards.length !== map.shardCount || map.shards.some((s, i) => s.shard !== i)) {
    throw new Error(`shard map lists shards ${map.shards.map((s) => s.shard).join(', ')} for shardCount ${map.shardCount}`);
  }
  return map;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function shardOf(userId: string, shards: number): number {
  if (shards <= 1) return 0;
  if (/^\d+$/.test(userId)) return Number(BigInt(userId) % BigInt(shards));
  if (UUID.test(userId)) return Number(BigInt(`0x${userId.replace(/-/g, '')}`) % BigInt(shards));
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(userId, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % shards;
}

/** The engine's stores, one per shard, in shard order. */
export class ShardedStores {
  constructor(readonly all: readonly EngineStore[]) {
    if (all.length === 0) throw new Error('at least one database shard is needed');
  }

  forUser(userId: string): EngineStore {
    return this.all[shardOf(userId, this.all.length)];
  }

  async migrate(): Promise<void> {
    for (const store of this.all) await store.migrate();
  }

  async ping(): Promise<void> {
    await Promise.all(this.all.map((s) => s.ping()));
  }
}
