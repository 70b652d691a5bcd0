/** The `digest` function's settings, checked at init; every name is in the README's environment table. */
import { alertDedupeSeconds, loadRenderSettings, requireEnv } from '#lib/runtime/config.js';

type Env = Record<string, string | undefined>;

export const loadDigestConfig = (env: Env) => ({
  alertsTopicArn: requireEnv(env, 'ALERTS_TOPIC_ARN'),
  stateTableName: requireEnv(env, 'STATE_TABLE_NAME'),
  idempotencyTableName: requireEnv(env, 'IDEMPOTENCY_TABLE_NAME'),
  alertDedupeSeconds: alertDedupeSeconds(env),
  render: loadRenderSettings(env),
});
