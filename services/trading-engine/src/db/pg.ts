/**
 * A pg pool to RDS Proxy with IAM authentication: each new connection gets a fresh 15-minute token
 * signed with the task role, over TLS verified against the system's CAs (RDS Proxy presents an Amazon
 * Trust Services certificate). No password exists anywhere.
 */
import { Signer } from '@aws-sdk/rds-signer';
import { Pool } from 'pg';

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
