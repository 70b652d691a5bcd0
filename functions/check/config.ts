/** The `check` function's settings; every name is in docs/configuration.md. */
import { MIN_RECHECK_INTERVAL_SECONDS, NOT_FOUND_MEMORY_SECONDS } from '#lib/domain/defaults.js';
import { loadLifecycleSettings, loadRetryPolicy, numberEnv, requireEnv } from '#lib/runtime/config.js';
import type { EnvironmentOf, LambdaEnvironment } from '#lib/runtime/environment.js';
import type { CheckEnvironment } from './environment.js';

export const loadCheckConfig = (env: EnvironmentOf<CheckEnvironment & LambdaEnvironment>) => ({
  ...loadLifecycleSettings(env),
  deadLetterQueueUrl: requireEnv(env, 'DEAD_LETTER_QUEUE_URL'),
  minRecheckIntervalSeconds: numberEnv(env, 'MIN_RECHECK_INTERVAL_SECONDS', MIN_RECHECK_INTERVAL_SECONDS),
  notFoundMemorySeconds: numberEnv(env, 'NOT_FOUND_MEMORY_SECONDS', NOT_FOUND_MEMORY_SECONDS),
  retry: loadRetryPolicy(env),
});
