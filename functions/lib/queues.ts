/**
 * SQS adapters: enqueue a check, park a record for later, dead-letter with the reason attached.
 * The DLQ message keeps the original body, so a redrive replays exactly what failed.
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CheckMessage } from './check-message.js';

export const SQS_MAX_VISIBILITY_SECONDS = 12 * 3600;
export const SQS_MAX_DELAY_SECONDS = 900;

export const enqueueCheck =
  (sqs: SQSClient, queueUrl: string) =>
  async (message: CheckMessage, delaySeconds = 0): Promise<void> => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }),
    );
  };

export interface DeadLetterReason {
  code: string;
  message: string;
  attemptId?: string;
}

const attribute = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1024) });

export const deadLetter =
  (sqs: SQSClient, deadLetterQueueUrl: string, failedBy: string) =>
  async (body: string, reason: DeadLetterReason, now = new Date()): Promise<void> => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: {
          failureCode: attribute(reason.code),
          failureReason: attribute(reason.message),
          failedBy: attribute(failedBy),
          failedAt: attribute(now.toISOString()),
          ...(reason.attemptId ? { attemptId: attribute(reason.attemptId) } : {}),
        },
      }),
    );
  };

export const delayRecord =
  (sqs: SQSClient, queueUrl: string) =>
  async (receiptHandle: string, seconds: number): Promise<void> => {
    const visibility = Math.min(Math.max(Math.ceil(seconds), 0), SQS_MAX_VISIBILITY_SECONDS);
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: visibility }),
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
      if (Failed.length > 0) throw new Error(`SQS refused ${Failed.length} message(s): ${Failed[0]?.Code ?? 'unknown'}`);
    }
  };
