/** /plans: investment plans CRUD, written to the user's shard (forwarded to the writer in the tertiary). */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { eventBridgePublisher } from '@shared/clients/event-bus';
import type { RestEvent } from '@shared/http/rest';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { writePoolsFromEnv } from '@shared/runtime/write-pools';
import { planRoutes, type PlansDeps } from './logic';

const pt = powertools();
const { logger, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const events = eventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), requireEnv('EVENT_BUS_NAME'));
const maxBodyBytes = intEnv('MAX_BODY_BYTES', 65_536, { min: 256, max: 10_485_760 });
const routes = planRoutes(logger);

const deps = once(async (): Promise<PlansDeps> => {
  const pools = await writePoolsFromEnv(ssm, (error) => logger.warn('idle database connection dropped', { error }));
  return { sqlFor: (userId) => pools.forUser(userId), events, maxBodyBytes };
});

export const handler = withPowertools(async (event: RestEvent) => routes(event, await deps()), pt);
