/**
 * How long an effect holds its key in progress: what a process that dies mid-publish costs every
 * other function that would publish the same alert (the sweep's invocations last up to 15 minutes).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { createIdempotency, IN_PROGRESS_MAX_MS, registerInvocations } from '#lib/adapters/publish-once.js';
import { lambdaContext } from '../../local/lambda.js';

/** The in-progress expiry Powertools writes for one effect run in an invocation with `remainingMs` left. */
const inProgressExpiry = async (remainingMs: number) => {
  const writes: Array<{ Item?: Record<string, { N?: string }> }> = [];
  const dynamodb = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  // The table is not the subject here: every write succeeds, and is kept to be read.
  dynamodb.middlewareStack.add(
    () => async (args) => {
      writes.push(args.input as (typeof writes)[number]);
      return { output: { $metadata: {} } as never, response: {} };
    },
    { step: 'initialize', name: 'captureWrites' },
  );
  const idempotency = createIdempotency({ dynamodb, tableName: 'idempotency', expiresAfterSeconds: 3600 });
  await registerInvocations(idempotency).before?.({ context: lambdaContext('sweep', remainingMs) } as never);
  const before = Date.now();
  await idempotency.once(
    async () => undefined,
    (key: string) => key,
  )('review.needed#att-1');
  const put = writes.find((w) => w.Item?.status);
  return Number(put?.Item?.in_progress_expiration?.N) - before;
};

describe('an effect in progress', () => {
  it('holds its key at most IN_PROGRESS_MAX_MS, however long its invocation may still run', async () => {
    const held = await inProgressExpiry(900_000);
    expect(held).toBeLessThanOrEqual(IN_PROGRESS_MAX_MS + 1_000);
    expect(held).toBeGreaterThan(IN_PROGRESS_MAX_MS - 5_000);
  });

  it('no longer than its invocation', async () => {
    const held = await inProgressExpiry(30_000);
    expect(held).toBeLessThanOrEqual(31_000);
    expect(held).toBeGreaterThan(25_000);
  });
});
