/** The digest's environment contract (functions/lib/runtime/environment.ts). */
import type { AlertEnvironment } from '../lib/runtime/environment.js';

export type DigestEnvironment = AlertEnvironment;
