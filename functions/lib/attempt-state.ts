/**
 * Per-attempt watch state in DynamoDB, written with optimistic locking so two concurrent checks
 * of one attempt cannot both advance it (the loser retries with fresh state).
 *
 * The same table remembers, for a while, that IA answered 404 for an id never seen before: a
 * sender repeating a wrong id then costs a table read, not an IA call of the key's 1 request/s.
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

/** IA answered 404 for this id (an attempt, or `assignment#<id>`); not asked again before `missingUntil`. */
export interface MissingRecord {
  attemptId: string;
  missingUntil: string;
}

export type StoredRecord = AttemptState | MissingRecord;

export const isMissing = (record: StoredRecord | undefined): record is MissingRecord =>
  record !== undefined && 'missingUntil' in record;

/** The key under which an assignment's 404 is remembered: `#` never occurs in an IA id. */
export const assignmentKey = (assignmentId: string) => `assignment#${assignmentId}`;

export interface StateStore {
  get(attemptId: string): Promise<StoredRecord | undefined>;
  /** Writes `state` with `version + 1` if the stored version is still `state.version` (absent, or a 404 record, when 0). */
  put(state: AttemptState): Promise<void>;
  /** Remembers a 404 until `until`, unless real state exists for the key. */
  rememberMissing(key: string, until: Date): Promise<void>;
}

/** Long after the longest watch, so a late redelivery still finds the attempt's history. */
export const STATE_RETENTION_SECONDS = 60 * 24 * 3600;

const NEW_OR_MISSING = 'attribute_not_exists(attemptId) OR attribute_exists(missingUntil)';

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';

export const dynamoStateStore = (dynamodb: DynamoDBClient, tableName: string, now: () => Date = () => new Date()): StateStore => ({
  async get(attemptId) {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { attemptId: { S: attemptId } }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { expiresAt: _expiresAt, ...record } = unmarshall(Item);
    return record as StoredRecord;
  },
  async put(state) {
    const expiresAt = Math.floor(now().getTime() / 1000) + STATE_RETENTION_SECONDS;
    const first = state.version === 0;
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall({ ...state, version: state.version + 1, expiresAt }, { removeUndefinedValues: true, convertClassInstanceToMap: true }),
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
          Item: { attemptId: { S: key }, missingUntil: { S: until.toISOString() }, expiresAt: { N: String(Math.ceil(until.getTime() / 1000)) } },
          ConditionExpression: NEW_OR_MISSING,
        }),
      );
    } catch (error) {
      // The attempt got real state meanwhile: that is the better news, keep it.
      if (!isConditionFailure(error)) throw error;
    }
  },
});
