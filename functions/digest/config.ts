/** The `digest` function's settings, checked at init; every name is in docs/configuration.md's environment table. */
import { loadAlertSettings, loadTriggerSettings } from '#lib/runtime/config.js';
import type { EnvironmentOf, LambdaEnvironment } from '#lib/runtime/environment.js';
import type { DigestEnvironment } from './environment.js';

export const loadDigestConfig = (env: EnvironmentOf<DigestEnvironment & LambdaEnvironment>) => ({
  ...loadAlertSettings(env),
  ...loadTriggerSettings(env),
});
