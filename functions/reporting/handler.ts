/** MSK consumer of trading.trades and trading.positions: stores them in the reporting schema, per shard. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqsDeadLetters } from '@shared/clients/dead-letter-queue';
import { poolTransactional } from '@shared/clients/sql';
import type { MskEvent } from '@shared/events';
import { PartitionCache } from '@shared/reporting/partitions';
import { shardPoolsFromEnv } from '@shared/runtime/data-access';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { consumeReportingBatch } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const consumer = requireEnv('POWERTOOLS_SERVICE_NAME');
requireEnv('SHARD_MAP_PARAMETER');
requireEnv('DATABASE_USER');
const sendDeadLetter = sqsDeadLetters(sqs, requireEnv('DEAD_LETTER_QUEUE_URL'), consumer);
const writeAttempts = intEnv('WRITE_ATTEMPTS', 3, { min: 1, max: 10 });

const shards = once(async () => {
  const pools = await shardPoolsFromEnv(ssm, 'readWrite', (error) => logger.warn('idle database connection lost', { error }));
  return pools.pools.map((pool) => poolTransactional(pool));
});
/** The day partitions this container has already created (or found), per shard. */
const partitions = new PartitionCache();

export const handler = withPowertools(async (event: MskEvent) => {
  const summary = await consumeReportingBatch(event, {
    shards: await shards(),
    partitions,
    writeAttempts,
    deadLetter: async (record, error) => {
      logger.error('reporting record dead-lettered', { topic: record.topic, partition: record.partition, offset: record.offset, error: (error as Error).message });
      metrics.addMetric('DeadLetteredRecords', MetricUnit.Count, 1);
      await sendDeadLetter(record, error);
    },
    onRetry: (error, attempt) => {
      logger.warn('reporting write failed transiently; retrying', { attempt, error });
      metrics.addMetric('WriteRetries', MetricUnit.Count, 1);
    },
  });
  metrics.addMetric('TradesInserted', MetricUnit.Count, summary.tradesInserted);
  metrics.addMetric('PositionChangesInserted', MetricUnit.Count, summary.positionsInserted);
  return summary;
}, pt);
