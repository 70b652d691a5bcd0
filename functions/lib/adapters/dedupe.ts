/**
 * "Have we seen this key lately?" as one conditional DynamoDB write: a sender's delivery (kept two
 * days, longer than any sender retries) or a reference just enqueued (kept minutes). A key whose
 * time is up counts as new even before the table's TTL sweeps it. A key is written pending and
 * settled once its checks are enqueued: one left pending by an ingest that died in between is
 * taken again by the sender's retry, so a crash never turns an accepted event into a duplicate.
 */
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure } from './condition-failure.js';

export const createDedupe = (dynamodb: DynamoDBClient, tableName: string, now: () => Date = () => new Date()) => ({
  /** True the first time a key is seen within `ttlSeconds`, or while it is still pending; false for a repeat. */
  async remember(key: string, ttlSeconds: number): Promise<boolean> {
    const seconds = Math.floor(now().getTime() / 1000);
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: key },
            firstSeenAt: { N: String(seconds) },
            expiresAt: { N: String(seconds + ttlSeconds) },
            pending: { BOOL: true },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR pending = :pending',
          ExpressionAttributeValues: { ':now': { N: String(seconds) }, ':pending': { BOOL: true } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
  async settle(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map((key) =>
        dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: key } },
            UpdateExpression: 'REMOVE pending',
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      ),
    );
  },
  async forget(key: string): Promise<void> {
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: key } } }));
  },
});
