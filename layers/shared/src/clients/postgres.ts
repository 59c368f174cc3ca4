/**
 * PostgreSQL through RDS Proxy with IAM authentication, for every process of the platform (engine tasks,
 * API and worker Lambdas): each new connection gets a fresh 15-minute token signed with the caller's role,
 * over TLS verified against the system's CAs (RDS Proxy presents an Amazon Trust Services certificate).
 * No password exists anywhere.
 */
import { Signer } from '@aws-sdk/rds-signer';
import { Pool } from 'pg';
import { shardOf, type ShardMap } from '../shard-map';

export interface IamPoolOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly region: string;
  /** @default 10 */
  readonly maxConnections?: number;
  /**
   * An idle connection that dies (proxy idle timeout, failover) is reported here and replaced on next use;
   * without a listener pg would crash the process with an unhandled 'error' event.
   */
  readonly onIdleError: (error: Error) => void;
}

export function iamPool(options: IamPoolOptions): Pool {
  const signer = new Signer({ hostname: options.host, port: options.port, username: options.user, region: options.region });
  const pool = new Pool({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: () => signer.getAuthToken(),
    ssl: { rejectUnauthorized: true },
    max: options.maxConnections ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', options.onIdleError);
  return pool;
}

/** Which proxy endpoint of a shard: the read/write one (the writer) or the read-only one (this region's readers). */
export type ProxyEndpoint = 'readWrite' | 'readOnly';

export interface ShardPoolsOptions {
  readonly map: ShardMap;
  readonly user: string;
  readonly endpoint: ProxyEndpoint;
  /**
   * A Lambda handles one request at a time: one or two connections per shard are enough, and keep the
   * proxy's pool for the many concurrent environments. @default 2
   */
  readonly maxConnectionsPerShard?: number;
  readonly onIdleError: (error: Error) => void;
}

/** One IAM pool per shard of the region's shard map, and the user-to-shard rule over them. */
export class ShardPools<P = Pool> {
  constructor(readonly pools: readonly P[]) {
    if (pools.length === 0) throw new Error('at least one database shard is needed');
  }

  static fromMap(options: ShardPoolsOptions): ShardPools<Pool> {
    const { map } = options;
    return new ShardPools(
      map.shards.map((s) =>
        iamPool({
          host: options.endpoint === 'readOnly' ? s.proxyReadOnlyEndpoint : s.proxyEndpoint,
          port: map.port,
          database: map.database,
          user: options.user,
          region: map.region,
          maxConnections: options.maxConnectionsPerShard ?? 2,
          onIdleError: options.onIdleError,
        }),
      ),
    );
  }

  /** The pool of `userId`'s shard; throws for an id the event catalog would refuse. */
  forUser(userId: string): P {
    return this.pools[shardOf(userId, this.pools.length)];
  }
}
