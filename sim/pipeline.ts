/**
 * The pipeline in the simulated world, as it is deployed: the stack is synthesised and deployed
 * onto the in-memory cloud (local/deployment.ts), and each of the five functions runs under its
 * own identity in containers of its own (sim/lambda.ts), made by the same factory its Lambda
 * entry calls, its AWS calls going through real SDK clients, its IA calls through ky to a model
 * of IA. Around them: Lambda's event sources and schedules, the HTTP API, EventBridge's rules
 * (the template's own), SNS's subscriptions, Slack's rate limit, senders and an operator. Only
 * I/O and time are the simulation's; every decision is the functions' own.
 */

import { createHash, createHmac } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Duration, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createIaClient } from '#lib/adapters/ia-client.js';
import { IDEMPOTENCY_KEY_PREFIX } from '#lib/adapters/publish-once.js';
import { dynamoSlotStore } from '#lib/adapters/shared-pacer.js';
import { DEFAULT_ACCOUNT } from '#lib/domain/accounts.js';
import { ALERT_EVENT_SOURCE } from '#lib/domain/alert.js';
import { walkAssignments } from '#lib/domain/assignment-walk.js';
import type { StoredRecord } from '#lib/domain/attempt-store.js';
import { claimLink } from '#lib/domain/claims/claim-link.js';
import { iaScheduleKey, pacedIntervalMs } from '#lib/domain/defaults.js';
import { type Notification, notificationKey } from '#lib/domain/notification.js';
import { keyPacer } from '#lib/domain/pacing.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import { loadWatchSettings } from '#lib/runtime/config.js';
import type { FunctionRuntime } from '#lib/runtime/function-runtime.js';
import { redrive } from '../cli/redrive-command.js';
import { WebhookSourceKind } from '../infra/index.js';
import { type Deployment, deploy, type FunctionKind } from '../local/deployment.js';
import { FUNCTION_FACTORIES } from '../local/function-factories.js';
import { synthesize } from '../local/synth.js';
import { type MemoryCloud as Cloud, MemoryCloud } from './aws/cloud.js';
import { memoryProvisioner } from './aws/provisioner.js';
import { type AwsCall, memoryRequestHandler } from './aws/wire.js';
import { IaModel, type SimAttempt, TIME } from './ia-model.js';
import {
  type Container,
  type ContainerFaults,
  FunctionService,
  type Handler,
  invokeAsync,
  startEventSource,
  unsignedAuth,
} from './lambda.js';
import { logSink } from './quiet.js';
import { Random } from './random.js';
import { type ExecutionContext, executionContexts, VirtualTime } from './virtual-time.js';

export interface SimOptions {
  seed: number;
  days: number;
  assignmentsPerDay: number;
  /** Chance that a process dies before any one of its writes. */
  crashRate?: number;
  /** IA accounts, each its own model of IA (the same ids in each), key, sweep and webhook source. @default 1 */
  accounts?: number;
  /** Every alert also as an event on the default bus, where the checks' EventBridge trigger listens. @default on for odd seeds */
  alertBus?: boolean;
  /** How often faults happen, relative to the default rates. @default 1 */
  faultScale?: number;
  /**
   * The sweep: every 5 minutes (`normal`), every hour (`slow`), or never run (`off`: its schedule
   * lost), so that triggers alone carry the promise. @default normal
   */
  sweep?: SweepMode;
  /** Keep every trace line between these two ISO times. */
  keepTrace?: [string, string];
  /** Trace every AWS call too (its function, operation and input): what a replay needs to see a key's writes. */
  traceCalls?: boolean;
}

export type SweepMode = 'normal' | 'slow' | 'off';

/** What a check recorded about one attempt (its log), as the oracle reads it. */
export interface CheckOutcome {
  at: number;
  attemptId: string;
  action: string;
  account?: string;
  eventId?: string;
  source?: string;
}

export interface Published {
  at: number;
  notification: Notification;
  bytes: number;
  /** What the email subscription received: the SNS subject and the message's email body. */
  email: { subject: string | undefined; body: string | undefined };
}

export interface Delivery {
  eventId: string;
  /** The IA account whose source the event went to. */
  account: string;
  at: number;
  /** How it came: a signed webhook through the HTTP API, or an event on the default bus. */
  via: 'webhook' | 'eventbridge';
  attemptId?: string;
  assignmentId?: string;
  statuses: number[];
  /** When the stack first answered 2xx: the event was taken. */
  acceptedAt?: number;
  /**
   * Where the 15 minutes to its check start: the first answer that was not a 502 from an ingest that
   * died (an injected crash: no acceptance, the sender retries). A 5xx the function chose, or one
   * from a thrown error, counts from itself: that would be the product's doing.
   */
  countFrom?: number;
  bodies: Array<Record<string, unknown>>;
}

const START = Date.UTC(2026, 0, 5, 6, 0, 0);
const STACK = 'Sim';
/** Standard Webhooks' own retry schedule after a failed delivery. */
const SENDER_RETRIES_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const ACCOUNT_NAMES = ['agency-a', 'agency-b', 'agency-c'];
const SLACK_CHANNEL = 'reviews';
const SLACK_HOST = 'hooks.slack.com';
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** The claims secret's email-link key (claims are on in the simulated stack). */
const CLAIM_LINK_KEY = 'sim-claim-link-key-'.padEnd(40, 'k');
const CLAIM_PAGE = 'https://sim.example/claims/email';
/** The Slack app's signing secret (the claims secret's `slackSigningSecret`). */
const SLACK_SIGNING_SECRET = 'sim-slack-signing-secret-00000000';
/** The "I'm on it" button's `action_id` (claims/slack-interaction.ts), as Slack sends it back. */
const SLACK_CLAIM_ACTION = 'ia-review-claim';

/** A reviewer's "I'm on it" through an email link's form or a Slack post's button, and what ingest answered. */
export interface ClaimRequest {
  account: string;
  attemptId: string;
  at: number;
  by: string;
  /** Made at the same instant as another person's for the same attempt. */
  racing: boolean;
  statusCode?: number;
  /** The claim was recorded for this person by this request. */
  claimed?: boolean;
  /** Answered that someone else holds it. */
  held?: boolean;
  /** Who, as the answer says. */
  heldBy?: string;
  /** Clicked in Slack: the post whose button it was, ingest's answer, and what it sent to the click's `response_url`. */
  slack?: { post: SlackPost; status?: string; reply?: unknown };
}

export interface SlackPost {
  at: number;
  channel: string;
  body: unknown;
}
/** Any two containers' clocks within this of each other (pacing.ts CLOCK_SKEW_SHARE at 1 request/s). */
export const CLOCK_SKEW_MS = 29;
/** How many times a reviewer clicks "I'm on it" when the page errs. */
const CLAIM_CLICKS = 3;
/** How soon after IA takes the key again the on-call operator has redriven the dead letters. */
export const OPERATOR_REDRIVES_WITHIN = 2 * TIME.HOUR;

export type World = Awaited<ReturnType<typeof buildWorld>>;

export const buildWorld = async (options: SimOptions) => {
  const time = new VirtualTime(START);
  const world = new Random(options.seed);
  const faults = new Random(options.seed * 7919 + 17);
  // Jitter in the SDK's and ky's retries, Powertools' and ours: seeded like the rest.
  const jitter = new Random(options.seed * 31 + 5);
  const end = START + options.days * TIME.DAY;
  const faultScale = options.faultScale ?? 1;
  const crashRate = (options.crashRate ?? 0.002) * faultScale;
  const sweepMode: SweepMode = options.sweep ?? 'normal';
  const alertBus = options.alertBus ?? options.seed % 2 === 1;
  const trace: string[] = [];
  /** Every line of a window of interest, kept whole (replaying a violation: `--trace-from/--trace-to`). */
  const kept: string[] = [];
  const log = (line: string) => {
    const stamped = `${new Date(time.now()).toISOString()} ${line}`;
    trace.push(stamped);
    if (trace.length > 20_000) trace.splice(0, 10_000);
    if (options.keepTrace && stamped >= options.keepTrace[0] && stamped <= options.keepTrace[1]) kept.push(stamped);
  };
  const labelled = (options.accounts ?? 1) > 1;
  const accounts = Array.from({ length: options.accounts ?? 1 }, (_, i) => {
    const rng = i === 0 ? world : new Random(options.seed * 104_729 + i);
    const rngFaults = i === 0 ? faults : new Random(options.seed * 7919 + 17 + i * 31);
    const name = labelled ? (ACCOUNT_NAMES[i] as string) : DEFAULT_ACCOUNT;
    const apiKey = `sim-key-${name}`;
    return {
      name,
      rng,
      apiKey,
      source: labelled ? `ats-${name}` : 'ats',
      ia: new IaModel(
        rng,
        rngFaults,
        time,
        START,
        { assignmentsPerDay: options.assignmentsPerDay, end, apiKey },
        (line) => log(labelled ? `[${name}] ${line}` : line),
      ),
    };
  });
  type Account = (typeof accounts)[number];
  const ia = (accounts[0] as Account).ia;

  // --- the stack, synthesised and deployed onto the in-memory cloud -----------------------------
  const template = synthesize(
    (stack: Stack) => ({
      alertEmails: ['ops@example.com'],
      // Between the first and second reminder, so both paths run in every seed.
      escalateAfter: Duration.hours(30),
      escalationEmails: ['head-of-talent@example.com'],
      slackChannels: [{ name: SLACK_CHANNEL }],
      teamsChannels: [
        {
          name: 'hiring',
          teamId: '00000000-0000-4000-8000-000000000001',
          channelId: '19%3Asim%40thread.tacv2',
          tenantId: '00000000-0000-4000-8000-000000000002',
        },
      ],
      iaAttemptUrlTemplate: 'https://app.example/attempts/{attemptId}',
      ...(sweepMode === 'slow' ? { sweepInterval: Duration.hours(1) } : {}),
      sources: accounts.map((account) => ({
        name: account.source,
        kind: WebhookSourceKind.STANDARD_WEBHOOKS,
        attemptIdPath: 'data.attemptId',
        assignmentIdPath: 'data.assignmentId',
        ...(labelled ? { account: account.name } : {}),
      })),
      ...(labelled ? { iaAccounts: accounts.map((account) => ({ name: account.name })) } : {}),
      ...(alertBus ? { alertBus: events.EventBus.fromEventBusName(stack, 'DefaultBus', 'default') } : {}),
      claims: true,
    }),
    STACK,
  );
  const cloud = new MemoryCloud(
    { now: () => time.now(), later: (ms, task) => time.spawn(time.now() + ms, 'delivery', task) },
    () => faults.int(20, 400),
  );
  // An eventually consistent read of an item written a moment ago misses the write this often. The
  // moment is ten seconds, not DynamoDB's usual one, so that a check and the sweep meet in it.
  cloud.staleWindowMs = 10_000;
  const staleReads = { served: 0 };
  // A stream of its own: the other faults draw as they did before stale reads were modelled.
  const staleness = new Random(options.seed * 7919 + 101);
  cloud.staleRead = () => {
    const stale = staleness.chance(Math.min(1, 0.5 * faultScale));
    if (stale) staleReads.served += 1;
    return stale;
  };
  const deployment: Deployment = await deploy(template, memoryProvisioner(cloud), {
    stackName: STACK,
    secretValue: (logicalId, properties) => {
      if (/IaApiKey/.test(logicalId)) {
        const named = /of account ([a-z0-9-]+)/.exec(String(properties.Description ?? ''))?.[1];
        return JSON.stringify({ apiKey: (accounts.find((a) => a.name === named) ?? (accounts[0] as Account)).apiKey });
      }
      if (/SlackWebhook/.test(logicalId)) return `https://${SLACK_HOST}/services/T0SIM/B0SIM/${SLACK_CHANNEL}`;
      if (/IngestSource/.test(logicalId)) return SIGNING_SECRET;
      if (/ClaimsSecret/.test(logicalId))
        return JSON.stringify({ linkKey: CLAIM_LINK_KEY, slackSigningSecret: SLACK_SIGNING_SECRET });
      return undefined;
    },
  });

  // From here on the process runs on the simulation's clock and seeded randomness.
  time.install();
  Math.random = () => jitter.next();

  // --- faults ------------------------------------------------------------------------------------
  const crashes: string[] = [];
  /**
   * Alerts SNS accepted from a process that died before completing their exactly-once key: the
   * one window no design closes without a transactional SNS, where a retry publishes again.
   */
  const atLeastOnce: Array<{ at: number; key: string; cause: 'died' | 'refused' | 'answer-lost' }> = [];
  /**
   * Alerts a process was about to publish when it died, holding their keys in progress: nobody,
   * the product included, can tell whether they went out.
   */
  const unknownOutcome: Array<{ at: number; notification: Notification }> = [];
  /**
   * Alert keys a process put in progress and never heard it had: the write landed, its answer was
   * lost, and the SDK's retry found the key held (seed 4013). The look fails before publishing, and
   * the key stays held: like a key whose process died, nobody can tell whether its alert went out.
   */
  const lostKeyWrites: Array<{ at: number; id: string }> = [];
  const idempotencyTable = deployment.function('check').env.IDEMPOTENCY_TABLE_NAME as string;
  const alertsTopicArnOfStack = deployment.function('check').env.ALERTS_TOPIC_ARN as string;
  const WRITES = /^(Put|Update|Delete|Send|Publish|ChangeMessage)/;
  /** The idempotency record of an effect's key, as Powertools names it (prefix, then the key's hash). */
  const recordId = (key: string) =>
    `${IDEMPOTENCY_KEY_PREFIX}#${createHash('md5').update(JSON.stringify(key)).digest('base64')}`;
  /** A channel's post (Slack, chat) is keyed by channel, which the harness does not rebuild: any completion ends it. */
  const CHANNEL_POST = 'channel-post';
  /** The key an alert, chat message or alert event is published under: the completing write names it. */
  /** The alert or digest a call publishes to the alerts topic. */
  const alertPublished = (call: AwsCall): Notification | undefined =>
    call.operation === 'Publish' && call.input.TopicArn === alertsTopicArnOfStack
      ? (JSON.parse((JSON.parse(String(call.input.Message)) as { default: string }).default) as Notification)
      : undefined;
  const publishedKey = (call: AwsCall): string | undefined => {
    const alert = alertPublished(call);
    if (alert) return notificationKey(alert);
    // A chat channel's custom notification (notify-slack), followed the same way.
    if (call.operation === 'Publish')
      return `chat:${(JSON.parse(String(call.input.Message)) as { metadata?: { threadId?: string } }).metadata?.threadId}`;
    // An alert event on the alert bus, followed the same way under its own key.
    if (call.operation === 'PutEvents') {
      const entry = (call.input.Entries as Array<{ Source?: string; Detail?: string }> | undefined)?.[0];
      if (entry?.Source !== ALERT_EVENT_SOURCE || !entry.Detail) return undefined;
      return `bus:${notificationKey(JSON.parse(entry.Detail) as Notification)}`;
    }
    return undefined;
  };
  /** The key whose completing write this is, if the process has one unconfirmed. */
  const completing = (container: Container, call: AwsCall) => {
    if (call.operation !== 'UpdateItem' || call.input.TableName !== idempotencyTable) return undefined;
    const id = (call.input.Key as { id?: { S?: string } } | undefined)?.id?.S ?? '';
    return container.unconfirmed.has(id) ? id : container.unconfirmed.has(CHANNEL_POST) ? CHANNEL_POST : undefined;
  };
  /** Follows each effect from its acceptance to its key's completion. */
  const followPublish = (container: Container, call: AwsCall) => {
    const key = publishedKey(call);
    if (key !== undefined)
      return async () => {
        container.unconfirmed.set(key.startsWith('chat:') ? CHANNEL_POST : recordId(key), key);
      };
    const id = completing(container, call);
    if (id !== undefined)
      return async () => {
        container.unconfirmed.delete(id);
      };
    return undefined;
  };
  /**
   * Alerts a process sent to SNS that had not arrived when it died (another call of its own
   * crashed it meanwhile): their keys stay in progress, as a crash before the publish leaves them
   * (seed 2573: the sweep published review.needed for one account while its call for another died).
   */
  const inFlight = new WeakMap<Container, Set<Notification>>();
  const containerFaults: ContainerFaults = {
    died(container) {
      for (const key of container.unconfirmed.values()) atLeastOnce.push({ at: time.now(), key, cause: 'died' });
      for (const notification of inFlight.get(container) ?? []) unknownOutcome.push({ at: time.now(), notification });
    },
    call(container, call) {
      const who = `${container.service.options.definition.kind}#${container.id}`;
      if (options.traceCalls)
        log(`CALL ${who} ${call.service} ${call.operation} ${JSON.stringify(call.input).slice(0, 400)}`);
      const followed = followPublish(container, call);
      const write = WRITES.test(call.operation);
      if (write && faults.chance(crashRate)) {
        const unknown = alertPublished(call);
        if (unknown) unknownOutcome.push({ at: time.now(), notification: unknown });
        crashes.push(`${who} before ${call.service} ${call.operation}`);
        log(`CRASH ${who} before ${call.service} ${call.operation}`);
        return container.kill();
      }
      const r = faults.next();
      const refuse =
        r < 0.002 * faultScale
          ? { status: 400, code: 'ThrottlingException' }
          : r < 0.004 * faultScale
            ? { status: 500, code: 'InternalFailure' }
            : undefined;
      const latencyMs = faults.chance(0.002 * faultScale) ? faults.int(1_000, 4_000) : faults.int(2, 12);
      const answerLost = !refuse && faults.chance(0.001 * faultScale);
      if (refuse) log(`REFUSED ${who} ${call.service} ${call.operation}: ${refuse.code}`);
      if (answerLost) log(`ANSWER LOST ${who} ${call.service} ${call.operation}`);
      if (answerLost && call.operation === 'PutItem' && call.input.TableName === idempotencyTable)
        lostKeyWrites.push({ at: time.now(), id: (call.input.Item as { id?: { S?: string } }).id?.S ?? '' });
      const publishing = refuse ? undefined : alertPublished(call);
      if (publishing) inFlight.set(container, (inFlight.get(container) ?? new Set()).add(publishing));
      // The key's completing write refused: the retry finds it in progress, then expired, and sends again.
      const refused = refuse ? completing(container, call) : undefined;
      if (refused !== undefined)
        atLeastOnce.push({ at: time.now(), key: container.unconfirmed.get(refused) as string, cause: 'refused' });
      return {
        latencyMs,
        ...(refuse ? { refuse } : {}),
        ...(answerLost ? { answerLost } : {}),
        afterRun: async () => {
          if (publishing) inFlight.get(container)?.delete(publishing);
          await followed?.();
          // SNS took it and the caller heard a 500: the SDK publishes again (the same window).
          const lost = answerLost ? publishedKey(call) : undefined;
          if (lost !== undefined) atLeastOnce.push({ at: time.now(), key: lost, cause: 'answer-lost' });
          // SNS took the message, and the process dies before it hears so.
          if (call.operation === 'Publish' && faults.chance(crashRate)) {
            crashes.push(`${who} after SNS accepted`);
            log(`CRASH ${who} after SNS accepted a message`);
            await container.kill();
          }
        },
      };
    },
    clockOffsetMs: () => faults.between(-CLOCK_SKEW_MS / 2, CLOCK_SKEW_MS / 2),
    lateness: () => (faults.chance(0.01 * faultScale) ? faults.int(10, 120) : 0),
    idleLifeMs: () => faults.int(5, 60) * TIME.MINUTE,
    lifeMs: () => faults.int(60, 6 * 60) * TIME.MINUTE,
  };

  // --- what the functions record: each check's outcome per attempt ---------------------------------
  const checkOutcomes: CheckOutcome[] = [];
  logSink.write = (line) => {
    // Why a record comes back later: the trace of a late outcome starts here.
    if (line.includes('"record will be retried"')) {
      const { code, reason, receiveCount } = JSON.parse(line) as { code: string; reason: string; receiveCount: number };
      log(`retry (receive ${receiveCount}): ${code}: ${reason}`);
      return;
    }
    if (!line.includes('"attempt checked"')) return;
    const record = JSON.parse(line) as CheckOutcome & { message: string; lifecycle?: string; published?: string[] };
    log(
      `checked "${record.attemptId}" for ${record.eventId ?? 'no event'}: ${record.action}${record.lifecycle ? ` (${record.lifecycle})` : ''}${record.published?.length ? `, published ${record.published.join(' ')}` : ''}`,
    );
    checkOutcomes.push({
      at: time.now(),
      attemptId: record.attemptId,
      action: record.action,
      ...(record.account ? { account: record.account } : {}),
      ...(record.eventId ? { eventId: record.eventId } : {}),
      ...(record.source ? { source: record.source } : {}),
    });
  };

  // --- what the functions reach outside AWS: IA and Slack ----------------------------------------
  const slackPosts: SlackPost[] = [];
  /** What the functions sent to interactions' `response_url`s, by URL. */
  const slackReplies = new Map<string, unknown>();
  let lastSlackPost = Number.NEGATIVE_INFINITY;
  let slackThrottled = 0;
  const callerKind = () =>
    (executionContexts.getStore() as Container | undefined)?.service?.options.definition.kind ?? 'cli';
  for (const account of accounts) account.ia.caller = callerKind;
  const fetch = (async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    if (url.hostname === SLACK_HOST && url.pathname.startsWith('/actions/')) {
      slackReplies.set(url.toString(), await request.json());
      return new Response('ok', { status: 200 });
    }
    if (url.hostname === SLACK_HOST) {
      // Slack: about one post a second per webhook, else 429 with Retry-After.
      const t = time.now();
      if (t - lastSlackPost < 1000) {
        slackThrottled += 1;
        return new Response('rate_limited', { status: 429, headers: { 'retry-after': '1' } });
      }
      lastSlackPost = t;
      // The post stands; its process may die before notify-slack completes its key.
      const poster = executionContexts.getStore() as Container | undefined;
      const attempt = /"attempt ([A-Za-z0-9_-]+)[,"]/.exec(await request.clone().text())?.[1];
      poster?.unconfirmed.set(CHANNEL_POST, `slack:${attempt}`);
      slackPosts.push({ at: t, channel: url.pathname.split('/').pop() as string, body: await request.json() });
      return new Response('ok', { status: 200 });
    }
    const key = request.headers.get('authorization')?.replace(/^token /, '');
    const model = (accounts.find((a) => a.apiKey === key) ?? (accounts[0] as Account)).ia;
    return model.handle(request);
  }) as typeof globalThis.fetch;

  // --- the five functions ------------------------------------------------------------------------
  const services = new Map<FunctionKind, FunctionService>();
  for (const definition of deployment.functions) {
    const factory = (await FUNCTION_FACTORIES[definition.kind]()) as (runtime: FunctionRuntime) => Handler;
    services.set(
      definition.kind,
      new FunctionService({ definition, time, cloud, faults: containerFaults, factory, fetch, log }),
    );
  }
  const service = (kind: FunctionKind) => services.get(kind) as FunctionService;
  const byLogicalId = (id: string) =>
    [...services.values()].find((s) => s.options.definition.logicalId === id) as FunctionService;
  const checksMapping = deployment.eventSourceMappings.find(
    (m) => byLogicalId(m.functionLogicalId).options.definition.kind === 'check',
  );
  if (!checksMapping) throw new Error('the template has no event source for check');
  const checks = cloud.queue(checksMapping.queueArn);
  const dlq = cloud.queue(checks.settings.redrive?.targetArn as string);
  const alertsTopicArn = deployment.function('check').env.ALERTS_TOPIC_ARN as string;
  const stateTable = cloud.table(deployment.function('check').env.STATE_TABLE_NAME as string);

  /**
   * When checks died or timed out holding an attempt's message, by `<account>/<attemptId>`: each comes
   * back after the queue's visibility timeout, which holds up that attempt's next look (seed 2628).
   */
  const lostChecks = new Map<string, number[]>();
  /** The same, by the event a triggered check carries (seed 2688: three crashes on one, 18 minutes). */
  const lostEvents = new Map<string, number[]>();
  const lostCheck = (bodies: string[]) => {
    const remember = (map: Map<string, number[]>, key: string) => map.set(key, [...(map.get(key) ?? []), time.now()]);
    for (const body of bodies) {
      let message: { attemptId?: string; account?: string; eventId?: string };
      try {
        message = JSON.parse(body) as typeof message;
      } catch {
        continue;
      }
      if (message.eventId) remember(lostEvents, message.eventId);
      if (message.attemptId) remember(lostChecks, `${message.account ?? DEFAULT_ACCOUNT}/${message.attemptId}`);
    }
  };
  const startLambda = () => {
    for (const mapping of deployment.eventSourceMappings) {
      const target = byLogicalId(mapping.functionLogicalId);
      startEventSource(
        mapping,
        cloud.queue(mapping.queueArn),
        target,
        time,
        target.options.definition.kind === 'check' ? lostCheck : undefined,
      );
    }
  };

  // --- schedules: the sweep's rate, the digest's cron ---------------------------------------------
  const sweepSchedule = deployment.schedules.find(
    (s) => byLogicalId(s.functionLogicalId).options.definition.kind === 'sweep',
  );
  const [, every = '5', unit = 'minutes'] = /rate\((\d+) (\w+)\)/.exec(sweepSchedule?.expression ?? '') ?? [];
  const sweepIntervalMs = Number(every) * (unit.startsWith('hour') ? TIME.HOUR : TIME.MINUTE);
  let sweepRuns = 0;
  const scheduleSweeps = (from: number) => {
    if (sweepMode === 'off') return; // its schedule lost: triggers alone carry the promise
    for (let t = from; t < end; t += sweepIntervalMs) {
      const run = () => {
        sweepRuns += 1;
        return invokeAsync(service('sweep'), { source: 'aws.events', 'detail-type': 'Scheduled Event' }, time);
      };
      time.spawn(t, 'sweep', run);
      // EventBridge delivers at least once: now and then the same schedule runs twice at once.
      if (faults.chance(0.02)) time.spawn(t + faults.int(0, 5_000), 'sweep (twice)', run);
    }
  };
  const scheduleDigests = () => {
    const digest = deployment.schedules.find(
      (s) => byLogicalId(s.functionLogicalId).options.definition.kind === 'digest',
    );
    for (let day = START - (START % TIME.DAY); day < end; day += TIME.DAY) {
      const at = day + 8 * TIME.HOUR;
      const weekday = new globalThis.Date(at).getUTCDay();
      if (at < START || weekday === 0 || weekday === 6) continue;
      const scheduledAt = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const input = (digest?.input ?? '{}').replace('<aws.scheduler.scheduled-time>', scheduledAt);
      time.spawn(at, 'digest', () => invokeAsync(service('digest'), JSON.parse(input), time, 3));
    }
  };

  // --- the senders: signed webhooks through the HTTP API, events on the default bus --------------
  const deliveries: Delivery[] = [];
  const senderEvents = new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'sender', secretAccessKey: 'sender' },
    requestHandler: memoryRequestHandler(cloud),
  });
  let eventSeq = 0;
  const postWebhook = async (source: string, headers: Record<string, string>, body: string) => {
    const event = {
      version: '2.0',
      routeKey: 'POST /events/{source}',
      rawPath: `/events/${source}`,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...headers },
      pathParameters: { source },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: `/events/${source}` } },
    } as unknown as APIGatewayProxyEventV2;
    const result = await service('ingest').invoke(event);
    // The process died under it (an injected crash): API Gateway answers 502.
    if (result.outcome === 'crashed') return { statusCode: 502, body: {}, died: true };
    if (result.outcome !== 'returned') return { statusCode: 502, body: {}, died: false };
    const answer = result.value as APIGatewayProxyStructuredResultV2;
    return {
      statusCode: answer.statusCode ?? 500,
      body: JSON.parse(String(answer.body ?? '{}')) as Record<string, unknown>,
      died: false,
    };
  };
  const deliver = async (
    account: Account,
    payload: Record<string, unknown>,
    reference: { attemptId?: string; assignmentId?: string },
    via: Delivery['via'],
  ) => {
    eventSeq += 1;
    const delivery: Delivery = {
      eventId: `msg_sim${eventSeq}`,
      account: account.name,
      at: time.now(),
      via,
      ...reference,
      statuses: [],
      bodies: [],
    };
    deliveries.push(delivery);
    if (via === 'eventbridge') {
      // An automation tool's event on the default bus: the stack's trigger rules take it.
      const detail = { ...reference, ...(labelled ? { account: account.name } : {}) };
      const result = await senderEvents.send(
        new PutEventsCommand({
          Entries: [{ Source: 'ats.automation', DetailType: 'Assessment completed', Detail: JSON.stringify(detail) }],
        }),
      );
      delivery.statuses.push(result.FailedEntryCount ? 500 : 200);
      if (!result.FailedEntryCount) delivery.acceptedAt = time.now();
      delivery.countFrom = time.now();
      delivery.bodies.push({ eventId: result.Entries?.[0]?.EventId });
      log(`event ${delivery.eventId} ${JSON.stringify(reference)} put on the default bus`);
      return;
    }
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      const signed = signRequest(
        'standard-webhooks',
        body,
        SIGNING_SECRET,
        new globalThis.Date(time.now()),
        delivery.eventId,
      );
      const answer = await postWebhook(account.source, signed.headers, signed.body);
      delivery.statuses.push(answer.statusCode);
      if (answer.statusCode < 300) delivery.acceptedAt ??= time.now();
      if (!answer.died) delivery.countFrom ??= time.now();
      delivery.bodies.push(answer.body);
      log(`webhook ${delivery.eventId} ${JSON.stringify(reference)} answered ${answer.statusCode}`);
      const wait = SENDER_RETRIES_MS[attempt];
      if (answer.statusCode < 500 || wait === undefined) return;
      await time.sleep(wait);
    }
  };
  // --- reviewers: "I'm on it" through the email link or Slack's button, racing escalation, reminders and completion --
  const claims: ClaimRequest[] = [];
  const reviewers = new Random(options.seed * 31 + 7);
  // A stream of its own: the claims' times and people draw as they did before Slack's button.
  const channels = new Random(options.seed * 31 + 11);
  const invokeIngest = async (routeKey: string, headers: Record<string, string>, body: string) => {
    const [method, path] = routeKey.split(' ');
    const event = {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers,
      body,
      isBase64Encoded: false,
      requestContext: { http: { method, path } },
    } as unknown as APIGatewayProxyEventV2;
    const result = await service('ingest').invoke(event);
    if (result.outcome !== 'returned') return undefined;
    const answer = result.value as APIGatewayProxyStructuredResultV2;
    return { statusCode: answer.statusCode ?? 500, body: String(answer.body ?? '') };
  };
  /** One click of the link's form: the page, or nothing when the function died under it. */
  const clickEmailClaim = async (request: ClaimRequest) => {
    const subject = { attemptId: request.attemptId, ...(labelled ? { account: request.account } : {}) };
    const link = new URL(claimLink(CLAIM_PAGE, CLAIM_LINK_KEY, subject, new Date(time.now())));
    const body = new URLSearchParams({ t: link.searchParams.get('t') as string, by: request.by }).toString();
    const answer = await invokeIngest(
      'POST /claims/email',
      { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    );
    if (answer === undefined) return undefined;
    const fresh = answer.body.includes(`${request.by} is on it:`);
    return {
      statusCode: answer.statusCode,
      fresh,
      // "Already yours" to a first claim means it landed: a write that succeeded while the SDK saw
      // an error is retried, finds its own claim, and says so (seed 4148).
      claimed: answer.statusCode === 200 && (fresh || answer.body.includes('is already yours')),
      held: answer.statusCode === 409,
      heldBy: /already claimed by ([^<]+?) since /.exec(answer.body)?.[1],
    };
  };
  /** The claim button of a post, if it is one for this request's attempt. */
  const claimButtonOf = (post: SlackPost, request: ClaimRequest) =>
    ((post.body as { blocks?: Array<{ elements?: Array<Record<string, unknown>> }> }).blocks ?? [])
      .flatMap((block) => block.elements ?? [])
      .find((element) => {
        if (element.action_id !== SLACK_CLAIM_ACTION || typeof element.value !== 'string') return false;
        const value = JSON.parse(element.value) as { attemptId?: string; account?: string };
        return value.attemptId === request.attemptId && (!labelled || value.account === request.account);
      });
  let slackClicks = 0;
  /**
   * One click of a Slack post's button: Slack posts the interaction, signed with the app's secret,
   * and ingest answers the click's `response_url` with the message updated or a reply.
   */
  const clickSlackClaim = async (request: ClaimRequest, post: SlackPost) => {
    slackClicks += 1;
    const responseUrl = `https://${SLACK_HOST}/actions/T0SIM/${slackClicks}/${channels.int(10 ** 8, 10 ** 9)}`;
    const payload = {
      type: 'block_actions',
      user: { id: `U0${request.by.toUpperCase()}`, username: request.by.toLowerCase(), name: request.by },
      actions: [{ ...claimButtonOf(post, request), block_id: 'sim', action_ts: String(time.now() / 1000) }],
      message: { blocks: (post.body as { blocks?: unknown[] }).blocks ?? [] },
      response_url: responseUrl,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(Math.floor(time.now() / 1000));
    const signature = `v0=${createHmac('sha256', SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const answer = await invokeIngest(
      'POST /claims/slack',
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signature,
      },
      body,
    );
    if (answer === undefined) return undefined;
    const status = answer.statusCode === 200 ? (JSON.parse(answer.body) as { status?: string }).status : undefined;
    const reply = slackReplies.get(responseUrl);
    request.slack = { post, ...(status === undefined ? {} : { status }), ...(reply === undefined ? {} : { reply }) };
    const text = (reply as { text?: string } | undefined)?.text ?? '';
    return {
      statusCode: answer.statusCode,
      fresh: status === 'claimed',
      claimed: status === 'claimed' || status === 'already-yours',
      held: status === 'held',
      heldBy: status === 'held' ? /already claimed by (.+?) since /.exec(text)?.[1] : undefined,
    };
  };
  /**
   * A reviewer whose click got an error, or no answer (the function died under it), clicks again a
   * little later. The claim may have been written before it died (seed 4035): the next click then
   * says it is already theirs, and it counts from the first. Half of them click the button of the
   * latest Slack post that offers one, where there is one yet; the rest the email's link.
   */
  const postClaim = async (request: ClaimRequest) => {
    const post = channels.chance(0.5) ? slackPosts.findLast((p) => claimButtonOf(p, request) !== undefined) : undefined;
    for (let click = 1; ; click++) {
      const clickedAt = time.now();
      const answer = post ? await clickSlackClaim(request, post) : await clickEmailClaim(request);
      if ((answer === undefined || answer.statusCode >= 500) && click < CLAIM_CLICKS) {
        log(`claim of ${request.attemptId} by ${request.by}: ${answer?.statusCode ?? 'no answer'}, clicking again`);
        await time.sleep(reviewers.between(10_000, 2 * TIME.MINUTE));
        continue;
      }
      if (answer === undefined) return;
      request.statusCode = answer.statusCode;
      request.claimed = answer.claimed;
      // Recorded by this click, not an earlier one that died before its write.
      if (answer.claimed && answer.fresh) request.at = clickedAt;
      request.held = answer.held;
      if (answer.heldBy !== undefined) request.heldBy = answer.heldBy;
      log(
        `claim of ${request.attemptId} by ${request.by}${post ? ' in Slack' : ''}: ${request.statusCode}${request.claimed ? ' claimed' : ''}`,
      );
      return;
    }
  };
  /** A third of the attempts awaiting a review are claimed, some before their alert, some after escalation is due. */
  const scheduleClaims = (account: Account, attempt: SimAttempt) => {
    if (attempt.completeAt === undefined || attempt.reviews === 0 || !reviewers.chance(0.33)) return;
    const at = attempt.completeAt + reviewers.between(5 * TIME.MINUTE, 40 * TIME.HOUR);
    const people = reviewers.chance(0.2) ? ['Ada', 'Grace'] : [reviewers.pick(['Ada', 'Grace', 'Alan'] as const)];
    for (const by of people) {
      const request: ClaimRequest = { account: account.name, attemptId: attempt.id, at, by, racing: people.length > 1 };
      claims.push(request);
      time.spawn(at, 'claim', () => postClaim(request));
    }
  };

  const announce = (account: Account, assignmentId: string) => {
    const assignment = account.ia.assignment(assignmentId);
    for (const attempt of assignment?.attempts ?? []) announceAttempt(account, assignmentId, attempt);
  };
  const announceAttempt = (account: Account, assignmentId: string, attempt: SimAttempt) => {
    const { rng } = account;
    // Some ATSs fire when the candidate starts (a stage change naming the assignment).
    if (rng.chance(0.1)) {
      const reference = { assignmentId };
      time.spawn(attempt.startedAt + rng.exponential(TIME.MINUTE), 'webhook (started)', () =>
        deliver(account, { type: 'assessment.started', data: reference }, reference, 'webhook'),
      );
    }
    if (attempt.completeAt === undefined) return;
    scheduleClaims(account, attempt);
    const r = rng.next();
    if (r > 0.7) return; // nobody tells us: the sweep must find it
    const byAssignment = r > 0.55;
    const via: Delivery['via'] = rng.chance(0.2) ? 'eventbridge' : 'webhook';
    const late = rng.next();
    const delay =
      late < 0.7
        ? rng.exponential(TIME.MINUTE)
        : late < 0.95
          ? rng.exponential(TIME.HOUR)
          : rng.exponential(12 * TIME.HOUR);
    const reference = byAssignment ? { assignmentId } : { attemptId: attempt.id };
    const payload = { type: 'assessment.completed', data: reference };
    time.spawn(attempt.completeAt + delay, via, () => deliver(account, payload, reference, via));
    if (rng.chance(0.1))
      time.spawn(attempt.completeAt + delay + rng.exponential(TIME.HOUR), `${via} (again)`, () =>
        deliver(account, payload, reference, via),
      );
  };
  const scheduleAssignments = () => {
    for (const account of accounts) {
      for (let t = account.ia.nextCreation(START); t < end; t = account.ia.nextCreation(t)) {
        const at = t;
        time.spawn(at, 'create assignment', () => announce(account, account.ia.createAssignment(at).id));
      }
    }
    const first = accounts[0] as Account;
    // Signed events of kinds we do not map (a test ping, a stage change): no attempt, no assignment.
    for (let t = START + world.exponential(TIME.DAY); t < end; t += world.exponential(TIME.DAY)) {
      time.spawn(t, 'webhook (other kind)', () =>
        deliver(first, { type: 'candidate.stage_changed', data: { stage: 'x' } }, {}, 'webhook'),
      );
    }
  };

  // --- the CLI, run by an operator with the production key while the stack is live -------------
  const cliRuns: Array<{ at: number; command: string }> = [];
  const operator = async () => {
    const context: ExecutionContext = { clockOffsetMs: containerFaults.clockOffsetMs(), gate: (task) => task() };
    const first = accounts[0] as Account;
    await executionContexts.run(context, async () => {
      // As `sweep --stack <name>` does (cli/ia-pacing.ts): on the deployed key's schedule, at its rate.
      const dynamodb = new DynamoDBClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' },
        requestHandler: memoryRequestHandler(cloud),
      });
      const env = deployment.function('sweep').env;
      const secret = labelled
        ? (JSON.parse(env.IA_ACCOUNTS as string) as Array<{ name: string; apiKeySecret: string }>)[0]?.apiKeySecret
        : env.IA_API_KEY_SECRET;
      const pace = keyPacer({
        intervalMs: pacedIntervalMs(Number(deployment.outputs.IaRatePerSecond ?? 1)),
        shared: {
          store: dynamoSlotStore(dynamodb, env.RATE_LIMIT_TABLE_NAME as string),
          key: iaScheduleKey(secret as string),
          maxWaitMs: 10 * TIME.MINUTE,
        },
      });
      const client = createIaClient({
        baseUrl: env.IA_API_BASE_URL as string,
        apiKey: () => first.apiKey,
        pace,
        fetch,
      });
      cliRuns.push({ at: time.now(), command: 'sweep --days 30' });
      await walkAssignments(
        client,
        { page: 1, per: 100 },
        { requestedPer: 100, horizonDays: 30, now: new Date() },
        async () => undefined,
      ).catch((error: unknown) => log(`cli sweep failed: ${(error as Error).message}`));
    });
  };
  /**
   * IaAuthFailures pages the on-call operator when IA refuses the key; once it takes it again they
   * redrive what was dead-lettered meanwhile (`cli redrive`, its own code), as the runbook says.
   */
  const onCall = new Random(options.seed * 65_537 + 3);
  const redriveChecks = async () => {
    const context: ExecutionContext = { clockOffsetMs: containerFaults.clockOffsetMs(), gate: (task) => task() };
    await executionContexts.run(context, async () => {
      const sqs = new SQSClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' },
        requestHandler: memoryRequestHandler(cloud),
        ...unsignedAuth,
      });
      const checksUrl = deployment.queueUrls.get(checksMapping.queueArn) as string;
      const dlqUrl = deployment.queueUrls.get(checks.settings.redrive?.targetArn as string) as string;
      const moved = await redrive(sqs, { from: dlqUrl, to: () => checksUrl, dryRun: false, limit: 100_000 });
      log(`operator redrove ${moved.length} dead-lettered check(s)`);
    });
  };
  const scheduleRedrives = () => {
    for (const account of accounts)
      for (const outage of account.ia.outages)
        if (outage.kind === 'unauthorized' && outage.end < end)
          time.spawn(outage.end + onCall.between(15 * TIME.MINUTE, OPERATOR_REDRIVES_WITHIN), 'redrive', redriveChecks);
  };
  const scheduleOperator = () => {
    // While the stack is live: a few seconds into one of the sweep's walks.
    for (let t = START + world.exponential(2 * TIME.DAY); t < end; t += world.exponential(2 * TIME.DAY)) {
      const walkStart = START + 30_000 + Math.ceil((t - START) / sweepIntervalMs) * sweepIntervalMs;
      time.spawn(walkStart + world.between(0, 20_000), 'cli', operator);
    }
  };

  /** What the alerts topic accepted, as notifications, kept up to date as the run goes. */
  const alertsTopic = cloud.topic(alertsTopicArn);
  const published: Published[] = [];
  const deadLettered = new Set<string>();
  const refresh = () => {
    for (const [id, message] of dlq.messages) {
      if (deadLettered.has(id)) continue;
      deadLettered.add(id);
      log(
        `dead letter ${message.body}: ${message.attributes.failureCode?.StringValue ?? 'no code'} ${message.attributes.failureReason?.StringValue ?? ''}`,
      );
    }
    for (let i = published.length; i < alertsTopic.published.length; i++) {
      const entry = alertsTopic.published[i] as (typeof alertsTopic.published)[number];
      const structured = entry.structured
        ? (JSON.parse(entry.message) as { default: string; email?: string })
        : { default: entry.message };
      const notification = JSON.parse(structured.default) as Notification;
      log(`published ${notification.eventType} for "${'attemptId' in notification ? notification.attemptId : 'all'}"`);
      published.push({
        at: entry.at,
        notification,
        bytes:
          Buffer.byteLength(entry.message) +
          Buffer.byteLength(entry.subject ?? '') +
          Object.entries(entry.attributes).reduce(
            (sum, [name, v]) => sum + name.length + v.DataType.length + Buffer.byteLength(v.StringValue ?? ''),
            0,
          ),
        email: { subject: entry.subject, body: structured.email },
      });
    }
  };

  return {
    options,
    start: START,
    topic: { published },
    claims,
    refresh,
    /** The state table's items, by key, as the store reads them. */
    states: () => ({
      items: new Map(
        [...stateTable.items.values()].map((item) => {
          const record = unmarshall(item as never) as StoredRecord & { expiresAt?: number };
          const { expiresAt: _expiresAt, ...rest } = record;
          return [record.attemptId, rest as StoredRecord];
        }),
      ),
    }),
    watch: loadWatchSettings(deployment.function('check').env),
    /** What the awaiting-review index holds now, per account: the attempt ids. */
    awaitingIndex: () => {
      const index = new Map<string, Set<string>>(accounts.map((a) => [a.name, new Set<string>()]));
      for (const item of stateTable.items.values()) {
        if (!item.awaiting) continue;
        const key = (item.attemptId as { S: string }).S;
        const [account, id] = labelled ? (key.split(':') as [string, string]) : [DEFAULT_ACCOUNT, key];
        index.get(account)?.add(id);
      }
      return index;
    },
    slackThrottled: () => slackThrottled,
    /** What Amazon Q received on the chat channels' topics. */
    chatMessages: () =>
      [...cloud.inboxes].filter(([endpoint]) => endpoint.startsWith('amazon-q:')).flatMap(([, inbox]) => inbox),
    /** The alert events the default bus carried (with alertBus on): their ids, and their details. */
    alertEventIds: () =>
      new Set(
        (cloud.buses.get('default')?.events ?? [])
          .filter((e) => e.source === ALERT_EVENT_SOURCE)
          .map((e) => e.id as string),
      ),
    alertEventDetails: () =>
      (cloud.buses.get('default')?.events ?? []).filter((e) => e.source === ALERT_EVENT_SOURCE).map((e) => e.detail),
    end,
    time,
    ia,
    accounts,
    labelled,
    alertBus,
    cloud: cloud as Cloud,
    deployment,
    services,
    checks,
    dlq,
    alertsTopicArn,
    stateTable,
    deliveries,
    checkOutcomes,
    slackPosts,
    sweepMode,
    cliRuns,
    crashes,
    staleReads,
    atLeastOnce,
    unknownOutcome,
    lostKeyWrites,
    recordId,
    lostChecks,
    lostEvents,
    trace,
    kept,
    sweepIntervalMs,
    sweepRuns: () => sweepRuns,
    run: async (onTick?: () => void) => {
      startLambda();
      scheduleAssignments();
      scheduleSweeps(START + 30_000);
      scheduleDigests();
      scheduleOperator();
      scheduleRedrives();
      await time.runUntil(end, onTick);
    },
  };
};
