/**
 * The sweep on moto and the fake IA: attempts nobody sent an event for are found in the
 * assignment list and alerted once; the walk resumes from its cursor, survives a moving list and
 * a page-size clamp, gives way to triggered checks on the shared budget, and a webhook and the
 * sweep seeing one attempt at once publish once.
 */

import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { countAwaiting } from '#lib/adapters/awaiting-review.js';
import { createIaClient } from '#lib/adapters/ia-client.js';
import { createPacedIaClient } from '#lib/adapters/paced-ia-client.js';
import { createAlertPublisher, createIdempotency } from '#lib/adapters/publish-once.js';
import { outgoingChecks } from '#lib/adapters/queues.js';
import { secretReader } from '#lib/adapters/secrets.js';
import { CURSOR_KEY, dynamoCursorStore } from '#lib/adapters/sweep-cursor.js';
import { StateConflictError } from '#lib/domain/errors.js';
import { type AttemptState, DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { quietMemo } from '#lib/domain/quiet-memo.js';
import { checkReference } from '../../functions/check/check-reference.js';
import { runSweep, type SweepDeps, type SweepSettings } from '../../functions/sweep/sweep-run.js';
import { FakeIaServer, LIST } from '../../local/fake-ia-server.js';
import { listedAssignment, seedVariant } from '../../local/ia-fixtures.js';
import { lambdaContext, sqsEvent } from '../../local/lambda.js';
import { type LocalResources, sweepEnvironment } from '../../local/provision.js';
import { drain, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, makeHandler, useIntegration } from '../support/integration.js';

const suite = useIntegration('sweep');
const { ia, apiKey } = suite;
const { sqs, sns, dynamodb } = suite.clients;
let resources: LocalResources;

beforeAll(() => {
  resources = suite.resources;
});

let run = 0;
/** Every test gets its own ids and its own cursor (a fresh state table item per test is simpler than a reset). */
let prefix: string;
beforeEach(async () => {
  run += 1;
  prefix = `t${run}-${randomBytes(3).toString('hex')}`;
  ia.reset();
  ia.maxPerPage = 100;
  ia.beforeListPage = undefined;
  for (const id of ia.listed().map((a) => String(a.id))) ia.removeAssignment(id);
  await dynamodb.send(
    new PutItemCommand({
      TableName: resources.stateTableName,
      Item: { attemptId: { S: CURSOR_KEY }, nextPage: { N: '1' } },
    }),
  );
  await drain(sqs, resources.allAlertsInboxUrl);
  await drain(sqs, resources.checksQueueUrl);
});

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

/** `count` assignments created one minute apart, newest first; every `needsReview`-th attempt waits on a human. */
const seedList = (count: number, { needsReview = 1, ageHours = 1 } = {}) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const attemptId = `${prefix}-att-${i}`;
    ids.push(attemptId);
    ia.setAssignment(
      `${prefix}-asg-${i}`,
      listedAssignment(`${prefix}-asg-${i}`, new Date(hoursAgo(ageHours).getTime() - i * 60_000), [
        { id: attemptId, pendingReviewCount: i % needsReview === 0 ? 1 : 0, scoringCompleted: i % needsReview !== 0 },
      ]),
    );
  }
  return ids;
};

const alerts = async () =>
  (await drain(sqs, resources.allAlertsInboxUrl)).map(
    (m) => JSON.parse(m.Body ?? '{}') as { attemptId: string; eventType: string; source?: string },
  );

// The walk of the whole horizon alone (a head as long as the horizon is none); the head: sweep-run.test.ts.
const SETTINGS: SweepSettings = {
  horizonDays: 30,
  graceSeconds: 3600,
  headDays: 30,
  headShare: 0.75,
  fullWalkEverySeconds: 0,
  pageSize: 100,
  runSeconds: 60,
  pagesPerRun: 1_000,
};

const deps = (overrides: Partial<SweepDeps> = {}, clock = () => new Date()): SweepDeps => {
  const rechecks = outgoingChecks(sqs, resources.checksQueueUrl);
  return {
    ia: createIaClient({ baseUrl: ia.url, apiKey: () => apiKey }),
    states: dynamoStateStore(dynamodb, resources.stateTableName),
    cursors: dynamoCursorStore(dynamodb, resources.stateTableName, `test-${randomBytes(4).toString('hex')}`),
    memo: quietMemo(),
    publishOnce: createAlertPublisher(
      createIdempotency({ dynamodb, tableName: resources.idempotencyTableName, expiresAfterSeconds: 3600 }),
      sns,
      { alertsTopicArn: resources.alertsTopicArn },
    ),
    schedule: rechecks.add,
    flush: async () => void (await rechecks.flush(new Set(['sweep']))),
    now: clock,
    render: { includeCandidateEmail: false },
    watch: DEFAULT_WATCH,
    settings: SETTINGS,
    count: () => undefined,
    awaiting: () => countAwaiting(dynamodb, resources.stateTableName),
    log: { info: () => undefined, warn: () => undefined },
    ...overrides,
  };
};

/** An IA client on a virtual clock where every request takes 10 s: a run's time budget in pages. */
const slowIa = () => {
  let virtual = Date.now();
  const client = createIaClient({
    baseUrl: ia.url,
    apiKey: () => apiKey,
    pace: async () => {
      virtual += 10_000;
    },
  });
  return { ia: client, clock: () => new Date(virtual) };
};

const listRequests = () => ia.requests.filter((r) => r.id === LIST);

describe('sweep', () => {
  it('finds and alerts completed attempts no event named, from list pages only, once each', async () => {
    seedList(120, { needsReview: 5 });
    ia.setAssignment(
      `${prefix}-open`,
      listedAssignment(`${prefix}-open`, hoursAgo(0.5), [
        { id: `${prefix}-unfinished`, pendingReviewCount: 1, inProgress: true },
      ]),
    );
    ia.setAssignment(
      `${prefix}-old`,
      listedAssignment(`${prefix}-old`, hoursAgo(24 * 40), [
        { id: `${prefix}-too-old`, pendingReviewCount: 1, scoringCompleted: false },
      ]),
    );

    const counted: Array<[string, number | undefined, Record<string, string> | undefined]> = [];
    const report = await runSweep(
      deps({
        settings: { ...SETTINGS, pageSize: 50 },
        count: (name, value, dimensions) => void counted.push([name, value, dimensions]),
      }),
    );
    expect(report).toMatchObject({ status: 'full-walk', pages: 3, attemptsSeen: 120, discovered: 120 });
    // The dashboard's figures: alerts per type, and what waits (this table's other tests' attempts too).
    expect(
      counted.filter(([name, , d]) => name === 'AlertsPublished' && d?.eventType === 'review.needed'),
    ).toHaveLength(24);
    expect(counted.find(([name]) => name === 'AttemptsAwaitingReview')?.[1]).toBeGreaterThanOrEqual(24);
    const published = await alerts();
    const needed = published.filter((a) => a.eventType === 'review.needed').map((a) => a.attemptId);
    expect(needed).toHaveLength(24);
    expect(new Set(needed).size).toBe(24);
    expect(published.every((a) => a.source === 'sweep')).toBe(true);
    expect(published.map((a) => a.attemptId)).not.toContain(`${prefix}-unfinished`);
    expect(published.map((a) => a.attemptId)).not.toContain(`${prefix}-too-old`);
    // Only list pages: no per-attempt GET.
    expect(ia.requests.every((r) => r.id === LIST)).toBe(true);

    const again = await runSweep(deps({ settings: { ...SETTINGS, pageSize: 50 } }));
    expect(again).toMatchObject({ status: 'full-walk', discovered: 0, published: 0 });
    expect(await alerts()).toEqual([]);
  });

  it('escalates a review still waiting escalateAfter later, to the escalation subscription only', async () => {
    seedList(1);
    await drain(sqs, resources.emailInboxUrl);
    await drain(sqs, resources.escalationInboxUrl);
    const watch = { ...DEFAULT_WATCH, escalateAfterSeconds: 48 * 3600 };
    await runSweep(deps({ watch }));
    expect((await alerts()).map((a) => a.eventType)).toEqual(['review.needed']);
    // Two days and an hour later the attempt still waits: the first reminder, and the escalation.
    const later = () => new Date(Date.now() + 49 * 3_600_000);
    await runSweep(deps({ watch }, later));
    expect((await alerts()).map((a) => a.eventType).sort()).toEqual(['review.escalated', 'review.overdue']);
    const escalation = (await drain(sqs, resources.escalationInboxUrl)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(escalation).toMatchObject([
      { eventType: 'review.escalated', attemptId: `${prefix}-att-0`, waitedHours: 49 },
    ]);
    const emails = (await drain(sqs, resources.emailInboxUrl)).map((m) => JSON.parse(m.Body ?? '{}').eventType);
    expect(emails.sort()).toEqual(['review.needed', 'review.overdue']);
    // Once: the next walk sends nothing more.
    await runSweep(deps({ watch }, later));
    expect(await alerts()).toEqual([]);
  });

  it('resumes an unfinished walk from its cursor, and a list that moved meanwhile loses nothing', async () => {
    const ids = seedList(60, { needsReview: 1 });
    // Each page costs 10 s of the run's 25 s: a run walks three pages of ten.
    const { ia: slow, clock } = slowIa();
    const settings = { ...SETTINGS, pageSize: 10, runSeconds: 25 };
    const first = await runSweep(deps({ ia: slow, settings }, clock));
    expect(first.status).toBe('stopped');
    expect(first.attemptsSeen).toBe(30);
    // Fifteen new assignments arrive at the head: the rest of the walk shifted back a page and a half.
    for (let i = 0; i < 15; i++)
      ia.setAssignment(
        `${prefix}-new-${i}`,
        listedAssignment(`${prefix}-new-${i}`, new Date(), [
          { id: `${prefix}-new-att-${i}`, pendingReviewCount: 1, scoringCompleted: false },
        ]),
      );
    const reports = [first];
    while (reports.at(-1)?.status !== 'full-walk' && reports.length < 10)
      reports.push(await runSweep(deps({ ia: slow, settings }, clock)));
    expect(reports.at(-1)?.status).toBe('full-walk');
    const alerted = (await alerts()).map((a) => a.attemptId);
    // Every one of the first sixty exactly once; the newcomers are the next walk's.
    expect(alerted.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(alerted).size).toBe(alerted.length);
    const next = await runSweep(deps({ ia: slow, settings: { ...settings, runSeconds: 600 } }, clock));
    expect(next.status).toBe('full-walk');
    expect((await alerts()).map((a) => a.attemptId).sort()).toEqual(
      Array.from({ length: 15 }, (_, i) => `${prefix}-new-att-${i}`).sort(),
    );
  });

  it('copes with a page size IA clamps and with counts written as strings', async () => {
    seedList(23, { needsReview: 1 });
    ia.maxPerPage = 5;
    const strings = new FakeIaServer({
      apiKeys: [apiKey],
      ratePerSecond: Infinity,
      maxPerPage: 5,
      countsAsStrings: true,
    });
    for (const a of ia.listed()) strings.setAssignment(String(a.id), { assignment: a });
    const url = await strings.start();
    try {
      const report = await runSweep(deps({ ia: createIaClient({ baseUrl: url, apiKey: () => apiKey }) }));
      expect(report).toMatchObject({ status: 'full-walk', pages: 5, attemptsSeen: 23 });
      expect((await alerts()).filter((a) => a.eventType === 'review.needed')).toHaveLength(23);
    } finally {
      await strings.stop();
    }
  });

  it('sends If-None-Match for pages it has seen; a 304 page costs no state reads', async () => {
    seedList(5, { needsReview: 1 });
    await runSweep(deps());
    await alerts();
    const second = await runSweep(deps());
    expect(second).toMatchObject({ status: 'full-walk', attemptsSeen: 0 });
    expect(listRequests().map((r) => r.status)).toEqual([200, 304]);
  });

  it('keeps the ETags of the pages a stopped run walked, so the next walk asks for them with If-None-Match', async () => {
    seedList(30, { needsReview: 1 });
    // Each page costs 10 s: a 15 s run stops after two pages.
    const { ia: slow, clock } = slowIa();
    const settings = { ...SETTINGS, pageSize: 10, runSeconds: 15 };
    const whole = { ...settings, runSeconds: 600 };
    expect((await runSweep(deps({ ia: slow, settings: whole }, clock))).status).toBe('full-walk');
    // Ten new assignments at the head: every page, and its ETag, changes.
    for (let i = 0; i < 10; i++)
      ia.setAssignment(
        `${prefix}-new-${i}`,
        listedAssignment(`${prefix}-new-${i}`, new Date(), [
          { id: `${prefix}-new-att-${i}`, pendingReviewCount: 1, scoringCompleted: false },
        ]),
      );
    expect((await runSweep(deps({ ia: slow, settings }, clock))).status).toBe('stopped');
    expect((await runSweep(deps({ ia: slow, settings: whole }, clock))).status).toBe('full-walk');
    await alerts();
    ia.requests.length = 0;
    const next = await runSweep(deps({ ia: slow, settings: whole }, clock));
    expect(next).toMatchObject({ status: 'full-walk', attemptsSeen: 0 });
    expect(listRequests().map((r) => [r.page, r.status])).toEqual([
      [1, 304],
      [2, 304],
      [3, 304],
      [4, 304],
    ]);
  });

  it('walks at the key’s rate to its page budget, and gives way when triggered checks have booked ahead', async () => {
    seedList(5, { needsReview: 1 });
    // A client a run: one keeps the last slot it saw booked, and the reset below is the test's own.
    const paced = () =>
      createPacedIaClient({
        ia: {
          baseUrl: ia.url,
          ratePerSecond: 10,
          timeoutMs: 2000,
          totalTimeoutMs: 5000,
          maxRetryAfterMs: 1000,
          circuitOpenMs: 30_000,
        },
        apiKeySecret: resources.apiKeySecretName,
        dynamodb,
        rateLimitTableName: resources.rateLimitTableName,
        readSecret: secretReader(),
        maxWaitMs: 210,
      });
    // Triggered checks have the schedule booked ten seconds ahead.
    await dynamodb.send(
      new PutItemCommand({
        TableName: resources.rateLimitTableName,
        Item: { pk: { S: `ia-key#${resources.apiKeySecretName}` }, nextSlotAt: { N: String(Date.now() + 10_000) } },
      }),
    );
    const yielded = await runSweep(deps({ ia: paced() }));
    expect(yielded.status).toBe('yielded');
    expect(listRequests()).toHaveLength(0);

    await dynamodb.send(
      new PutItemCommand({
        TableName: resources.rateLimitTableName,
        Item: { pk: { S: `ia-key#${resources.apiKeySecretName}` }, nextSlotAt: { N: '0' } },
      }),
    );
    seedList(40, { needsReview: 1 });
    const report = await runSweep(deps({ ia: paced(), settings: { ...SETTINGS, pageSize: 10, pagesPerRun: 3 } }));
    // Three pages of four, a slot (105 ms at 10/s) apart, and the run ends: the next resumes.
    expect(report).toMatchObject({ status: 'stopped', pages: 3 });
    const times = listRequests().map((r) => r.at);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(100);
  });

  it('a webhook and the sweep seeing the same attempt at the same moment publish once', async () => {
    const [id] = seedList(1, { needsReview: 1 }) as [string];
    ia.setAttempt(id, seedVariant(id, { pending_review_count: 1, scoring_completed: false }));
    const rechecks = outgoingChecks(sqs, resources.checksQueueUrl);
    const base = deps();
    const triggered = checkReference({ attemptId: id, source: 'greenhouse' }, 'm-1', {
      ...base,
      schedule: rechecks.add,
      minRecheckIntervalSeconds: 300,
      notFoundMemorySeconds: 600,
      count: () => undefined,
    });
    const [check, sweep] = await Promise.allSettled([triggered, runSweep(base)]);
    expect(sweep).toMatchObject({ status: 'fulfilled', value: { status: 'full-walk' } });
    if (check.status === 'rejected') {
      // The loser of the state write is retried, as SQS redelivers the record: nothing more is published.
      expect(check.reason).toBeInstanceOf(StateConflictError);
      await checkReference({ attemptId: id, source: 'greenhouse' }, 'm-1', {
        ...base,
        minRecheckIntervalSeconds: 300,
        notFoundMemorySeconds: 600,
      });
    }
    const published = (await alerts()).filter((a) => a.attemptId === id);
    expect(published.map((a) => a.eventType)).toEqual(['review.needed']);
    // Whichever lost, the list watches the attempt from the next walk on, and publishes nothing more.
    await runSweep(base);
    const state = (await dynamoStateStore(dynamodb, resources.stateTableName).get(id)) as AttemptState;
    expect(state.listedUntil).toBeDefined();
    expect(await alerts()).toEqual([]);
  });

  it('check and the sweep, two functions under names of their own, seeing one attempt at once publish once', async () => {
    const [id] = seedList(1, { needsReview: 1 }) as [string];
    ia.setAttempt(id, seedVariant(id, { pending_review_count: 1, scoring_completed: false }));
    // check's question to IA takes a second; the sweep, which reads the attempt in the list, finds no
    // state, publishes and saves meanwhile. Only the alert's key, shared by both functions, stops
    // check from publishing it again when IA answers.
    ia.inject(id, { kind: 'latency', ms: 1000 });
    const names = { check: 'Stack-CheckFunction1A2B3C-X', sweep: 'Stack-SweepFunction4D5E6F-Y' };
    const env = { ...sweepEnvironment(resources, ia.url), IA_RATE_PER_SECOND: '1000' };
    const sweep = await makeHandler<(event: unknown, context: unknown) => Promise<unknown>>('sweep', {
      ...env,
      AWS_LAMBDA_FUNCTION_NAME: names.sweep,
    });
    const check = await makeHandler<SqsHandler>('check', { ...env, AWS_LAMBDA_FUNCTION_NAME: names.check });
    await Promise.allSettled([
      check(sqsEvent([JSON.stringify({ attemptId: id, source: 'greenhouse' })]), lambdaContext(names.check)),
      sweep({}, lambdaContext(names.sweep, 60_000)),
    ]);
    expect((await alerts()).filter((a) => a.attemptId === id).map((a) => a.eventType)).toEqual(['review.needed']);
  });

  it('watches an open attempt through the list: its own re-check chain ends when the sweep takes over', async () => {
    const [id] = seedList(1, { needsReview: 1 }) as [string];
    ia.setAttempt(id, seedVariant(id, { pending_review_count: 1, scoring_completed: false }));
    const scheduled: string[] = [];
    const base = deps();
    await checkReference({ attemptId: id }, 'm-1', {
      ...base,
      schedule: (message) => void scheduled.push(message.recheckId ?? ''),
      minRecheckIntervalSeconds: 300,
      notFoundMemorySeconds: 600,
      count: () => undefined,
    });
    expect(scheduled).toEqual([`m-1:${id}`]);
    await runSweep(base);
    const state = (await dynamoStateStore(dynamodb, resources.stateTableName).get(id)) as AttemptState;
    expect(state.recheckId).toBeUndefined();
    // The re-check that was scheduled finds another id in the state: dropped without an IA call.
    const before = ia.countRequests((r) => r.id === id);
    const { outcomes } = await checkReference(
      { attemptId: id, recheckId: `m-1:${id}`, notBefore: new Date().toISOString() },
      'm-2',
      {
        ...base,
        minRecheckIntervalSeconds: 300,
        notFoundMemorySeconds: 600,
        count: () => undefined,
      },
    );
    expect(outcomes[0]?.action).toBe('stale-recheck');
    expect(ia.countRequests((r) => r.id === id)).toBe(before);
  });

  it('a page IA keeps failing ends the run, and the next run resumes from that page', async () => {
    const ids = seedList(30, { needsReview: 1 });
    const settings = { ...SETTINGS, pageSize: 10 };
    const fast = createIaClient({ baseUrl: ia.url, apiKey: () => apiKey, retryLimit: 1, totalTimeoutMs: 5000 });
    ia.inject(`${LIST}:2`, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const failed = await runSweep(deps({ ia: fast, settings }));
    expect(failed).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/^upstream_failure: IA API failed with 503/),
    });
    expect(failed.attemptsSeen).toBe(10);
    const resumed = await runSweep(deps({ ia: fast, settings }));
    expect(resumed).toMatchObject({ status: 'full-walk', attemptsSeen: 20 });
    expect((await alerts()).map((a) => a.attemptId).sort()).toEqual([...ids].sort());
  });

  it('runs as the Lambda handler, and a second concurrent run stands aside', async () => {
    seedList(3, { needsReview: 1 });
    const handler = await loadHandler<
      (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ status: string }>
    >('sweep', { ...sweepEnvironment(resources, ia.url), IA_RATE_PER_SECOND: '1000', SWEEP_INTERVAL_SECONDS: '60' });
    // The first run holds the lease while IA is slow; the second starts once it is taken (moto does
    // not serialise two conditional writes that arrive together, as DynamoDB does).
    ia.inject(`${LIST}:1`, { kind: 'latency', ms: 1500 });
    const first = handler({}, lambdaContext('sweep', 60_000));
    const leased = async () =>
      (
        await dynamodb.send(
          new GetItemCommand({
            TableName: resources.stateTableName,
            Key: { attemptId: { S: CURSOR_KEY } },
            ConsistentRead: true,
          }),
        )
      ).Item?.leaseOwner !== undefined;
    while (!(await leased())) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await handler({}, lambdaContext('sweep', 60_000));
    expect([(await first).status, second.status]).toEqual(['full-walk', 'busy']);
    expect((await alerts()).filter((x) => x.eventType === 'review.needed')).toHaveLength(3);
  });
});
