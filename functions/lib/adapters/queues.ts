/**
 * SQS adapters: enqueue a check, hold a batch's re-checks for one send, park a record for later,
 * dead-letter with the reason attached. The DLQ message keeps the original body, so a redrive
 * replays exactly what failed.
 */
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { CheckMessage } from '../domain/check-message.js';
import type { DeadLetterReason } from '../domain/record-disposition.js';

export const SQS_MAX_VISIBILITY_SECONDS = 12 * 3600;
const SQS_BATCH_LIMIT = 10;

export interface OutgoingChecks {
  /**
   * Holds a check message until `flush`, on behalf of the SQS record whose processing produced it;
   * `attributes` become string message attributes.
   */
  add(message: CheckMessage, delaySeconds: number, forRecord: string, attributes?: Record<string, string>): void;
  /**
   * Sends, ten to a call, what the `succeeded` records produced, and drops the rest: a failed record
   * comes back and produces its messages again. Returns the records whose messages SQS did not take.
   */
  flush(succeeded: ReadonlySet<string>): Promise<{ unsent: string[]; reason?: string }>;
}

/** One SendMessageBatch per batch of records instead of one SendMessage per record (npm run bench). */
export const outgoingChecks = (sqs: SQSClient, queueUrl: string): OutgoingChecks => {
  let held: Array<{
    message: CheckMessage;
    delaySeconds: number;
    forRecord: string;
    attributes?: Record<string, string>;
  }> = [];
  return {
    add(message, delaySeconds, forRecord, attributes) {
      held.push({ message, delaySeconds, forRecord, ...(attributes ? { attributes } : {}) });
    },
    async flush(succeeded) {
      const entries = held.filter((entry) => succeeded.has(entry.forRecord));
      held = [];
      const unsent = new Set<string>();
      let reason: string | undefined;
      for (let start = 0; start < entries.length; start += SQS_BATCH_LIMIT) {
        const chunk = entries.slice(start, start + SQS_BATCH_LIMIT);
        try {
          const { Failed = [] } = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((entry, i) => ({
                Id: String(i),
                MessageBody: JSON.stringify(entry.message),
                DelaySeconds: entry.delaySeconds,
                ...(entry.attributes && Object.keys(entry.attributes).length > 0
                  ? {
                      MessageAttributes: Object.fromEntries(
                        Object.entries(entry.attributes).map(([name, value]) => [name, attribute(value)]),
                      ),
                    }
                  : {}),
              })),
            }),
          );
          for (const failed of Failed) {
            const record = chunk[Number(failed.Id)]?.forRecord;
            if (record !== undefined) unsent.add(record);
            reason = `SQS refused a message: ${failed.Code ?? 'unknown'}`;
          }
        } catch (error) {
          for (const entry of chunk) unsent.add(entry.forRecord);
          reason = `SendMessageBatch failed: ${(error as Error).name}`;
        }
      }
      return { unsent: [...unsent], ...(reason ? { reason } : {}) };
    },
  };
};

const attribute = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1024) });

export const deadLetter =
  (sqs: SQSClient, deadLetterQueueUrl: string, failedBy: string) =>
  async (body: string, reason: DeadLetterReason): Promise<void> => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: {
          failureCode: attribute(reason.code),
          failureReason: attribute(reason.message),
          failedBy: attribute(failedBy),
          failedAt: attribute(new Date().toISOString()),
          ...(reason.attemptId ? { attemptId: attribute(reason.attemptId) } : {}),
          ...(reason.channel ? { channel: attribute(reason.channel) } : {}),
        },
      }),
    );
  };

export const delayRecord =
  (sqs: SQSClient, queueUrl: string) =>
  async (receiptHandle: string, seconds: number): Promise<void> => {
    const visibility = Math.min(Math.max(Math.ceil(seconds), 0), SQS_MAX_VISIBILITY_SECONDS);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: visibility,
      }),
    );
  };

/** Enqueues check requests ten at a time; any entry SQS refuses fails the whole call. */
export const enqueueChecks =
  (sqs: SQSClient, queueUrl: string) =>
  async (messages: CheckMessage[]): Promise<void> => {
    for (let start = 0; start < messages.length; start += 10) {
      const chunk = messages.slice(start, start + 10);
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) })),
        }),
      );
      if (Failed.length > 0)
        throw new Error(`SQS refused ${Failed.length} message(s): ${Failed[0]?.Code ?? 'unknown'}`);
    }
  };
