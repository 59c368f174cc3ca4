/** POST /billing/webhook: HMAC-verified, idempotent subscription updates from the billing provider. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { eventBridgePublisher } from '@shared/clients/event-bus';
import { poolTransactional } from '@shared/clients/sql';
import type { RestEvent } from '@shared/http/rest';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { writePoolsFromEnv } from '@shared/runtime/write-pools';
import { billingRoutes, type BillingDeps } from './logic';

const pt = powertools();
const { logger, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));
const events = eventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), requireEnv('EVENT_BUS_NAME'));
const secretArn = requireEnv('SIGNING_SECRET_ARN');
const maxBodyBytes = intEnv('MAX_BODY_BYTES', 65_536, { min: 256, max: 10_485_760 });
const routes = billingRoutes(logger);

/** The secret is re-read every 5 minutes, so a rotation takes effect without a deployment. */
let secret: { value: string; at: number } | undefined;
async function signingSecret(): Promise<string> {
  if (!secret || Date.now() - secret.at > 300_000) {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error(`secret ${secretArn} holds no SecretString`);
    secret = { value: SecretString, at: Date.now() };
  }
  return secret.value;
}

const deps = once(async (): Promise<BillingDeps> => {
  const pools = await writePoolsFromEnv(ssm, (error) => logger.warn('idle database connection dropped', { error }));
  return { dbFor: (userId) => poolTransactional(pools.forUser(userId)), events, signingSecret, maxBodyBytes };
});

export const handler = withPowertools(async (event: RestEvent) => routes(event, await deps()), pt);
