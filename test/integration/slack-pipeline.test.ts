/**
 * Alerts people read, end to end on moto: checks queue → check → SNS → per-channel Slack buffer
 * queue → notify-slack → the fake Slack webhook; and the email-protocol body as SNS recorded it.
 * Every Slack error class ends where it should: retried, parked, or dead-lettered with a reason.
 */

import { randomBytes } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeSlackServer } from '../../local/fake-slack-server.js';
import { defaultAssignments, defaultAttempts, freshAttempt, seedVariant } from '../../local/ia-fixtures.js';
import { type LocalResources, notifyEnvironment } from '../../local/provision.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, useIntegration } from '../support/integration.js';

const slack = new FakeSlackServer();
const suite = useIntegration('slack', {
  ia: { attempts: defaultAttempts(), assignments: defaultAssignments() },
  before: () => slack.start(),
  provision: () => ({
    visibilityTimeoutSeconds: 1,
    slackChannels: [
      { name: 'reviews', webhookUrl: slack.webhookUrl('reviews') },
      { name: 'philosophy', webhookUrl: slack.webhookUrl('philosophy'), assessmentIds: ['philosophy-only'] },
    ],
    // A Teams (or Slack) channel through Amazon Q, for one assessment; its topic's inbox stands in for Amazon Q.
    chatChannels: [{ name: 'hiring-teams', assessmentIds: ['philosophy-only'] }],
  }),
  env: () => ({ IA_RATE_PER_SECOND: '1000' }),
});
const { ia, endpoint } = suite;
const { sqs } = suite.clients;
let resources: LocalResources;
let check: SqsHandler;
let notify: SqsHandler;

beforeAll(async () => {
  resources = suite.resources;
  check = await loadHandler<SqsHandler>('check');
  // Each function reads its own environment at cold start, as each Lambda has its own.
  notify = await loadHandler<SqsHandler>('notify-slack', notifyEnvironment(resources));
});

afterAll(() => slack.stop());

beforeEach(async () => {
  slack.reset();
  for (const c of resources.slackChannels) await drain(sqs, c.queueUrl);
  await drain(sqs, resources.notifyDeadLetterQueueUrl);
});

const channel = (name: string) =>
  resources.slackChannels.find((c) => c.name === name) as LocalResources['slackChannels'][number];
const checkAttempt = async (attemptId: string) => {
  await sqs.send(
    new SendMessageCommand({ QueueUrl: resources.checksQueueUrl, MessageBody: JSON.stringify({ attemptId }) }),
  );
  await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
};
/** A fresh attempt of the one assessment the per-assessment channels take, checked. */
const checkPhilosophyAttempt = async (prefix: string) => {
  const id = `${prefix}-${randomBytes(3).toString('hex')}`;
  ia.setAttempt(
    id,
    seedVariant(id, { pending_review_count: 1, assessment: { id: 'philosophy-only', name: 'Philosophy' } }),
  );
  await checkAttempt(id);
  return id;
};
const runNotifier = (name: string) =>
  pollOnce({ sqs, queueUrl: channel(name).queueUrl, handler: notify, functionName: 'notify-slack' });

describe('Slack and email on moto', () => {
  it('posts a review.needed alert to the default channel as Block Kit, once', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    expect(await runNotifier('reviews')).toBe(1);
    expect(slack.posts).toHaveLength(1);
    const post = slack.posts[0] as { path: string; body: { text: string; blocks: Array<{ type: string }> } };
    expect(post.path).toBe('/services/T000/B000/reviews');
    expect(post.body.text).toContain('Review needed');
    expect(post.body.blocks.map((b) => b.type)).toContain('header');
    // The per-assessment channel did not subscribe to this assessment.
    expect(await runNotifier('philosophy')).toBe(0);
  });

  it('routes by assessment to the channel whose filter policy names it', async () => {
    await checkPhilosophyAttempt('philo');
    expect(await runNotifier('philosophy')).toBe(1);
    expect(await runNotifier('reviews')).toBe(1);
    expect(slack.posts.map((p) => p.path).sort()).toEqual([
      '/services/T000/B000/philosophy',
      '/services/T000/B000/reviews',
    ]);
  });

  it('relays to an Amazon Q chat channel (Teams) the custom notification, once, for its assessment only', async () => {
    const chat = channel('hiring-teams');
    if (!('chatInboxUrl' in chat)) throw new Error('hiring-teams is a chat channel');
    await checkAttempt(freshAttempt(ia, 'reviewNeeded')); // another assessment: filtered out
    expect(await runNotifier('hiring-teams')).toBe(0);
    const id = await checkPhilosophyAttempt('teams');
    expect(await runNotifier('hiring-teams')).toBe(1);
    const [posted, ...more] = (await drain(sqs, chat.chatInboxUrl)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(more).toEqual([]);
    expect(posted).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: expect.stringContaining('Review needed') },
      metadata: { threadId: id, eventType: 'review.needed' },
    });
    // The same alert buffered again (an SNS redelivery) is not posted twice.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: chat.queueUrl,
        MessageBody: JSON.stringify({
          schemaVersion: 1,
          eventType: 'review.needed',
          attemptId: id,
          pendingReviewCount: 1,
          scoringCompleted: false,
          reviewItems: [],
          occurredAt: new Date().toISOString(),
        }),
      }),
    );
    expect(await runNotifier('hiring-teams')).toBe(1);
    expect(await drain(sqs, chat.chatInboxUrl)).toEqual([]);
    expect(await drain(sqs, resources.notifyDeadLetterQueueUrl)).toEqual([]);
  });

  it('keeps attempt.scored out of the Slack channels', async () => {
    await checkAttempt(freshAttempt(ia, 'scored'));
    expect(await runNotifier('reviews')).toBe(0);
  });

  it('gives email subscribers text, not JSON (the email body as SNS recorded it)', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await checkAttempt(id);
    const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {
      sns: {
        Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string | null, unknown, unknown]> }>;
      };
    };
    const topic = data.sns.Topic.find((t) => t.arn === resources.alertsTopicArn);
    const sent = topic?.sent_notifications
      .map((n) => JSON.parse(n[1]) as Record<string, string>)
      .find((m) => m.default?.includes(id));
    expect(sent?.email).toMatch(/^REVIEW NEEDED\n\nGrade 2 answers or recordings/);
    expect(() => JSON.parse(sent?.email ?? '')).toThrow();
    expect(JSON.parse(sent?.https ?? '{}')).toMatchObject({ source: 'custom', metadata: { threadId: id } });
  });

  it.each([
    [{ status: 400 as const, error: 'invalid_blocks' as const }, 'slack_rejected_payload'],
    [{ status: 404 as const, error: 'no_service' as const }, 'slack_destination_gone'],
    [{ status: 410 as const, error: 'channel_is_archived' as const }, 'slack_destination_gone'],
    [{ status: 403 as const, error: 'action_prohibited' as const }, 'slack_destination_gone'],
  ])('%p → DLQ with %s, never retried', async (answer, code) => {
    slack.script('/services/T000/B000/reviews', answer);
    await checkAttempt(freshAttempt(ia, 'reviewNeeded'));
    await runNotifier('reviews');
    const [dead] = await drain(sqs, resources.notifyDeadLetterQueueUrl);
    expect(dead?.MessageAttributes?.failureCode?.StringValue).toBe(code);
    expect(dead?.MessageAttributes?.failureReason?.StringValue).not.toContain('/services/');
    expect(slack.posts).toHaveLength(1);
  });

  it.each([[{ status: 429 as const, retryAfter: 1 }], [{ status: 500 as const }]])(
    '%p → retried later, posted exactly once',
    async (answer) => {
      slack.script('/services/T000/B000/reviews', answer);
      await checkAttempt(freshAttempt(ia, 'reviewNeeded'));
      await runNotifier('reviews');
      expect(slack.posts.map((p) => p.status)).toEqual([answer.status]);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(await runNotifier('reviews')).toBe(1);
      expect(slack.posts.map((p) => p.status)).toEqual([answer.status, 200]);
      expect(await drain(sqs, resources.notifyDeadLetterQueueUrl)).toEqual([]);
    },
  );
});
