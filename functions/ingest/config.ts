/** The `ingest` function's settings, checked at init; every name is in docs/configuration.md's environment table. */
import { MIN_RECHECK_INTERVAL_SECONDS } from '#lib/domain/defaults.js';
import { parseSources } from '#lib/domain/webhooks/sources.js';
import { jsonEnv, numberEnv, requireEnv } from '#lib/runtime/config.js';
import type { EnvironmentOf } from '#lib/runtime/environment.js';
import type { IngestEnvironment } from './environment.js';

export const loadIngestConfig = (env: EnvironmentOf<IngestEnvironment>) => ({
  sources: jsonEnv(env, 'SOURCES', parseSources),
  checksQueueUrl: requireEnv(env, 'CHECKS_QUEUE_URL'),
  dedupeTableName: requireEnv(env, 'DEDUPE_TABLE_NAME'),
  referenceDedupeSeconds: numberEnv(env, 'MIN_RECHECK_INTERVAL_SECONDS', MIN_RECHECK_INTERVAL_SECONDS),
});
