/**
 * The simulation's in-memory cloud held to the real API: the same cases, through the product's own
 * adapters, Powertools idempotency and real SDK clients, against moto and against the in-memory
 * cloud, on the stack deployed onto each by the same walker (local/deployment.ts). When the two
 * disagree, the simulation is testing a cloud that does not exist.
 */

import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from '@jest/globals';
import * as events from 'aws-cdk-lib/aws-events';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { countAwaiting, listAwaiting } from '#lib/adapters/awaiting-review.js';
import { createDedupe } from '#lib/adapters/dedupe.js';
import { legacyKeyPrefixes } from '#lib/adapters/legacy-key-prefixes.js';
import { publishAlertEvent } from '#lib/adapters/publish.js';
import { createAlertPublisher, createIdempotency } from '#lib/adapters/publish-once.js';
import { deadLetter, delayRecord, outgoingChecks } from '#lib/adapters/queues.js';
import { secretReader } from '#lib/adapters/secrets.js';
import { dynamoSlotStore } from '#lib/adapters/shared-pacer.js';
import { dynamoCursorStore } from '#lib/adapters/sweep-cursor.js';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { buildAlert } from '#lib/domain/alert.js';
import { EffectInProgressError, StateConflictError } from '#lib/domain/errors.js';
import { type AttemptState, AWAITING_REVIEW } from '#lib/domain/lifecycle.js';
import { AlertEventType, WebhookSourceKind } from '../../infra/index.js';
import { type Deployment, deploy } from '../../local/deployment.js';
import { awsClients } from '../../local/provision.js';
import { apiProvisioner } from '../../local/provisioner.js';
import { synthesize } from '../../local/synth.js';
import { MemoryCloud } from '../../sim/aws/cloud.js';
import { memoryProvisioner } from '../../sim/aws/provisioner.js';
import { memoryRequestHandler } from '../../sim/aws/wire.js';

type Clients = ReturnType<typeof awsClients>;

const template = synthesize(
  (stack) => ({
    alertEmails: ['ops@example.com'],
    slackChannels: [{ name: 'reviews', eventTypes: [AlertEventType.REVIEW_NEEDED] }],
    iaAccounts: [{ name: 'agency-a' }, { name: 'agency-b' }],
    sources: [{ name: 'ats', kind: WebhookSourceKind.STANDARD_WEBHOOKS, attemptIdPath: 'data.attemptId' }],
    alertBus: events.EventBus.fromEventBusName(stack, 'DefaultBus', 'default'),
  }),
  'Contract',
);

const memoryClients = (cloud: MemoryCloud): Clients => {
  const config = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'memory', secretAccessKey: 'memory' },
    requestHandler: memoryRequestHandler(cloud),
  };
  return {
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    secrets: new SecretsManagerClient(config),
    events: new EventBridgeClient(config),
    ssm: new SSMClient(config),
  };
};

const BACKENDS: Array<[string, () => { clients: Clients; provisioner: ReturnType<typeof apiProvisioner> }]> = [
  [
    'moto',
    () => {
      const clients = awsClients(process.env.MOTO_ENDPOINT as string);
      return { clients, provisioner: apiProvisioner(clients) };
    },
  ],
  [
    'memory',
    () => {
      const cloud = new MemoryCloud({ now: () => Date.now(), later: (ms, task) => void setTimeout(task, ms) });
      return { clients: memoryClients(cloud), provisioner: memoryProvisioner(cloud) };
    },
  ],
];

/** What automation tools put on the default bus, and one of the product's own alert events. */
const TRIGGER_EVENTS = [
  { Source: 'ats', DetailType: 'x', Detail: JSON.stringify({ attemptId: 'e1' }) },
  { Source: 'ats', DetailType: 'x', Detail: JSON.stringify({ attemptId: 'e2', account: 'agency-b' }) },
  { Source: 'ats', DetailType: 'x', Detail: JSON.stringify({ assignmentId: 'g1', account: 'agency-a' }) },
  {
    Source: 'ia-review-alerts',
    DetailType: 'review.needed',
    Detail: JSON.stringify({ attemptId: 'e3', account: 'agency-b' }),
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages on a queue, received once (visibility 0 so the next case sees them again if it wants). */
const receive = async (sqs: SQSClient, queueUrl: string, wait = 1) => {
  // SNS and EventBridge deliver a moment after they accept.
  await sleep(100);
  const messages = [];
  for (let round = 0; round < 5; round++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: wait,
        MessageAttributeNames: ['All'],
        AttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
    if (Messages.length === 0) break;
  }
  return messages;
};

const waiting = (id: string, since: string): AttemptState => ({
  attemptId: id,
  firstSeenAt: since,
  lastCheckedAt: since,
  lastDecision: 'review.needed',
  rechecks: 0,
  remindersSent: 0,
  version: 0,
  reviewNeededAt: since,
  awaiting: AWAITING_REVIEW,
  awaitingSince: since,
  snapshot: { id, scoringCompleted: false, pendingReviewCount: 1, assessment: {}, reviewItems: [] },
});

describe.each(BACKENDS)('the stack’s AWS, on %s', (_backend, make) => {
  const { clients, provisioner } = make();
  let deployment: Deployment;
  let env: Record<string, string>;
  let slackQueueUrl: string;

  beforeAll(async () => {
    deployment = await deploy(template, provisioner, { stackName: `contract-${randomBytes(3).toString('hex')}` });
    env = deployment.function('check').env;
    slackQueueUrl = (
      JSON.parse(deployment.function('notify-slack').env.SLACK_CHANNELS as string) as Array<{ queueUrl: string }>
    )[0]?.queueUrl as string;
  }, 60_000);

  it('state: optimistic locking, batch reads, 404 memory, the sparse awaiting-review index oldest first', async () => {
    const states = dynamoStateStore(clients.dynamodb, env.STATE_TABLE_NAME as string);
    await states.put(waiting('b', '2026-12-02T00:00:00.000Z'));
    await states.put(waiting('a', '2026-12-01T00:00:00.000Z'));
    await expect(states.put(waiting('a', '2026-12-01T00:00:00.000Z'))).rejects.toBeInstanceOf(StateConflictError);
    const { awaiting: _a, awaitingSince: _s, ...done } = waiting('c', '2026-12-03T00:00:00.000Z');
    await states.put(done);
    await states.rememberMissing('gone', new Date(Date.now() + 60_000));
    await states.rememberMissing('a', new Date(Date.now() + 60_000)); // real state wins
    expect((await states.get('a')) as AttemptState).toMatchObject({ version: 1, lastDecision: 'review.needed' });
    expect([...(await states.getMany(['a', 'gone', 'nope'])).keys()].sort()).toEqual(['a', 'gone']);
    expect([...(await states.getMany(['a', 'gone', 'nope'], { eventually: true })).keys()].sort()).toEqual([
      'a',
      'gone',
    ]);
    expect(
      (await listAwaiting(clients.dynamodb, env.STATE_TABLE_NAME as string, states)).map((s) => s.attemptId),
    ).toEqual(['a', 'b']);
    expect(await countAwaiting(clients.dynamodb, env.STATE_TABLE_NAME as string)).toEqual({
      count: 2,
      oldestSince: '2026-12-01T00:00:00.000Z',
    });
  });

  it('trigger health: counters added without a read, old days dropped, the sweep’s count reset by an event', async () => {
    const health = dynamoTriggerHealth(clients.dynamodb, env.STATE_TABLE_NAME as string);
    const day = (n: number) => new Date(Date.parse('2026-12-01T12:00:00Z') + n * 86_400_000);
    const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);
    const run = (at: Date) => ({ since: minutes(at, -5), at });
    await health.recordSweepOnly([{ name: 'greenhouse' }, { name: 'lever' }], 2, run(day(0)));
    await health.recordEvent({ name: 'greenhouse' }, day(0));
    await health.recordEvent({ name: 'greenhouse' }, day(0));
    await health.recordEvent({ name: 'greenhouse' }, day(9)); // day 0 falls out
    // A run that began before the event found these before it, or cannot tell: not held against it.
    await health.recordSweepOnly([{ name: 'greenhouse' }], 4, run(minutes(day(9), 2)));
    await health.recordSweepOnly([{ name: 'greenhouse' }], 3, run(minutes(day(9), 10)));
    const read = await health.read([{ name: 'greenhouse' }, { name: 'lever' }, { name: 'never' }]);
    expect(read.get('greenhouse')).toEqual({
      days: { '2026-12-10': 1 },
      lastEventAt: day(9).toISOString(),
      sweepOnly: 3,
      lastSweepOnlyAt: minutes(day(9), 10).toISOString(),
    });
    expect(read.get('lever')).toEqual({ days: {}, sweepOnly: 2, lastSweepOnlyAt: day(0).toISOString() });
    expect(read.has('never')).toBe(false);
  });

  it('pacing: a slot booked only by compare-and-set', async () => {
    const slots = dynamoSlotStore(clients.dynamodb, env.RATE_LIMIT_TABLE_NAME as string);
    expect(await slots.swap('k', undefined, 5)).toBe(true);
    expect(await slots.swap('k', undefined, 6)).toBe(false);
    expect(await slots.swap('k', 4, 6)).toBe(false);
    expect(await slots.swap('k', 5, 7)).toBe(true);
    expect(await slots.read('k')).toBe(7);
    expect(await slots.read('none')).toBeUndefined();
  });

  it('dedupe: new once, pending until settled, forgotten on request, new again once expired', async () => {
    const dedupe = createDedupe(clients.dynamodb, deployment.function('ingest').env.DEDUPE_TABLE_NAME as string);
    expect(await dedupe.remember('e1', 60)).toBe(true);
    expect(await dedupe.remember('e1', 60)).toBe(true); // still pending: a retry after a crash takes it
    await dedupe.settle(['e1']);
    expect(await dedupe.remember('e1', 60)).toBe(false);
    await dedupe.forget('e1');
    expect(await dedupe.remember('e1', 60)).toBe(true);
    await dedupe.settle(['e1', 'never-remembered']).catch(() => undefined);
    expect(await dedupe.remember('short', 1)).toBe(true);
    await dedupe.settle(['short']);
    await sleep(2_100);
    expect(await dedupe.remember('short', 1)).toBe(true);
  });

  it('the sweep cursor: one lease at a time, released only by its owner', async () => {
    const table = env.STATE_TABLE_NAME as string;
    const first = dynamoCursorStore(clients.dynamodb, table, 'run-1', 'contract#cursor');
    const second = dynamoCursorStore(clients.dynamodb, table, 'run-2', 'contract#cursor');
    const now = new Date();
    expect(await first.acquire(now, new Date(now.getTime() + 60_000))).toEqual({ nextPage: 1 });
    expect(await second.acquire(now, new Date(now.getTime() + 60_000))).toBeUndefined();
    await expect(second.release({ nextPage: 9 })).rejects.toThrow();
    await first.release({ nextPage: 3 });
    expect(await second.acquire(now, new Date(now.getTime() + 60_000))).toEqual({ nextPage: 3 });
  });

  it('exactly once: a repeat is a duplicate, a failure frees the key, an in-progress key waits for its invocation', async () => {
    const idempotency = createIdempotency({
      dynamodb: clients.dynamodb,
      tableName: env.IDEMPOTENCY_TABLE_NAME as string,
      expiresAfterSeconds: 3600,
    });
    let runs = 0;
    const once = idempotency.once(
      async (fail: boolean) => {
        runs += 1;
        if (fail) throw new Error('refused');
      },
      () => `k-${_backend}`,
    );
    await expect(once(true)).rejects.toThrow('refused');
    expect(await idempotency.doneAt(`k-${_backend}`)).toBeUndefined();
    const before = Math.floor(Date.now() / 1000) * 1000;
    expect(await once(false)).toBe('done');
    expect(await once(false)).toBe('duplicate');
    expect(runs).toBe(2);
    // When it was done, read back from its record (what recalls a review.needed whose look died
    // unsaved): to the second, as the record's expiry is kept in whole seconds.
    const doneAt = (await idempotency.doneAt(`k-${_backend}`))?.getTime() ?? 0;
    expect(doneAt).toBeGreaterThanOrEqual(before);
    expect(doneAt).toBeLessThanOrEqual(Date.now() + 1000);
    // A record left in progress by an invocation that died: with its context, it expires with it.
    const stuck = idempotency.once(
      async () => new Promise<void>(() => undefined),
      (key: string) => key,
    );
    idempotency.config.registerLambdaContext({ getRemainingTimeInMillis: () => 300 } as never);
    void stuck('dies');
    await sleep(100);
    // Taken and not done: it may or may not have happened (what a recall treats as maybe sent).
    expect(await idempotency.takenAt('dies')).toMatchObject({ done: false, exact: false });
    expect(await idempotency.doneAt('dies')).toBeUndefined();
    // Done by this version: its record says exactly when.
    const taken = await idempotency.takenAt(`k-${_backend}`);
    expect(taken).toMatchObject({ done: true, exact: true });
    expect(taken?.at.getTime()).toBeGreaterThanOrEqual(before);
    expect(taken?.at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await idempotency.takenAt('never')).toBeUndefined();
    const retry = idempotency.once(
      async () => undefined,
      (key: string) => key,
    );
    await expect(retry('dies')).rejects.toBeInstanceOf(EffectInProgressError);
    await sleep(400);
    expect(await retry('dies')).toBe('done');
  });

  it('alerts: a body per protocol, attributes, subscriptions filtered; too large refused; the bus refuses an unknown bus', async () => {
    const alert = buildAlert(
      'review.needed',
      { id: 'att-1', scoringCompleted: false, pendingReviewCount: 1, assessment: {}, reviewItems: [] },
      { now: new Date(), settings: { includeCandidateEmail: false } },
    );
    const publish = createAlertPublisher(
      createIdempotency({
        dynamodb: clients.dynamodb,
        tableName: env.IDEMPOTENCY_TABLE_NAME as string,
        expiresAfterSeconds: 60,
      }),
      clients.sns,
      { alertsTopicArn: env.ALERTS_TOPIC_ARN as string },
    );
    expect(await publish({ ...alert, account: 'agency-b' })).toBe('published');
    expect(await publish({ ...alert, eventType: 'attempt.scored', account: 'agency-b' })).toBe('published');
    const slack = await receive(clients.sqs, slackQueueUrl);
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]?.Body ?? '{}')).toMatchObject({ eventType: 'review.needed', attemptId: 'att-1' });
    expect(slack[0]?.MessageAttributes?.account?.StringValue).toBe('agency-b');
    const huge = { ...alert, attemptId: 'att-2', assessmentName: 'x'.repeat(300_000) };
    await expect(publish(huge)).rejects.toThrow(/too long|InvalidParameter/i);
    // (EventBridge itself accepts and drops an event for a bus that does not exist; moto refuses it.)
    await expect(publishAlertEvent(clients.events, 'no-such-bus')(alert)).rejects.toThrow();
  });

  it('events: the trigger’s patterns take requests, with and without an account, and never the alerts’ own events', async () => {
    // The template's own patterns, each on a rule to a probe queue of its own. (Its input
    // transformers are checked on the in-memory cloud only, below: moto inserts a string variable
    // without its quotes, where EventBridge — and CDK's RuleTargetInput.fromObject — inserts JSON.)
    const patterns = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern)
      .map((r) => r.Properties?.EventPattern as Record<string, unknown>)
      .filter((pattern) => JSON.stringify(pattern).includes('anything-but'));
    expect(patterns).toHaveLength(4);
    // On a bus of its own: moto fails every PutEvents the stack's transformers would handle.
    const suffix = randomBytes(3).toString('hex');
    const bus = `probe-${suffix}`;
    await provisioner.bus(bus);
    const probe = await provisioner.queue(`probe-${_backend}-${suffix}`, {
      visibilitySeconds: 30,
      retentionSeconds: 3600,
    });
    for (const [i, pattern] of patterns.entries())
      await provisioner.rule(bus, { name: `probe-${i}-${suffix}`, pattern, targets: [{ arn: probe.arn }] });
    await clients.events.send(
      new PutEventsCommand({ Entries: TRIGGER_EVENTS.map((entry) => ({ ...entry, EventBusName: bus })) }),
    );
    await sleep(500);
    const matched = (await receive(clients.sqs, probe.url)).map(
      (m) => (JSON.parse(m.Body ?? '{}') as { detail: unknown }).detail,
    );
    expect(matched.map((d) => JSON.stringify(d)).sort()).toEqual(
      [{ attemptId: 'e1' }, { attemptId: 'e2', account: 'agency-b' }, { assignmentId: 'g1', account: 'agency-a' }]
        .map((d) => JSON.stringify(d))
        .sort(),
    );
  });

  it('queues: re-checks ten to a call with their delays, a record parked, a dead letter with its reason, redrive past the receive count', async () => {
    const checksUrl = env.CHECKS_QUEUE_URL as string;
    await receive(clients.sqs, checksUrl, 0);
    const outgoing = outgoingChecks(clients.sqs, checksUrl);
    for (let i = 0; i < 12; i++) outgoing.add({ attemptId: `r${i}` }, i < 11 ? 0 : 900, 'record-1');
    outgoing.add({ attemptId: 'dropped' }, 0, 'record-2');
    expect(await outgoing.flush(new Set(['record-1']))).toEqual({ unsent: [] });
    const visible = await receive(clients.sqs, checksUrl);
    expect(visible.map((m) => (JSON.parse(m.Body ?? '{}') as { attemptId: string }).attemptId).sort()).toEqual(
      Array.from({ length: 11 }, (_, i) => `r${i}`).sort(),
    );
    await delayRecord(clients.sqs, checksUrl)(visible[0]?.ReceiptHandle as string, 600);
    const dlqUrl = deployment.function('check').env.DEAD_LETTER_QUEUE_URL as string;
    await deadLetter(clients.sqs, dlqUrl, 'check')('{"attemptId":"x"}', { code: 'not_found', message: 'gone' });
    const [dead] = await receive(clients.sqs, dlqUrl);
    expect(dead?.MessageAttributes?.failureCode?.StringValue).toBe('not_found');
    expect(dead?.MessageAttributes?.failedBy?.StringValue).toBe('check');
  });

  it('secrets and parameters: a key as text or JSON, the names of the functions whose old keys count', async () => {
    const checkSecret = JSON.parse(env.IA_ACCOUNTS as string)[0].apiKeySecret as string;
    // The stack makes it empty: the function says how to set it.
    await expect(
      secretReader(clients.secrets)(checkSecret, { jsonField: 'apiKey', what: 'IA API key' }),
    ).rejects.toThrow(/holds no IA API key: set it with/);
    const names = await legacyKeyPrefixes({
      functionName: 'mine',
      parameter: { ssm: clients.ssm, name: env.LEGACY_KEY_PREFIXES_PARAMETER as string },
    })();
    expect(names).toEqual(['mine', deployment.function('check').name, deployment.function('sweep').name]);
  });
});

describe('the trigger’s input transformers, on the in-memory cloud', () => {
  it('turn each event into the check request the queue takes, the account carried', async () => {
    const cloud = new MemoryCloud({ now: () => Date.now(), later: (ms, task) => void setTimeout(task, ms) });
    const clients = memoryClients(cloud);
    const deployment = await deploy(template, memoryProvisioner(cloud), { stackName: 'transformers' });
    const checksUrl = deployment.function('check').env.CHECKS_QUEUE_URL as string;
    await clients.events.send(new PutEventsCommand({ Entries: TRIGGER_EVENTS }));
    await sleep(50);
    const requests = (await receive(clients.sqs, checksUrl, 0)).map((m) => {
      const { eventId, ...request } = JSON.parse(m.Body ?? '{}') as { eventId?: string };
      expect(eventId).toEqual(expect.any(String));
      return JSON.stringify(request);
    });
    expect(requests.sort()).toEqual(
      [
        { assignmentId: 'g1', account: 'agency-a', source: 'eventbridge' },
        { attemptId: 'e1', source: 'eventbridge' },
        { attemptId: 'e2', account: 'agency-b', source: 'eventbridge' },
      ]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
  });
});

describe('eventually consistent reads, on the in-memory cloud (moto is always consistent)', () => {
  it('miss a write of the last second only when told to, and never a consistent read', async () => {
    let now = Date.parse('2026-12-07T00:00:00Z');
    const cloud = new MemoryCloud({ now: () => now, later: (ms, task) => void setTimeout(task, ms) });
    const clients = memoryClients(cloud);
    const deployment = await deploy(template, memoryProvisioner(cloud), { stackName: 'eventual' });
    const states = dynamoStateStore(clients.dynamodb, deployment.function('check').env.STATE_TABLE_NAME as string);
    await states.put(waiting('a', '2026-12-01T00:00:00.000Z'));
    now += 5_000;
    await states.put({ ...((await states.get('a')) as AttemptState), lastDecision: 'attempt.scored' });
    const decisionOf = async (eventually: boolean) =>
      ((await states.getMany(['a'], { eventually })).get('a') as AttemptState | undefined)?.lastDecision;
    expect(await decisionOf(true)).toEqual('attempt.scored');
    cloud.staleRead = () => true;
    expect(await decisionOf(true)).toEqual('review.needed');
    expect(await decisionOf(false)).toEqual('attempt.scored');
    expect(((await states.get('a')) as AttemptState).lastDecision).toEqual('attempt.scored');
    now += 1_000;
    expect(await decisionOf(true)).toEqual('attempt.scored');
  });
});
