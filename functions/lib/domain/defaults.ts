/**
 * Names and defaults the functions, the CLI and the CDK construct share, each defined once: the
 * construct's props default to these (infra/review-alerts-props.ts), the functions fall back to
 * them when a variable is unset, and the dashboard and alarms find the metrics by these names.
 */

/** CloudWatch namespace of every metric the functions emit. */
export const METRICS_NAMESPACE = 'IaReviewAlerts';

/** The Powertools service name of a function, the `service` dimension of its metrics. */
export const serviceName = (fn: string) => `ia-review-alerts-${fn}`;

/** Every rate limit is paced this much under: timer wake-ups jitter, and a 429 costs far more. */
export const PACE_MARGIN = 1.05;

/** The shared schedule of an IA key, named after the secret that holds the key. */
export const iaScheduleKey = (apiKeySecret: string) => `ia-key#${apiKeySecret}`;

/** Milliseconds between calls that keep `ratePerSecond`, with the margin. */
export const pacedIntervalMs = (ratePerSecond: number) => Math.ceil((1000 * PACE_MARGIN) / ratePerSecond);

/**
 * A sweep run's pages: its share of the run's paced slots, walked at the key's rate. At least two
 * for each walk, which resumes a page early: a walk given one page a run would fetch it forever.
 */
export const sweepPagesPerRun = (runSeconds: number, share: number, ratePerSecond: number) =>
  Math.max(4, Math.floor((runSeconds * 1000 * share) / pacedIntervalMs(ratePerSecond)));

export const IA_DEFAULTS = {
  baseUrl: 'https://api.indeedassessments.com/v1',
  ratePerSecond: 1,
  /** Per HTTP attempt. */
  timeoutMs: 5_000,
  /** A whole call, retries included: well below the 60 s `check` timeout. */
  totalTimeoutMs: 20_000,
  /** A longer Retry-After is not slept through: the record is parked on its queue. */
  maxRetryAfterMs: 5_000,
  /** A key IA stopped answering is not called for this long, then twice as long up to 5 min. */
  circuitOpenMs: 30_000,
} as const;

/** Slack allows about one message per second per incoming webhook. */
export const SLACK_RATE_PER_SECOND = 1;

/** How long an alert's idempotency key is kept: longer than any redelivery or watch. */
export const ALERT_DEDUPE_DAYS = 30;

/** A trigger within this time of the last look is answered from state; a webhook repeat is a duplicate. */
export const MIN_RECHECK_INTERVAL_SECONDS = 300;

/** How long an IA 404 is remembered for an id never seen before. */
export const NOT_FOUND_MEMORY_SECONDS = 600;

export const SWEEP_DEFAULTS = {
  intervalMinutes: 5,
  horizonDays: 30,
  /**
   * The recent head walked first in every run: most attempts are completed within days of their
   * invitation (npm run bench: sweep-only latency by head size, docs/performance.md).
   */
  headDays: 5,
  /** The share of a run's time the head may take; the walk of the whole horizon gets the rest. */
  headShare: 0.6,
  /** A new walk of the whole horizon at most this often: a small list is not walked over and over. */
  fullWalkEveryMinutes: 30,
  pageSize: 100,
  budgetShare: 0.5,
} as const;

export const DIGEST_DEFAULTS = { schedule: 'cron(0 8 ? * MON-FRI *)', timeZone: 'UTC' } as const;
