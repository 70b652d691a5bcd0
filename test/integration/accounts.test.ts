/**
 * Two IA accounts in one deployment, on moto and the fake IA: each request goes to its account's
 * key, state and alerts are kept apart (the same id in two accounts is two attempts), an unknown
 * account is dead-lettered with why, and the sweep walks each account with its own cursor.
 */

import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { defaultAssignments, defaultAttempts, freshAttempt } from '../../local/ia-fixtures.js';
import { lambdaContext } from '../../local/lambda.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, makeHandler, useIntegration } from '../support/integration.js';

const keys = {
  'agency-a': `key-a-${randomBytes(6).toString('hex')}`,
  'agency-b': `key-b-${randomBytes(6).toString('hex')}`,
};
const suite = useIntegration('accounts', {
  ia: {
    apiKeys: Object.values(keys),
    ratePerSecond: 1000,
    attempts: defaultAttempts(),
    assignments: defaultAssignments(),
  },
  provision: {
    visibilityTimeoutSeconds: 1,
    accounts: Object.entries(keys).map(([name, apiKey]) => ({ name, apiKey })),
  },
  env: () => ({ IA_RATE_PER_SECOND: '1000', SWEEP_INTERVAL_SECONDS: '60' }),
});
const { ia } = suite;
const { sqs, dynamodb } = suite.clients;
let check: SqsHandler;

beforeAll(async () => {
  check = await loadHandler<SqsHandler>('check');
});

const runCheck = async (...bodies: object[]) => runCheckWith(check, ...bodies);
const runCheckWith = async (handler: SqsHandler, ...bodies: object[]) => {
  for (const body of bodies)
    await sqs.send(
      new SendMessageCommand({ QueueUrl: suite.resources.checksQueueUrl, MessageBody: JSON.stringify(body) }),
    );
  return pollOnce({ sqs, queueUrl: suite.resources.checksQueueUrl, handler, functionName: 'check' });
};
const alerts = async () =>
  (await drain(sqs, suite.resources.allAlertsInboxUrl)).map((m) => ({
    body: JSON.parse(m.Body ?? '{}') as { attemptId: string; account?: string; eventType: string },
    account: m.MessageAttributes?.account?.StringValue,
  }));
const stateKeys = async (...keys: string[]) =>
  Promise.all(
    keys.map(
      async (key) =>
        (
          await dynamodb.send(
            new GetItemCommand({ TableName: suite.resources.stateTableName, Key: { attemptId: { S: key } } }),
          )
        ).Item !== undefined,
    ),
  );

describe('two IA accounts', () => {
  it('checks each request with its account’s key, and keeps the same id in two accounts apart', async () => {
    ia.reset();
    const id = freshAttempt(ia, 'reviewNeeded');
    await runCheck({ attemptId: id, account: 'agency-a' }, { attemptId: id, account: 'agency-b' });
    const published = await alerts();
    expect(published.map((a) => [a.body.account, a.account, a.body.eventType]).sort()).toEqual([
      ['agency-a', 'agency-a', 'review.needed'],
      ['agency-b', 'agency-b', 'review.needed'],
    ]);
    expect(await stateKeys(`agency-a:${id}`, `agency-b:${id}`, id)).toEqual([true, true, false]);
    const calls = ia.requests.filter((r) => r.id === id);
    expect(calls.map((r) => r.key === keys['agency-a']).sort()).toEqual([false, true]);
    // A request without an account is the first account's: already alerted there, nothing new.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await runCheck({ attemptId: id });
    expect(await alerts()).toEqual([]);
  });

  it("does not let one account's hanging IA hold up the other's records in the batch (the circuit)", async () => {
    ia.reset();
    const hanging = [1, 2, 3].map(() => freshAttempt(ia, 'reviewNeeded'));
    const fine = [1, 2, 3].map(() => freshAttempt(ia, 'reviewNeeded'));
    for (const id of hanging) ia.inject(id, ...Array.from({ length: 5 }, () => ({ kind: 'hang' as const })));
    // Its own execution environment, where a call IA never answers gives up after 1 s (20 s deployed).
    const patient = await makeHandler<SqsHandler>('check', { IA_TIMEOUT_MS: '1000', IA_TOTAL_TIMEOUT_MS: '1000' });
    await runCheckWith(
      patient,
      ...hanging.flatMap((id, i) => [
        { attemptId: id, account: 'agency-a' },
        { attemptId: fine[i], account: 'agency-b' },
      ]),
    );
    // One call to agency-a waited out its timeout; the circuit refused the other two at once.
    expect(ia.requests.filter((r) => hanging.includes(r.id ?? '')).length).toBe(1);
    const published = await alerts();
    expect(published.map((a) => a.body.attemptId).sort()).toEqual([...fine].sort());
    expect(await drain(sqs, suite.resources.deadLetterQueueUrl)).toEqual([]);
    // The hanging account's records wait out their retry delay: not for the next tests to meet.
    ia.reset();
    await sqs.send(new PurgeQueueCommand({ QueueUrl: suite.resources.checksQueueUrl }));
  });

  it('dead-letters a request for an account it does not serve, saying which', async () => {
    await runCheck({ attemptId: freshAttempt(ia, 'reviewNeeded'), account: 'agency-c' });
    const [dead] = await drain(sqs, suite.resources.deadLetterQueueUrl);
    expect(dead?.MessageAttributes?.failureReason?.StringValue).toMatch(
      /account "agency-c" is not one of this deployment's \(agency-a, agency-b\)/,
    );
    expect(await alerts()).toEqual([]);
  });

  it('sweeps every account with its own key and its own cursor', async () => {
    const sweep =
      await loadHandler<
        (
          event: unknown,
          context: ReturnType<typeof lambdaContext>,
        ) => Promise<{ accounts: Record<string, { status: string }> }>
      >('sweep');
    ia.reset();
    const report = await sweep({}, lambdaContext('sweep', 60_000));
    expect(Object.keys(report.accounts)).toEqual(['agency-a', 'agency-b']);
    const lists = ia.requests.filter((r) => r.path.includes('assignments'));
    expect(new Set(lists.map((r) => r.key))).toEqual(new Set(Object.values(keys)));
    expect(await stateKeys('agency-a:sweep#cursor', 'agency-b:sweep#cursor')).toEqual([true, true]);
  });
});
