/**
 * Cache-aside for per-user read models (positions, performance): an in-memory L1 in front of Valkey, in
 * front of the loader (Aurora through the read-only proxy).
 *
 * Invalidation is by a per-user VERSION, never by scanning keys: every cached value of a user lives under
 * `<prefix>{u:<userId>}:<name>:v<version>`, and invalidating the user is one INCR of
 * `<prefix>{u:<userId>}:v`. Readers then miss the old keys, which expire by their own TTL. The `{u:…}`
 * hash tag keeps a user's keys in one cluster slot.
 *
 * The cache is optional: a Valkey error (timeout, a read-only global-datastore member refusing SET) is
 * reported and the value is served from the loader.
 */

/** The few commands used; ioredis' Redis and Cluster both satisfy it. */
export interface CacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  incr(key: string): Promise<number>;
  expire(key: string, seconds: number): Promise<unknown>;
}

/** A version outlives every value it guards (the longest TTL is well under a day). */
export const VERSION_TTL_SECONDS = 86_400;

export function userVersionKey(prefix: string, userId: string): string {
  return `${prefix}{u:${userId}}:v`;
}

export function userValueKey(prefix: string, userId: string, name: string, version: string): string {
  return `${prefix}{u:${userId}}:${name}:v${version}`;
}

/** A small TTL + size-bounded map (insertion order evicts the oldest): the per-instance L1. */
export class L1Cache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): string | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: string): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

export type CacheSource = 'l1' | 'cache' | 'database';

export interface UserCacheOptions {
  readonly client: CacheClient;
  /** Prefix of every key (tests use a unique one). @default '' */
  readonly prefix?: string;
  readonly l1: L1Cache;
  /** Called when Valkey fails; the read falls through to the loader. */
  readonly onCacheError: (error: unknown, operation: string) => void;
}

export class UserCache {
  private readonly prefix: string;

  constructor(private readonly options: UserCacheOptions) {
    this.prefix = options.prefix ?? '';
  }

  /**
   * The user's value `name`: L1, else Valkey under the user's current version, else `load()` stored in
   * Valkey for `ttlSeconds`. Returns the value and where it came from.
   */
  async read<T>(userId: string, name: string, ttlSeconds: number, load: () => Promise<T>): Promise<{ value: T; source: CacheSource }> {
    const { client, l1, onCacheError } = this.options;
    let version: string | undefined;
    try {
      version = (await client.get(userVersionKey(this.prefix, userId))) ?? '0';
    } catch (error) {
      onCacheError(error, 'get-version');
    }
    // Without a version the L1 cannot tell a stale entry from a current one: go to the database.
    if (version === undefined) return { value: await load(), source: 'database' };
    const key = userValueKey(this.prefix, userId, name, version);
    const local = l1.get(key);
    if (local !== undefined) return { value: JSON.parse(local) as T, source: 'l1' };
    try {
      const cached = await client.get(key);
      if (cached !== null) {
        l1.set(key, cached);
        return { value: JSON.parse(cached) as T, source: 'cache' };
      }
    } catch (error) {
      onCacheError(error, 'get');
    }
    const value = await load();
    const text = JSON.stringify(value);
    l1.set(key, text);
    try {
      await client.set(key, text, 'EX', ttlSeconds);
    } catch (error) {
      onCacheError(error, 'set');
    }
    return { value, source: 'database' };
  }

  /** Invalidates every cached value of the user: one INCR, no key scan. Returns the new version. */
  async invalidate(userId: string): Promise<number> {
    const key = userVersionKey(this.prefix, userId);
    const version = await this.options.client.incr(key);
    await this.options.client.expire(key, VERSION_TTL_SECONDS);
    return version;
  }
}
