/** The `check` function's environment contract (functions/lib/runtime/environment.ts). */
import type { LifecycleEnvironment, RetryEnvironment } from '../lib/runtime/environment.js';

export interface CheckEnvironment extends LifecycleEnvironment, RetryEnvironment {
  readonly DEAD_LETTER_QUEUE_URL: string;
  readonly MIN_RECHECK_INTERVAL_SECONDS?: string;
  readonly NOT_FOUND_MEMORY_SECONDS?: string;
}
