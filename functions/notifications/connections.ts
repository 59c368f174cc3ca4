/** A user's live WebSocket connections, from the `ws-connections` global table's `byUser` index (projection ALL). */
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Connection } from './logic';

export interface ConnectionTable {
  readonly connectionsOf: (userId: string) => Promise<Connection[]>;
  readonly removeConnection: (connectionId: string) => Promise<void>;
}

export function dynamoConnections(client: Pick<DynamoDBDocumentClient, 'send'>, tableName: string, byUserIndex: string, now: () => number = Date.now): ConnectionTable {
  return {
    async connectionsOf(userId) {
      const out: Connection[] = [];
      // TTL deletes lazily (up to days late): an expired record is filtered out here, not posted to.
      const nowSeconds = Math.floor(now() / 1000);
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: byUserIndex,
            KeyConditionExpression: 'userId = :u',
            FilterExpression: 'expiresAt > :now',
            ExpressionAttributeValues: { ':u': userId, ':now': nowSeconds },
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          out.push({
            connectionId: item.connectionId,
            format: item.format === 'msgpack' ? 'msgpack' : 'json',
            channels: item.channels instanceof Set ? item.channels : new Set<string>(),
            apiId: item.apiId,
            region: item.region,
            stage: item.stage,
          });
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return out;
    },
    async removeConnection(connectionId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { connectionId } }));
    },
  };
}
