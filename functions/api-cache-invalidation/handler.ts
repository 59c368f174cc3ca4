/** MSK consumer of trading.positions: bumps the changed users' dashboard cache versions. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { L1Cache, UserCache } from '@shared/cache/user-cache';
import type { MskEvent } from '@shared/events';
import { cacheFromEnv } from '@shared/runtime/data-access';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { invalidatePositions } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));

const cache = once(async () => new UserCache({ client: await cacheFromEnv(secrets), l1: new L1Cache(0, 0), onCacheError: () => undefined }));

export const handler = withPowertools(async (event: MskEvent) => {
  const summary = await invalidatePositions(event, {
    cache: await cache(),
    onBadRecord: (ref, error) => {
      logger.error('malformed trading.positions record skipped', { ref, error: error.message });
      metrics.addMetric('BadRecords', MetricUnit.Count, 1);
    },
    onCacheError: (userId, error) => {
      logger.warn('cache invalidation failed; the entry expires by TTL', { userId, error });
      metrics.addMetric('InvalidationErrors', MetricUnit.Count, 1);
    },
  });
  metrics.addMetric('UsersInvalidated', MetricUnit.Count, summary.invalidated);
  return summary;
}, pt);
