/** The sweep's environment contract (functions/lib/runtime/environment.ts). */
import type { LifecycleEnvironment, TriggerEnvironment } from '../lib/runtime/environment.js';

export interface SweepEnvironment extends LifecycleEnvironment, TriggerEnvironment {
  readonly SWEEP_INTERVAL_SECONDS?: string;
  readonly SWEEP_HORIZON_DAYS?: string;
  readonly SWEEP_HEAD_DAYS?: string;
  readonly SWEEP_FULL_WALK_EVERY_SECONDS?: string;
  readonly SWEEP_BUDGET_SHARE?: string;
  readonly SWEEP_PAGE_SIZE?: string;
}
