/**
 * The pools API functions WRITE through: the proxy's read/write endpoint in the writer region, or the
 * read-only endpoint where the cluster forwards writes (Aurora global write forwarding: the tertiary).
 *
 *   DATABASE_ENDPOINT   readWrite | readOnly
 *   WRITE_FORWARDING    true where the readers forward writes: each session asks for read-your-writes
 *   MIGRATE_API_SCHEMA  true in the writer region only (DDL is never forwarded)
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Pool } from 'pg';
import type { ShardPools } from '../clients/postgres';
import { poolTransactional } from '../clients/sql';
import { migrateApiSchema } from '../db/api-schema';
import { shardPoolsFromEnv } from './data-access';

export async function writePoolsFromEnv(ssm: SSMClient, onIdleError: (error: Error) => void, env: NodeJS.ProcessEnv = process.env): Promise<ShardPools<Pool>> {
  const endpoint = env.DATABASE_ENDPOINT === 'readOnly' ? 'readOnly' : 'readWrite';
  const pools = await shardPoolsFromEnv(ssm, endpoint, onIdleError);
  if (env.WRITE_FORWARDING === 'true') {
    // 'session': a session reads its own forwarded writes (the default 'eventual' would not).
    for (const pool of pools.pools) pool.on('connect', (client) => void client.query(`SET apg_write_forward.consistency_mode = 'session'`).catch(onIdleError));
  }
  if (env.MIGRATE_API_SCHEMA === 'true') {
    for (const pool of pools.pools) await migrateApiSchema(poolTransactional(pool));
  }
  return pools;
}
