/** The digest's environment contract (functions/lib/runtime/environment.ts). */
import type { AlertEnvironment, TriggerEnvironment } from '../lib/runtime/environment.js';

export type DigestEnvironment = AlertEnvironment & TriggerEnvironment;
