/**
 * What is waiting, on moto: the awaiting-review index kept by real checks, `ia-review-alerts
 * pending` reading it, the scheduled digest published once per period to email and Slack (not to
 * a channel that turned it off), `digest --now`, and failed Slack posts redriven to their own
 * channel's buffer.
 */

import { randomBytes } from 'node:crypto';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { iaScheduleKey } from '#lib/domain/defaults.js';
import { FakeSlackServer } from '../../local/fake-slack-server.js';
import { freshAttempt, seedVariant } from '../../local/ia-fixtures.js';
import { lambdaContext } from '../../local/lambda.js';
import { awsClients, type LocalResources, notifyEnvironment } from '../../local/provision.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, localStateFile, useIntegration } from '../support/integration.js';
import { NO_LOCAL_STATE, runCli } from '../support/run-cli.js';

const slack = new FakeSlackServer();
const suite = useIntegration('waiting', {
  before: () => slack.start(),
  provision: () => ({
    visibilityTimeoutSeconds: 1,
    slackChannels: [
      { name: 'reviews', webhookUrl: slack.webhookUrl('reviews') },
      { name: 'quiet', webhookUrl: slack.webhookUrl('quiet'), digest: false },
    ],
  }),
  env: () => ({ IA_RATE_PER_SECOND: '1000', MIN_RECHECK_INTERVAL_SECONDS: '0' }),
});
const { ia, endpoint, apiKey } = suite;
const { sqs } = suite.clients;
let resources: LocalResources;
let check: SqsHandler;
let notify: SqsHandler;
let digest: (
  event: unknown,
  context: ReturnType<typeof lambdaContext>,
) => Promise<{ status: string; waiting?: number }>;
let stateFile: string;

beforeAll(async () => {
  resources = suite.resources;
  check = await loadHandler<SqsHandler>('check');
  digest = await loadHandler<typeof digest>('digest');
  notify = await loadHandler<SqsHandler>('notify-slack', notifyEnvironment(resources));
  stateFile = localStateFile(suite);
}, 60_000);

afterAll(async () => {
  await slack.stop();
});

beforeEach(async () => {
  slack.reset();
  for (const url of [
    resources.emailInboxUrl,
    resources.allAlertsInboxUrl,
    resources.notifyDeadLetterQueueUrl,
    ...resources.slackChannels.map((c) => c.queueUrl),
  ]) {
    await drain(sqs, url);
  }
});

const checkAttempt = async (attemptId: string) => {
  await sqs.send(
    new SendMessageCommand({ QueueUrl: resources.checksQueueUrl, MessageBody: JSON.stringify({ attemptId }) }),
  );
  await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
};

const cli = (...args: string[]) => runCli(args, { ...process.env, IA_ALERTS_LOCAL_STATE: stateFile });

const pendingIds = async (...args: string[]) =>
  (await cli('pending', '--json', ...args)).out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          attemptId: string;
          assessmentId: string;
          pendingReviewCount: number;
          waitingSince: string;
          candidateEmail?: string;
        },
    );

describe('the awaiting-review index and `pending`', () => {
  it('lists an attempt from review.needed until its reviews are done, oldest first', async () => {
    const first = freshAttempt(ia, 'reviewNeeded');
    const second = freshAttempt(ia, 'reviewNeeded');
    const scored = freshAttempt(ia, 'scored');
    await checkAttempt(first);
    await checkAttempt(second);
    await checkAttempt(scored);
    const listed = await pendingIds();
    const ours = listed.filter((row) => [first, second, scored].includes(row.attemptId));
    expect(ours.map((row) => row.attemptId)).toEqual([first, second]);
    expect(ours[0]).toMatchObject({ assessmentId: 'pjpmahbioyqufxos', pendingReviewCount: 2 });
    expect(Date.parse(ours[0]?.waitingSince ?? '')).toBeLessThanOrEqual(Date.parse(ours[1]?.waitingSince ?? ''));
    expect(ours[0]?.candidateEmail).toBeUndefined();

    // The reviews of the first are done: the next look drops it from the index.
    ia.setAttempt(first, seedVariant(first, { pending_review_count: 0, scoring_completed: true }));
    await checkAttempt(first);
    const after = (await pendingIds()).map((row) => row.attemptId);
    expect(after).not.toContain(first);
    expect(after).toContain(second);
  });

  it('filters by assessment and by age, and prints a readable table', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    expect((await pendingIds('--assessment', 'pjpmahbioyqufxos')).map((r) => r.attemptId)).toContain(id);
    expect((await pendingIds('--assessment', 'other-assessment')).map((r) => r.attemptId)).not.toContain(id);
    expect((await pendingIds('--older-than', '1h')).map((r) => r.attemptId)).not.toContain(id);
    const table = await cli('pending');
    expect(table.out).toMatch(new RegExp(`2 pending .* Philosopher Assessment 1 +attempt ${id}`));
    expect(table.out).toMatch(/attempt\(s\) waiting for review \(the running npm start\)/);
    expect((await cli('pending', '--older-than', 'soon')).code).toBe(2);
  });
});

describe('claims (`ack`)', () => {
  const alertsFor = async (attemptId: string) =>
    (await drain(sqs, resources.allAlertsInboxUrl))
      .map(
        (m) =>
          JSON.parse(m.Body ?? '{}') as {
            attemptId: string;
            eventType: string;
            claimedBy?: string;
            minutesFromClaim?: number;
          },
      )
      .filter((alert) => alert.attemptId === attemptId);

  it('claims a waiting review once, tells a second claimant who holds it, lists the holder, and names them when it closes', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    const claimed = await cli('ack', id, '--by', 'Grace Hopper');
    expect([claimed.code, claimed.out]).toEqual([0, expect.stringMatching(/^claimed attempt .* for Grace Hopper/)]);
    const again = await cli('ack', id, '--by', 'Grace Hopper', '--json');
    expect(JSON.parse(again.out)).toMatchObject({ result: 'already-yours', claim: { by: 'Grace Hopper', via: 'cli' } });
    const other = await cli('ack', id, '--by', 'Alan');
    expect([other.code, other.err]).toEqual([
      1,
      expect.stringMatching(
        new RegExp(`^ClaimRefusedError: attempt ${id} is claimed by Grace Hopper \\(since .* UTC, from cli\\)`),
      ),
    ]);
    expect((await pendingIds()).find((row) => row.attemptId === id)).toMatchObject({ claimedBy: 'Grace Hopper' });
    expect((await cli('pending')).out).toMatch(new RegExp(`attempt ${id} .*claimed by Grace Hopper since`));

    // The reviews are done: review.completed names who held it.
    await alertsFor(id);
    ia.setAttempt(id, seedVariant(id, { pending_review_count: 0, scoring_completed: true }));
    await checkAttempt(id);
    expect(await alertsFor(id)).toEqual([
      expect.objectContaining({ eventType: 'review.completed', claimedBy: 'Grace Hopper', minutesFromClaim: 0 }),
    ]);
    const late = await cli('ack', id, '--by', 'Alan');
    expect([late.code, late.err]).toEqual([
      1,
      expect.stringMatching(/nothing waits for a review on attempt .* \(closed\)/),
    ]);
  });

  it('releases only its own claim unless forced, and refuses what it cannot claim with the reason', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    expect((await cli('ack', id, '--by', 'Grace', '--release')).err).toMatch(/is not claimed: nothing to release/);
    await cli('ack', id, '--by', 'Grace');
    expect((await cli('ack', id, '--by', 'Alan', '--release')).err).toMatch(/is claimed by Grace/);
    await drain(sqs, resources.checksQueueUrl);
    const forced = await cli('ack', id, '--by', 'Alan', '--release', '--force');
    expect([forced.code, forced.out]).toEqual([
      0,
      expect.stringMatching(/^released .* claimed by Grace.*escalation applies again \(a check of it is on its way\)/),
    ]);
    expect((await pendingIds()).find((row) => row.attemptId === id)).not.toHaveProperty('claimedBy');
    // Escalation that fell due while it was held goes out at that check, not at the next reminder.
    expect((await drain(sqs, resources.checksQueueUrl)).map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      { attemptId: id, source: 'claim-release', afterRelease: true },
    ]);

    expect((await cli('ack', 'never-seen-1', '--by', 'Grace')).err).toMatch(/is not watched: nothing to claim/);
    expect((await cli('ack', id, '--by', '  \u200b ')).code).toBe(2);
    expect((await cli('ack', id)).code).toBe(2);
    expect((await cli('ack', id, '--by', 'Grace', '--force')).code).toBe(2);
  });
});

describe('--stack', () => {
  /** A stack on moto with these outputs, as a deployment would have them. */
  const stackWith = async (outputs: Record<string, { Value: string; Description?: string }>) => {
    const stackName = `waiting-${randomBytes(3).toString('hex')}`;
    await new CloudFormationClient({}).send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify({ Resources: { Placeholder: { Type: 'AWS::SQS::Queue' } }, Outputs: outputs }),
      }),
    );
    return stackName;
  };

  it('finds the table, topic and queues in the stack outputs (CloudFormation DescribeStacks)', async () => {
    const stackName = await stackWith({
      StateTableName: { Value: resources.stateTableName },
      AlertsTopicArn: { Value: resources.alertsTopicArn },
      SlackBufferreviewsQueueUrl: {
        Value: resources.slackChannels[0]?.queueUrl as string,
        Description: 'Buffer queue of Slack channel reviews',
      },
    });
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    // No local pipeline: only the stack says where things are.
    const found = await runCli(['pending', '--json', '--stack', stackName], NO_LOCAL_STATE);
    expect(found.code).toBe(0);
    expect(found.all).toContain(`"attemptId":"${id}"`);
    const missing = await runCli(['pending', '--stack', 'no-such-stack'], NO_LOCAL_STATE);
    expect(missing.code).toBe(1);
    expect(missing.all).toMatch(/cannot read the outputs of stack no-such-stack/);
  });

  it('says what to enable when the stack has no outputs of a ReviewAlerts (stackOutputs false)', async () => {
    const bareStack = await stackWith({});
    const named = await runCli(['pending', '--stack', bareStack, '--construct', 'ReviewAlerts'], NO_LOCAL_STATE);
    expect([named.code, named.err]).toEqual([1, expect.stringMatching(/has no ReviewAlerts outputs/)]);
    const bare = await runCli(['pending', '--stack', bareStack], NO_LOCAL_STATE);
    expect(bare.code).toBe(1);
    expect(bare.err).toMatch(
      /^ConfigurationError: stack waiting-\w+ has no ReviewAlerts outputs .*deploy with stackOutputs true \(the default\), or leave out --stack and set STATE_TABLE_NAME, ALERTS_TOPIC_ARN/,
    );
  });

  it('finds a ReviewAlerts embedded under any id, and asks which one when the stack holds two', async () => {
    // The names CDK gives the outputs of `new ReviewAlerts(stack, 'ReviewAlerts', …)` and of a second one.
    const stackName = await stackWith({
      ReviewAlertsStateTableName42A9CE1A: { Value: resources.stateTableName },
      ReviewAlertsAlertsTopicArn37B6D841: { Value: resources.alertsTopicArn },
      SecondStateTableNameABCDEF12: { Value: 'another-table' },
    });
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    const ambiguous = await runCli(['pending', '--stack', stackName], NO_LOCAL_STATE);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toMatch(/holds 2 ReviewAlerts \(ReviewAlerts, Second\): say which with --construct/);
    const chosen = await runCli(
      ['pending', '--json', '--stack', stackName, '--construct', 'ReviewAlerts'],
      NO_LOCAL_STATE,
    );
    expect(chosen.code).toBe(0);
    expect(chosen.out).toContain(`"attemptId":"${id}"`);
  });

  it('check and sweep book their IA requests on the deployed key’s schedule', async () => {
    const stackName = await stackWith({
      RateLimitTableName: { Value: resources.rateLimitTableName },
      IaApiKeySecretName: { Value: resources.apiKeySecretName },
    });
    const { dynamodb } = awsClients(endpoint);
    const key = { pk: { S: iaScheduleKey(resources.apiKeySecretName) } };
    const slot = async () =>
      Number(
        (
          await dynamodb.send(
            new GetItemCommand({ TableName: resources.rateLimitTableName, Key: key, ConsistentRead: true }),
          )
        ).Item?.nextSlotAt?.N ?? 0,
      );
    const env = { ...NO_LOCAL_STATE, IA_API_KEY: apiKey, IA_API_BASE_URL: ia.url };
    const before = await slot();
    const checked = await runCli(['check', freshAttempt(ia, 'reviewNeeded'), '--json', '--stack', stackName], env);
    expect([checked.code, checked.err]).toEqual([0, '']);
    const afterCheck = await slot();
    expect(afterCheck).toBeGreaterThan(before);
    const swept = await runCli(['sweep', '--days', '1', '--json', '--stack', stackName], env);
    expect([swept.code, swept.err]).toEqual([0, '']);
    expect(await slot()).toBeGreaterThan(afterCheck);
  });

  it('with --account, books at that account’s own rate (its output), not the environment’s', async () => {
    // A key of its own, allowed one request every two seconds: the CLI's environment says 1/s.
    const secret = `${resources.apiKeySecretName}-agency-b`;
    const stackName = await stackWith({
      RateLimitTableName: { Value: resources.rateLimitTableName },
      IaApiKeySecretagencybA1B2C3D4: {
        Value: secret,
        Description: 'Secret holding the IA API key of account agency-b',
      },
      IaRatePerSecondagencybA1B2C3D4: {
        Value: '0.5',
        Description: 'IA requests per second allowed to the key of account agency-b',
      },
    });
    const env = { ...NO_LOCAL_STATE, IA_API_KEY: apiKey, IA_API_BASE_URL: ia.url };
    const started = Date.now();
    const checked = await runCli(
      ['check', freshAttempt(ia, 'reviewNeeded'), '--json', '--stack', stackName, '--account', 'agency-b'],
      env,
    );
    expect([checked.code, checked.err]).toEqual([0, '']);
    const { Item } = await awsClients(endpoint).dynamodb.send(
      new GetItemCommand({
        TableName: resources.rateLimitTableName,
        Key: { pk: { S: iaScheduleKey(secret) } },
        ConsistentRead: true,
      }),
    );
    // The next free slot lies one 0.5/s interval (2,100 ms) after the call's, not 1,050 ms.
    expect(Number(Item?.nextSlotAt?.N) - started).toBeGreaterThanOrEqual(2_100);
  });
});

describe('the digest', () => {
  it('publishes once per scheduled period, to email and the Slack channel that takes it', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    await drain(sqs, resources.emailInboxUrl);
    for (const c of resources.slackChannels) await drain(sqs, c.queueUrl);

    const scheduledAt = `2026-11-27T08:00:${String(Math.floor(Math.random() * 60)).padStart(2, '0')}Z`;
    const result = await digest({ scheduledAt }, lambdaContext('digest'));
    expect(result.status).toBe('published');
    const again = await digest({ scheduledAt }, lambdaContext('digest'));
    expect(again.status).toBe('duplicate');

    const emails = await drain(sqs, resources.emailInboxUrl);
    expect(emails).toHaveLength(1);
    const published = JSON.parse(emails[0]?.Body ?? '{}') as {
      eventType: string;
      waiting: number;
      oldest: Array<{ attemptId: string }>;
    };
    expect(published.eventType).toBe('review.digest');
    expect(published.oldest.map((o) => o.attemptId)).toContain(id);

    await pollOnce({
      sqs,
      queueUrl: resources.slackChannels[0]?.queueUrl as string,
      handler: notify,
      functionName: 'notify-slack',
    });
    expect(
      await pollOnce({
        sqs,
        queueUrl: resources.slackChannels[1]?.queueUrl as string,
        handler: notify,
        functionName: 'notify-slack',
      }),
    ).toBe(0);
    expect(slack.posts.map((p) => p.path)).toEqual(['/services/T000/B000/reviews']);
    const blocks =
      (slack.posts[0]?.body as { blocks: Array<{ type: string; text?: { text: string } }> } | undefined)?.blocks ?? [];
    expect(blocks[0]?.text?.text).toMatch(/^Reviews waiting: \d+ attempts?$/);
    expect(JSON.stringify(blocks)).toContain(id.slice(0, 12));
  });

  it('`digest --now` builds and publishes one at once', async () => {
    await checkAttempt(freshAttempt(ia, 'reviewNeeded'));
    await drain(sqs, resources.emailInboxUrl);
    const { code, out } = await cli('digest', '--now');
    expect(code).toBe(0);
    expect(out).toMatch(/published a digest of \d+ attempt\(s\) waiting for review/);
    const emails = await drain(sqs, resources.emailInboxUrl);
    expect(emails.map((m) => (JSON.parse(m.Body ?? '{}') as { eventType: string }).eventType)).toEqual([
      'review.digest',
    ]);
    expect((await cli('digest')).code).toBe(2);
  });
});

describe('Slack dead letters', () => {
  it('record their channel, and `redrive --slack` returns each to its own channel’s buffer', async () => {
    slack.script('/services/T000/B000/quiet', { status: 410, error: 'channel_is_archived' });
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    await pollOnce({
      sqs,
      queueUrl: resources.slackChannels[1]?.queueUrl as string,
      handler: notify,
      functionName: 'notify-slack',
    });
    const { out } = await cli('redrive', '--slack', '--dry-run');
    expect(out).toContain('(slack_destination_gone: Slack channel quiet is gone');
    // Without a stack's outputs or npm start: the same, from the variables.
    const fromVariables = await runCli(['redrive', '--slack', '--dry-run'], {
      ...NO_LOCAL_STATE,
      SLACK_DEAD_LETTER_QUEUE_URL: resources.notifyDeadLetterQueueUrl,
      SLACK_BUFFERS: JSON.stringify(Object.fromEntries(resources.slackChannels.map((c) => [c.name, c.queueUrl]))),
    });
    expect(fromVariables.all).toContain("dry run: would move 1 message(s) from the DLQ to their channels' buffers");
    const wrong = await runCli(['redrive', '--slack'], { ...NO_LOCAL_STATE, SLACK_BUFFERS: '["q"]' });
    expect([wrong.code, wrong.err]).toEqual([1, expect.stringMatching(/SLACK_BUFFERS must be a JSON object/)]);
    const moved = await cli('redrive', '--slack');
    expect(moved.out).toContain("moved 1 message(s) from the DLQ to their channels' buffers");
    const back = await drain(sqs, resources.slackChannels[1]?.queueUrl as string);
    expect(back.map((m) => (JSON.parse(m.Body ?? '{}') as { attemptId: string }).attemptId)).toEqual([id]);
    expect(await drain(sqs, resources.slackChannels[0]?.queueUrl as string)).toHaveLength(1); // its own copy, never failed
  });
});
