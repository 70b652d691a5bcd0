/** The `ingest` function's settings, checked at init; every name is in docs/configuration.md's environment table. */

import { MIN_RECHECK_INTERVAL_SECONDS } from '#lib/domain/defaults.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { SLACK_WEBHOOK_ORIGIN } from '#lib/domain/slack-origin.js';
import { parseSources } from '#lib/domain/webhooks/sources.js';
import { jsonEnv, numberEnv, optionalEnv, requireEnv } from '#lib/runtime/config.js';
import type { EnvironmentOf } from '#lib/runtime/environment.js';
import type { IngestEnvironment } from './environment.js';

/** `SLACK_ORIGINS`: http(s) origins, comma-separated, each written as a response_url's is compared. */
const slackOrigins = (raw: string | undefined): string[] => {
  if (raw === undefined) return [SLACK_WEBHOOK_ORIGIN];
  const origins = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const url = URL.parse(entry);
      // `new URL('hooks.example.com:443')` is a URL of scheme "hooks.example.com:", origin "null".
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin === 'null')
        throw new ConfigurationError(`environment variable SLACK_ORIGINS: "${entry}" is not an http(s) origin`);
      return url.origin;
    });
  if (origins.length === 0) throw new ConfigurationError('environment variable SLACK_ORIGINS names no origin');
  return origins;
};

/** Claims are served when their secret is named. */
const loadClaims = (env: EnvironmentOf<IngestEnvironment>) => {
  const secretName = optionalEnv(env, 'CLAIMS_SECRET_NAME');
  if (secretName === undefined) return undefined;
  return { secretName, slackOrigins: slackOrigins(optionalEnv(env, 'SLACK_ORIGINS')) };
};

export const loadIngestConfig = (env: EnvironmentOf<IngestEnvironment>) => ({
  sources: jsonEnv(env, 'SOURCES', parseSources),
  checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
  dedupeTableName: requireEnv(env, 'DEDUPE_TABLE_NAME'),
  referenceDedupeSeconds: numberEnv(env, 'MIN_RECHECK_INTERVAL_SECONDS', MIN_RECHECK_INTERVAL_SECONDS),
  stateTableName: requireEnv(env, 'STATE_TABLE_NAME'),
  claims: loadClaims(env),
});
