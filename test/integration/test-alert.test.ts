import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeSlackServer } from '../../local/fake-slack-server.js';
import { type LocalResources, notifyEnvironment } from '../../local/provision.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, localStateFile, useIntegration } from '../support/integration.js';
import { runCli } from '../support/run-cli.js';

const slack = new FakeSlackServer();
const suite = useIntegration('testalert', {
  before: () => slack.start(),
  provision: () => ({
    visibilityTimeoutSeconds: 1,
    slackChannels: [{ name: 'reviews', webhookUrl: slack.webhookUrl('reviews') }],
  }),
});
const { sqs, dynamodb } = suite.clients;
let resources: LocalResources;
let notify: SqsHandler;
let stateFile: string;

beforeAll(async () => {
  resources = suite.resources;
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
    resources.escalationInboxUrl,
    resources.alertEventsInboxUrl as string,
    ...resources.slackChannels.map((c) => c.queueUrl),
  ]) {
    await drain(sqs, url);
  }
});

const cli = (...args: string[]) =>
  runCli(['test-alert', ...args], { ...process.env, IA_ALERTS_LOCAL_STATE: stateFile });
type Sent = { attemptId: string; audiences: Array<{ audience: string; takes: string }> };
const takes = (sent: Sent, audience: string | RegExp) =>
  sent.audiences.find((a) => (typeof audience === 'string' ? a.audience.endsWith(audience) : audience.test(a.audience)))
    ?.takes;
const queueName = (url: string) => url.split('/').pop() as string;
const bodies = async (url: string) =>
  (await drain(sqs, url)).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);

describe('test-alert', () => {
  it('reaches every audience whose filter takes a review.needed, says so first, and counts nowhere', async () => {
    const { code, out, err } = await cli('--json');
    expect([code, err]).toEqual([0, '']);
    const sent = JSON.parse(out) as Sent;
    expect(sent.attemptId).toMatch(/^test-alert-\d{8}T\d{9}Z$/);
    expect(takes(sent, queueName(resources.emailInboxUrl))).toBe('yes');
    expect(takes(sent, queueName(resources.allAlertsInboxUrl))).toBe('yes');
    expect(takes(sent, queueName(resources.escalationInboxUrl))).toBe('no');
    expect(takes(sent, 'channel reviews (Slack or chat, through notify-slack)')).toBe('yes');
    expect(takes(sent, /^rule /)).toBe('yes');

    const [email] = await bodies(resources.emailInboxUrl);
    expect(email).toMatchObject({ eventType: 'review.needed', attemptId: sent.attemptId, source: 'test-alert' });
    expect(await bodies(resources.escalationInboxUrl)).toEqual([]);
    const [event] = await bodies(resources.alertEventsInboxUrl as string);
    expect(event).toMatchObject({
      source: 'ia-review-alerts',
      detail: { attemptId: sent.attemptId, account: 'default' },
    });

    // notify-slack posts it like any alert, marked in the text a person reads.
    const buffer = resources.slackChannels[0]?.queueUrl as string;
    await pollOnce({ sqs, queueUrl: buffer, handler: notify });
    expect(JSON.stringify(slack.posts.map((p) => p.body))).toContain('TEST ALERT from ia-review-alerts');

    // Nothing of it in the state table: no watch, no index entry, nothing pending.
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: resources.stateTableName, Key: { attemptId: { S: sent.attemptId } } }),
    );
    expect(item.Item).toBeUndefined();
    const pending = await runCli(['pending', '--json'], { ...process.env, IA_ALERTS_LOCAL_STATE: stateFile });
    expect(pending.out).not.toContain('test-alert');
  });

  it('goes only where a real alert of its type goes: review.completed skips the email audience', async () => {
    const { code, out } = await cli('--event', 'review.completed', '--assessment', 'asmt-1');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^published a test review\.completed \(attempt test-alert-\S+, account default, assessment asmt-1\)/,
    );
    expect(out).toMatch(new RegExp(`sqs \\S+${queueName(resources.emailInboxUrl)}: filtered out`));
    expect(await bodies(resources.emailInboxUrl)).toEqual([]);
    expect((await bodies(resources.allAlertsInboxUrl)).map((b) => b.eventType)).toEqual(['review.completed']);
  });

  it('refuses what no alert could be, as a usage error', async () => {
    expect((await cli('--event', 'review.digest')).code).toBe(2);
    expect((await cli('--assessment', 'a b')).code).toBe(2);
    expect((await cli('--account', 'Not An Account')).code).toBe(2);
    expect((await cli('extra')).code).toBe(2);
  });
});
