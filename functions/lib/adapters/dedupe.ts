/**
 * "Have we seen this key lately?" as one conditional DynamoDB write: a sender's delivery (kept two
 * days, longer than any sender retries) or a reference just enqueued (kept minutes). A key whose
 * time is up counts as new even before the table's TTL sweeps it.
 */
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure } from './condition-failure.js';

export const createDedupe = (dynamodb: DynamoDBClient, tableName: string, now: () => Date = () => new Date()) => ({
  /** True the first time a key is seen within `ttlSeconds`; false for a repeat. */
  async remember(key: string, ttlSeconds: number): Promise<boolean> {
    const seconds = Math.floor(now().getTime() / 1000);
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: key }, firstSeenAt: { N: String(seconds) }, expiresAt: { N: String(seconds + ttlSeconds) } },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(seconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
  async forget(key: string): Promise<void> {
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: key } } }));
  },
});
