/** MSK consumer of trading.positions: bumps the changed users' dashboard cache versions. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { L1Cache, UserCache } from '@shared/cache/user-cache';
import { mskEventProducer } from '@shared/clients/kafka-producer';
import { deadLetterFor, TOPICS, type MskEvent } from '@shared/events';
import { requireEnv } from '@shared/runtime/env';
import { cacheFromEnv } from '@shared/runtime/data-access';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { invalidatePositions } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));
const consumer = requireEnv('POWERTOOLS_SERVICE_NAME');

const cache = once(async () => new UserCache({ client: await cacheFromEnv(secrets), l1: new L1Cache(0, 0), onCacheError: () => undefined }));

const producer = once(async () => mskEventProducer({ brokers: requireEnv('KAFKA_BROKERS').split(','), region: requireEnv('AWS_REGION'), clientId: consumer }));

export const handler = withPowertools(async (event: MskEvent) => {
  const summary = await invalidatePositions(event, {
    cache: await cache(),
    deadLetter: async (record, error) => {
      logger.error('malformed trading.positions record dead-lettered', { topic: record.topic, partition: record.partition, offset: record.offset, error: error.message });
      metrics.addMetric('DeadLetteredRecords', MetricUnit.Count, 1);
      await (await producer()).send(TOPICS.deadLetter, deadLetterFor(record, error, consumer));
    },
    onCacheError: (userId, error) => {
      logger.warn('cache invalidation failed; the entry expires by TTL', { userId, error });
      metrics.addMetric('InvalidationErrors', MetricUnit.Count, 1);
    },
  });
  metrics.addMetric('UsersInvalidated', MetricUnit.Count, summary.invalidated);
  return summary;
}, pt);
