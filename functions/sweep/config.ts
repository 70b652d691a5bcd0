/** The `sweep` function's settings; every name is in docs/configuration.md. */

import { SWEEP_DEFAULTS } from '#lib/domain/defaults.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { loadLifecycleSettings, loadTriggerSettings, numberEnv } from '#lib/runtime/config.js';
import type { EnvironmentOf, LambdaEnvironment } from '#lib/runtime/environment.js';
import type { SweepEnvironment } from './environment.js';

export const loadSweepConfig = (env: EnvironmentOf<SweepEnvironment & LambdaEnvironment>) => {
  const intervalSeconds = numberEnv(env, 'SWEEP_INTERVAL_SECONDS', SWEEP_DEFAULTS.intervalMinutes * 60, { min: 1 });
  const budgetShare = numberEnv(env, 'SWEEP_BUDGET_SHARE', SWEEP_DEFAULTS.budgetShare, { min: 0.01, integer: false });
  if (budgetShare > 1)
    throw new ConfigurationError(`environment variable SWEEP_BUDGET_SHARE must be at most 1, got ${budgetShare}`);
  return {
    ...loadLifecycleSettings(env),
    ...loadTriggerSettings(env),
    intervalSeconds,
    budgetShare,
    sweep: {
      horizonDays: numberEnv(env, 'SWEEP_HORIZON_DAYS', SWEEP_DEFAULTS.horizonDays, { min: 1, integer: false }),
      headDays: numberEnv(env, 'SWEEP_HEAD_DAYS', SWEEP_DEFAULTS.headDays, { min: 0, integer: false }),
      headShare: SWEEP_DEFAULTS.headShare,
      fullWalkEverySeconds: numberEnv(env, 'SWEEP_FULL_WALK_EVERY_SECONDS', SWEEP_DEFAULTS.fullWalkEveryMinutes * 60),
      pageSize: numberEnv(env, 'SWEEP_PAGE_SIZE', SWEEP_DEFAULTS.pageSize, { min: 1 }),
      // Most of the interval, so one run ends before the next is due.
      runSeconds: Math.max(1, Math.floor(intervalSeconds * 0.9) - 5),
    },
  };
};
