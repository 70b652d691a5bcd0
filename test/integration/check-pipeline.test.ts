/**
 * The check pipeline on a real AWS emulator (moto) and the fake IA server: a message on the
 * checks queue → check (invoked in-process the way Lambda would) → SNS → subscriber queues.
 */

import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  defaultAssignments,
  defaultAttempts,
  freshAttempt,
  SEED_ATTEMPT_ID,
  seedVariant,
} from '../../local/ia-fixtures.js';
import type { LocalResources } from '../../local/provision.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, useIntegration } from '../support/integration.js';

const suite = useIntegration('check', {
  ia: { ratePerSecond: 1000, attempts: defaultAttempts(), assignments: defaultAssignments() },
  provision: { maxReceiveCount: 2, visibilityTimeoutSeconds: 1 },
  env: () => ({ IA_RATE_PER_SECOND: '1000', IA_TOTAL_TIMEOUT_MS: '3000' }),
});
const { ia } = suite;
const { sqs, dynamodb } = suite.clients;
let resources: LocalResources;
let handler: SqsHandler;

beforeAll(async () => {
  resources = suite.resources;
  handler = await loadHandler<SqsHandler>('check');
});

beforeEach(async () => {
  ia.reset();
  for (const url of [resources.emailInboxUrl, resources.allAlertsInboxUrl, resources.deadLetterQueueUrl])
    await drain(sqs, url);
});

const enqueue = (...bodies: string[]) =>
  Promise.all(
    bodies.map((body) => sqs.send(new SendMessageCommand({ QueueUrl: resources.checksQueueUrl, MessageBody: body }))),
  );

const runCheck = () => pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler, functionName: 'check' });

const alertsIn = async (queueUrl: string) =>
  (await drain(sqs, queueUrl)).map((m: Message) => ({
    body: JSON.parse(m.Body ?? '{}'),
    attributes: m.MessageAttributes,
  }));

describe('check pipeline on moto', () => {
  it('delivers review.needed to subscribers with its attributes, and to the email-filtered subscription', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await enqueue(JSON.stringify({ attemptId: id, source: 'greenhouse' }));
    expect(await runCheck()).toBe(1);

    const [all] = await alertsIn(resources.allAlertsInboxUrl);
    expect(all?.body).toMatchObject({
      eventType: 'review.needed',
      attemptId: id,
      assessmentId: 'pjpmahbioyqufxos',
      pendingReviewCount: 2,
      source: 'greenhouse',
    });
    expect(all?.attributes?.eventType?.StringValue).toBe('review.needed');
    expect(all?.attributes?.assessmentId?.StringValue).toBe('pjpmahbioyqufxos');
    expect(all?.attributes?.pendingReviewCount).toMatchObject({ DataType: 'Number', StringValue: '2' });
    expect(await alertsIn(resources.emailInboxUrl)).toHaveLength(1);
  });

  it('puts off a record it has no time left for: a new message, checked by the next invocation', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await enqueue(JSON.stringify({ attemptId: id, source: 'greenhouse' }));
    // Less time left than IA's total timeout and the margin (5 s here): nothing is asked, nothing fails.
    const short = { sqs, queueUrl: resources.checksQueueUrl, handler, functionName: 'check', functionTimeoutMs: 4_000 };
    expect(await pollOnce(short)).toBe(1);
    expect(ia.requests).toEqual([]);
    expect(await alertsIn(resources.allAlertsInboxUrl)).toEqual([]);
    expect(await alertsIn(resources.deadLetterQueueUrl)).toEqual([]);
    expect(await runCheck()).toBe(1);
    const [all] = await alertsIn(resources.allAlertsInboxUrl);
    expect(all?.body).toMatchObject({ eventType: 'review.needed', attemptId: id, source: 'greenhouse' });
  });

  it('closes with review.completed when review.needed went out but its state was lost (a crash between the two)', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await enqueue(JSON.stringify({ attemptId: id }));
    expect(await runCheck()).toBe(1);
    expect((await alertsIn(resources.allAlertsInboxUrl)).map((a) => a.body.eventType)).toEqual(['review.needed']);
    // The state write lost, as when the function died after publishing; the reviews done meanwhile.
    await dynamodb.send(new DeleteItemCommand({ TableName: resources.stateTableName, Key: { attemptId: { S: id } } }));
    ia.setAttempt(id, seedVariant(id, { pending_review_count: 0, scoring_completed: true }));
    await enqueue(JSON.stringify({ attemptId: id }));
    expect(await runCheck()).toBe(1);
    // The alert's exactly-once key says review.needed went out: reviewers hear the reviews are done.
    expect((await alertsIn(resources.allAlertsInboxUrl)).map((a) => a.body.eventType)).toEqual(['review.completed']);
  });

  it('keeps non-actionable types away from the email-filtered subscription', async () => {
    await enqueue(JSON.stringify({ attemptId: SEED_ATTEMPT_ID }));
    await runCheck();
    expect((await alertsIn(resources.allAlertsInboxUrl)).map((a) => a.body.eventType)).toEqual(['attempt.scored']);
    expect(await alertsIn(resources.emailInboxUrl)).toEqual([]);
  });

  it('reads the API key from Secrets Manager (the fake IA accepts only that key)', async () => {
    await enqueue(JSON.stringify({ attemptId: freshAttempt(ia, 'reviewNeeded') }));
    await runCheck();
    expect(ia.requests).toEqual([expect.objectContaining({ authorized: true, status: 200 })]);
  });

  it('dead-letters a poison message with its reason while the rest of the batch is delivered', async () => {
    const id = freshAttempt(ia, 'reviewNeededScored');
    await enqueue('{"attemptId": ', JSON.stringify({ attemptId: id }));
    expect(await runCheck()).toBe(2);
    expect((await alertsIn(resources.allAlertsInboxUrl)).map((a) => a.body.attemptId)).toEqual([id]);
    const [dead] = await drain(sqs, resources.deadLetterQueueUrl);
    expect(dead?.Body).toBe('{"attemptId": ');
    expect(dead?.MessageAttributes?.failureCode?.StringValue).toBe('invalid_message');
    expect(dead?.MessageAttributes?.failureReason?.StringValue).toMatch(/not JSON/);
  });

  it('moves a record that keeps failing to the DLQ after the configured receives', async () => {
    const id = freshAttempt(ia, 'scored');
    ia.inject(id, ...Array.from({ length: 20 }, () => ({ kind: 'status' as const, status: 500 })));
    await enqueue(JSON.stringify({ attemptId: id }));
    let dead: Message[] = [];
    for (let round = 0; round < 8 && dead.length === 0; round++) {
      await runCheck();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      dead = await drain(sqs, resources.deadLetterQueueUrl);
    }
    expect(dead.map((m) => JSON.parse(m.Body ?? '{}').attemptId)).toEqual([id]);
    expect(await alertsIn(resources.allAlertsInboxUrl)).toEqual([]);
  }, 60_000);

  it('re-queues a scoring.pending attempt with a delay instead of alerting', async () => {
    await enqueue(JSON.stringify({ attemptId: freshAttempt(ia, 'scoringPending') }));
    await runCheck();
    expect(await alertsIn(resources.allAlertsInboxUrl)).toEqual([]);
    // Delayed by 60 s: invisible now, but counted by the queue.
    expect(await runCheck()).toBe(0);
  });

  it('passes an early re-check back to the queue for another 15 minutes without asking IA', async () => {
    const delayed = async () =>
      Number(
        (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: resources.checksQueueUrl,
              AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
            }),
          )
        ).Attributes?.ApproximateNumberOfMessagesDelayed ?? 0,
      );
    const before = await delayed();
    const notBefore = new Date(Date.now() + 3 * 3_600_000).toISOString();
    await enqueue(JSON.stringify({ attemptId: 'att-waiting', recheckId: 'm-0:att-waiting', notBefore }));
    expect(await runCheck()).toBe(1);
    expect(ia.requests).toEqual([]);
    expect(await alertsIn(resources.allAlertsInboxUrl)).toEqual([]);
    expect(await delayed()).toBe(before + 1);
  });
});
