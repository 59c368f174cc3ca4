/**
 * The region's ElastiCache (Valkey, cluster mode, TLS, AUTH) through ioredis, for every Lambda and task.
 * The AUTH token is read once from Secrets Manager (the secret's ARN is in the environment, never the value).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Cluster } from 'ioredis';

export interface CacheClusterOptions {
  /** The cluster-mode configuration endpoint. */
  readonly host: string;
  readonly port: number;
  readonly authToken: string;
  /** Fail a command fast instead of queueing it while the cluster is unreachable (a cache is optional). @default 500 ms */
  readonly commandTimeoutMs?: number;
}

export function cacheCluster(options: CacheClusterOptions): Cluster {
  return new Cluster([{ host: options.host, port: options.port }], {
    // ElastiCache's TLS certificates name the configuration endpoint, not the node IPs the cluster announces.
    dnsLookup: (address, callback) => callback(null, address),
    slotsRefreshTimeout: 2_000,
    enableOfflineQueue: false,
    redisOptions: {
      tls: {},
      password: options.authToken,
      commandTimeout: options.commandTimeoutMs ?? 500,
      maxRetriesPerRequest: 1,
    },
  });
}

/** The AUTH token: the secret's SecretString. */
export async function readAuthToken(secrets: SecretsManagerClient, secretArn: string): Promise<string> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error(`secret ${secretArn} holds no SecretString (the cache AUTH token)`);
  return SecretString;
}
