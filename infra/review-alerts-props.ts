/**
 * The `ReviewAlerts` construct's props, in CDK's own types (`Duration`, `ISecret`, `ITopic`,
 * `IEventBus`, `RetentionDays`, `RemovalPolicy`, `ScheduleExpression`), their defaults and
 * rules (`PROP_RULES`), and `resolveProps`, which applies the defaults and fails with a message
 * naming the prop. Values that are tokens (known only at deploy time) are left alone.
 */
import { Duration, RemovalPolicy, TimeZone, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { ACCOUNT_NAME, DEFAULT_ACCOUNT } from '../functions/lib/domain/accounts.js';
import { ALERT_EVENT_SOURCE, EVENT_TYPES } from '../functions/lib/domain/alert.js';
import {
  ALERT_DEDUPE_DAYS,
  DIGEST_DEFAULTS,
  IA_DEFAULTS,
  METRICS_NAMESPACE,
  MIN_RECHECK_INTERVAL_SECONDS,
  SWEEP_DEFAULTS,
} from '../functions/lib/domain/defaults.js';
import { isIaId } from '../functions/lib/domain/ids.js';
import { DEFAULT_WATCH } from '../functions/lib/domain/lifecycle.js';
import { parseSources } from '../functions/lib/domain/webhooks/sources.js';
import { validationError } from './constructs/compat.js';

/** How a webhook sender signs its deliveries (docs/webhooks.md). */
export enum WebhookSourceKind {
  /** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
  STANDARD_WEBHOOKS = 'standard-webhooks',
  /** Greenhouse: `Signature: sha256 <hex>` over the body. */
  GREENHOUSE = 'greenhouse',
  /** Lever: `signature` over `token` + `triggeredAt` in the body. */
  LEVER = 'lever',
  /** Indeed Assessments' completion callback, authenticated by a token in the URL. */
  IA_CALLBACK = 'ia-callback',
}

/** A webhook source, served at `POST <webhookUrl>/<name>`. */
export interface WebhookSource {
  /** 1–32 of a-z, 0-9 and "-": the URL path and the `source` dimension of its metrics. */
  readonly name: string;
  /** How its deliveries are signed. */
  readonly kind: WebhookSourceKind;
  /** The signing secret (or callback token). @default - a secret is generated, to copy into the sender */
  readonly secret?: secretsmanager.ISecret;
  /** JMESPath to the attempt id in the payload. @default - none (then `assignmentIdPath`) */
  readonly attemptIdPath?: string;
  /** JMESPath to the assignment id in the payload. @default - none */
  readonly assignmentIdPath?: string;
  /** The IA account its ids belong to (a name from `iaAccounts`). @default - the account named `default` if there is one, else the first */
  readonly account?: string;
  /** Only these sender event types start a check. @default - all */
  readonly eventTypes?: string[];
  /** Timestamp tolerance of Standard Webhooks and Lever signatures. @default Duration.minutes(5) */
  readonly tolerance?: Duration;
  /** An event naming more distinct ids than this is refused (422), nothing enqueued; at most 100. @default 25 */
  readonly maxReferencesPerEvent?: number;
}

/**
 * One Indeed Assessments account of several (agencies, large employers): its own API key, its
 * own request limit, schedule and sweep walk; its attempts' state and alerts kept apart.
 */
export interface IaAccount {
  /** 1–32 of a-z, 0-9 and "-": the `account` of its alerts, metrics (`Account`), sources and CLI (`--account`). */
  readonly name: string;
  /** The secret holding its API key. @default - one is created empty, to fill in */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /** Its key's request limit, enforced across all executions (paced 5 % under it). @default - iaRatePerSecond */
  readonly requestsPerSecond?: number;
  /** How far back its sweep walks. @default - sweepHorizon */
  readonly sweepHorizon?: Duration;
  /** The head its sweep walks first. @default - sweepHead */
  readonly sweepHead?: Duration;
  /** The most of its key's rate the sweep may use. @default - sweepBudgetShare */
  readonly sweepBudgetShare?: number;
}

/**
 * What an alert says happened: the `eventType` message attribute on the alerts topic, the
 * `detail-type` of its event on the alert bus, and what every audience filters on.
 */
export enum AlertEventType {
  /** Scoring is done and reviews wait for a human: act. */
  REVIEW_NEEDED = 'review.needed',
  /** Still waiting one review SLA after review.needed (then every SLA, up to maxReminders). */
  REVIEW_OVERDUE = 'review.overdue',
  /** Still waiting escalateAfter after review.needed: for the escalation audience. */
  REVIEW_ESCALATED = 'review.escalated',
  /** The reviews were done after review.needed. */
  REVIEW_COMPLETED = 'review.completed',
  /** Scoring has not finished scoringDeadline after the first look. */
  SCORING_STALLED = 'scoring.stalled',
  /** Scored with nothing to review: for machines, no person needs it. */
  ATTEMPT_SCORED = 'attempt.scored',
  /** The scheduled summary of everything waiting. */
  REVIEW_DIGEST = 'review.digest',
}

/**
 * What a platform team sets on every function of the pipeline (check, ingest, sweep, digest,
 * notify-slack) alike.
 */
export interface FunctionOptions {
  /**
   * Runs every function in this VPC. Each needs a way out to the IA API, SNS, SQS, DynamoDB,
   * Secrets Manager, EventBridge and CloudWatch: a NAT gateway, or VPC endpoints plus a NAT for IA.
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /** Which subnets of `vpc`. @default - its private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups of every function (with `vpc`). @default - one per function, all outbound allowed */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Reserved concurrency of each function: at least `checkMaxConcurrency`, which the check's SQS
   * source may run at once. @default - none (the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /** The instruction set. @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
}

/** Which alerts an audience receives. */
export interface AlertFilter {
  /** Only these event types. @default - the actionable ones (review.needed, review.overdue, scoring.stalled) and review.digest */
  readonly eventTypes?: AlertEventType[];
  /** Only alerts about these assessments. @default - every assessment */
  readonly assessmentIds?: string[];
  /** Only alerts of these IA accounts (`iaAccounts`); the digest, about all of them, is then left out. @default - every account */
  readonly accounts?: string[];
}

/** Addresses that receive the alerts a filter lets through (one subscription each). */
export interface EmailRoute extends AlertFilter {
  /** The addresses. */
  readonly emails: string[];
}

/** A rule on the alert bus: which alert events it matches and where they go. */
export interface AlertRuleOptions extends AlertFilter {
  /** Where matching events go (an API destination, a Lambda function, a queue…). @default - none; add with `rule.addTarget` */
  readonly targets?: events.IRuleTarget[];
  /** The rule's description. @default - the event types and assessments it matches */
  readonly description?: string;
}

/** A Slack channel fed by an incoming webhook. */
export interface SlackChannel extends AlertFilter {
  /** 1–32 of a-z, 0-9 and "-"; names its buffer queue, secret and outputs. */
  readonly name: string;
  /** The secret holding the webhook URL. @default - one is created empty, to fill in */
  readonly secret?: secretsmanager.ISecret;
  /** Another origin than https://hooks.slack.com the webhook URL may have (GovSlack, a proxy). @default https://hooks.slack.com */
  readonly webhookOrigin?: string;
  /** Whether this channel takes the daily digest. @default true */
  readonly digest?: boolean;
}

/** An Amazon Q Developer chat channel: custom notifications, through a topic of its own. */
export interface ChatChannelOptions extends AlertFilter {
  /** 1–32 of a-z, 0-9 and "-", unique among all channels (Slack, chat, Teams); names its buffer and topic. */
  readonly name: string;
  /** Whether this channel takes the digest. @default true */
  readonly digest?: boolean;
}

/**
 * A Microsoft Teams channel, through Amazon Q Developer in chat (authorise the team in its console
 * first). Default event types: a review's thread (review.needed, review.overdue, review.completed),
 * scoring.stalled and the digest.
 */
export interface TeamsChannel extends ChatChannelOptions {
  /** The team's id (the `groupId` in the channel's link). */
  readonly teamId: string;
  /** The channel's id (`19:…@thread.tacv2`). */
  readonly channelId: string;
  /** The Microsoft Entra tenant id. */
  readonly tenantId: string;
}

/** What `addSlackChannel` made for a channel. */
export interface SlackChannelResources {
  /** The channel's buffer queue, through which notify-slack posts at Slack's pace. */
  readonly buffer: sqs.IQueue;
  /** The secret that holds (or is to hold) the channel's incoming-webhook URL. */
  readonly webhookSecret: secretsmanager.ISecret;
}

/** What `addTeamsChannel` and `addChatSlackChannel` made for a channel. */
export interface ChatChannelResources {
  /** The channel's buffer queue on the alerts topic, with its filter. */
  readonly buffer: sqs.IQueue;
  /** The channel's own topic, which only its Amazon Q configuration reads. */
  readonly topic: sns.ITopic;
  /** The Amazon Q Developer channel configuration. */
  readonly configuration: IConstruct;
}

/** A Slack channel through Amazon Q Developer in chat (the workspace authorised in its console first). */
export interface ChatSlackChannel extends ChatChannelOptions {
  /** The Slack workspace id (`T…`). */
  readonly workspaceId: string;
  /** The Slack channel id (`C…`). */
  readonly channelId: string;
}

/**
 * How a `ReviewAlerts` deployment behaves.
 *
 * Who receives what (emails, Slack, Teams, Amazon Q,
 * the alert bus), where events come from (webhook sources, EventBridge, the sweep), the IA
 * accounts and their keys, the watch's timing, and the functions' settings. Every prop is
 * optional: with none, the pipeline runs on one IA key put in the secret it creates, alerts go to
 * the alerts topic for you to subscribe to, and synth warns that nobody receives them.
 */
export interface ReviewAlertsProps {
  /** Addresses subscribed to actionable alerts and the digest (more: `addEmailSubscription`). @default - none */
  readonly alertEmails?: string[];
  /**
   * Addresses per assessments and event types, e.g. a hiring team's own assessments, or only
   * `review.overdue` for its lead (more: `addEmailSubscription`). @default - none
   */
  readonly emailRoutes?: EmailRoute[];
  /** Addresses subscribed to the ops alarms. @default - none */
  readonly opsEmails?: string[];
  /**
   * The topic ops alarms go to, such as your organisation's: its policy must let CloudWatch
   * alarms of this account publish. @default - a topic is created, encrypted, for this stack's alarms only
   */
  readonly alarmTopic?: sns.ITopic;
  /** The secret holding the IA API key. @default - a secret is created empty, to fill in */
  readonly iaApiKeySecret?: secretsmanager.ISecret;
  /**
   * Several IA accounts, one API key each (then not `iaApiKeySecret`). An account named
   * `default` keeps the state of a deployment that had one key. @default - one account, `default`, with `iaApiKeySecret`
   */
  readonly iaAccounts?: IaAccount[];
  /** The IA API, https only (the key travels with every request). @default https://api.indeedassessments.com/v1 */
  readonly iaApiBaseUrl?: string;
  /** The key's request limit, enforced across all executions (paced 5 % under it). @default 1 */
  readonly iaRatePerSecond?: number;
  /** Maximum concurrent `check` executions (2 is the lowest SQS allows). @default 2 */
  readonly checkMaxConcurrency?: number;
  /** Records per `check` invocation. @default 10 */
  readonly checkBatchSize?: number;
  /** `check` memory in MB. @default 256 */
  readonly checkMemoryMb?: number;
  /** Active X-Ray tracing with the Powertools Tracer in every function. @default false */
  readonly xRayTracing?: boolean;
  /** CloudWatch Logs retention of every function and the API's access log. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the attempt-state and idempotency tables when they leave the stack: kept by
   * default, since reminders and exactly-once alerts resume from them. The rate-limit and webhook
   * dedupe tables hold seconds to days of data and are always removed. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** First re-check delay while scoring runs; doubles each time, at most 15 minutes. @default Duration.minutes(1) */
  readonly recheckFirstDelay?: Duration;
  /** Without completed scoring this long after the first look → `scoring.stalled`. @default Duration.hours(24) */
  readonly scoringDeadline?: Duration;
  /** Cadence of the slow watch after `review.needed` / `scoring.stalled`. @default Duration.hours(1) */
  readonly watchInterval?: Duration;
  /** Still pending this long after `review.needed` → `review.overdue`, then every SLA. @default Duration.hours(24) */
  readonly reviewSla?: Duration;
  /** At most this many `review.overdue` reminders per attempt. @default 3 */
  readonly maxReminders?: number;
  /** Stop watching an attempt this long after its first look. @default Duration.days(14) */
  readonly maxWatchTime?: Duration;
  /**
   * Still pending this long after `review.needed` → one `review.escalated` per attempt, to the
   * escalation audience only (`escalationEmails`, and Slack or Teams channels whose `eventTypes`
   * name `review.escalated`). @default - no escalation
   */
  readonly escalateAfter?: Duration;
  /** Addresses that receive `review.escalated`, and nothing else (more: `addEmailSubscription`). @default - none */
  readonly escalationEmails?: string[];
  /** How long an alert's idempotency key is kept. @default Duration.days(30) */
  readonly alertDedupeWindow?: Duration;
  /** A new trigger within this time of the last look is answered from state; a webhook repeat is a duplicate. @default Duration.minutes(5) */
  readonly minRecheckInterval?: Duration;
  /** `ChecksBacklog` alarm: the oldest check request waited this long. @default Duration.minutes(30) */
  readonly oldestMessageAlarmAge?: Duration;
  /**
   * Stack outputs naming what the runbook and the CLI's `--stack` use (10–15, more with channels,
   * sources and accounts). Without them `--stack` cannot find this deployment: the CLI then says to
   * name the resources through its variables (STATE_TABLE_NAME, ALERTS_TOPIC_ARN, ...). @default true
   */
  readonly stackOutputs?: boolean;
  /** VPC, security groups, reserved concurrency and architecture of every function. @default - none of them set; ARM_64 */
  readonly functionOptions?: FunctionOptions;
  /** Put the candidate's email address in alerts and `pending` (name only otherwise). @default false */
  readonly includeCandidateEmail?: boolean;
  /** https link for attempts without a public results URL; must contain `{attemptId}`. @default - none */
  readonly iaAttemptUrlTemplate?: string;
  /**
   * "I'm on it": people claim a waiting review with a button on Slack alerts (the Slack app's
   * interactivity request URL set to `claimsUrl`/slack), a link in alert emails, or `ack` in the
   * CLI; a claim stops escalation and is named in reminders, `pending` and the digest.
   * @default false
   */
  readonly claims?: boolean;
  /**
   * With `claims`: the secret holding `linkKey` (signs the email links) and `slackSigningSecret`
   * (the Slack app's), as JSON. @default - one is created with a generated `linkKey` and an empty `slackSigningSecret` to fill in
   */
  readonly claimsSecret?: secretsmanager.ISecret;
  /**
   * A trigger (a webhook source, an account's EventBridge trigger) that delivered before and has
   * been quiet this long, while the sweep found `triggerSilentCompletions` completions it should
   * have announced, is silent: its `TriggerSilent` alarm fires and the digest says so.
   * @default Duration.hours(6)
   */
  readonly triggerSilentAfter?: Duration;
  /** Completions found only by the sweep, since a trigger's last event, that make a quiet trigger silent. @default 3 */
  readonly triggerSilentCompletions?: number;
  /** How long a trigger has to announce a completion before the sweep's find of it counts against the trigger. @default Duration.hours(1) */
  readonly triggerGrace?: Duration;
  /** Webhook sources (more: `addSource`). @default - none */
  readonly sources?: WebhookSource[];
  /** Slack channels fed by incoming webhooks (more: `addSlackChannel`). @default - none */
  readonly slackChannels?: SlackChannel[];
  /** Microsoft Teams channels through Amazon Q Developer, each with its own filter (more: `addTeamsChannel`). @default - none */
  readonly teamsChannels?: TeamsChannel[];
  /** Slack channels through Amazon Q Developer, each with its own filter (more: `addChatSlackChannel`). @default - none */
  readonly chatSlackChannels?: ChatSlackChannel[];
  /** Amazon Q Developer: Slack workspace id, with `chatSlackChannelId` (one chat channel named "chat"). @default - none */
  readonly chatSlackWorkspaceId?: string;
  /** Amazon Q Developer: Slack channel id, with `chatSlackWorkspaceId`. @default - none */
  readonly chatSlackChannelId?: string;
  /** The EventBridge bus whose events trigger checks. @default - the account's default bus */
  readonly eventBus?: events.IEventBus;
  /**
   * Every alert and digest also goes to this bus as an event (`source` `ia-review-alerts`,
   * `detail-type` the event type, `detail` the alert JSON SNS carries), exactly once; route it
   * with `addAlertRule`. @default - no alert events
   */
  readonly alertBus?: events.IEventBus;
  /** EventBridge `source` values to accept. @default - all */
  readonly eventBridgeSources?: string[];
  /** HTTP API stage throttling, requests per second. @default 20 */
  readonly apiThrottleRate?: number;
  /** HTTP API stage throttling, burst. @default 40 */
  readonly apiThrottleBurst?: number;
  /** How often the sweep walks IA's assignment list, whole minutes from 1 to 60. @default Duration.minutes(5) */
  readonly sweepInterval?: Duration;
  /** How far back the sweep walks; older assignments are only seen through events. @default Duration.days(30) */
  readonly sweepHorizon?: Duration;
  /**
   * The recent head of the list, walked first in every run with most of its time (the rest goes on
   * with the whole horizon): most attempts are completed within days of their invitation.
   * @default Duration.days(5)
   */
  readonly sweepHead?: Duration;
  /**
   * A new walk of the whole horizon starts at most this often after the last one started, so a
   * small list is not walked over and over (the head still is, every run); 0: as soon as one ends.
   * @default Duration.minutes(30)
   */
  readonly sweepFullWalkEvery?: Duration;
  /** The most of the key's rate the sweep may use; triggered checks always go first. @default 0.5 */
  readonly sweepBudgetShare?: number;
  /** The `per` the sweep asks IA for; IA may serve fewer. @default 100 */
  readonly sweepPageSize?: number;
  /** When the digest of what waits goes out. @default - 08:00 UTC, Monday to Friday */
  readonly digestSchedule?: scheduler.ScheduleExpression;
  /**
   * CloudWatch namespace of the functions' metrics; two `ReviewAlerts` in one account and region
   * need different ones, or their alarms and dashboards count each other's. @default IaReviewAlerts
   */
  readonly metricsNamespace?: string;
}

type Kind =
  | 'number'
  | 'wholeNumber'
  | 'boolean'
  | 'string'
  | 'emails'
  | 'list'
  | 'httpsUrl'
  | 'urlTemplate'
  | 'duration'
  | 'retention'
  | 'sources'
  | 'slackChannels'
  | 'teamsChannels'
  | 'chatSlackChannels'
  | 'emailRoutes'
  | 'iaAccounts'
  | 'functionOptions'
  /** A CDK object (secret, topic, bus, schedule, removal policy): typed by the compiler. */
  | 'object';

export interface Rule {
  readonly kind: Kind;
  /** Numbers: the range; durations: in seconds. */
  readonly min?: number;
  readonly max?: number;
  /** Durations: only whole units of this. */
  readonly wholeSeconds?: number;
  readonly default?: unknown;
}

/** Every prop, its kind, range and default: the one list the CDK context keys and docs/configuration.md follow. */
export const PROP_RULES: { readonly [K in keyof Required<ReviewAlertsProps>]: Rule } = {
  alertEmails: { kind: 'emails', default: [] },
  emailRoutes: { kind: 'emailRoutes', default: [] },
  opsEmails: { kind: 'emails', default: [] },
  alarmTopic: { kind: 'object' },
  iaApiKeySecret: { kind: 'object' },
  iaAccounts: { kind: 'iaAccounts', default: [] },
  iaApiBaseUrl: { kind: 'httpsUrl', default: IA_DEFAULTS.baseUrl },
  iaRatePerSecond: { kind: 'number', min: 0.01, max: 100, default: IA_DEFAULTS.ratePerSecond },
  checkMaxConcurrency: { kind: 'wholeNumber', min: 2, max: 1000, default: 2 },
  checkBatchSize: { kind: 'wholeNumber', min: 1, max: 10, default: 10 },
  checkMemoryMb: { kind: 'wholeNumber', min: 128, max: 10240, default: 256 },
  xRayTracing: { kind: 'boolean', default: false },
  logRetention: { kind: 'retention', default: logs.RetentionDays.ONE_MONTH },
  removalPolicy: { kind: 'object', default: RemovalPolicy.RETAIN },
  recheckFirstDelay: {
    kind: 'duration',
    min: 0,
    max: 900,
    wholeSeconds: 1,
    default: Duration.seconds(DEFAULT_WATCH.firstDelaySeconds),
  },
  scoringDeadline: {
    kind: 'duration',
    min: 3600,
    max: 30 * 86_400,
    default: Duration.seconds(DEFAULT_WATCH.scoringDeadlineSeconds),
  },
  watchInterval: {
    kind: 'duration',
    min: 60,
    max: 86_400,
    wholeSeconds: 1,
    default: Duration.seconds(DEFAULT_WATCH.watchIntervalSeconds),
  },
  reviewSla: {
    kind: 'duration',
    min: 3600,
    max: 30 * 86_400,
    default: Duration.seconds(DEFAULT_WATCH.reviewSlaSeconds),
  },
  maxReminders: { kind: 'wholeNumber', min: 0, max: 20, default: DEFAULT_WATCH.maxReminders },
  maxWatchTime: {
    kind: 'duration',
    min: 86_400,
    max: 60 * 86_400,
    default: Duration.seconds(DEFAULT_WATCH.maxWatchSeconds),
  },
  escalateAfter: { kind: 'duration', min: 3600, max: 60 * 86_400, wholeSeconds: 60 },
  escalationEmails: { kind: 'emails', default: [] },
  alertDedupeWindow: { kind: 'duration', min: 86_400, max: 365 * 86_400, default: Duration.days(ALERT_DEDUPE_DAYS) },
  minRecheckInterval: {
    kind: 'duration',
    min: 0,
    max: 3600,
    wholeSeconds: 1,
    default: Duration.seconds(MIN_RECHECK_INTERVAL_SECONDS),
  },
  oldestMessageAlarmAge: { kind: 'duration', min: 300, max: 86_400, wholeSeconds: 60, default: Duration.minutes(30) },
  stackOutputs: { kind: 'boolean', default: true },
  functionOptions: { kind: 'functionOptions', default: {} },
  includeCandidateEmail: { kind: 'boolean', default: false },
  iaAttemptUrlTemplate: { kind: 'urlTemplate' },
  claims: { kind: 'boolean', default: false },
  triggerSilentAfter: { kind: 'duration', min: 600, max: 30 * 86_400, wholeSeconds: 60, default: Duration.hours(6) },
  triggerSilentCompletions: { kind: 'wholeNumber', min: 1, max: 1000, default: 3 },
  triggerGrace: { kind: 'duration', min: 0, max: 86_400, wholeSeconds: 60, default: Duration.hours(1) },
  claimsSecret: { kind: 'object' },
  sources: { kind: 'sources', default: [] },
  slackChannels: { kind: 'slackChannels', default: [] },
  teamsChannels: { kind: 'teamsChannels', default: [] },
  chatSlackChannels: { kind: 'chatSlackChannels', default: [] },
  chatSlackWorkspaceId: { kind: 'string' },
  chatSlackChannelId: { kind: 'string' },
  eventBus: { kind: 'object' },
  alertBus: { kind: 'object' },
  eventBridgeSources: { kind: 'list', default: [] },
  apiThrottleRate: { kind: 'number', min: 1, max: 10_000, default: 20 },
  apiThrottleBurst: { kind: 'wholeNumber', min: 1, max: 5_000, default: 40 },
  sweepInterval: {
    kind: 'duration',
    min: 60,
    max: 3600,
    wholeSeconds: 60,
    default: Duration.minutes(SWEEP_DEFAULTS.intervalMinutes),
  },
  sweepHorizon: {
    kind: 'duration',
    min: 86_400,
    max: 365 * 86_400,
    default: Duration.days(SWEEP_DEFAULTS.horizonDays),
  },
  sweepHead: { kind: 'duration', min: 0, max: 365 * 86_400, default: Duration.days(SWEEP_DEFAULTS.headDays) },
  sweepFullWalkEvery: {
    kind: 'duration',
    min: 0,
    max: 86_400,
    wholeSeconds: 1,
    default: Duration.minutes(SWEEP_DEFAULTS.fullWalkEveryMinutes),
  },
  sweepBudgetShare: { kind: 'number', min: 0.05, max: 1, default: SWEEP_DEFAULTS.budgetShare },
  sweepPageSize: { kind: 'wholeNumber', min: 1, max: 1000, default: SWEEP_DEFAULTS.pageSize },
  digestSchedule: {
    kind: 'object',
    default: scheduler.ScheduleExpression.expression(DIGEST_DEFAULTS.schedule, TimeZone.of(DIGEST_DEFAULTS.timeZone)),
  },
  metricsNamespace: { kind: 'string', default: METRICS_NAMESPACE },
};

export const PROP_NAMES = Object.keys(PROP_RULES) as Array<keyof ReviewAlertsProps>;

type WithoutDefault =
  | 'alarmTopic'
  | 'iaApiKeySecret'
  | 'iaAttemptUrlTemplate'
  | 'escalateAfter'
  | 'chatSlackWorkspaceId'
  | 'chatSlackChannelId'
  | 'eventBus'
  | 'alertBus'
  | 'claimsSecret';

/** The props with every default applied: what the units build from. */
export type Settings = Required<Omit<ReviewAlertsProps, WithoutDefault>> & Pick<ReviewAlertsProps, WithoutDefault>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isEmail = (email: string) => Token.isUnresolved(email) || EMAIL.test(email);
const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const CHANNEL_KEYS = ['name', 'secret', 'assessmentIds', 'eventTypes', 'accounts', 'webhookOrigin', 'digest'];

/** A prop (or a CDK context key) whose value breaks its rule. */
export class InvalidPropError extends Error {
  constructor(
    readonly prop: string,
    expected: string,
    value: unknown,
  ) {
    super(`ReviewAlerts: "${prop}" must be ${expected}, got ${describe(value)}`);
    this.name = 'InvalidPropError';
  }

  /**
   * The same problem as CDK reports its own: a `ValidationError` (`Errors.isValidationError`)
   * on the construct it was found in, whose path the message names too; `prop` still names the prop.
   */
  in(scope: IConstruct): Error & { readonly prop: string } {
    const message = this.message.replace(/^ReviewAlerts:/, `ReviewAlerts at ${scope.node.path}:`);
    // CDK's errors set their own prototype: the prop rides on the instance, not on a subclass.
    return Object.assign(validationError('InvalidProp', message, scope), { prop: this.prop });
  }
}

const describe = (value: unknown): string => {
  if (value instanceof Duration) return value.toHumanString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

export const fail = (prop: string, expected: string, value: unknown): never => {
  throw new InvalidPropError(prop, expected, value);
};

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);

const knownEventTypes = (types: unknown) =>
  isStringList(types) && types.every((t) => (EVENT_TYPES as readonly string[]).includes(t));

const httpsUrl = (prop: string, value: unknown): string => {
  try {
    if (typeof value === 'string' && new URL(value).protocol === 'https:') return value;
  } catch {
    // reported below
  }
  return fail(prop, 'an https:// URL', value);
};

const origin = (value: string) => {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
};

/** An audience's filter: known event types, assessment ids as a list. */
export const checkFilter = (prop: string, filter: AlertFilter | undefined): void => {
  if (filter === undefined) return;
  if (
    filter.assessmentIds !== undefined &&
    !(isStringList(filter.assessmentIds) && filter.assessmentIds.every((id) => Token.isUnresolved(id) || isIaId(id)))
  )
    fail(prop, 'assessmentIds as a list of IA ids (1-128 of A-Za-z0-9_-)', filter.assessmentIds);
  if (filter.eventTypes !== undefined && !knownEventTypes(filter.eventTypes))
    fail(prop, `eventTypes from ${EVENT_TYPES.join(', ')}`, filter.eventTypes);
  if (
    filter.accounts !== undefined &&
    !(isStringList(filter.accounts) && filter.accounts.every((a) => ACCOUNT_NAME.test(a)))
  )
    fail(prop, 'accounts as a list of account names', filter.accounts);
};

/** One Slack channel; `taken` holds the names already in use. */
export const checkSlackChannel = (prop: string, item: SlackChannel, taken: ReadonlySet<string>): SlackChannel => {
  if (item === null || typeof item !== 'object') return fail(prop, 'a list of Slack channels', item);
  if (typeof item.name !== 'string' || !CHANNEL_NAME.test(item.name))
    fail(prop, 'channels named with 1-32 of a-z0-9-', item.name);
  if (taken.has(item.name)) fail(prop, 'channels with unique names', item.name);
  checkFilter(prop, item);
  if (
    item.webhookOrigin !== undefined &&
    (typeof item.webhookOrigin !== 'string' || origin(item.webhookOrigin) !== item.webhookOrigin)
  ) {
    fail(prop, 'webhookOrigin as an origin like https://hooks.slack-gov.com', item.webhookOrigin);
  }
  if (item.digest !== undefined && typeof item.digest !== 'boolean') fail(prop, 'digest as true or false', item.digest);
  const unknown = Object.keys(item).filter((key) => !CHANNEL_KEYS.includes(key));
  if (unknown.length > 0) fail(prop, `channels with only the keys ${CHANNEL_KEYS.join(', ')}`, unknown);
  return item;
};

const CHAT_KEYS = ['name', 'assessmentIds', 'eventTypes', 'accounts', 'digest'];

/** One Amazon Q chat channel (Teams or Slack); `taken` holds the channel names already in use. */
export const checkChatChannel = <T extends ChatChannelOptions>(
  prop: string,
  item: T,
  taken: ReadonlySet<string>,
  formats: ChatIdFormats,
): T => {
  const ids = Object.keys(formats);
  if (item === null || typeof item !== 'object') return fail(prop, 'a list of chat channels', item);
  if (typeof item.name !== 'string' || !CHANNEL_NAME.test(item.name))
    fail(prop, 'channels named with 1-32 of a-z0-9-', item.name);
  if (taken.has(item.name)) fail(prop, 'channels with names unique among Slack, chat and Teams channels', item.name);
  checkFilter(prop, item);
  for (const id of ids) {
    const value = (item as unknown as Record<string, unknown>)[id];
    if (typeof value !== 'string' || value.trim() === '') fail(prop, `channels with ${ids.join(', ')}`, item.name);
    const format = formats[id] as ChatIdFormats[string];
    // Checked here, with the prop's name, rather than by CloudFormation at deploy time with its own words.
    if (!Token.isUnresolved(value) && !format.pattern.test(safeDecode(value as string)))
      fail(`${prop}[${item.name}].${id}`, format.expected, value);
  }
  if (item.digest !== undefined && typeof item.digest !== 'boolean') fail(prop, 'digest as true or false', item.digest);
  const known = [...CHAT_KEYS, ...ids];
  const unknown = Object.keys(item).filter((key) => !known.includes(key));
  if (unknown.length > 0) fail(prop, `channels with only the keys ${known.join(', ')}`, unknown);
  return item;
};

/** Each id a chat channel needs, and the form its service gives it in. */
export type ChatIdFormats = Readonly<Record<string, { pattern: RegExp; expected: string }>>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Teams gives ids as GUIDs and channels as `19:…@thread.tacv2` (URL-encoded in a channel's link). */
export const TEAMS_IDS: ChatIdFormats = {
  teamId: { pattern: GUID, expected: 'a GUID (the groupId in the channel link)' },
  channelId: {
    pattern: /^19:[^\s@/]+@thread\.(tacv2|skype)$/,
    expected: 'a Teams channel id, 19:…@thread.tacv2 (as in the channel link, encoded or not)',
  },
  tenantId: { pattern: GUID, expected: 'a GUID (the tenantId in the channel link)' },
};
export const CHAT_SLACK_IDS: ChatIdFormats = {
  workspaceId: { pattern: /^T[A-Z0-9]+$/, expected: 'a Slack workspace id (T…)' },
  channelId: { pattern: /^[CG][A-Z0-9]+$/, expected: 'a Slack channel id (C… or G…)' },
};

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const checkChannelList = <T extends ChatChannelOptions>(
  prop: string,
  value: unknown,
  each: (item: T, taken: ReadonlySet<string>) => T,
): T[] => {
  if (!Array.isArray(value)) return fail(prop, 'a list of channels', value);
  const names = new Set<string>();
  for (const item of value as T[]) names.add(each(item, names).name);
  return value as T[];
};

const ACCOUNT_KEYS = ['name', 'apiKeySecret', 'requestsPerSecond', 'sweepHorizon', 'sweepHead', 'sweepBudgetShare'];

const checkAccounts = (prop: string, value: unknown): IaAccount[] => {
  if (!Array.isArray(value)) return fail(prop, 'a list of IA accounts', value);
  const names = new Set<string>();
  for (const account of value as IaAccount[]) {
    if (account === null || typeof account !== 'object') fail(prop, 'a list of IA accounts', account);
    if (typeof account.name !== 'string' || !ACCOUNT_NAME.test(account.name))
      fail(prop, 'accounts named with 1-32 of a-z0-9-', account.name);
    if (names.has(account.name)) fail(prop, 'accounts with unique names', account.name);
    names.add(account.name);
    const unknown = Object.keys(account).filter((key) => !ACCOUNT_KEYS.includes(key));
    if (unknown.length > 0) fail(prop, `accounts with only the keys ${ACCOUNT_KEYS.join(', ')}`, unknown);
    // Each account's own settings follow the deployment-wide prop's rule.
    for (const key of ['sweepHorizon', 'sweepHead', 'sweepBudgetShare'] as const)
      check(key, PROP_RULES[key], account[key]);
    check('iaRatePerSecond', PROP_RULES.iaRatePerSecond, account.requestsPerSecond);
  }
  return value as IaAccount[];
};

const ROUTE_KEYS = ['emails', 'assessmentIds', 'eventTypes', 'accounts'];

const checkEmailRoutes = (prop: string, value: unknown): EmailRoute[] => {
  if (!Array.isArray(value))
    return fail(prop, 'a list of routes like {"emails": [...], "assessmentIds": [...]}', value);
  for (const route of value as EmailRoute[]) {
    if (route === null || typeof route !== 'object') fail(prop, 'a list of routes', route);
    if (!isStringList(route.emails) || route.emails.length === 0 || !route.emails.every(isEmail))
      fail(prop, 'routes with emails as a list of email addresses', route.emails);
    checkFilter(prop, route);
    const unknown = Object.keys(route).filter((key) => !ROUTE_KEYS.includes(key));
    if (unknown.length > 0) fail(prop, `routes with only the keys ${ROUTE_KEYS.join(', ')}`, unknown);
  }
  return value as EmailRoute[];
};

const checkSlackChannels = (value: unknown): SlackChannel[] =>
  checkChannelList<SlackChannel>('slackChannels', value, (item, taken) =>
    checkSlackChannel('slackChannels', item, taken),
  );

/** The runtime's own schema checks each source; the secret's name is only known after synthesis. */
export const checkSources = (prop: string, value: unknown): WebhookSource[] => {
  if (!Array.isArray(value)) return fail(prop, 'a list of webhook sources', value);
  try {
    parseSources(
      (value as WebhookSource[]).map(({ secret: _secret, tolerance, ...source }) => ({
        ...source,
        ...(tolerance === undefined ? {} : { toleranceSeconds: tolerance.toSeconds() }),
        secretName: 'checked-at-synth',
      })),
    );
  } catch (error) {
    return fail(
      prop,
      `valid webhook sources (${(error as Error).message})`,
      value.map((s) => s?.name),
    );
  }
  return value as WebhookSource[];
};

const inRange = (value: number, rule: Rule) => value >= (rule.min as number) && value <= (rule.max as number);

const checkDuration = (prop: string, rule: Rule, value: unknown): Duration => {
  if (!(value instanceof Duration)) return fail(prop, 'a Duration', value);
  if (value.isUnresolved()) return value;
  const seconds = value.toSeconds({ integral: false });
  const whole = rule.wholeSeconds ?? 0;
  const range = `${Duration.seconds(rule.min as number).toHumanString()} to ${Duration.seconds(rule.max as number).toHumanString()}`;
  if (!inRange(seconds, rule) || (whole > 0 && seconds % whole !== 0)) {
    fail(prop, `from ${range}${whole >= 60 ? ' in whole minutes' : whole > 0 ? ' in whole seconds' : ''}`, value);
  }
  return value;
};

/** One prop's value checked against its rule; undefined stays undefined (the default applies), tokens pass. */
const check = (prop: keyof ReviewAlertsProps, rule: Rule, value: unknown): unknown => {
  if (value === undefined) return undefined;
  if (Token.isUnresolved(value)) return value;
  const range = `${rule.min} to ${rule.max}`;
  switch (rule.kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && inRange(value, rule)
        ? value
        : fail(prop, `a number from ${range}`, value);
    case 'wholeNumber':
      return Number.isInteger(value) && inRange(value as number, rule)
        ? value
        : fail(prop, `a whole number from ${range}`, value);
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(prop, 'true or false', value);
    case 'string':
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : fail(prop, 'a non-empty string', value);
    case 'emails':
      return isStringList(value) && value.every(isEmail) ? value : fail(prop, 'a list of email addresses', value);
    case 'list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value
        : fail(prop, 'a list of strings', value);
    case 'httpsUrl':
      return httpsUrl(prop, value);
    case 'urlTemplate':
      if (typeof value !== 'string' || !value.includes('{attemptId}'))
        return fail(prop, 'a URL containing {attemptId}', value);
      httpsUrl(prop, value.replaceAll('{attemptId}', 'x'));
      return value;
    case 'duration':
      return checkDuration(prop, rule, value);
    case 'retention':
      return Object.values(logs.RetentionDays).includes(value as logs.RetentionDays)
        ? value
        : fail(prop, 'a RetentionDays value', value);
    case 'sources':
      return checkSources(prop, value);
    case 'slackChannels':
      return checkSlackChannels(value);
    case 'iaAccounts':
      return checkAccounts(prop, value);
    case 'emailRoutes':
      return checkEmailRoutes(prop, value);
    case 'teamsChannels':
      return checkChannelList<TeamsChannel>(prop, value, (item, taken) =>
        checkChatChannel(prop, item, taken, TEAMS_IDS),
      );
    case 'chatSlackChannels':
      return checkChannelList<ChatSlackChannel>(prop, value, (item, taken) =>
        checkChatChannel(prop, item, taken, CHAT_SLACK_IDS),
      );
    case 'functionOptions':
      return checkFunctionOptions(prop, value);
    case 'object':
      return value;
  }
};

/** The instruction sets Lambda runs Node.js on. */
export const ARCHITECTURES = [lambda.Architecture.ARM_64, lambda.Architecture.X86_64];

const FUNCTION_OPTION_KEYS = ['vpc', 'vpcSubnets', 'securityGroups', 'reservedConcurrentExecutions', 'architecture'];

const checkFunctionOptions = (prop: string, value: unknown): FunctionOptions => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(prop, 'an object', value);
  const options = value as FunctionOptions;
  const unknown = Object.keys(options).filter((key) => !FUNCTION_OPTION_KEYS.includes(key));
  if (unknown.length > 0) fail(prop, `only the keys ${FUNCTION_OPTION_KEYS.join(', ')}`, unknown);
  const reserved = options.reservedConcurrentExecutions;
  if (
    reserved !== undefined &&
    !Token.isUnresolved(reserved) &&
    !(Number.isInteger(reserved) && reserved >= 1 && reserved <= 10_000)
  )
    fail(`${prop}.reservedConcurrentExecutions`, 'a whole number from 1 to 10000', reserved);
  if ((options.vpcSubnets !== undefined || options.securityGroups !== undefined) && options.vpc === undefined)
    fail(`${prop}.vpc`, 'given with vpcSubnets and securityGroups', undefined);
  if (options.architecture !== undefined && !ARCHITECTURES.some((known) => known.name === options.architecture?.name))
    fail(`${prop}.architecture`, 'lambda.Architecture.ARM_64 or X86_64', options.architecture.name);
  return options;
};

/** The props with their defaults, each checked; the first problem throws an error naming the prop. */
export const resolveProps = (props: ReviewAlertsProps = {}): Settings => {
  const unknown = Object.keys(props).filter((key) => !(key in PROP_RULES));
  if (unknown.length > 0)
    fail(unknown[0] as string, 'a prop of ReviewAlerts', props[unknown[0] as keyof ReviewAlertsProps]);
  const resolved = Object.fromEntries(
    PROP_NAMES.map((prop) => {
      const rule = PROP_RULES[prop];
      const value = check(prop, rule, props[prop]);
      const fallback = Array.isArray(rule.default) ? [...rule.default] : rule.default;
      return [prop, value === undefined ? fallback : value];
    }).filter(([, value]) => value !== undefined),
  ) as Settings;
  if ((resolved.chatSlackWorkspaceId === undefined) !== (resolved.chatSlackChannelId === undefined)) {
    fail(
      'chatSlackWorkspaceId',
      'given together with chatSlackChannelId',
      resolved.chatSlackWorkspaceId ?? resolved.chatSlackChannelId,
    );
  }
  if (resolved.iaAccounts.length > 0 && resolved.iaApiKeySecret !== undefined)
    fail('iaApiKeySecret', 'left out with iaAccounts (give each account its apiKeySecret)', 'a secret');
  const accountNames = resolved.iaAccounts.length > 0 ? resolved.iaAccounts.map((a) => a.name) : [DEFAULT_ACCOUNT];
  for (const source of resolved.sources) {
    if (source.account !== undefined && !accountNames.includes(source.account))
      fail('sources', `accounts from iaAccounts (${accountNames.join(', ')})`, source.account);
  }
  // The alerts' own events carry attemptId: taken as check requests, every alert would come back as one.
  if (resolved.eventBridgeSources.includes(ALERT_EVENT_SOURCE))
    fail('eventBridgeSources', `sources other than ${ALERT_EVENT_SOURCE} (the alerts' own events)`, ALERT_EVENT_SOURCE);
  if (resolved.escalationEmails.length > 0 && resolved.escalateAfter === undefined)
    fail('escalationEmails', 'given with escalateAfter (when to escalate)', resolved.escalationEmails);
  // Fewer reserved than the SQS source may run at once: Lambda throttles the check and SQS retries.
  const reserved = resolved.functionOptions.reservedConcurrentExecutions;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && reserved < resolved.checkMaxConcurrency)
    fail(
      'functionOptions.reservedConcurrentExecutions',
      `at least checkMaxConcurrency (${resolved.checkMaxConcurrency})`,
      reserved,
    );
  return resolved;
};
