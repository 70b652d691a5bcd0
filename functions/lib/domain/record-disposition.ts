/**
 * What happens to an SQS record whose work failed, the same for every function: a permanent
 * failure goes to the DLQ at once with its reason (and the record counts as done); a retryable
 * one comes back after a delay that doubles with each receive, up to an hour and never longer than
 * the record has been failing (longer when the other side asked for longer), so an IA or Slack
 * outage of a day is ridden out and the first try after a shorter one comes soon after it, except a
 * conflict with another invocation (state written, alert in progress), which comes back after the
 * first delay whatever the count; the last receive
 * dead-letters the record itself, with the last reason. The queue's own redrive policy sits a few
 * receives further, for records whose function died before it could say anything.
 */
import type { SQSRecord } from 'aws-lambda';
import { describeError, EffectInProgressError, RateLimitedError, StateConflictError } from './errors.js';

export interface RetryPolicy {
  /** The receive on which a still-failing record is dead-lettered. */
  maxReceives: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
}

/** Checks and Slack deliveries: about 24 hours of retries (`retryWindowSeconds`). */
export const RETRY_POLICY: RetryPolicy = { maxReceives: 32, firstDelaySeconds: 30, maxDelaySeconds: 3600 };

/** The queue's redrive policy: past our own dead-lettering, for functions that died without a word. */
export const redriveMaxReceiveCount = (policy: RetryPolicy = RETRY_POLICY) => policy.maxReceives + 3;

/**
 * How long a record waits after its `receiveCount`-th failed receive, having failed since its first
 * receive `failingSeconds` ago: doubling up to the cap, and never longer than it has been failing.
 * A receive lost to a crash or a timeout counts without its wait, so by the count alone the first
 * try after a 40-minute outage waited an hour (seed 1657).
 */
export const retryDelaySeconds = (
  receiveCount: number,
  policy: RetryPolicy = RETRY_POLICY,
  failingSeconds = Number.POSITIVE_INFINITY,
) =>
  Math.min(
    policy.firstDelaySeconds * 2 ** Math.max(0, receiveCount - 1),
    policy.maxDelaySeconds,
    Math.max(policy.firstDelaySeconds, Math.ceil(failingSeconds)),
  );

/** From the first receive to the dead letter, if every try fails. */
export const retryWindowSeconds = (policy: RetryPolicy = RETRY_POLICY) => {
  let total = 0;
  for (let receive = 1; receive < policy.maxReceives; receive++) total += retryDelaySeconds(receive, policy, total);
  return total;
};

export interface DispositionDeps {
  /** The record comes along so a function can record where the message came from (its Slack channel). */
  deadLetter(body: string, reason: DeadLetterReason, record: SQSRecord): Promise<void>;
  /** Makes the record visible again only after `seconds`. */
  delay(record: SQSRecord, seconds: number): Promise<void>;
  log: {
    warn(message: string, extra: Record<string, unknown>): void;
    error(message: string, extra: Record<string, unknown>): void;
  };
  count(metric: string, value?: number, dimensions?: Record<string, string>): void;
  now(): Date;
  /** RETRY_POLICY unless configured otherwise. */
  retry?: RetryPolicy;
}

export const disposeOfFailure = async (error: unknown, record: SQSRecord, deps: DispositionDeps): Promise<void> => {
  const policy = deps.retry ?? RETRY_POLICY;
  const { code, message, retryable } = describeError(error);
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  const since = Number(record.attributes?.ApproximateFirstReceiveTimestamp);
  const failingSeconds = Number.isFinite(since) ? (deps.now().getTime() - since) / 1000 : Number.POSITIVE_INFINITY;
  if (!retryable) {
    deps.log.error('record can never succeed; dead-lettered', { code, reason: message, messageId: record.messageId });
    deps.count('RecordsDeadLettered');
    await deps.deadLetter(record.body, { code, message }, record);
    return;
  }
  if (receiveCount >= policy.maxReceives) {
    const hours = Number.isFinite(since) ? ` over ${Math.round(failingSeconds / 360) / 10} h` : '';
    const reason = { code, message: `still failing after ${receiveCount} tries${hours}; last: ${message}` };
    deps.log.error('record retried until its window closed; dead-lettered', { ...reason, messageId: record.messageId });
    deps.count('RecordsDeadLettered');
    await deps.deadLetter(record.body, reason, record);
    return;
  }
  // A conflict is not an outage: another invocation has just saved the same attempt or is
  // publishing the same alert, and a fresh try settles it. After a long IA outage the doubling is
  // at its hour, which only delays (seeds 1212, 1331).
  const conflict = error instanceof StateConflictError || error instanceof EffectInProgressError;
  const backoff = conflict ? policy.firstDelaySeconds : retryDelaySeconds(receiveCount, policy, failingSeconds);
  const wait = error instanceof RateLimitedError ? Math.max(error.retryAfterSeconds, backoff) : backoff;
  // No delay at all (a policy of 0 s) leaves it to the queue's visibility timeout.
  if (wait > 0) await deps.delay(record, wait);
  deps.log.warn('record will be retried', { code, reason: message, messageId: record.messageId, receiveCount });
  deps.count('RecordsRetried');
  throw error;
};

export interface DeadLetterReason {
  code: string;
  message: string;
  attemptId?: string;
  /** The Slack channel whose buffer the message came from: `redrive --slack` returns it there. */
  channel?: string;
}
