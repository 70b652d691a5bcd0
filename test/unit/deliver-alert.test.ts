/** notify-slack's delivery of one buffered alert: what it counts, a test alert counted as none. */
import { describe, expect, it } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import { TEST_ALERT_SOURCE } from '#lib/domain/alert.js';
import { testAlert } from '../../cli/test-alert-command.js';
import type { Channel } from '../../functions/notify-slack/config.js';
import { createDeliverAlert } from '../../functions/notify-slack/deliver-alert.js';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:buffer-reviews';
const channel = {
  name: 'reviews',
  queueArn: QUEUE,
  queueUrl: 'https://sqs/buffer-reviews',
  secretName: 'slack/reviews',
};

const deliver = () => {
  const counted: string[] = [];
  const posted: string[] = [];
  const run = createDeliverAlert({
    channels: new Map([[QUEUE, channel as Channel]]),
    webhookUrlFor: async () => 'https://hooks.slack.com/services/T/B/x',
    post: async (_url, name) => void posted.push(name),
    publishChat: async () => undefined,
    once: async (_delivery, post) => {
      await post();
      return 'done';
    },
    pace: async () => undefined,
    deadLetter: async () => undefined,
    delay: async () => undefined,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    count: (metric) => void counted.push(metric),
    now: () => new Date(),
  });
  return { run, counted, posted };
};

const record = (body: unknown) => ({ body: JSON.stringify(body), eventSourceARN: QUEUE }) as SQSRecord;

describe('deliverAlert', () => {
  it('posts a test alert like any alert, and counts it as none', async () => {
    const { run, counted, posted } = deliver();
    const alert = testAlert('review.needed', new Date('2026-12-06T12:00:00Z'), {});
    expect(alert.source).toBe(TEST_ALERT_SOURCE);
    await run(record(alert));
    expect([posted, counted]).toEqual([['reviews'], []]);
    await run(record({ ...alert, source: 'greenhouse' }));
    expect([posted, counted]).toEqual([['reviews', 'reviews'], ['SlackPosts']]);
  });
});
