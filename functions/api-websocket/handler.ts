/** The WebSocket API's routes; connection records in the ws-connections global table of this region. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { handleWebSocket, type WebSocketEvent } from './logic';
import { dynamoConnectionStore } from './store';

const pt = powertools();
const dynamo = DynamoDBDocumentClient.from(pt.tracer.captureAWSv3Client(new DynamoDBClient({})));
const deps = {
  store: dynamoConnectionStore(dynamo, requireEnv('CONNECTIONS_TABLE')),
  connectionTtlSeconds: intEnv('CONNECTION_TTL_SECONDS', 7800, { min: 60, max: 86_400 }),
  maxFrameBytes: intEnv('MAX_BODY_BYTES', 65_536, { min: 256, max: 10_485_760 }),
  region: requireEnv('AWS_REGION'),
};

export const handler = withPowertools((event: WebSocketEvent) => handleWebSocket(event, deps), pt);
