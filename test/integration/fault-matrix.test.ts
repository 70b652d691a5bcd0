/**
 * The fault matrix, on moto and the fake IA: one test per row. Each asserts the outcome —
 * the expected notification exactly once, everything else in the DLQ with its reason, nothing
 * lost — by driving the check function the way Lambda's event source would until the queue is
 * quiet.
 */

import { CreateTopicCommand, DeleteTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { createIaClient } from '#lib/adapters/ia-client.js';
import { createAlertPublisher, createIdempotency } from '#lib/adapters/publish-once.js';
import type { StateStore } from '#lib/domain/attempt-store.js';
import { EffectInProgressError, StateConflictError } from '#lib/domain/errors.js';
import { DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { type CheckDeps, checkReference } from '../../functions/check/check-reference.js';
import type { Fault } from '../../local/fake-ia-server.js';
import { defaultAssignments, defaultAttempts, freshAttempt } from '../../local/ia-fixtures.js';
import type { LocalResources } from '../../local/provision.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, useIntegration } from '../support/integration.js';

const suite = useIntegration('faults', {
  ia: { attempts: defaultAttempts(), assignments: defaultAssignments() },
  provision: { maxReceiveCount: 5, visibilityTimeoutSeconds: 1 },
  env: () => ({
    IA_RATE_PER_SECOND: '1000',
    IA_TIMEOUT_MS: '300',
    IA_TOTAL_TIMEOUT_MS: '2500',
    // One record per fault: the circuit a hang opens must not refuse the next row's calls.
    IA_CIRCUIT_OPEN_MS: '50',
    IA_MAX_RETRY_AFTER_MS: '1000',
  }),
});
const { ia, apiKey } = suite;
const { sqs, sns, dynamodb } = suite.clients;
let resources: LocalResources;
let handler: SqsHandler;

beforeAll(async () => {
  resources = suite.resources;
  handler = await loadHandler<SqsHandler>('check');
});

beforeEach(async () => {
  ia.reset();
  for (const url of [resources.checksQueueUrl, resources.allAlertsInboxUrl, resources.deadLetterQueueUrl])
    await drain(sqs, url);
});

const enqueue = async (...bodies: object[]) => {
  for (const body of bodies) {
    await sqs.send(new SendMessageCommand({ QueueUrl: resources.checksQueueUrl, MessageBody: JSON.stringify(body) }));
  }
};

const inFlight = async () => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: resources.checksQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
};

/** Polls like the event source until nothing is visible or in flight (delayed re-checks excepted). */
const driveUntilQuiet = async (timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const received = await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler });
    if (received === 0) {
      if ((await inFlight()) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  throw new Error('the checks queue did not go quiet');
};

const alerts = async () =>
  (await drain(sqs, resources.allAlertsInboxUrl)).map(
    (m) => JSON.parse(m.Body ?? '{}') as { attemptId: string; eventType: string },
  );
const deadLetters = async () =>
  (await drain(sqs, resources.deadLetterQueueUrl)).map((m: Message) => ({
    body: JSON.parse(m.Body ?? '{}') as { attemptId?: string },
    code: m.MessageAttributes?.failureCode?.StringValue,
    reason: m.MessageAttributes?.failureReason?.StringValue,
  }));

/** The check logic with the real adapters on moto: for rows that need two executions or a crash. */
const realDeps = (states: StateStore = dynamoStateStore(dynamodb, resources.stateTableName)): CheckDeps => ({
  ia: createIaClient({ baseUrl: ia.url, apiKey: () => apiKey }),
  states,
  publishOnce: createAlertPublisher(
    createIdempotency({ dynamodb, tableName: resources.idempotencyTableName, expiresAfterSeconds: 3600 }),
    sns,
    { alertsTopicArn: resources.alertsTopicArn },
  ),
  schedule: () => undefined,
  now: () => new Date(),
  render: { includeCandidateEmail: false },
  watch: DEFAULT_WATCH,
  minRecheckIntervalSeconds: 60,
  notFoundMemorySeconds: 600,
  count: () => undefined,
});

const expectExactlyOneAlert = async (attemptId: string, eventType = 'review.needed') => {
  expect((await alerts()).map((a) => [a.attemptId, a.eventType])).toEqual([[attemptId, eventType]]);
  expect(await deadLetters()).toEqual([]);
};

describe('fault matrix', () => {
  it('429 with Retry-After: the record waits as long as IA says, then alerts once', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    ia.inject(id, { kind: 'status', status: 429, retryAfter: 2 });
    await enqueue({ attemptId: id });
    const started = Date.now();
    await driveUntilQuiet();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    await expectExactlyOneAlert(id);
  });

  it('bursts of 500/502/503/504: retried, alerted once', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    ia.inject(id, ...[500, 502, 503, 504, 500, 502].map((status): Fault => ({ kind: 'status', status })));
    await enqueue({ attemptId: id });
    await driveUntilQuiet();
    await expectExactlyOneAlert(id);
  });

  it('timeouts: the record comes back after its visibility timeout and alerts once', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    ia.inject(id, ...Array.from({ length: 5 }, (): Fault => ({ kind: 'hang' })));
    await enqueue({ attemptId: id });
    await driveUntilQuiet(30_000);
    await expectExactlyOneAlert(id);
  }, 40_000);

  it('connection resets: retried, alerted once', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    ia.inject(id, { kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' });
    await enqueue({ attemptId: id });
    await driveUntilQuiet();
    await expectExactlyOneAlert(id);
  });

  it.each<[string, (id: string) => void, string, RegExp]>([
    ['malformed JSON', (id) => ia.inject(id, { kind: 'malformed-json' }), 'malformed_response', /not JSON/],
    [
      'schema drift',
      (id) => ia.setAttempt(id, { attempt: { id, scoring_completed: 'yes', pendingReviews: 2 } }),
      'malformed_response',
      /scoring_completed must be a boolean; attempt\.pending_review_count is required/,
    ],
    ['401', (id) => ia.inject(id, { kind: 'status', status: 401 }), 'unauthorized', /refused the key \(401\)/],
    ['404', (id) => ia.inject(id, { kind: 'status', status: 404 }), 'not_found', /not found \(404\)/],
  ])('%s: straight to the DLQ with the reason, nothing published', async (_name, fault, code, reason) => {
    const id = freshAttempt(ia, 'reviewNeeded');
    fault(id);
    await enqueue({ attemptId: id });
    await driveUntilQuiet();
    expect(await alerts()).toEqual([]);
    const dead = await deadLetters();
    expect(dead).toEqual([{ body: { attemptId: id }, code, reason: expect.stringMatching(reason) }]);
    expect(ia.countRequests((r) => r.id === id)).toBe(1);
  });

  it('five deliveries of one event: one alert, one IA call', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await enqueue(...Array.from({ length: 5 }, () => ({ attemptId: id, source: 'greenhouse', eventId: 'ev-1' })));
    await driveUntilQuiet();
    await expectExactlyOneAlert(id);
    expect(ia.countRequests((r) => r.id === id)).toBe(1);
  });

  it('two concurrent checks of one attempt: one alert, the loser retries and finds the work done', async () => {
    // Two Lambda execution environments: separate clients and caches, one table, one topic.
    const id = freshAttempt(ia, 'reviewNeeded');
    ia.inject(id, { kind: 'latency', ms: 150 }, { kind: 'latency', ms: 150 });
    const results = await Promise.allSettled([
      checkReference({ attemptId: id }, 'm-a', realDeps()),
      checkReference({ attemptId: id }, 'm-b', realDeps()),
    ]);
    const lost = results.filter((r) => r.status === 'rejected');
    expect(lost.length).toBeLessThanOrEqual(1);
    for (const loser of lost) {
      // Either conflict is retried soon (record-disposition.ts), not after the doubled delay.
      const { reason } = loser as PromiseRejectedResult;
      expect(reason instanceof StateConflictError || reason instanceof EffectInProgressError).toBe(true);
      // Its redelivery finds the attempt just checked and publishes nothing.
      const retry = await checkReference({ attemptId: id }, 'm-b', realDeps());
      expect(retry.outcomes[0]?.published).toEqual([]);
    }
    await expectExactlyOneAlert(id);
  });

  it('SNS publish failure: retried after the topic is back, alerted once', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    await sns.send(new DeleteTopicCommand({ TopicArn: resources.alertsTopicArn }));
    await enqueue({ attemptId: id });
    expect(await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler })).toBe(1);
    expect(await alerts()).toEqual([]);
    // The topic comes back (same name, same ARN) with its subscriber.
    const name = resources.alertsTopicArn.split(':').pop() as string;
    await sns.send(new CreateTopicCommand({ Name: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: resources.allAlertsInboxUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: resources.alertsTopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await driveUntilQuiet();
    await expectExactlyOneAlert(id);
  });

  it('a crash between publish and acknowledge: the redelivery publishes nothing more', async () => {
    // The real adapters on moto, with a state store that dies once right after the publish.
    const id = freshAttempt(ia, 'reviewNeeded');
    const real = dynamoStateStore(dynamodb, resources.stateTableName);
    let crashes = 1;
    const crashingStates: StateStore = {
      ...real,
      put: async (state) => {
        if (crashes-- > 0) throw new Error('Lambda crashed');
        await real.put(state);
      },
    };
    await expect(checkReference({ attemptId: id }, 'm-1', realDeps(crashingStates))).rejects.toThrow('Lambda crashed');
    const retry = await checkReference({ attemptId: id }, 'm-1', realDeps(crashingStates));
    expect(retry.outcomes[0]).toMatchObject({ action: 'checked', published: [], suppressed: ['review.needed'] });
    await expectExactlyOneAlert(id);
  });

  it('nothing lost: every attempt of a mixed batch ends alerted, scheduled or dead-lettered', async () => {
    const ids = {
      review: freshAttempt(ia, 'reviewNeeded'),
      scored: freshAttempt(ia, 'scored'),
      pending: freshAttempt(ia, 'scoringPending'),
      gone: 'no-such-attempt-xyz',
    };
    await enqueue(...Object.values(ids).map((attemptId) => ({ attemptId })));
    await driveUntilQuiet();
    const published = (await alerts()).map((a) => a.attemptId).sort();
    expect(published).toEqual([ids.review, ids.scored].sort());
    expect((await deadLetters()).map((d) => d.body.attemptId)).toEqual([ids.gone]);
    const delayed = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.checksQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(delayed.Messages ?? []).toEqual([]); // the pending attempt's re-check is scheduled, not visible yet
    const state = await dynamoStateStore(dynamodb, resources.stateTableName).get(ids.pending);
    expect(state).toMatchObject({ lastDecision: 'scoring.pending', nextCheckAt: expect.any(String) });
  });
});
