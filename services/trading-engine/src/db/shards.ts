/**
 * Horizontal shards of the database (data.aurora.shards): each user's rows live on one shard, chosen by the
 * data tier's rule `user_id % N` as `@shared/shard-map` implements it (the one implementation: integer ids,
 * UUIDs and every other id the event catalog accepts). With one shard every user is on shard 0.
 */
import { shardOf } from '@shared/shard-map';
import type { EngineStore } from './store';

/** The engine's stores, one per shard, in shard order. */
export class ShardedStores {
  constructor(readonly all: readonly EngineStore[]) {
    if (all.length === 0) throw new Error('at least one database shard is needed');
  }

  /** The store of `userId`'s shard; throws for an id the event catalog would refuse. */
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
