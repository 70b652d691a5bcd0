/**
 * What happens to an SQS record whose work failed, the same for every function: a permanent
 * failure goes to the DLQ at once with its reason (and the record counts as done); a rate limit
 * parks the record for as long as the other side asked; anything else is thrown, so the batch
 * reports the record failed and SQS redelivers it after its visibility timeout.
 */
import type { SQSRecord } from 'aws-lambda';
import { describeError, RateLimitedError } from './errors.js';

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
}

export const disposeOfFailure = async (error: unknown, record: SQSRecord, deps: DispositionDeps): Promise<void> => {
  const { code, message, retryable } = describeError(error);
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  if (!retryable) {
    deps.log.error('record can never succeed; dead-lettered', { code, reason: message, messageId: record.messageId });
    deps.count('RecordsDeadLettered');
    await deps.deadLetter(record.body, { code, message }, record);
    return;
  }
  if (error instanceof RateLimitedError) await deps.delay(record, error.retryAfterSeconds);
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
