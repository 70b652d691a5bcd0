/**
 * Each function's handler factory, the one its Lambda entry calls: what every harness that runs
 * several functions (npm start's containers, the simulation, the integration tests) builds them with.
 */
import type { FunctionRuntime } from '#lib/runtime/function-runtime.js';
import type { FunctionKind } from './deployment.js';

export const FUNCTION_FACTORIES: Record<FunctionKind, () => Promise<(runtime: FunctionRuntime) => unknown>> = {
  check: async () => (await import('../functions/check/check-function.js')).createCheckHandler,
  ingest: async () => (await import('../functions/ingest/ingest-function.js')).createIngestHandler,
  sweep: async () => (await import('../functions/sweep/sweep-function.js')).createSweepHandler,
  digest: async () => (await import('../functions/digest/digest-function.js')).createDigestHandler,
  'notify-slack': async () =>
    (await import('../functions/notify-slack/notify-slack-function.js')).createNotifySlackHandler,
};
