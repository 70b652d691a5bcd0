/** The `notify-slack` function's environment contract (functions/lib/runtime/environment.ts). */
import type { RetryEnvironment } from '../lib/runtime/environment.js';

export interface NotifySlackEnvironment extends RetryEnvironment {
  /** The channels as JSON: name, buffer queue, and a webhook secret and origin, or a chat topic (config.ts). */
  readonly SLACK_CHANNELS: string;
  readonly DEAD_LETTER_QUEUE_URL: string;
  readonly IDEMPOTENCY_TABLE_NAME: string;
  readonly RATE_LIMIT_TABLE_NAME: string;
  readonly ALERT_DEDUPE_SECONDS?: string;
  readonly SLACK_MIN_INTERVAL_MS?: string;
}
