/**
 * Where the sweep is in its walk of the assignment list, kept in the state table so a walk that
 * one run could not finish resumes in the next, and held under a lease so two runs never walk at
 * once (a slow run and the next scheduled one).
 */
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CursorStore, SweepCursor } from '../domain/sweep-cursor.js';
import { isConditionFailure } from './condition-failure.js';

export const CURSOR_KEY = 'sweep#cursor';

/** One cursor per IA account (`accountKey(account, CURSOR_KEY)`), the default account's under `CURSOR_KEY`. */
export const dynamoCursorStore = (
  dynamodb: DynamoDBClient,
  tableName: string,
  owner: string,
  key = CURSOR_KEY,
): CursorStore => ({
  async acquire(now, leaseUntil) {
    try {
      const { Attributes } = await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { attemptId: { S: key } },
          UpdateExpression: 'SET leaseUntil = :until, leaseOwner = :owner',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeValues: {
            ':until': { S: leaseUntil.toISOString() },
            ':owner': { S: owner },
            ':now': { S: now.toISOString() },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { attemptId: _key, leaseUntil: _until, leaseOwner: _owner, ...cursor } = unmarshall(Attributes ?? {});
      return { nextPage: 1, ...cursor } as SweepCursor;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  },
  async release(cursor) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall({ attemptId: key, ...cursor }, { removeUndefinedValues: true }),
        // Only the run that holds the lease writes; a run that overran it lost its walk to the next.
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': { S: owner } },
      }),
    );
  },
});
