/** /notifications/preferences: read and replace the caller's notification preferences on their shard (writes forwarded in the tertiary). */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { RestEvent } from '@shared/http/rest';
import { intEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { writePoolsFromEnv } from '@shared/runtime/write-pools';
import { preferencesRoutes, type PreferencesDeps } from './logic';

const pt = powertools();
const { logger, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const maxBodyBytes = intEnv('MAX_BODY_BYTES', 65_536, { min: 256, max: 10_485_760 });
const routes = preferencesRoutes(logger);

const deps = once(async (): Promise<PreferencesDeps> => {
  const pools = await writePoolsFromEnv(ssm, (error) => logger.warn('idle database connection dropped', { error }));
  return { sqlFor: (userId) => pools.forUser(userId), maxBodyBytes };
});

export const handler = withPowertools(async (event: RestEvent) => routes(event, await deps()), pt);
