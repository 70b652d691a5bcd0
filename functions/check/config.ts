/** The `check` function's settings; every name is in the README's configuration table. */
import { loadIaSettings, loadRenderSettings, numberEnv, requireEnv } from '#lib/config.js';
import { DEFAULT_RECHECK } from '#lib/recheck.js';

type Env = Record<string, string | undefined>;

export const loadCheckConfig = (env: Env) => ({
  alertsTopicArn: requireEnv(env, 'ALERTS_TOPIC_ARN'),
  checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
  deadLetterQueueUrl: requireEnv(env, 'DEAD_LETTER_QUEUE_URL'),
  apiKeySecret: requireEnv(env, 'IA_API_KEY_SECRET'),
  ia: loadIaSettings(env),
  render: loadRenderSettings(env),
  recheck: {
    firstDelaySeconds: numberEnv(env, 'RECHECK_FIRST_DELAY_SECONDS', DEFAULT_RECHECK.firstDelaySeconds),
    maxDelaySeconds: numberEnv(env, 'RECHECK_MAX_DELAY_SECONDS', DEFAULT_RECHECK.maxDelaySeconds),
    deadlineSeconds: numberEnv(env, 'SCORING_DEADLINE_SECONDS', DEFAULT_RECHECK.deadlineSeconds),
  },
});
