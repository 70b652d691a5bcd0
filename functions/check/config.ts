/** The `check` function's settings; every name is in the README's configuration table. */
import { loadIaSettings, loadRenderSettings, loadWatchSettings, numberEnv, requireEnv } from '#lib/runtime/config.js';

type Env = Record<string, string | undefined>;

export const loadCheckConfig = (env: Env) => ({
  alertsTopicArn: requireEnv(env, 'ALERTS_TOPIC_ARN'),
  checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
  deadLetterQueueUrl: requireEnv(env, 'DEAD_LETTER_QUEUE_URL'),
  apiKeySecret: requireEnv(env, 'IA_API_KEY_SECRET'),
  stateTableName: requireEnv(env, 'STATE_TABLE_NAME'),
  idempotencyTableName: requireEnv(env, 'IDEMPOTENCY_TABLE_NAME'),
  rateLimitTableName: requireEnv(env, 'RATE_LIMIT_TABLE_NAME'),
  alertDedupeSeconds: numberEnv(env, 'ALERT_DEDUPE_SECONDS', 30 * 24 * 3600, { min: 60 }),
  minRecheckIntervalSeconds: numberEnv(env, 'MIN_RECHECK_INTERVAL_SECONDS', 300),
  notFoundMemorySeconds: numberEnv(env, 'NOT_FOUND_MEMORY_SECONDS', 600),
  ia: loadIaSettings(env),
  render: loadRenderSettings(env),
  watch: loadWatchSettings(env),
});
