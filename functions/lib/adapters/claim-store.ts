/**
 * The state table as a claim sees it: the few attributes a claim decides on, and a write of the
 * claim alone. The webhook front door (ingest) takes claims from Slack and email links, so its
 * role may read and write only these attributes (CLAIM_ATTRIBUTES, an IAM condition): a forged
 * request that got past verification still could not read a candidate's name or rewrite a watch.
 * The write is conditional on the version read and bumps it, so a claim and a check's look never
 * overwrite each other: the loser reads again (claim.ts's applyClaim).
 */
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { accountKey } from '../domain/accounts.js';
import { CLAIM_ATTRIBUTES, type Claimable } from '../domain/claims/claim.js';
import { StateConflictError } from '../domain/errors.js';
import { isConditionFailure } from './condition-failure.js';

/** What a claim decides on: an attempt's watch state, without the rest of it. */
export type ClaimView = Claimable & { attemptId: string; version: number };

const names = Object.fromEntries(CLAIM_ATTRIBUTES.map((name) => [`#${name}`, name]));

export const dynamoClaimStore = (dynamodb: DynamoDBClient, tableName: string, account: string) => ({
  async get(attemptId: string): Promise<ClaimView | { missingUntil: string } | undefined> {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { attemptId: { S: accountKey(account, attemptId) } },
        ConsistentRead: true,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
      }),
    );
    if (!Item) return undefined;
    const record = unmarshall(Item) as ClaimView & { missingUntil?: string };
    if (record.missingUntil !== undefined) return { missingUntil: record.missingUntil };
    return { ...record, attemptId };
  },
  /** Writes the view's claim (or its absence) and nothing else, if nobody wrote since it was read. */
  async put(view: ClaimView): Promise<void> {
    try {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { attemptId: { S: accountKey(account, view.attemptId) } },
          UpdateExpression: view.claim ? 'SET #claim = :claim, #version = :next' : 'REMOVE #claim SET #version = :next',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#claim': 'claim', '#version': 'version' },
          ExpressionAttributeValues: marshall(
            { ':version': view.version, ':next': view.version + 1, ...(view.claim ? { ':claim': view.claim } : {}) },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new StateConflictError(`attempt ${view.attemptId} was updated concurrently; deciding the claim again`);
      throw error;
    }
  },
});
