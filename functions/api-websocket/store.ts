/** Connection records in the `ws-connections` DynamoDB global table (keys from DATA_TABLES.connections). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '@shared/ws/frames';
import type { ConnectionStore } from './logic';

export function dynamoConnectionStore(client: DynamoDBDocumentClient, tableName: string): ConnectionStore {
  return {
    async put(record) {
      await client.send(new PutCommand({ TableName: tableName, Item: { ...record } }));
    },
    async delete(connectionId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { connectionId } }));
    },
    async updateChannels(connectionId, action, channels: readonly Channel[]) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { connectionId },
            // A string set: ADD and DELETE are idempotent, and two frames never overwrite each other.
            UpdateExpression: `${action === 'subscribe' ? 'ADD' : 'DELETE'} channels :c`,
            ConditionExpression: 'attribute_exists(connectionId)',
            ExpressionAttributeValues: { ':c': new Set(channels) },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
