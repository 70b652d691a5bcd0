/**
 * Where the sweep is in its walk of the assignment list, kept in the state table so a walk that
 * one run could not finish resumes in the next, and held under a lease so two runs never walk at
 * once (a slow run and the next scheduled one).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Boundary } from '../domain/assignment-walk.js';

export interface PageMemo {
  etag: string;
  /** The walk ended on this page (the end of the list, or the horizon). */
  ends?: boolean;
  /** The earliest time something on the page may be due (a reminder): a 304 is not trusted after it. */
  dueAt?: string;
}

export interface SweepCursor {
  /** The walk in progress: its start, and the next page at the page size IA serves. */
  walkStartedAt?: string;
  nextPage: number;
  per?: number;
  boundary?: Boundary;
  lastFullWalkStartedAt?: string;
  lastFullWalkEndedAt?: string;
  /** Page ETags, by `<per>:<page>`, for the first pages only (the item stays small). */
  pages?: Record<string, PageMemo>;
}

export interface CursorStore {
  /** The cursor, with the lease taken until `leaseUntil`; undefined while another run holds it. */
  acquire(now: Date, leaseUntil: Date): Promise<SweepCursor | undefined>;
  /** Saves the cursor and gives the lease back. */
  release(cursor: SweepCursor): Promise<void>;
}

export const CURSOR_KEY = 'sweep#cursor';
/** ETags are kept for this many pages; pages further down are fetched whole. */
export const MAX_PAGE_MEMOS = 300;

export const dynamoCursorStore = (dynamodb: DynamoDBClient, tableName: string, owner: string): CursorStore => ({
  async acquire(now, leaseUntil) {
    try {
      const { Attributes } = await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { attemptId: { S: CURSOR_KEY } },
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
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      )
        return undefined;
      throw error;
    }
  },
  async release(cursor) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall({ attemptId: CURSOR_KEY, ...cursor }, { removeUndefinedValues: true }),
        // Only the run that holds the lease writes; a run that overran it lost its walk to the next.
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': { S: owner } },
      }),
    );
  },
});
