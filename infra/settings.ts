/**
 * CDK context (`-c key=value` or cdk.json) to `ReviewAlerts` props, for the repository's own app
 * (`cdk deploy -c …`). Context speaks in strings and numbers, props in CDK types: each key names
 * its prop and how its value becomes one (`sweepIntervalMinutes=5` → `sweepInterval:
 * Duration.minutes(5)`, `iaApiKeySecret=name` → an imported secret). A key this app does not read
 * fails with the nearest known one; the construct then checks ranges and shapes, naming the prop.
 */
import { Duration, Errors, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DIGEST_DEFAULTS } from '../functions/lib/domain/defaults.js';
import { nearest } from '../functions/lib/domain/nearest.js';
import { importSecret } from './constructs/secrets.js';
import {
  ARCHITECTURES,
  type FunctionOptions,
  InvalidPropError,
  PROP_RULES,
  type ReviewAlertsProps,
  type SlackChannel,
  type WebhookSource,
} from './review-alerts-props.js';

type Raw = unknown;
type Unit = 'seconds' | 'minutes' | 'hours' | 'days';

interface ContextKey {
  /** The prop it sets (the digest's time zone joins the schedule). */
  readonly prop: keyof ReviewAlertsProps;
  readonly kind:
    | 'number'
    | 'boolean'
    | 'string'
    | 'list'
    | 'duration'
    | 'secret'
    | 'topicArn'
    | 'retentionDays'
    | 'removalPolicy'
    | 'eventBus'
    | 'alertBus'
    | 'schedule'
    | 'timeZone'
    | 'sources'
    | 'slackChannels'
    /** A JSON list of plain objects, as the prop takes it (the construct checks each). */
    | 'jsonList'
    | 'iaAccounts'
    | 'functionOptions';
  readonly unit?: Unit;
}

const same = (prop: keyof ReviewAlertsProps, kind: ContextKey['kind']): ContextKey => ({ prop, kind });
const duration = (prop: keyof ReviewAlertsProps, unit: Unit): ContextKey => ({ prop, kind: 'duration', unit });

/** Every context key of the app, in the order docs/configuration.md lists them. */
export const CONTEXT: { readonly [key: string]: ContextKey } = {
  alertEmails: same('alertEmails', 'list'),
  emailRoutes: same('emailRoutes', 'jsonList'),
  iaApiKeySecret: same('iaApiKeySecret', 'secret'),
  iaAccounts: same('iaAccounts', 'iaAccounts'),
  iaApiBaseUrl: same('iaApiBaseUrl', 'string'),
  iaRatePerSecond: same('iaRatePerSecond', 'number'),
  checkMaxConcurrency: same('checkMaxConcurrency', 'number'),
  checkBatchSize: same('checkBatchSize', 'number'),
  checkMemoryMb: same('checkMemoryMb', 'number'),
  xRayTracing: same('xRayTracing', 'boolean'),
  logRetentionDays: same('logRetention', 'retentionDays'),
  removalPolicy: same('removalPolicy', 'removalPolicy'),
  opsEmails: same('opsEmails', 'list'),
  alarmTopicArn: same('alarmTopic', 'topicArn'),
  recheckFirstDelaySeconds: duration('recheckFirstDelay', 'seconds'),
  scoringDeadlineHours: duration('scoringDeadline', 'hours'),
  watchIntervalMinutes: duration('watchInterval', 'minutes'),
  reviewSlaHours: duration('reviewSla', 'hours'),
  maxReminders: same('maxReminders', 'number'),
  maxWatchDays: duration('maxWatchTime', 'days'),
  escalateAfterHours: duration('escalateAfter', 'hours'),
  escalationEmails: same('escalationEmails', 'list'),
  alertDedupeDays: duration('alertDedupeWindow', 'days'),
  minRecheckIntervalSeconds: duration('minRecheckInterval', 'seconds'),
  oldestMessageAlarmMinutes: duration('oldestMessageAlarmAge', 'minutes'),
  stackOutputs: same('stackOutputs', 'boolean'),
  functionOptions: same('functionOptions', 'functionOptions'),
  includeCandidateEmail: same('includeCandidateEmail', 'boolean'),
  iaAttemptUrlTemplate: same('iaAttemptUrlTemplate', 'string'),
  claims: same('claims', 'boolean'),
  triggerSilentAfterHours: duration('triggerSilentAfter', 'hours'),
  triggerSilentCompletions: same('triggerSilentCompletions', 'number'),
  triggerGraceMinutes: duration('triggerGrace', 'minutes'),
  claimsSecret: same('claimsSecret', 'secret'),
  sources: same('sources', 'sources'),
  slackChannels: same('slackChannels', 'slackChannels'),
  teamsChannels: same('teamsChannels', 'jsonList'),
  chatSlackChannels: same('chatSlackChannels', 'jsonList'),
  chatSlackWorkspaceId: same('chatSlackWorkspaceId', 'string'),
  chatSlackChannelId: same('chatSlackChannelId', 'string'),
  eventBusName: same('eventBus', 'eventBus'),
  alertBus: same('alertBus', 'alertBus'),
  eventBridgeSources: same('eventBridgeSources', 'list'),
  apiThrottleRate: same('apiThrottleRate', 'number'),
  apiThrottleBurst: same('apiThrottleBurst', 'number'),
  sweepIntervalMinutes: duration('sweepInterval', 'minutes'),
  sweepHorizonDays: duration('sweepHorizon', 'days'),
  sweepHeadDays: duration('sweepHead', 'days'),
  sweepFullWalkEveryMinutes: duration('sweepFullWalkEvery', 'minutes'),
  sweepBudgetShare: same('sweepBudgetShare', 'number'),
  sweepPageSize: same('sweepPageSize', 'number'),
  digestSchedule: same('digestSchedule', 'schedule'),
  digestTimeZone: same('digestSchedule', 'timeZone'),
  metricsNamespace: same('metricsNamespace', 'string'),
};

/** Keys of the app itself, besides the construct's props. */
const APP_KEYS = ['stackName'] as const;
export const CONTEXT_KEYS: readonly string[] = [...Object.keys(CONTEXT), ...APP_KEYS];

const inUnit = (value: Duration, unit: Unit) => {
  const whole = { integral: false };
  if (unit === 'seconds') return value.toSeconds(whole);
  if (unit === 'minutes') return value.toMinutes(whole);
  return unit === 'hours' ? value.toHours(whole) : value.toDays(whole);
};

/** A key's default as `-c` would spell it, where the prop has one to show. */
export const contextDefault = (key: string): string | undefined => {
  const setting = CONTEXT[key];
  if (setting === undefined) return undefined;
  const fallback = PROP_RULES[setting.prop].default;
  switch (setting.kind) {
    case 'duration':
      return fallback instanceof Duration ? String(inUnit(fallback, setting.unit as Unit)) : undefined;
    case 'retentionDays':
      return String(fallback);
    case 'removalPolicy':
      return 'retain';
    case 'eventBus':
      return 'default';
    case 'schedule':
      return DIGEST_DEFAULTS.schedule;
    case 'timeZone':
      return DIGEST_DEFAULTS.timeZone;
    default:
      return typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean'
        ? String(fallback)
        : undefined;
  }
};

/** CDK's own keys: feature flags (`@aws-cdk/...`), `aws:cdk:...`, lookups (`availability-zones:...`). */
const isCdkKey = (key: string) => key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';

const fail = (key: string, expected: string, value: unknown): never => {
  throw new Error(`CDK context "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
};

const text = (key: string, raw: Raw): string =>
  typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : fail(key, 'a non-empty string', raw);

const number = (key: string, raw: Raw): number => {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  return Number.isFinite(value) ? value : fail(key, 'a number', raw);
};

/** Objects and lists as cdk.json gives them, or as JSON strings from `-c key='...'`. */
const fromJson = (key: string, raw: Raw, what: string): unknown => {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return fail(key, what, raw);
  }
};

/** Lists of objects: arrays from cdk.json, JSON strings from `-c key='[...]'`. */
const jsonList = (key: string, raw: Raw): Array<Record<string, unknown>> => {
  const value = fromJson(key, raw, 'a JSON array');
  return Array.isArray(value) && value.every((item) => item !== null && typeof item === 'object')
    ? (value as Array<Record<string, unknown>>)
    : fail(key, 'a JSON array of objects', raw);
};

const REMOVAL_POLICIES: Record<string, RemovalPolicy> = {
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
  snapshot: RemovalPolicy.SNAPSHOT,
};

/** An existing EventBridge bus by name (`default` is the account's own) or ARN. */
const importBus = (scope: Construct, id: string, bus: string): events.IEventBus =>
  bus.startsWith('arn:')
    ? events.EventBus.fromEventBusArn(scope, id, bus)
    : events.EventBus.fromEventBusName(scope, id, bus);

/** An existing secret named in JSON (`secret`), imported into `scope`. */
const withSecret = <T>(scope: Construct, id: string, item: Record<string, unknown>): T => {
  const { secret, ...rest } = item;
  if (secret === undefined) return rest as T;
  if (typeof secret !== 'string' || secret === '') return fail(id, 'secret as a secret name or ARN', secret);
  return { ...rest, secret: importSecret(scope, id, secret) } as T;
};

const toSources = (scope: Construct, key: string, raw: Raw): WebhookSource[] =>
  jsonList(key, raw).map(({ toleranceSeconds, ...item }) => ({
    ...withSecret<WebhookSource>(scope, `SourceSecret-${String(item.name)}`, item),
    ...(toleranceSeconds === undefined ? {} : { tolerance: Duration.seconds(number(key, toleranceSeconds)) }),
  }));

/** Accounts in context terms: `apiKeySecret` names a secret, times carry their unit. */
const toAccounts = (scope: Construct, key: string, raw: Raw) =>
  jsonList(key, raw).map(({ apiKeySecret, sweepHorizonDays, sweepHeadDays, ...account }) => {
    if (apiKeySecret !== undefined && (typeof apiKeySecret !== 'string' || apiKeySecret === ''))
      fail(key, 'accounts with apiKeySecret as a secret name or ARN', apiKeySecret);
    return {
      ...account,
      ...(apiKeySecret === undefined
        ? {}
        : { apiKeySecret: importSecret(scope, `IaApiKeySecret-${String(account.name)}`, apiKeySecret as string) }),
      ...(sweepHorizonDays === undefined ? {} : { sweepHorizon: Duration.days(number(key, sweepHorizonDays)) }),
      ...(sweepHeadDays === undefined ? {} : { sweepHead: Duration.days(number(key, sweepHeadDays)) }),
    };
  });

/**
 * `{"architecture": "x86_64", "reservedConcurrentExecutions": 5}`: what context can say of the
 * functions. A VPC and security groups are objects only CDK code passes (the construct's
 * `functionOptions`).
 */
const toFunctionOptions = (key: string, raw: Raw): FunctionOptions => {
  const object = fromJson(key, raw, 'a JSON object');
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    return fail(key, 'a JSON object like {"architecture":"x86_64","reservedConcurrentExecutions":5}', raw);
  const { architecture, reservedConcurrentExecutions, ...rest } = object as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    fail(key, 'only architecture and reservedConcurrentExecutions (a VPC is set in CDK code)', Object.keys(rest));
  const chosen = ARCHITECTURES.find((known) => known.name === architecture);
  if (architecture !== undefined && !chosen) fail(key, 'architecture arm64 or x86_64', architecture);
  return {
    ...(chosen ? { architecture: chosen } : {}),
    ...(reservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: number(key, reservedConcurrentExecutions) }),
  };
};

/** A context value as its prop's value; imported resources are created in `scope`. */
const toProp = (scope: Construct, key: string, setting: ContextKey, raw: Raw): unknown => {
  switch (setting.kind) {
    case 'number':
      return number(key, raw);
    case 'boolean':
      // Exactly true or false: `yes` or `1` is a typo, not a yes.
      return raw === true || raw === 'true'
        ? true
        : raw === false || raw === 'false'
          ? false
          : fail(key, 'true or false', raw);
    case 'string':
      return text(key, raw);
    case 'list': {
      const items = Array.isArray(raw)
        ? raw
        : typeof raw === 'string'
          ? raw.split(',')
          : fail(key, 'a comma-separated list', raw);
      return items.map((item) => String(item).trim()).filter(Boolean);
    }
    case 'duration':
      return Duration[setting.unit as Unit](number(key, raw));
    case 'secret':
      return importSecret(scope, 'IaApiKeySecret', text(key, raw));
    case 'topicArn': {
      const arn = text(key, raw);
      return arn.startsWith('arn:')
        ? sns.Topic.fromTopicArn(scope, 'AlarmTopic', arn)
        : fail(key, 'an SNS topic ARN', raw);
    }
    case 'retentionDays': {
      const days = number(key, raw);
      return Object.values(logs.RetentionDays).includes(days)
        ? days
        : fail(key, 'a CloudWatch Logs retention period in days (1, 3, 5, 7, 14, 30, 60, 90, ...)', raw);
    }
    case 'removalPolicy':
      return REMOVAL_POLICIES[text(key, raw).toLowerCase()] ?? fail(key, 'retain, destroy or snapshot', raw);
    case 'eventBus': {
      const bus = text(key, raw);
      return bus === 'default' ? undefined : importBus(scope, 'EventBus', bus);
    }
    case 'alertBus':
      return importBus(scope, 'AlertBus', text(key, raw));
    case 'schedule':
    case 'timeZone':
      return undefined; // both at once, below
    case 'sources':
      return toSources(scope, key, raw);
    case 'jsonList':
      return jsonList(key, raw);
    case 'iaAccounts':
      return toAccounts(scope, key, raw);
    case 'functionOptions':
      return toFunctionOptions(key, raw);
    case 'slackChannels':
      return jsonList(key, raw).map((item) =>
        withSecret<SlackChannel>(scope, `SlackWebhookSecret-${String(item.name)}`, item),
      );
  }
};

/** The digest's schedule and time zone, checked, as one ScheduleExpression. */
const digestSchedule = (schedule: Raw, timeZone: Raw): scheduler.ScheduleExpression | undefined => {
  if (schedule === undefined && timeZone === undefined) return undefined;
  const expression = schedule === undefined ? DIGEST_DEFAULTS.schedule : text('digestSchedule', schedule);
  if (!/^(cron|rate|at)\([^()]+\)$/.test(expression)) {
    fail('digestSchedule', 'a Scheduler expression like cron(0 8 ? * MON-FRI *)', schedule);
  }
  const zone = timeZone === undefined ? DIGEST_DEFAULTS.timeZone : text('digestTimeZone', timeZone);
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    fail('digestTimeZone', 'an IANA time zone such as UTC or Europe/Berlin', timeZone);
  }
  return scheduler.ScheduleExpression.expression(expression, TimeZone.of(zone));
};

/** The app's `ReviewAlerts` props from `scope`'s context; existing resources are imported into `scope`. */
export const propsFromContext = (scope: Construct): ReviewAlertsProps => {
  const { node } = scope;
  for (const key of Object.keys(node.getAllContext() as object)) {
    if (isCdkKey(key) || CONTEXT_KEYS.includes(key)) continue;
    const meant = nearest(key, CONTEXT_KEYS);
    throw new Error(
      `CDK context "${key}" is not a setting of this app${meant ? `; did you mean "${meant}"?` : ''} (docs/configuration.md)`,
    );
  }
  const given = (key: string): Raw => {
    const raw: Raw = node.tryGetContext(key);
    return raw === '' ? undefined : raw;
  };
  const props: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(CONTEXT)) {
    const raw = given(key);
    if (raw === undefined) continue;
    const value = toProp(scope, key, setting, raw);
    if (value !== undefined) props[setting.prop] = value;
  }
  const schedule = digestSchedule(given('digestSchedule'), given('digestTimeZone'));
  if (schedule) props.digestSchedule = schedule;
  return props as ReviewAlertsProps;
};

/** A prop's error as the context keys that set it: the operator typed those, not the prop. */
export const inContextTerms = (error: unknown): unknown => {
  const prop =
    error instanceof InvalidPropError || Errors.isValidationError(error)
      ? (error as { prop?: unknown }).prop
      : undefined;
  if (typeof prop !== 'string') return error;
  const keys = Object.entries(CONTEXT)
    .filter(([, setting]) => setting.prop === prop)
    .map(([key]) => `"${key}"`);
  return keys.length === 0 ? error : new Error(`CDK context ${keys.join(' / ')}: ${(error as Error).message}`);
};
