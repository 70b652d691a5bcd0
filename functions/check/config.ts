/** The `check` function's settings; every name is in the README's configuration table. */
import { MIN_RECHECK_INTERVAL_SECONDS, NOT_FOUND_MEMORY_SECONDS } from '#lib/domain/defaults.js';
import {
  alertDedupeSeconds,
  loadIaSettings,
  loadRenderSettings,
  loadWatchSettings,
  numberEnv,
  requireEnv,
} from '#lib/runtime/config.js';

type Env = Record<string, string | undefined>;

export const loadCheckConfig = (env: Env) => ({
  alertsTopicArn: requireEnv(env, 'ALERTS_TOPIC_ARN'),
  checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
  deadLetterQueueUrl: requireEnv(env, 'DEAD_LETTER_QUEUE_URL'),
  apiKeySecret: requireEnv(env, 'IA_API_KEY_SECRET'),
  stateTableName: requireEnv(env, 'STATE_TABLE_NAME'),
  idempotencyTableName: requireEnv(env, 'IDEMPOTENCY_TABLE_NAME'),
  rateLimitTableName: requireEnv(env, 'RATE_LIMIT_TABLE_NAME'),
  alertDedupeSeconds: alertDedupeSeconds(env),
  minRecheckIntervalSeconds: numberEnv(env, 'MIN_RECHECK_INTERVAL_SECONDS', MIN_RECHECK_INTERVAL_SECONDS),
  notFoundMemorySeconds: numberEnv(env, 'NOT_FOUND_MEMORY_SECONDS', NOT_FOUND_MEMORY_SECONDS),
  ia: loadIaSettings(env),
  render: loadRenderSettings(env),
  watch: loadWatchSettings(env),
});
