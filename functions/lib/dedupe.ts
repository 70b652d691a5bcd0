/**
 * "Have we seen this sender event id?" as one conditional DynamoDB write. Keys expire through
 * the table's TTL after two days, longer than any sender's retry window.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export const DEDUPE_TTL_SECONDS = 48 * 3600;

export const createDedupe = (dynamodb: DynamoDBClient, tableName: string, now: () => Date = () => new Date()) => ({
  /** True the first time a key is seen; false for a redelivery. */
  async remember(key: string): Promise<boolean> {
    const seconds = Math.floor(now().getTime() / 1000);
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: key }, firstSeenAt: { N: String(seconds) }, expiresAt: { N: String(seconds + DEDUPE_TTL_SECONDS) } },
          // An expired key that TTL has not swept yet counts as new.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(seconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  },
  async forget(key: string): Promise<void> {
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: key } } }));
  },
});
