/**
 * The shared pacing schedule on DynamoDB: one item per key holds the next free slot, booked with a
 * conditional write (the rule is domain/pacing.ts).
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createSharedPacer as bookOn, type Pacer, type SharedPacerOptions, type SlotStore } from '../domain/pacing.js';
import { isConditionFailure } from './condition-failure.js';

export const dynamoSlotStore = (dynamodb: DynamoDBClient, tableName: string): SlotStore => ({
  async read(key) {
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    return Item?.nextSlotAt?.N === undefined ? undefined : Number(Item.nextSlotAt.N);
  },
  async swap(key, expected, next) {
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: key }, nextSlotAt: { N: String(next) } },
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'nextSlotAt = :current',
                ExpressionAttributeValues: { ':current': { N: String(expected) } },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
});

export const createSharedPacer = (
  options: SharedPacerOptions & { dynamodb: DynamoDBClient; tableName: string },
): Pacer => bookOn(dynamoSlotStore(options.dynamodb, options.tableName), options);
