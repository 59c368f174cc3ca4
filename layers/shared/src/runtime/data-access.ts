/**
 * What API and worker Lambdas build at cold start from their environment: the region's shard pools on
 * the proxy endpoint the stack chose (read-only, or the writer), and the Valkey cluster client.
 *
 *   SHARD_MAP_PARAMETER   SSM path of the shard map        DATABASE_USER  the IAM database user
 *   CACHE_ENDPOINT        cluster configuration endpoint   CACHE_AUTH_SECRET_ARN  the AUTH token's secret
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Cluster } from 'ioredis';
import { ShardPools, type ProxyEndpoint } from '../clients/postgres';
import { readShardMap } from '../clients/shard-map-parameter';
import { intEnv, requireEnv } from './env';

export async function shardPoolsFromEnv(ssm: SSMClient, endpoint: ProxyEndpoint, onIdleError: (error: Error) => void): Promise<ShardPools> {
  const map = await readShardMap(ssm, requireEnv('SHARD_MAP_PARAMETER'));
  return ShardPools.fromMap({ map, user: requireEnv('DATABASE_USER'), endpoint, onIdleError });
}

export async function cacheFromEnv(secrets: SecretsManagerClient): Promise<Cluster> {
  // Required here, not at the top: ioredis is CommonJS, so esbuild cannot drop it from the bundles of the
  // functions that only use shardPoolsFromEnv (it would add ~170 KB and its load time to their cold start).
  const { cacheCluster, readAuthToken } = require('../clients/redis') as typeof import('../clients/redis');
  const authToken = await readAuthToken(secrets, requireEnv('CACHE_AUTH_SECRET_ARN'));
  return cacheCluster({ host: requireEnv('CACHE_ENDPOINT'), port: intEnv('CACHE_PORT', 6379, { min: 1, max: 65535 }), authToken });
}
