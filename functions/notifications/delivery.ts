/**
 * Sending one Delivery (logic.ts) on its channel, and making that exactly-once:
 *
 *   websocket  PostToConnection on each target's own API endpoint (the connection may live in another
 *              region); a gone connection (GoneException / 410) is deleted from the table, not an error
 *   email      SES v2 SendEmail from EMAIL_FROM
 *   sms        SNS Publish to the phone number (transactional)
 *   push       SNS Publish to the platform endpoint ARN
 *
 * Every AWS call goes through `retry` (bounded, transient errors only). `idempotentDeliverer` wraps the
 * sender in Powertools idempotency keyed on (idempotencyKey, channel): a completed delivery is not sent
 * again within the TTL; one that throws has its in-progress record deleted, so a replay sends it.
 */
import { randomUUID } from 'node:crypto';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { encodeFrame } from '@shared/ws/frames';
import type { Delivery } from './logic';

export interface SenderDeps {
  /** The management API client of one endpoint (cached by the caller). */
  readonly managementApi: (endpoint: string) => Pick<ApiGatewayManagementApiClient, 'send'>;
  readonly removeConnection: (connectionId: string) => Promise<void>;
  readonly ses: Pick<SESv2Client, 'send'>;
  readonly emailFrom: string;
  readonly sns: Pick<SNSClient, 'send'>;
  /** Bounded retries of transient errors (withRetries). */
  readonly retry: <T>(call: () => Promise<T>) => Promise<T>;
}

/** What a delivery did (stored as the idempotency record's result). */
export type DeliveryResult = { readonly posted: number; readonly gone: number } | { readonly messageId: string };

export function isGone(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'GoneException' || e?.$metadata?.httpStatusCode === 410;
}

export function deliverySender(deps: SenderDeps): (delivery: Delivery) => Promise<DeliveryResult> {
  return async (delivery) => {
    switch (delivery.channel) {
      case 'websocket': {
        let posted = 0;
        let gone = 0;
        await Promise.all(
          delivery.connections.map(async (target) => {
            const data = encodeFrame(target.format, delivery.frame);
            const api = deps.managementApi(target.endpoint);
            try {
              await deps.retry(() => api.send(new PostToConnectionCommand({ ConnectionId: target.connectionId, Data: typeof data === 'string' ? Buffer.from(data) : data })));
              posted++;
            } catch (error) {
              if (!isGone(error)) throw error;
              gone++;
              await deps.retry(() => deps.removeConnection(target.connectionId));
            }
          }),
        );
        return { posted, gone };
      }
      case 'email': {
        const out = await deps.retry(() =>
          deps.ses.send(
            new SendEmailCommand({
              FromEmailAddress: deps.emailFrom,
              Destination: { ToAddresses: [delivery.to] },
              Content: { Simple: { Subject: { Data: delivery.subject, Charset: 'UTF-8' }, Body: { Text: { Data: delivery.text, Charset: 'UTF-8' } } } },
            }),
          ),
        );
        return { messageId: out.MessageId ?? '' };
      }
      case 'sms': {
        const out = await deps.retry(() =>
          deps.sns.send(
            new PublishCommand({
              PhoneNumber: delivery.phoneNumber,
              Message: delivery.text,
              MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
            }),
          ),
        );
        return { messageId: out.MessageId ?? '' };
      }
      case 'push': {
        const payload = { title: delivery.title, body: delivery.body, data: delivery.data ?? {} };
        const gcm = JSON.stringify({ notification: { title: delivery.title, body: delivery.body }, data: payload.data });
        const apns = JSON.stringify({ aps: { alert: { title: delivery.title, body: delivery.body } }, ...payload.data });
        const out = await deps.retry(() =>
          deps.sns.send(
            new PublishCommand({
              TargetArn: delivery.endpointArn,
              MessageStructure: 'json',
              Message: JSON.stringify({ default: delivery.body, GCM: gcm, APNS: apns, APNS_SANDBOX: apns }),
            }),
          ),
        );
        return { messageId: out.MessageId ?? '' };
      }
    }
  };
}

/** One management API client per endpoint, created on first use. */
export function managementApiClients(create: (endpoint: string) => Pick<ApiGatewayManagementApiClient, 'send'> = (endpoint) => new ApiGatewayManagementApiClient({ endpoint, region: regionOf(endpoint) })) {
  const clients = new Map<string, Pick<ApiGatewayManagementApiClient, 'send'>>();
  return (endpoint: string) => {
    let client = clients.get(endpoint);
    if (!client) {
      client = create(endpoint);
      clients.set(endpoint, client);
    }
    return client;
  };
}

/** `us-east-1` of `https://abc.execute-api.us-east-1.amazonaws.com/prod` (the client signs for that region). */
export function regionOf(endpoint: string): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(endpoint);
  if (!match) throw new Error(`not an API Gateway endpoint: ${endpoint}`);
  return match[1];
}

export interface IdempotencyOptions {
  readonly persistenceStore: BasePersistenceLayer;
  /** How long a completed delivery blocks a repeat (IDEMPOTENCY_TTL_SECONDS). */
  readonly expiresAfterSeconds: number;
}

/** The key prefix of every delivery record: stable across deploys and function renames. */
export const IDEMPOTENCY_KEY_PREFIX = 'notifications.delivery';

/**
 * `send`, exactly once per (idempotencyKey, channel). Register the Lambda context on `config` per
 * invocation, so that an in-progress record left by a timed-out invocation expires with it.
 */
export function idempotentDeliverer(send: (delivery: Delivery) => Promise<DeliveryResult>, options: IdempotencyOptions) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: '[idempotencyKey, channel]', expiresAfterSeconds: options.expiresAfterSeconds, throwOnNoIdempotencyKey: true });
  // Each call carries a fresh attempt id, outside the hashed key: the stored result of an earlier call
  // returns an earlier attempt id, which is how a duplicate is told from a send.
  const once = makeIdempotent(
    async (delivery: Delivery & { readonly attemptId: string }): Promise<DeliveryResult & { readonly attemptId: string }> => ({ ...(await send(delivery)), attemptId: delivery.attemptId }),
    { persistenceStore: options.persistenceStore, config, keyPrefix: IDEMPOTENCY_KEY_PREFIX },
  );
  const deliver = async (delivery: Delivery): Promise<DeliveryResult & { readonly duplicate: boolean }> => {
    const attemptId = randomUUID();
    const { attemptId: stored, ...result } = await once({ ...delivery, attemptId });
    return { ...result, duplicate: stored !== attemptId };
  };
  return { deliver, config };
}
