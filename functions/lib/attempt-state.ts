/**
 * Per-attempt watch state in DynamoDB, written with optimistic locking so two concurrent checks
 * of one attempt cannot both advance it (the loser retries with fresh state).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { StateConflictError } from './errors.js';
import type { AttemptState } from './lifecycle.js';

export interface StateStore {
  get(attemptId: string): Promise<AttemptState | undefined>;
  /** Writes `state` with `version + 1` if the stored version is still `state.version` (absent when 0). */
  put(state: AttemptState): Promise<void>;
}

/** Long after the longest watch, so a late redelivery still finds the attempt's history. */
export const STATE_RETENTION_SECONDS = 60 * 24 * 3600;

export const dynamoStateStore = (dynamodb: DynamoDBClient, tableName: string, now: () => Date = () => new Date()): StateStore => ({
  async get(attemptId) {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { attemptId: { S: attemptId } }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { expiresAt: _expiresAt, ...state } = unmarshall(Item);
    return state as AttemptState;
  },
  async put(state) {
    const expiresAt = Math.floor(now().getTime() / 1000) + STATE_RETENTION_SECONDS;
    const first = state.version === 0;
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall({ ...state, version: state.version + 1, expiresAt }, { removeUndefinedValues: true, convertClassInstanceToMap: true }),
          ConditionExpression: first ? 'attribute_not_exists(attemptId)' : 'version = :version',
          ...(first ? {} : { ExpressionAttributeValues: { ':version': { N: String(state.version) } } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        throw new StateConflictError(`attempt ${state.attemptId} was updated concurrently; retrying with fresh state`);
      }
      throw error;
    }
  },
});
