/**
 * Everything an operator can set, once: the `ReviewAlerts` construct's typed props, their defaults
 * and rules (`PROP_RULES`, which the CDK-context mapping and docs/configuration.md's reference table are
 * checked against), and `resolveProps`, which applies the defaults and fails with a message that
 * names the prop.
 */
import { EVENT_TYPES } from '../functions/lib/domain/alert.js';
import {
  ALERT_DEDUPE_DAYS,
  DIGEST_DEFAULTS,
  IA_DEFAULTS,
  MIN_RECHECK_INTERVAL_SECONDS,
  SWEEP_DEFAULTS,
} from '../functions/lib/domain/defaults.js';
import { DEFAULT_WATCH } from '../functions/lib/domain/lifecycle.js';
import { parseSources, type Source } from '../functions/lib/domain/webhooks/sources.js';

/** A webhook source: like the runtime's, but `secret` names an existing secret (optional). */
export type SourceSetting = Omit<Source, 'secretName'> & {
  /** Name or ARN of an existing secret holding the signing secret; otherwise one is generated. */
  secret?: string;
};

/** A Slack channel fed by an incoming webhook: every actionable alert and the digest, or what its filters say. */
export interface SlackChannelSetting {
  /** 1–32 of a-z, 0-9 and "-"; names its buffer queue, secret and outputs. */
  name: string;
  /** Existing secret (name or ARN) holding the webhook URL; otherwise one is created to fill in. */
  secret?: string;
  /** Only alerts about these assessments. */
  assessmentIds?: string[];
  /** Only these event types (default: the actionable ones and the digest). */
  eventTypes?: string[];
  /** Another origin than https://hooks.slack.com the webhook URL may have (GovSlack, a proxy). */
  webhookOrigin?: string;
  /** `false`: this channel does not take the daily digest. */
  digest?: boolean;
}

export interface ReviewAlertsProps {
  /** Addresses subscribed to actionable alerts and the digest. @default - none */
  readonly alertEmails?: string[];
  /** Addresses subscribed to the ops alarms (DLQ, auth failures, backlog, sweep). @default - none */
  readonly opsEmails?: string[];
  /** Name or ARN of an existing secret holding the IA API key. @default - a secret is created empty, to fill in */
  readonly iaApiKeySecret?: string;
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
  /** CloudWatch Logs retention of every function, in days (a valid retention period). @default 30 */
  readonly logRetentionDays?: number;
  /** First re-check delay while scoring runs; doubles each time, ≤ 900. @default 60 */
  readonly recheckFirstDelaySeconds?: number;
  /** Without completed scoring this long after the first look → `scoring.stalled`. @default 24 */
  readonly scoringDeadlineHours?: number;
  /** Cadence of the slow watch after `review.needed` / `scoring.stalled`. @default 60 */
  readonly watchIntervalMinutes?: number;
  /** Still pending this long after `review.needed` → `review.overdue`, then every SLA. @default 24 */
  readonly reviewSlaHours?: number;
  /** At most this many `review.overdue` reminders per attempt. @default 3 */
  readonly maxReminders?: number;
  /** Stop watching an attempt this long after its first look. @default 14 */
  readonly maxWatchDays?: number;
  /** How long an alert's idempotency key is kept. @default 30 */
  readonly alertDedupeDays?: number;
  /** A new trigger within this time of the last look is answered from state, and a webhook repeat is a duplicate. @default 300 */
  readonly minRecheckIntervalSeconds?: number;
  /** `ChecksBacklog` alarm threshold. @default 30 */
  readonly oldestMessageAlarmMinutes?: number;
  /** Put the candidate's email address in alerts and `pending` (name only otherwise). @default false */
  readonly includeCandidateEmail?: boolean;
  /** https link for attempts without a public results URL; must contain `{attemptId}`. @default - none */
  readonly iaAttemptUrlTemplate?: string;
  /** Webhook sources, served at `POST <WebhookUrl>/events/<name>`. @default - none */
  readonly sources?: SourceSetting[];
  /** Slack channels fed by incoming webhooks. @default - none */
  readonly slackChannels?: SlackChannelSetting[];
  /** Amazon Q Developer: Slack workspace id, with `chatSlackChannelId`. @default - none */
  readonly chatSlackWorkspaceId?: string;
  /** Amazon Q Developer: Slack channel id, with `chatSlackWorkspaceId`. @default - none */
  readonly chatSlackChannelId?: string;
  /** EventBridge bus whose events trigger checks. @default default */
  readonly eventBusName?: string;
  /** EventBridge `source` values to accept. @default - all */
  readonly eventBridgeSources?: string[];
  /** HTTP API stage throttling, requests per second. @default 20 */
  readonly apiThrottleRate?: number;
  /** HTTP API stage throttling, burst. @default 40 */
  readonly apiThrottleBurst?: number;
  /** How often the sweep walks IA's assignment list, in whole minutes. @default 5 */
  readonly sweepIntervalMinutes?: number;
  /** How far back the sweep walks; older assignments are only seen through events. @default 30 */
  readonly sweepHorizonDays?: number;
  /** The most of the key's rate the sweep may use; triggered checks always go first. @default 0.5 */
  readonly sweepBudgetShare?: number;
  /** The `per` the sweep asks IA for; IA may serve fewer. @default 100 */
  readonly sweepPageSize?: number;
  /** When the digest of what waits goes out (an EventBridge Scheduler expression). @default cron(0 8 ? * MON-FRI *) */
  readonly digestSchedule?: string;
  /** The IANA time zone of `digestSchedule`. @default UTC */
  readonly digestTimeZone?: string;
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
  | 'schedule'
  | 'timeZone'
  | 'sources'
  | 'slackChannels';

interface Rule {
  kind: Kind;
  min?: number;
  max?: number;
  default?: unknown;
}

/** Every prop, its kind, range and default: the one list the context keys and docs/configuration.md follow. */
export const PROP_RULES: { [K in keyof Required<ReviewAlertsProps>]: Rule } = {
  alertEmails: { kind: 'emails', default: [] },
  opsEmails: { kind: 'emails', default: [] },
  iaApiKeySecret: { kind: 'string' },
  iaApiBaseUrl: { kind: 'httpsUrl', default: IA_DEFAULTS.baseUrl },
  iaRatePerSecond: { kind: 'number', min: 0.01, max: 100, default: IA_DEFAULTS.ratePerSecond },
  checkMaxConcurrency: { kind: 'wholeNumber', min: 2, max: 1000, default: 2 },
  checkBatchSize: { kind: 'wholeNumber', min: 1, max: 10, default: 10 },
  checkMemoryMb: { kind: 'wholeNumber', min: 128, max: 10240, default: 256 },
  xRayTracing: { kind: 'boolean', default: false },
  logRetentionDays: { kind: 'wholeNumber', min: 1, max: 3653, default: 30 },
  recheckFirstDelaySeconds: { kind: 'wholeNumber', min: 0, max: 900, default: DEFAULT_WATCH.firstDelaySeconds },
  scoringDeadlineHours: { kind: 'number', min: 1, max: 24 * 30, default: DEFAULT_WATCH.scoringDeadlineSeconds / 3600 },
  watchIntervalMinutes: { kind: 'number', min: 1, max: 24 * 60, default: DEFAULT_WATCH.watchIntervalSeconds / 60 },
  reviewSlaHours: { kind: 'number', min: 1, max: 24 * 30, default: DEFAULT_WATCH.reviewSlaSeconds / 3600 },
  maxReminders: { kind: 'wholeNumber', min: 0, max: 20, default: DEFAULT_WATCH.maxReminders },
  maxWatchDays: { kind: 'number', min: 1, max: 60, default: DEFAULT_WATCH.maxWatchSeconds / 86_400 },
  alertDedupeDays: { kind: 'number', min: 1, max: 365, default: ALERT_DEDUPE_DAYS },
  minRecheckIntervalSeconds: { kind: 'wholeNumber', min: 0, max: 3600, default: MIN_RECHECK_INTERVAL_SECONDS },
  oldestMessageAlarmMinutes: { kind: 'number', min: 5, max: 24 * 60, default: 30 },
  includeCandidateEmail: { kind: 'boolean', default: false },
  iaAttemptUrlTemplate: { kind: 'urlTemplate' },
  sources: { kind: 'sources', default: [] },
  slackChannels: { kind: 'slackChannels', default: [] },
  chatSlackWorkspaceId: { kind: 'string' },
  chatSlackChannelId: { kind: 'string' },
  eventBusName: { kind: 'string', default: 'default' },
  eventBridgeSources: { kind: 'list', default: [] },
  apiThrottleRate: { kind: 'number', min: 1, max: 10_000, default: 20 },
  apiThrottleBurst: { kind: 'wholeNumber', min: 1, max: 5_000, default: 40 },
  sweepIntervalMinutes: { kind: 'wholeNumber', min: 1, max: 60, default: SWEEP_DEFAULTS.intervalMinutes },
  sweepHorizonDays: { kind: 'number', min: 1, max: 365, default: SWEEP_DEFAULTS.horizonDays },
  sweepBudgetShare: { kind: 'number', min: 0.05, max: 1, default: SWEEP_DEFAULTS.budgetShare },
  sweepPageSize: { kind: 'wholeNumber', min: 1, max: 1000, default: SWEEP_DEFAULTS.pageSize },
  digestSchedule: { kind: 'schedule', default: DIGEST_DEFAULTS.schedule },
  digestTimeZone: { kind: 'timeZone', default: DIGEST_DEFAULTS.timeZone },
};

export const PROP_NAMES = Object.keys(PROP_RULES) as Array<keyof ReviewAlertsProps>;

type WithoutDefault = 'iaApiKeySecret' | 'iaAttemptUrlTemplate' | 'chatSlackWorkspaceId' | 'chatSlackChannelId';

/** The props with every default applied: what the constructs build from. */
export type ResolvedProps = Required<Omit<ReviewAlertsProps, WithoutDefault>> & Pick<ReviewAlertsProps, WithoutDefault>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const CHANNEL_KEYS = ['name', 'secret', 'assessmentIds', 'eventTypes', 'webhookOrigin', 'digest'];

export class InvalidPropError extends Error {
  constructor(
    readonly prop: string,
    expected: string,
    value: unknown,
  ) {
    super(`ReviewAlerts: "${prop}" must be ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'InvalidPropError';
  }
}

const fail = (prop: string, expected: string, value: unknown): never => {
  throw new InvalidPropError(prop, expected, value);
};

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);

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

const checkSlackChannels = (value: unknown): SlackChannelSetting[] => {
  if (!Array.isArray(value)) return fail('slackChannels', 'a list of Slack channels', value);
  const names = new Set<string>();
  for (const item of value as Array<Record<string, unknown>>) {
    if (item === null || typeof item !== 'object') fail('slackChannels', 'a list of Slack channels', item);
    if (typeof item.name !== 'string' || !CHANNEL_NAME.test(item.name))
      fail('slackChannels', 'channels named with 1-32 of a-z0-9-', item.name);
    if (names.has(item.name as string)) fail('slackChannels', 'channels with unique names', item.name);
    names.add(item.name as string);
    if (item.assessmentIds !== undefined && !isStringList(item.assessmentIds))
      fail('slackChannels', 'assessmentIds as a list of ids', item.assessmentIds);
    const knownTypes = (types: unknown) =>
      isStringList(types) && types.every((t) => (EVENT_TYPES as readonly string[]).includes(t));
    if (item.eventTypes !== undefined && !knownTypes(item.eventTypes))
      fail('slackChannels', `eventTypes from ${EVENT_TYPES.join(', ')}`, item.eventTypes);
    if (item.secret !== undefined && typeof item.secret !== 'string')
      fail('slackChannels', 'secret as a secret name or ARN', item.secret);
    if (
      item.webhookOrigin !== undefined &&
      (typeof item.webhookOrigin !== 'string' || origin(item.webhookOrigin) !== item.webhookOrigin)
    ) {
      fail('slackChannels', 'webhookOrigin as an origin like https://hooks.slack-gov.com', item.webhookOrigin);
    }
    if (item.digest !== undefined && typeof item.digest !== 'boolean')
      fail('slackChannels', 'digest as true or false', item.digest);
    const unknown = Object.keys(item).filter((key) => !CHANNEL_KEYS.includes(key));
    if (unknown.length > 0) fail('slackChannels', `channels with only the keys ${CHANNEL_KEYS.join(', ')}`, unknown);
  }
  return value as SlackChannelSetting[];
};

const checkSources = (value: unknown): SourceSetting[] => {
  if (!Array.isArray(value)) return fail('sources', 'a list of webhook sources', value);
  try {
    // The runtime's own schema; the secret's name is only known after synthesis.
    parseSources(value.map((item) => ({ ...(item as object), secret: undefined, secretName: 'checked-at-synth' })));
  } catch (error) {
    return fail('sources', `valid webhook sources (${(error as Error).message})`, value.length);
  }
  return value as SourceSetting[];
};

/** One prop's value checked against its rule; undefined stays undefined (the default applies). */
const check = (prop: keyof ReviewAlertsProps, rule: Rule, value: unknown): unknown => {
  if (value === undefined) return undefined;
  const range = `${rule.min} to ${rule.max}`;
  switch (rule.kind) {
    case 'number':
      return typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= (rule.min as number) &&
        value <= (rule.max as number)
        ? value
        : fail(prop, `a number from ${range}`, value);
    case 'wholeNumber':
      return Number.isInteger(value) &&
        (value as number) >= (rule.min as number) &&
        (value as number) <= (rule.max as number)
        ? value
        : fail(prop, `a whole number from ${range}`, value);
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(prop, 'true or false', value);
    case 'string':
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : fail(prop, 'a non-empty string', value);
    case 'emails':
      return isStringList(value) && value.every((email) => EMAIL.test(email))
        ? value
        : fail(prop, 'a list of email addresses', value);
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
    case 'schedule':
      return typeof value === 'string' && /^(cron|rate|at)\([^()]+\)$/.test(value)
        ? value
        : fail(prop, 'a Scheduler expression like cron(0 8 ? * MON-FRI *)', value);
    case 'timeZone':
      try {
        new Intl.DateTimeFormat('en', { timeZone: value as string });
        return typeof value === 'string' ? value : fail(prop, 'an IANA time zone', value);
      } catch {
        return fail(prop, 'an IANA time zone such as UTC or Europe/Berlin', value);
      }
    case 'sources':
      return checkSources(value);
    case 'slackChannels':
      return checkSlackChannels(value);
  }
};

/** The props with their defaults, each checked; the first problem throws an error naming the prop. */
export const resolveProps = (props: ReviewAlertsProps = {}): ResolvedProps => {
  const unknown = Object.keys(props).filter((key) => !(key in PROP_RULES));
  if (unknown.length > 0)
    fail(unknown[0] as string, 'a prop of ReviewAlerts', props[unknown[0] as keyof ReviewAlertsProps]);
  const resolved = Object.fromEntries(
    PROP_NAMES.map((prop) => {
      const rule = PROP_RULES[prop];
      const value = check(prop, rule, props[prop]);
      return [prop, value === undefined ? structuredClone(rule.default) : value];
    }).filter(([, value]) => value !== undefined),
  ) as ResolvedProps;
  if ((resolved.chatSlackWorkspaceId === undefined) !== (resolved.chatSlackChannelId === undefined)) {
    fail(
      'chatSlackWorkspaceId',
      'given together with chatSlackChannelId',
      resolved.chatSlackWorkspaceId ?? resolved.chatSlackChannelId,
    );
  }
  return resolved;
};
