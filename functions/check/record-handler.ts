/**
 * What happens to one SQS record: success, back to the queue (retryable), or straight to the
 * DLQ with the reason (can never succeed). Throwing marks the record failed for the batch.
 */
import type { SQSRecord } from 'aws-lambda';
import { type CheckMessage, parseCheckMessage, REDRIVEN_ATTRIBUTE } from '#lib/domain/check-message.js';
import { describeError, UnauthorizedError } from '#lib/domain/errors.js';
import { type DispositionDeps, disposeOfFailure } from '#lib/domain/record-disposition.js';
import { EVENTBRIDGE_SOURCE } from '#lib/domain/trigger-health.js';
import { type CheckDeps, checkReference } from './check-reference.js';

export interface RecordDeps extends CheckDeps, DispositionDeps {
  /** The deps of the request's IA account (its client, states, alerts); these very deps when absent. */
  forAccount?(name: string | undefined): CheckDeps;
  log: DispositionDeps['log'] & { info(message: string, extra: Record<string, unknown>): void };
  /** Do not start a record with less time than this left: an IA call may need all of it. */
  minRemainingMs: number;
  /**
   * Sends a record that was not started back to the queue as a new message once the batch is
   * done (a record whose send fails is retried as it is).
   */
  putOff(message: CheckMessage, forRecord: string, attributes: Record<string, string>): void;
  /** An event the EventBridge trigger delivered, on its first receive: the trigger's sign of life. */
  triggerEvent?(message: CheckMessage): Promise<void>;
}

export interface InvocationState {
  remainingMs(): number;
  signal?: AbortSignal;
}

export const createRecordHandler =
  (deps: RecordDeps) =>
  async (record: SQSRecord, invocation: InvocationState): Promise<void> => {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    // The request's account, once its message is read: what it costs is counted there.
    let count = deps.count;
    try {
      const message = parseCheckMessage(record.body);
      const redrivenAt = record.messageAttributes?.[REDRIVEN_ATTRIBUTE];
      const redriven = redrivenAt !== undefined;
      if (invocation.remainingMs() < deps.minRemainingMs) {
        // A new message, not the record back: receives spent waiting for time would count against
        // the retry window, and through hours of slow IA answers a record that never ran was
        // dead-lettered after 3 h instead of 25 (seed 1070).
        deps.putOff(message, record.messageId, redriven ? { [REDRIVEN_ATTRIBUTE]: redrivenAt.stringValue ?? '' } : {});
        deps.log.info('record put off: not enough time left in this invocation', {
          messageId: record.messageId,
          receiveCount,
        });
        deps.count('RecordsPutOff');
        return;
      }
      const scoped = deps.forAccount ? deps.forAccount(message.account) : deps;
      if (message.source === EVENTBRIDGE_SOURCE && receiveCount === 1 && !redriven) await deps.triggerEvent?.(message);
      count = scoped.count;
      const { outcomes, failures } = await checkReference(message, record.messageId, scoped, {
        ...(invocation.signal ? { signal: invocation.signal } : {}),
        ...(redriven ? { redriven } : {}),
      });
      for (const outcome of outcomes) {
        deps.log.info('attempt checked', {
          ...outcome,
          source: message.source,
          ...(message.account ? { account: message.account } : {}),
          eventId: message.eventId,
          receiveCount,
        });
        for (const eventType of outcome.published) scoped.count('AlertsPublished', 1, { eventType });
        for (const _ of outcome.suppressed) deps.count('DuplicateAlertsSuppressed');
        if (outcome.action === 'stale-recheck') deps.count('StaleRechecksDropped');
        if (outcome.action === 'not-completed') deps.count('AttemptsNotCompleted');
        if (outcome.action === 'recently-checked' || outcome.action === 'already-closed')
          deps.count('DuplicateTriggersAbsorbed');
      }
      for (const { attemptId, error } of failures) {
        const reason = { ...describeError(error), ...(attemptId ? { attemptId } : {}) };
        deps.log.error('attempt in assignment cannot be checked; dead-lettered', reason);
        scoped.count('RecordsDeadLettered');
        // A request of its own, as a redrive replays it: the same account and source.
        const body = attemptId
          ? JSON.stringify({
              attemptId,
              ...(message.account ? { account: message.account } : {}),
              ...(message.source ? { source: message.source } : {}),
              ...(message.eventId ? { eventId: message.eventId } : {}),
            })
          : record.body;
        await deps.deadLetter(body, reason, record);
      }
    } catch (error) {
      if (error instanceof UnauthorizedError) count('IaAuthFailures');
      await disposeOfFailure(error, record, { ...deps, count });
    }
  };
