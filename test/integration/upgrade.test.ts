/**
 * Upgrading a running deployment, on moto and the fake IA: what 0.2 wrote stays good.
 *
 * - Alert keys: 0.2 let Powertools prefix each idempotency key with the writing function's name,
 *   so check and the sweep never saw each other's. 0.3 shares one prefix; a key 0.2 wrote under
 *   either function's name still counts in both (the names come from the stack's SSM parameter).
 * - Accounts: a deployment of one key that moves to `iaAccounts` and keeps that key as the account
 *   `default` resumes its watches: re-checks in flight, which name no account, reach that state.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { publishAlert } from '#lib/adapters/publish.js';
import { buildAlert } from '#lib/domain/alert.js';
import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAttempt } from '#lib/domain/attempt-schema.js';
import { isMissing } from '#lib/domain/attempt-store.js';
import { type Notification, notificationKey } from '#lib/domain/notification.js';
import { listedAssignment, seedVariant } from '../../local/ia-fixtures.js';
import { lambdaContext, sqsEvent } from '../../local/lambda.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { makeHandler, useIntegration } from '../support/integration.js';

const suite = useIntegration('upgrade', {
  ia: { ratePerSecond: 1000 },
  provision: { alertBus: false, visibilityTimeoutSeconds: 1 },
  env: () => ({ IA_RATE_PER_SECOND: '1000', RECHECK_FIRST_DELAY_SECONDS: '1' }),
});
const { ia } = suite;
const { sqs, sns, dynamodb } = suite.clients;
const FUNCTION_NAMES = { check: 'Platform-CheckFunctionA1B2-XYZ', sweep: 'Platform-SweepFunctionC3D4-XYZ' };
const parameterName = `/ia-review-alerts/upgrade-${randomBytes(3).toString('hex')}/legacy-key-prefixes`;

beforeAll(async () => {
  // What the stack writes once both functions exist.
  await new SSMClient({}).send(
    new PutParameterCommand({
      Name: parameterName,
      Type: 'String',
      Value: `${FUNCTION_NAMES.check},${FUNCTION_NAMES.sweep}`,
    }),
  );
});

/**
 * 0.2's exactly-once publish, as its publish-once.ts called Powertools: no key prefix, so the
 * persistence layer took the function's name from the environment Lambda gave it.
 */
const publishAs0_2 = async (functionName: string, notification: Notification) => {
  const previous = process.env.AWS_LAMBDA_FUNCTION_NAME;
  process.env.AWS_LAMBDA_FUNCTION_NAME = functionName;
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: suite.resources.idempotencyTableName,
    awsSdkV3Client: dynamodb,
  });
  if (previous === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  else process.env.AWS_LAMBDA_FUNCTION_NAME = previous;
  const once = makeIdempotent(
    async (request: { key: string; nonce: string; payload: Notification }) => {
      await publishAlert(sns, suite.resources.alertsTopicArn)(request.payload);
      return { nonce: request.nonce };
    },
    { persistenceStore, config: new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 3600 }) },
  );
  await once({ key: notificationKey(notification), nonce: randomUUID(), payload: notification });
};

const reviewNeeded = (attemptId: string) => {
  const fields = { pending_review_count: 1, scoring_completed: false };
  ia.setAttempt(attemptId, seedVariant(attemptId, fields));
  return buildAlert('review.needed', normaliseAttempt(parseAttempt(seedVariant(attemptId, fields))), {
    now: new Date(),
    settings: { includeCandidateEmail: false },
  });
};

const alerts = async () =>
  (await drain(sqs, suite.resources.allAlertsInboxUrl)).map(
    (m) => JSON.parse(m.Body ?? '{}') as { attemptId: string; eventType: string },
  );

describe('upgrading from 0.2', () => {
  it('counts alert keys 0.2 wrote under check’s or the sweep’s own name, in both functions', async () => {
    const byCheck = `up-a-${randomBytes(3).toString('hex')}`;
    const bySweep = `up-b-${randomBytes(3).toString('hex')}`;
    // 0.2's check and 0.2's sweep each published, then died before saving the state.
    await publishAs0_2(FUNCTION_NAMES.check, reviewNeeded(byCheck));
    await publishAs0_2(FUNCTION_NAMES.sweep, reviewNeeded(bySweep));
    expect((await alerts()).map((a) => a.attemptId).sort()).toEqual([byCheck, bySweep].sort());

    // 0.3's sweep finds the first in the list, 0.3's check is asked about the second.
    ia.setAssignment(
      `asg-${byCheck}`,
      listedAssignment(`asg-${byCheck}`, new Date(Date.now() - 3_600_000), [
        { id: byCheck, pendingReviewCount: 1, scoringCompleted: false },
      ]),
    );
    const upgraded = { LEGACY_KEY_PREFIXES_PARAMETER: parameterName };
    const sweep = await makeHandler<(event: unknown, context: unknown) => Promise<{ published: number }>>('sweep', {
      ...upgraded,
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAMES.sweep,
    });
    const check = await makeHandler<SqsHandler>('check', {
      ...upgraded,
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAMES.check,
    });
    expect((await sweep({}, lambdaContext(FUNCTION_NAMES.sweep, 60_000))).published).toBe(0);
    await check(sqsEvent([JSON.stringify({ attemptId: bySweep })]), lambdaContext(FUNCTION_NAMES.check));

    expect(await alerts()).toEqual([]);
    // Each attempt is watched from here on: its state says the alert went out.
    const states = dynamoStateStore(dynamodb, suite.resources.stateTableName);
    for (const id of [byCheck, bySweep]) {
      const state = await states.get(id);
      expect(state && !isMissing(state) && state.reviewNeededAt).toBeTruthy();
    }
  });

  it('resumes a one-key deployment’s watches when that key becomes the account named default', async () => {
    const id = `up-c-${randomBytes(3).toString('hex')}`;
    ia.setAttempt(id, seedVariant(id, { pending_review_count: 0, scoring_completed: false }));
    // Before: one key, no accounts. Scoring still runs: the attempt waits for a re-check.
    const before = await makeHandler<SqsHandler>('check');
    await before(sqsEvent([JSON.stringify({ attemptId: id })]), lambdaContext('check'));
    const states = dynamoStateStore(dynamodb, suite.resources.stateTableName);
    const waiting = await states.get(id);
    if (!waiting || isMissing(waiting)) throw new Error('no state after the first check');
    expect(waiting).toMatchObject({ lastDecision: 'scoring.pending', rechecks: 1 });

    // After: iaAccounts, the old key kept as `default`. The re-check still in flight names no account.
    const after = await makeHandler<SqsHandler>('check', {
      IA_ACCOUNTS: JSON.stringify([
        { name: 'agency-a', apiKeySecret: suite.resources.apiKeySecretName },
        { name: 'default', apiKeySecret: suite.resources.apiKeySecretName },
      ]),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the re-check falls due
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: suite.resources.checksQueueUrl,
        MessageBody: JSON.stringify({ attemptId: id, recheckId: waiting.recheckId, notBefore: waiting.nextCheckAt }),
      }),
    );
    await pollOnce({ sqs, queueUrl: suite.resources.checksQueueUrl, handler: after, functionName: 'check' });
    // It looked again (not dropped as another account's stale re-check), under the same bare key.
    expect(await states.get(id)).toMatchObject({ lastDecision: 'scoring.pending', rechecks: 2 });
    expect(await states.get(`agency-a:${id}`)).toBeUndefined();
  });
});
