/**
 * CloudFormation custom resource (cdk custom-resources Provider, onEvent): applies the reporting schema's
 * migrations to every shard on Create and Update; Delete does nothing (data is never dropped by a deploy).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { poolTransactional } from '@shared/clients/sql';
import { shardPoolsFromEnv } from '@shared/runtime/data-access';
import { requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { onMigrationEvent, type MigrationEvent } from './logic';

const pt = powertools();
const { logger, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
requireEnv('SHARD_MAP_PARAMETER');
requireEnv('DATABASE_USER');

const shards = once(async () => {
  const pools = await shardPoolsFromEnv(ssm, 'readWrite', (error) => logger.warn('idle database connection lost', { error }));
  return pools.pools.map((pool) => poolTransactional(pool));
});

export const handler = withPowertools(
  async (event: MigrationEvent) => onMigrationEvent(event, { shards, log: (message, details) => logger.info(message, details ?? {}) }),
  pt,
);
