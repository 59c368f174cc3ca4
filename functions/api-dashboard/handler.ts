/** GET /dashboard/{positions,trades,performance}: reads through the region's read-only proxy, cache-aside in Valkey. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { L1Cache, UserCache } from '@shared/cache/user-cache';
import type { RestEvent } from '@shared/http/rest';
import { cacheFromEnv, shardPoolsFromEnv } from '@shared/runtime/data-access';
import { intEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { dashboardRoutes, type DashboardDeps } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));
const l1 = new L1Cache(intEnv('L1_TTL_SECONDS', 2, { min: 0, max: 60 }) * 1000, intEnv('L1_MAX_ENTRIES', 5000, { min: 0, max: 100_000 }));
const ttl = {
  positionsSeconds: intEnv('POSITIONS_TTL_SECONDS', 60, { min: 1, max: 86_400 }),
  performanceSeconds: intEnv('PERFORMANCE_TTL_SECONDS', 300, { min: 1, max: 86_400 }),
};
const routes = dashboardRoutes(logger);

const deps = once(async (): Promise<DashboardDeps> => {
  const [pools, client] = await Promise.all([
    shardPoolsFromEnv(ssm, 'readOnly', (error) => logger.warn('idle database connection dropped', { error })),
    cacheFromEnv(secrets),
  ]);
  const cache = new UserCache({
    client,
    l1,
    onCacheError: (error, operation) => {
      logger.warn('cache unavailable, reading the database', { error, operation });
      metrics.addMetric('CacheErrors', MetricUnit.Count, 1);
    },
  });
  return { sqlFor: (userId) => pools.forUser(userId), cache, ttl };
});

export const handler = withPowertools(async (event: RestEvent) => routes(event, await deps()), pt);
