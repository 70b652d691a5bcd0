/**
 * Settings from environment variables, read once at cold start. A missing or malformed value
 * fails the init with a message naming the variable, instead of a vague error on first use.
 */

import * as z from 'zod/mini';
import '../domain/zod.js';
import { ACCOUNT_NAME, type Accounts, DEFAULT_ACCOUNT } from '../domain/accounts.js';
import type { RenderSettings } from '../domain/alert.js';
import { ALERT_DEDUPE_DAYS, IA_DEFAULTS } from '../domain/defaults.js';
import { ConfigurationError } from '../domain/errors.js';
import { DEFAULT_WATCH, type WatchSettings } from '../domain/lifecycle.js';
import { RETRY_POLICY, type RetryPolicy } from '../domain/record-disposition.js';
import { TRIGGER_DEFAULTS, type TriggerSettings } from '../domain/trigger-health.js';
import type {
  AlertEnvironment,
  EnvironmentOf,
  IaEnvironment,
  LambdaEnvironment,
  LifecycleEnvironment,
  RenderEnvironment,
  RetryEnvironment,
  TriggerEnvironment,
  WatchEnvironment,
} from './environment.js';

/**
 * An environment as a loader reads it: the names are those of the function's contract
 * (environment.ts), so a loader cannot read a name the stack does not set.
 */
type Env = { readonly [name: string]: string | undefined };
type Name<E> = keyof E & string;

const read = <E extends object>(env: E, name: Name<E>) => (env as Env)[name]?.trim();

export const requireEnv = <E extends object>(env: E, name: Name<E>): string => {
  const value = read(env, name);
  if (!value) throw new ConfigurationError(`environment variable ${name} is required`);
  return value;
};

/** A setting that may be left out: undefined when unset or blank. */
export const optionalEnv = <E extends object>(env: E, name: Name<E>): string | undefined =>
  read(env, name) || undefined;

export const numberEnv = <E extends object>(
  env: E,
  name: Name<E>,
  fallback: number,
  { min = 0, max = Number.POSITIVE_INFINITY, integer = true } = {},
): number => {
  const raw = read(env, name);
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(
      `environment variable ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}${max < Number.POSITIVE_INFINITY ? ` and <= ${max}` : ''}, got "${raw}"`,
    );
  }
  return value;
};

export const booleanEnv = <E extends object>(env: E, name: Name<E>, fallback: boolean): boolean => {
  const raw = read(env, name)?.toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigurationError(`environment variable ${name} must be true or false, got "${raw}"`);
};

/**
 * How a failing SQS record is retried (record-disposition.ts); the stack leaves the defaults
 * (about 24 h), the local pipeline and tests shorten them.
 */
export const loadRetryPolicy = (env: EnvironmentOf<RetryEnvironment>): RetryPolicy => ({
  maxReceives: numberEnv(env, 'RETRY_MAX_RECEIVES', RETRY_POLICY.maxReceives, { min: 1 }),
  firstDelaySeconds: numberEnv(env, 'RETRY_FIRST_DELAY_SECONDS', RETRY_POLICY.firstDelaySeconds),
  maxDelaySeconds: numberEnv(env, 'RETRY_MAX_DELAY_SECONDS', RETRY_POLICY.maxDelaySeconds),
});

export interface IaSettings {
  baseUrl: string;
  ratePerSecond: number;
  timeoutMs: number;
  totalTimeoutMs: number;
  maxRetryAfterMs: number;
  /** How long a key IA stopped answering is not called (domain/ia-circuit.ts). */
  circuitOpenMs: number;
}

export const loadIaSettings = (env: EnvironmentOf<IaEnvironment>): IaSettings => ({
  baseUrl: read(env, 'IA_API_BASE_URL') || IA_DEFAULTS.baseUrl,
  ratePerSecond: numberEnv(env, 'IA_RATE_PER_SECOND', IA_DEFAULTS.ratePerSecond, { min: 0.001, integer: false }),
  timeoutMs: numberEnv(env, 'IA_TIMEOUT_MS', IA_DEFAULTS.timeoutMs, { min: 100 }),
  totalTimeoutMs: numberEnv(env, 'IA_TOTAL_TIMEOUT_MS', IA_DEFAULTS.totalTimeoutMs, { min: 100 }),
  maxRetryAfterMs: numberEnv(env, 'IA_MAX_RETRY_AFTER_MS', IA_DEFAULTS.maxRetryAfterMs),
  // Up to the longest it stays open; tests shorten it to keep one fault from refusing the next.
  circuitOpenMs: numberEnv(env, 'IA_CIRCUIT_OPEN_MS', IA_DEFAULTS.circuitOpenMs, { min: 1, max: 300_000 }),
});

export const loadRenderSettings = (env: EnvironmentOf<RenderEnvironment>): RenderSettings => {
  const template = read(env, 'IA_ATTEMPT_URL_TEMPLATE');
  const includeCandidateEmail = booleanEnv(env, 'INCLUDE_CANDIDATE_EMAIL', false);
  return template ? { includeCandidateEmail, attemptUrlTemplate: template } : { includeCandidateEmail };
};

/** The watch, the same for `check` and the sweep: both apply looks through the same lifecycle. */
export const loadWatchSettings = (env: EnvironmentOf<WatchEnvironment>): WatchSettings => ({
  firstDelaySeconds: numberEnv(env, 'RECHECK_FIRST_DELAY_SECONDS', DEFAULT_WATCH.firstDelaySeconds),
  maxDelaySeconds: numberEnv(env, 'RECHECK_MAX_DELAY_SECONDS', DEFAULT_WATCH.maxDelaySeconds, { min: 1 }),
  scoringDeadlineSeconds: numberEnv(env, 'SCORING_DEADLINE_SECONDS', DEFAULT_WATCH.scoringDeadlineSeconds),
  watchIntervalSeconds: numberEnv(env, 'WATCH_INTERVAL_SECONDS', DEFAULT_WATCH.watchIntervalSeconds, { min: 1 }),
  reviewSlaSeconds: numberEnv(env, 'REVIEW_SLA_SECONDS', DEFAULT_WATCH.reviewSlaSeconds, { min: 1 }),
  maxReminders: numberEnv(env, 'MAX_REMINDERS', DEFAULT_WATCH.maxReminders),
  maxWatchSeconds: numberEnv(env, 'MAX_WATCH_SECONDS', DEFAULT_WATCH.maxWatchSeconds),
  escalateAfterSeconds: numberEnv(env, 'ESCALATE_AFTER_SECONDS', DEFAULT_WATCH.escalateAfterSeconds),
});

/** How long an alert's idempotency key is kept, as every publishing function reads it. */
export const alertDedupeSeconds = (env: EnvironmentOf<Pick<AlertEnvironment, 'ALERT_DEDUPE_SECONDS'>>): number =>
  numberEnv(env, 'ALERT_DEDUPE_SECONDS', ALERT_DEDUPE_DAYS * 86_400, { min: 60 });

const triggerSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  kind: z.string().check(z.minLength(1)),
  account: z.string().check(z.regex(ACCOUNT_NAME)),
});

/** The deployment's triggers and the thresholds of silence (none listed: nothing to watch). */
export const loadTriggerSettings = (env: EnvironmentOf<TriggerEnvironment>) => ({
  triggers: read(env, 'TRIGGERS')
    ? jsonEnv(env, 'TRIGGERS', (value) => {
        const result = z.array(triggerSchema).safeParse(value);
        if (!result.success)
          throw new Error(result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
        return result.data;
      })
    : [],
  thresholds: {
    silentAfterSeconds: numberEnv(env, 'TRIGGER_SILENT_AFTER_SECONDS', TRIGGER_DEFAULTS.silentAfterSeconds, {
      min: 60,
    }),
    minCompletions: numberEnv(env, 'TRIGGER_SILENT_COMPLETIONS', TRIGGER_DEFAULTS.minCompletions, { min: 1 }),
    graceSeconds: numberEnv(env, 'TRIGGER_GRACE_SECONDS', TRIGGER_DEFAULTS.graceSeconds, { min: 0 }),
  } satisfies TriggerSettings,
});

/** Alert emails carry an "I'm on it" link when the deployment has claims: both names, or neither. */
const loadClaimLinks = (env: EnvironmentOf<AlertEnvironment>) => {
  const url = read(env, 'CLAIM_LINK_URL');
  const secretName = read(env, 'CLAIMS_SECRET_NAME');
  if (!url && !secretName) return undefined;
  if (!url || !secretName || !/^https?:\/\//.test(url))
    throw new ConfigurationError('CLAIM_LINK_URL (an http(s) URL) and CLAIMS_SECRET_NAME go together');
  return { url, secretName };
};

/** What every function that publishes alerts exactly once reads: the topic, its dedupe table, the state table. */
export const loadAlertSettings = (env: EnvironmentOf<AlertEnvironment & LambdaEnvironment>) => ({
  /** Lambda's name for the function: where its keys were written before they were shared. */
  functionName: read(env, 'AWS_LAMBDA_FUNCTION_NAME'),
  alertsTopicArn: requireEnv(env, 'ALERTS_TOPIC_ARN'),
  stateTableName: requireEnv(env, 'STATE_TABLE_NAME'),
  idempotencyTableName: requireEnv(env, 'IDEMPOTENCY_TABLE_NAME'),
  alertDedupeSeconds: alertDedupeSeconds(env),
  alertBus: read(env, 'ALERT_BUS'),
  render: loadRenderSettings(env),
  claimLinks: loadClaimLinks(env),
});

const accountSchema = z.object({
  name: z.string().check(z.regex(ACCOUNT_NAME)),
  apiKeySecret: z.string().check(z.minLength(1)),
  ratePerSecond: z.optional(z.number().check(z.positive())),
  sweep: z.optional(
    z.object({
      horizonDays: z.optional(z.number().check(z.positive())),
      headDays: z.optional(z.number().check(z.nonnegative())),
      budgetShare: z.optional(z.number().check(z.positive(), z.lte(1))),
    }),
  ),
});

/**
 * The IA accounts: `IA_ACCOUNTS` (JSON, each with its key's secret, and its rate and sweep
 * settings where they differ), or the one `default` account of `IA_API_KEY_SECRET`.
 */
export const loadAccounts = (env: EnvironmentOf<LifecycleEnvironment>, ia: IaSettings): Accounts => {
  if (read(env, 'IA_ACCOUNTS') === undefined || read(env, 'IA_ACCOUNTS') === '') {
    return {
      list: [
        { name: DEFAULT_ACCOUNT, apiKeySecret: requireEnv(env, 'IA_API_KEY_SECRET'), ratePerSecond: ia.ratePerSecond },
      ],
      labelled: false,
    };
  }
  const list = jsonEnv(env, 'IA_ACCOUNTS', (value) => {
    const result = z.array(accountSchema).check(z.minLength(1)).safeParse(value);
    if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
    const names = result.data.map((account) => account.name);
    if (new Set(names).size !== names.length) throw new Error(`account names must be unique, got ${names.join(', ')}`);
    return result.data;
  });
  return {
    list: list.map(({ ratePerSecond, sweep, ...account }) => ({
      ...account,
      ratePerSecond: ratePerSecond ?? ia.ratePerSecond,
      ...(sweep ? { sweep } : {}),
    })),
    labelled: true,
  };
};

/** What `check` and the sweep share: both look at attempts through the paced IA client and apply the lifecycle. */
export const loadLifecycleSettings = (env: EnvironmentOf<LifecycleEnvironment & LambdaEnvironment>) => {
  const ia = loadIaSettings(env);
  return {
    ...loadAlertSettings(env),
    legacyKeyPrefixesParameter: read(env, 'LEGACY_KEY_PREFIXES_PARAMETER'),
    checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
    rateLimitTableName: requireEnv(env, 'RATE_LIMIT_TABLE_NAME'),
    ia,
    accounts: loadAccounts(env, ia),
    watch: loadWatchSettings(env),
  };
};

/**
 * A variable holding JSON (a list of sources or channels), parsed and checked by `parse`, which
 * throws with what is wrong; the error names the variable either way.
 */
export const jsonEnv = <E extends object, T>(env: E, name: Name<E>, parse: (value: unknown) => T): T => {
  const raw = requireEnv(env, name);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`environment variable ${name} is not JSON`);
  }
  try {
    return parse(value);
  } catch (error) {
    throw new ConfigurationError(`environment variable ${name}: ${(error as Error).message}`);
  }
};
