/** The `ingest` function's settings, checked at init; every name is in docs/configuration.md's environment table. */

import { MIN_RECHECK_INTERVAL_SECONDS } from '#lib/domain/defaults.js';
import { SLACK_WEBHOOK_ORIGIN } from '#lib/domain/render/slack.js';
import { parseSources } from '#lib/domain/webhooks/sources.js';
import { jsonEnv, numberEnv, optionalEnv, requireEnv } from '#lib/runtime/config.js';
import type { EnvironmentOf } from '#lib/runtime/environment.js';
import type { IngestEnvironment } from './environment.js';

/** Claims are served when their secret is named. */
const loadClaims = (env: EnvironmentOf<IngestEnvironment>) => {
  const secretName = optionalEnv(env, 'CLAIMS_SECRET_NAME');
  if (secretName === undefined) return undefined;
  return {
    secretName,
    // Each written as an origin (`new URL(…).origin`), as a response_url's is compared.
    slackOrigins: (optionalEnv(env, 'SLACK_ORIGINS')?.split(',') ?? [SLACK_WEBHOOK_ORIGIN]).map(
      (o) => new URL(o).origin,
    ),
  };
};

export const loadIngestConfig = (env: EnvironmentOf<IngestEnvironment>) => ({
  sources: jsonEnv(env, 'SOURCES', parseSources),
  checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
  dedupeTableName: requireEnv(env, 'DEDUPE_TABLE_NAME'),
  referenceDedupeSeconds: numberEnv(env, 'MIN_RECHECK_INTERVAL_SECONDS', MIN_RECHECK_INTERVAL_SECONDS),
  stateTableName: requireEnv(env, 'STATE_TABLE_NAME'),
  claims: loadClaims(env),
});
