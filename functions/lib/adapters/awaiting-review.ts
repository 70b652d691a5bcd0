/**
 * The attempts waiting for a human review, oldest first, from the state table's sparse index
 * (`awaiting` = "review", sorted by `awaitingSince`; the lifecycle keeps it right). The index
 * holds keys only: counting stays cheap, and the details come from the states themselves.
 */
import { type DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { isMissing, type StateStore } from '../domain/attempt-store.js';
import { type AttemptState, AWAITING_INDEX, AWAITING_REVIEW } from '../domain/lifecycle.js';

export interface AwaitingFilter {
  /** Only what has waited since before this time. */
  waitingSinceBefore?: Date;
  assessmentId?: string;
}

const queryInput = (tableName: string, filter: AwaitingFilter): QueryCommandInput => ({
  TableName: tableName,
  IndexName: AWAITING_INDEX,
  KeyConditionExpression: filter.waitingSinceBefore ? 'awaiting = :r AND awaitingSince < :before' : 'awaiting = :r',
  ExpressionAttributeValues: {
    ':r': { S: AWAITING_REVIEW },
    ...(filter.waitingSinceBefore ? { ':before': { S: filter.waitingSinceBefore.toISOString() } } : {}),
  },
  ScanIndexForward: true,
});

/** The index's pages, oldest first. */
async function* awaitingPages(dynamodb: DynamoDBClient, tableName: string, filter: AwaitingFilter) {
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await dynamodb.send(
      new QueryCommand({ ...queryInput(tableName, filter), ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Attempt ids in the index, oldest first. */
const awaitingIds = async (dynamodb: DynamoDBClient, tableName: string, filter: AwaitingFilter): Promise<string[]> => {
  const ids: string[] = [];
  for await (const page of awaitingPages(dynamodb, tableName, filter))
    for (const item of page.Items ?? []) if (item.attemptId?.S) ids.push(item.attemptId.S);
  return ids;
};

/** The states of every attempt waiting for review, oldest first (the index is eventually consistent: each is checked). */
export const listAwaiting = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  states: StateStore,
  filter: AwaitingFilter = {},
): Promise<AttemptState[]> => {
  const ids = await awaitingIds(dynamodb, tableName, filter);
  const found = await states.getMany(ids);
  return ids
    .map((id) => found.get(id))
    .filter(
      (state): state is AttemptState => state !== undefined && !isMissing(state) && state.awaiting === AWAITING_REVIEW,
    )
    .filter((state) => filter.assessmentId === undefined || state.snapshot.assessment.id === filter.assessmentId);
};

/** How many wait and since when the oldest: what the dashboard shows. Reads keys only. */
export const countAwaiting = async (
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<{ count: number; oldestSince?: string }> => {
  let count = 0;
  let oldestSince: string | undefined;
  for await (const page of awaitingPages(dynamodb, tableName, {})) {
    count += page.Count ?? 0;
    oldestSince ??= page.Items?.[0]?.awaitingSince?.S;
  }
  return oldestSince ? { count, oldestSince } : { count };
};
