/**
 * Deployment settings from CDK context (`-c key=value` or cdk.json), validated once with
 * messages that name the key. Every key and default is in the README's configuration table.
 */
import type { Node } from 'constructs';
import { EVENT_TYPES } from '../functions/lib/alert.js';
import { parseSources, type Source } from '../functions/lib/webhooks/sources.js';

/** A webhook source as configured: like the runtime's, but `secret` names an existing secret (optional). */
export type SourceSetting = Omit<Source, 'secretName'> & { secret?: string };

/** A Slack channel fed by an incoming webhook: default (everything actionable) or narrowed by filter. */
export interface SlackChannelSetting {
  name: string;
  /** Existing secret (name or ARN) holding the webhook URL; otherwise one is created to fill in. */
  secret?: string;
  assessmentIds?: string[];
  eventTypes?: string[];
  /** Another origin than https://hooks.slack.com the webhook URL may have (GovSlack, a proxy). */
  webhookOrigin?: string;
  /** `false`: this channel does not take the daily digest. */
  digest?: boolean;
}

export interface Settings {
  alertEmails: string[];
  /** Who gets the ops alarms (DLQ, auth failures, backlog); separate from the alerts. */
  opsEmails: string[];
  /** Name or ARN of an existing secret holding the IA API key; unset → the stack creates one. */
  iaApiKeySecret?: string;
  iaApiBaseUrl: string;
  iaRatePerSecond: number;
  checkMaxConcurrency: number;
  checkBatchSize: number;
  checkMemoryMb: number;
  /** X-Ray traces with a subsegment per AWS call; off by default (CPU, cold start and trace cost). */
  xRayTracing: boolean;
  logRetentionDays: number;
  recheckFirstDelaySeconds: number;
  scoringDeadlineHours: number;
  watchIntervalMinutes: number;
  reviewSlaHours: number;
  maxReminders: number;
  maxWatchDays: number;
  alertDedupeDays: number;
  minRecheckIntervalSeconds: number;
  oldestMessageAlarmMinutes: number;
  includeCandidateEmail: boolean;
  iaAttemptUrlTemplate?: string;
  sources: SourceSetting[];
  slackChannels: SlackChannelSetting[];
  /** Amazon Q Developer (Chatbot): both set → a chat channel configuration on the alerts topic. */
  chatSlackWorkspaceId?: string;
  chatSlackChannelId?: string;
  eventBusName: string;
  /** EventBridge `source` values to accept; all when empty. */
  eventBridgeSources: string[];
  apiThrottleRate: number;
  apiThrottleBurst: number;
  /** The sweep of IA's assignment list: how often, how far back, how much of the key's rate. */
  sweepIntervalMinutes: number;
  sweepHorizonDays: number;
  sweepBudgetShare: number;
  sweepPageSize: number;
  /** When the digest of what waits goes out: an EventBridge Scheduler expression, in `digestTimeZone`. */
  digestSchedule: string;
  digestTimeZone: string;
}

export const DEFAULTS: Omit<Settings, 'alertEmails' | 'opsEmails' | 'sources' | 'slackChannels' | 'eventBridgeSources'> = {
  iaApiBaseUrl: 'https://api.indeedassessments.com/v1',
  iaRatePerSecond: 1,
  checkMaxConcurrency: 2,
  checkBatchSize: 10,
  checkMemoryMb: 256,
  xRayTracing: false,
  logRetentionDays: 30,
  recheckFirstDelaySeconds: 60,
  scoringDeadlineHours: 24,
  watchIntervalMinutes: 60,
  reviewSlaHours: 24,
  maxReminders: 3,
  maxWatchDays: 14,
  alertDedupeDays: 30,
  minRecheckIntervalSeconds: 300,
  oldestMessageAlarmMinutes: 30,
  includeCandidateEmail: false,
  eventBusName: 'default',
  apiThrottleRate: 20,
  apiThrottleBurst: 40,
  sweepIntervalMinutes: 5,
  sweepHorizonDays: 30,
  sweepBudgetShare: 0.5,
  sweepPageSize: 100,
  digestSchedule: 'cron(0 8 ? * MON-FRI *)',
  digestTimeZone: 'UTC',
};

type Context = Pick<Node, 'tryGetContext' | 'getAllContext'>;

/** Every context key this app reads; anything else is a typo until proven otherwise. */
export const SETTING_KEYS = [
  'alertEmails',
  'opsEmails',
  'iaApiKeySecret',
  'iaAttemptUrlTemplate',
  'sources',
  'slackChannels',
  'chatSlackWorkspaceId',
  'chatSlackChannelId',
  'eventBridgeSources',
  'stackName',
  ...(Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>),
] as const;

/** CDK's own keys: feature flags (`@aws-cdk/...`), `aws:cdk:...`, lookups (`availability-zones:...`). */
const isCdkKey = (key: string) => key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';

const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
};

export const nearestKey = (key: string): string =>
  [...SETTING_KEYS].sort((x, y) => editDistance(key, x) - editDistance(key, y))[0] as string;

const rejectUnknownKeys = (node: Context) => {
  for (const key of Object.keys(node.getAllContext() as object)) {
    if (isCdkKey(key) || (SETTING_KEYS as readonly string[]).includes(key)) continue;
    throw new Error(`CDK context "${key}" is not a setting of this app; did you mean "${nearestKey(key)}"? (README, Configuration)`);
  }
};

const fail = (key: string, expected: string, value: unknown): never => {
  throw new Error(`CDK context "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
};

const numberFrom = (node: Context, key: keyof typeof DEFAULTS, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === '') return DEFAULTS[key] as number;
  const value = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(value) && value >= min && value <= max ? value : fail(key, `a number from ${min} to ${max}`, raw);
};

const wholeNumberFrom = (node: Context, key: keyof typeof DEFAULTS, min: number, max: number): number => {
  const value = numberFrom(node, key, min, max);
  return Number.isInteger(value) ? value : fail(key, `a whole number from ${min} to ${max}`, node.tryGetContext(key));
};

const stringFrom = (node: Context, key: string): string | undefined => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === '') return undefined;
  return typeof raw === 'string' ? raw.trim() : fail(key, 'a string', raw);
};

const listFrom = (node: Context, key: string): string[] => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === '') return [];
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : fail(key, 'a list', raw);
  return items.map((item) => String(item).trim()).filter(Boolean);
};

/** Lists of objects arrive as arrays from cdk.json or as JSON strings from `-c key='[...]'`. */
const jsonArrayFrom = (node: Context, key: string, what: string): Array<Record<string, unknown>> => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === '') return [];
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      fail(key, `a JSON array of ${what}`, raw);
    }
  }
  if (!Array.isArray(value) || value.some((item) => item === null || typeof item !== 'object')) fail(key, `a JSON array of ${what}`, raw);
  return value as Array<Record<string, unknown>>;
};

const sourcesFrom = (node: Context): SourceSetting[] => {
  const items = jsonArrayFrom(node, 'sources', 'webhook sources');
  // Validated with the runtime's own schema; the secret name is only known after synthesis.
  parseSources(items.map(({ secret: _secret, ...rest }) => ({ ...rest, secretName: 'checked-at-synth' })));
  return items as unknown as SourceSetting[];
};

/** Exactly `true` or `false` (from cdk.json, or as typed after -c): `yes` or `1` is a typo, not a yes. */
const booleanFrom = (node: Context, key: keyof typeof DEFAULTS): boolean => {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === '') return DEFAULTS[key] as boolean;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  return fail(key, 'true or false', raw);
};

/** An https URL (the IA key travels with every request to it). */
const httpsUrl = (key: string, value: string): string => {
  try {
    if (new URL(value).protocol === 'https:') return value;
  } catch {
    // reported below
  }
  return fail(key, 'an https:// URL', value);
};

const urlTemplateFrom = (node: Context): string | undefined => {
  const template = stringFrom(node, 'iaAttemptUrlTemplate');
  if (template === undefined) return undefined;
  if (!template.includes('{attemptId}')) fail('iaAttemptUrlTemplate', 'a URL containing {attemptId}', template);
  httpsUrl('iaAttemptUrlTemplate', template.replaceAll('{attemptId}', 'x'));
  return template;
};

/** `cron(...)`, `rate(...)` or `at(...)`, as EventBridge Scheduler writes them. */
const scheduleFrom = (node: Context, key: 'digestSchedule'): string => {
  const value = stringFrom(node, key) ?? DEFAULTS[key];
  return /^(cron|rate|at)\([^()]+\)$/.test(value) ? value : fail(key, 'a Scheduler expression like cron(0 8 ? * MON-FRI *)', value);
};

/** An IANA time zone name the platform knows, e.g. Europe/Berlin. */
const timeZoneFrom = (node: Context, key: 'digestTimeZone'): string => {
  const value = stringFrom(node, key) ?? DEFAULTS[key];
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value;
  } catch {
    return fail(key, 'an IANA time zone such as UTC or Europe/Berlin', value);
  }
};

const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const stringList = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);

const CHANNEL_KEYS = ['name', 'secret', 'assessmentIds', 'eventTypes', 'webhookOrigin', 'digest'];

const safeOrigin = (value: string) => {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
};

const slackChannelsFrom = (node: Context): SlackChannelSetting[] => {
  const items = jsonArrayFrom(node, 'slackChannels', 'Slack channels');
  const names = new Set<string>();
  for (const item of items) {
    if (typeof item.name !== 'string' || !CHANNEL_NAME.test(item.name)) fail('slackChannels', 'channels named with 1-32 of a-z0-9-', item.name);
    if (names.has(item.name as string)) fail('slackChannels', 'channels with unique names', item.name);
    names.add(item.name as string);
    if (item.assessmentIds !== undefined && !stringList(item.assessmentIds)) fail('slackChannels', 'assessmentIds as a list of ids', item.assessmentIds);
    const knownTypes = (types: unknown) => stringList(types) && (types as string[]).every((t) => (EVENT_TYPES as readonly string[]).includes(t));
    if (item.eventTypes !== undefined && !knownTypes(item.eventTypes)) fail('slackChannels', `eventTypes from ${EVENT_TYPES.join(', ')}`, item.eventTypes);
    if (item.secret !== undefined && typeof item.secret !== 'string') fail('slackChannels', 'secret as a secret name or ARN', item.secret);
    if (item.webhookOrigin !== undefined) {
      const origin = typeof item.webhookOrigin === 'string' ? safeOrigin(item.webhookOrigin) : undefined;
      if (origin !== item.webhookOrigin) fail('slackChannels', 'webhookOrigin as an origin like https://hooks.slack-gov.com', item.webhookOrigin);
    }
    if (item.digest !== undefined && typeof item.digest !== 'boolean') fail('slackChannels', 'digest as true or false', item.digest);
    const unknown = Object.keys(item).filter((key) => !CHANNEL_KEYS.includes(key));
    if (unknown.length > 0) fail('slackChannels', `channels with only the keys ${CHANNEL_KEYS.join(', ')}`, unknown);
  }
  return items as unknown as SlackChannelSetting[];
};

const chatFrom = (node: Context) => {
  const workspace = stringFrom(node, 'chatSlackWorkspaceId');
  const channel = stringFrom(node, 'chatSlackChannelId');
  if ((workspace === undefined) !== (channel === undefined)) {
    fail('chatSlackWorkspaceId', 'given together with chatSlackChannelId', workspace ?? channel);
  }
  return workspace && channel ? { chatSlackWorkspaceId: workspace, chatSlackChannelId: channel } : {};
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const loadSettings = (node: Context): Settings => {
  rejectUnknownKeys(node);
  const emails = (key: string) => {
    const list = listFrom(node, key);
    for (const email of list) if (!EMAIL.test(email)) fail(key, 'comma-separated email addresses', email);
    return list;
  };
  const iaApiKeySecret = stringFrom(node, 'iaApiKeySecret');
  const iaAttemptUrlTemplate = urlTemplateFrom(node);
  return {
    alertEmails: emails('alertEmails'),
    opsEmails: emails('opsEmails'),
    ...(iaApiKeySecret ? { iaApiKeySecret } : {}),
    ...(iaAttemptUrlTemplate ? { iaAttemptUrlTemplate } : {}),
    iaApiBaseUrl: httpsUrl('iaApiBaseUrl', stringFrom(node, 'iaApiBaseUrl') ?? DEFAULTS.iaApiBaseUrl),
    iaRatePerSecond: numberFrom(node, 'iaRatePerSecond', 0.01, 100),
    // 2 is the lowest maximum concurrency an SQS event source accepts.
    checkMaxConcurrency: Math.round(numberFrom(node, 'checkMaxConcurrency', 2, 1000)),
    checkBatchSize: Math.round(numberFrom(node, 'checkBatchSize', 1, 10)),
    checkMemoryMb: Math.round(numberFrom(node, 'checkMemoryMb', 128, 10240)),
    xRayTracing: booleanFrom(node, 'xRayTracing'),
    logRetentionDays: Math.round(numberFrom(node, 'logRetentionDays', 1, 3653)),
    recheckFirstDelaySeconds: Math.round(numberFrom(node, 'recheckFirstDelaySeconds', 0, 900)),
    scoringDeadlineHours: numberFrom(node, 'scoringDeadlineHours', 1, 24 * 30),
    watchIntervalMinutes: numberFrom(node, 'watchIntervalMinutes', 1, 24 * 60),
    reviewSlaHours: numberFrom(node, 'reviewSlaHours', 1, 24 * 30),
    maxReminders: Math.round(numberFrom(node, 'maxReminders', 0, 20)),
    maxWatchDays: numberFrom(node, 'maxWatchDays', 1, 60),
    alertDedupeDays: numberFrom(node, 'alertDedupeDays', 1, 365),
    minRecheckIntervalSeconds: Math.round(numberFrom(node, 'minRecheckIntervalSeconds', 0, 3600)),
    oldestMessageAlarmMinutes: numberFrom(node, 'oldestMessageAlarmMinutes', 5, 24 * 60),
    includeCandidateEmail: booleanFrom(node, 'includeCandidateEmail'),
    sources: sourcesFrom(node),
    slackChannels: slackChannelsFrom(node),
    ...chatFrom(node),
    eventBusName: stringFrom(node, 'eventBusName') ?? DEFAULTS.eventBusName,
    eventBridgeSources: listFrom(node, 'eventBridgeSources'),
    apiThrottleRate: numberFrom(node, 'apiThrottleRate', 1, 10_000),
    apiThrottleBurst: Math.round(numberFrom(node, 'apiThrottleBurst', 1, 5_000)),
    sweepIntervalMinutes: wholeNumberFrom(node, 'sweepIntervalMinutes', 1, 60),
    sweepHorizonDays: numberFrom(node, 'sweepHorizonDays', 1, 365),
    sweepBudgetShare: numberFrom(node, 'sweepBudgetShare', 0.05, 1),
    sweepPageSize: wholeNumberFrom(node, 'sweepPageSize', 1, 1000),
    digestSchedule: scheduleFrom(node, 'digestSchedule'),
    digestTimeZone: timeZoneFrom(node, 'digestTimeZone'),
  };
};
