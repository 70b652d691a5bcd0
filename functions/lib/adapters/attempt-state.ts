/**
 * Per-attempt watch state in DynamoDB, written with optimistic locking so two concurrent checks
 * of one attempt cannot both advance it (the loser retries with fresh state).
 *
 * The same table remembers, for a while, that IA answered 404 for an id never seen before: a
 * sender repeating a wrong id then costs a table read, not an IA call of the key's 1 request/s.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { StateStore, StoredRecord } from '../domain/attempt-store.js';
import { StateConflictError } from '../domain/errors.js';
import { isConditionFailure } from './condition-failure.js';

/** Long after the longest watch, so a late redelivery still finds the attempt's history. */
export const STATE_RETENTION_SECONDS = 60 * 24 * 3600;

const NEW_OR_MISSING = 'attribute_not_exists(attemptId) OR attribute_exists(missingUntil)';

const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 5;

const recordOf = (item: Record<string, AttributeValue>) => {
  const { expiresAt: _expiresAt, ...record } = unmarshall(item);
  return record as StoredRecord;
};

export const dynamoStateStore = (
  dynamodb: DynamoDBClient,
  tableName: string,
  now: () => Date = () => new Date(),
): StateStore => ({
  async get(attemptId) {
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { attemptId: { S: attemptId } }, ConsistentRead: true }),
    );
    return Item ? recordOf(Item) : undefined;
  },
  async getMany(attemptIds, read) {
    const found = new Map<string, StoredRecord>();
    const unique = [...new Set(attemptIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let request: Record<string, KeysAndAttributes> | undefined = {
        [tableName]: {
          Keys: unique.slice(start, start + BATCH_GET_LIMIT).map((id) => ({ attemptId: { S: id } })),
          ConsistentRead: !read?.eventually,
        },
      };
      for (let round = 0; request && Object.keys(request).length > 0; round++) {
        if (round === MAX_UNPROCESSED_ROUNDS) throw new Error('DynamoDB left state reads unprocessed; try again later');
        const { Responses, UnprocessedKeys }: BatchGetItemCommandOutput = await dynamodb.send(
          new BatchGetItemCommand({ RequestItems: request }),
        );
        for (const item of Responses?.[tableName] ?? []) {
          const record = recordOf(item);
          found.set(record.attemptId, record);
        }
        request = UnprocessedKeys;
      }
    }
    return found;
  },
  async put(state) {
    const expiresAt = Math.floor(now().getTime() / 1000) + STATE_RETENTION_SECONDS;
    const first = state.version === 0;
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall(
            { ...state, version: state.version + 1, expiresAt },
            { removeUndefinedValues: true, convertClassInstanceToMap: true },
          ),
          ConditionExpression: first ? NEW_OR_MISSING : 'version = :version',
          ...(first ? {} : { ExpressionAttributeValues: { ':version': { N: String(state.version) } } }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new StateConflictError(`attempt ${state.attemptId} was updated concurrently; retrying with fresh state`);
      }
      throw error;
    }
  },
  async rememberMissing(key, until) {
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            attemptId: { S: key },
            missingUntil: { S: until.toISOString() },
            expiresAt: { N: String(Math.ceil(until.getTime() / 1000)) },
          },
          ConditionExpression: NEW_OR_MISSING,
        }),
      );
    } catch (error) {
      // The attempt got real state meanwhile: that is the better news, keep it.
      if (!isConditionFailure(error)) throw error;
    }
  },
});
