/** The `check` function's settings; every name is in the README's configuration table. */
import { loadIaSettings, loadRenderSettings, numberEnv, requireEnv } from '#lib/config.js';
import { DEFAULT_WATCH } from '#lib/lifecycle.js';

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
  watch: {
    firstDelaySeconds: numberEnv(env, 'RECHECK_FIRST_DELAY_SECONDS', DEFAULT_WATCH.firstDelaySeconds),
    maxDelaySeconds: numberEnv(env, 'RECHECK_MAX_DELAY_SECONDS', DEFAULT_WATCH.maxDelaySeconds, { min: 1 }),
    scoringDeadlineSeconds: numberEnv(env, 'SCORING_DEADLINE_SECONDS', DEFAULT_WATCH.scoringDeadlineSeconds),
    watchIntervalSeconds: numberEnv(env, 'WATCH_INTERVAL_SECONDS', DEFAULT_WATCH.watchIntervalSeconds, { min: 1 }),
    reviewSlaSeconds: numberEnv(env, 'REVIEW_SLA_SECONDS', DEFAULT_WATCH.reviewSlaSeconds, { min: 1 }),
    maxReminders: numberEnv(env, 'MAX_REMINDERS', DEFAULT_WATCH.maxReminders),
    maxWatchSeconds: numberEnv(env, 'MAX_WATCH_SECONDS', DEFAULT_WATCH.maxWatchSeconds),
  },
});
