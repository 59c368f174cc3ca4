/**
 * The notifications worker: a Lambda MSK consumer of trading.trades, trading.positions and
 * notifications.outbound (one event source mapping per topic) that pushes to WebSocket connections and
 * sends e-mail, SMS and push per the user's preferences. docs/workers/notifications.md.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqsDeadLetters } from '@shared/clients/dead-letter-queue';
import { recordRef, type MskEvent } from '@shared/events';
import { cachedPreferences, readPreferences } from '@shared/notifications/preferences';
import { shardPoolsFromEnv } from '@shared/runtime/data-access';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { isTransientError, withRetries } from '@shared/runtime/retry';
import { dynamoConnections } from './connections';
import { deliverySender, idempotentDeliverer, managementApiClients, regionOf } from './delivery';
import { routeNotifications } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const consumer = requireEnv('POWERTOOLS_SERVICE_NAME');
const attempts = intEnv('DELIVERY_ATTEMPTS', 3, { min: 1, max: 10 });
const retry = <T>(call: () => Promise<T>) =>
  withRetries(call, { attempts, isTransient: isTransientError, onRetry: (error, attempt) => logger.warn('transient error; retrying', { attempt, error }) });

const dynamoClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
const dynamo = DynamoDBDocumentClient.from(dynamoClient);
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const ses = tracer.captureAWSv3Client(new SESv2Client({}));
const sns = tracer.captureAWSv3Client(new SNSClient({}));

const connections = dynamoConnections(dynamo, requireEnv('CONNECTIONS_TABLE'), requireEnv('CONNECTIONS_BY_USER_INDEX'));
const managementApi = managementApiClients((endpoint) =>
  tracer.captureAWSv3Client(new ApiGatewayManagementApiClient({ endpoint, region: regionOf(endpoint) })),
);
const { deliver, config: idempotency } = idempotentDeliverer(
  deliverySender({ managementApi, removeConnection: connections.removeConnection, ses, emailFrom: requireEnv('EMAIL_FROM'), sns, retry }),
  {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv('IDEMPOTENCY_TABLE'), awsSdkV3Client: dynamoClient }),
    expiresAfterSeconds: intEnv('IDEMPOTENCY_TTL_SECONDS', 86_400, { min: 60, max: 604_800 }),
  },
);
const deadLetter = sqsDeadLetters(sqs, requireEnv('DEAD_LETTER_QUEUE_URL'), consumer);
const preferencesTtlMs = intEnv('PREFERENCES_TTL_SECONDS', 60, { min: 0, max: 3600 }) * 1000;

const preferencesOf = once(async () => {
  const pools = await shardPoolsFromEnv(ssm, 'readOnly', (error) => logger.warn('idle database connection dropped', { error }));
  return cachedPreferences((userId) => retry(() => readPreferences(pools.forUser(userId), userId)), { ttlMs: preferencesTtlMs });
});

export const handler = withPowertools(async (event: MskEvent) => {
  const prefs = await preferencesOf();
  const summary = await routeNotifications(event, {
    preferencesOf: prefs,
    connectionsOf: (userId) => retry(() => connections.connectionsOf(userId)),
    deliver,
    deadLetter: async (record, error) => {
      logger.error('record dead-lettered', { record: recordRef(record), error });
      await deadLetter(record, error);
    },
    onDeliveryFailed: (delivery, error) => logger.warn('delivery failed', { eventId: delivery.eventId, channel: delivery.channel, error }),
  });
  metrics.addMetric('RecordsRouted', MetricUnit.Count, summary.records);
  metrics.addMetric('Deliveries', MetricUnit.Count, summary.delivered);
  metrics.addMetric('DuplicateDeliveries', MetricUnit.Count, summary.duplicates);
  metrics.addMetric('PositionsCoalesced', MetricUnit.Count, summary.coalesced);
  metrics.addMetric('FailedDeliveries', MetricUnit.Count, summary.failedDeliveries);
  metrics.addMetric('DeadLetteredRecords', MetricUnit.Count, summary.deadLettered);
  metrics.addMetric('QuietHoursHeld', MetricUnit.Count, summary.quietHeld);
  metrics.addMetric('NoAddress', MetricUnit.Count, summary.noAddress);
  metrics.addMetric('LegacyConnectionsSkipped', MetricUnit.Count, summary.legacyConnections);
  return summary;
}, pt).use({
  // An in-progress idempotency record left by a timed-out invocation expires with that invocation.
  before: (request) => idempotency.registerLambdaContext(request.context),
});
