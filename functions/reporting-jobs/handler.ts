/** The reporting worker's scheduled jobs (EventBridge Scheduler): `{ "job": "rollup" | "retention" | "export", "date"?: "YYYY-MM-DD" }`. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { poolTransactional } from '@shared/clients/sql';
import { shardPoolsFromEnv } from '@shared/runtime/data-access';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { runReportingJob } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const lambda = tracer.captureAWSv3Client(new LambdaClient({}));
const s3 = tracer.captureAWSv3Client(new S3Client({}));
requireEnv('SHARD_MAP_PARAMETER');
requireEnv('DATABASE_USER');
const settings = {
  reportsBucket: requireEnv('REPORTS_BUCKET'),
  activeSwitchFunction: requireEnv('ACTIVE_SWITCH_FUNCTION'),
  detailRetentionDays: intEnv('DETAIL_RETENTION_DAYS', 90, { min: 1, max: 3650 }),
  rollupRetentionDays: intEnv('ROLLUP_RETENTION_DAYS', 730, { min: 1, max: 3650 }),
  partitionsAheadDays: intEnv('PARTITIONS_AHEAD_DAYS', 3, { min: 1, max: 60 }),
  exportConcurrency: intEnv('EXPORT_CONCURRENCY', 16, { min: 1, max: 256 }),
};

const shards = once(async () => {
  const pools = await shardPoolsFromEnv(ssm, 'readWrite', (error) => logger.warn('idle database connection lost', { error }));
  return pools.pools.map((pool) => poolTransactional(pool));
});

export const handler = withPowertools(
  async (event: unknown) =>
    runReportingJob(event, {
      ...settings,
      lambda,
      s3,
      shards,
      now: () => new Date(),
      log: (message, details) => logger.info(message, details ?? {}),
      metric: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
    }),
  pt,
);
