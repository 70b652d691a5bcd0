/**
 * `ia-review-alerts redrive [--dry-run] [--limit N]`: after a fix, moves dead-lettered check
 * requests back to the checks queue (each is sent before it is deleted, so a failure midway
 * duplicates at worst, never loses) and reports what it moved and why each had failed.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { REDRIVEN_ATTRIBUTE } from '#lib/check-message.js';
import { readLocalState } from './local-state.js';
import type { Io } from './main.js';
import { UsageError } from './main.js';

export interface RedriveOptions {
  from: string;
  to: string;
  dryRun: boolean;
  limit: number;
}

export interface Redriven {
  messageId: string;
  body: string;
  failureCode?: string;
  failureReason?: string;
}

export const redrive = async (sqs: SQSClient, options: RedriveOptions): Promise<Redriven[]> => {
  const moved: Redriven[] = [];
  const held: Message[] = [];
  while (moved.length < options.limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.from,
        MaxNumberOfMessages: Math.min(10, options.limit - moved.length),
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const attributes = message.MessageAttributes ?? {};
      moved.push({
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        ...(attributes.failureCode?.StringValue ? { failureCode: attributes.failureCode.StringValue } : {}),
        ...(attributes.failureReason?.StringValue ? { failureReason: attributes.failureReason.StringValue } : {}),
      });
      if (options.dryRun) {
        held.push(message);
        continue;
      }
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.to,
          MessageBody: message.Body ?? '',
          // After a fix, ask IA again even about ids it answered 404 for minutes ago.
          MessageAttributes: { [REDRIVEN_ATTRIBUTE]: { DataType: 'String', StringValue: new Date().toISOString() } },
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.from, ReceiptHandle: message.ReceiptHandle ?? '' }));
    }
  }
  // A dry run puts back what it looked at, visible again at once.
  for (let i = 0; i < held.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.from,
        Entries: held.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
      }),
    );
  }
  return moved;
};

export const redriveCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length > 0) throw new UsageError('redrive takes no positional arguments');
  const limit = flags.limit === undefined ? Number.POSITIVE_INFINITY : Number(flags.limit);
  if (!(limit > 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) throw new UsageError('--limit must be a positive integer');
  const local = readLocalState(io.env);
  const from = (flags['dlq-url'] as string | undefined) ?? io.env.DEAD_LETTER_QUEUE_URL ?? local?.deadLetterQueueUrl;
  const to = (flags['queue-url'] as string | undefined) ?? io.env.CHECKS_QUEUE_URL ?? local?.checksQueueUrl;
  if (!from || !to) {
    throw new UsageError('give --dlq-url and --queue-url (stack outputs DeadLetterQueueUrl, ChecksQueueUrl) or set DEAD_LETTER_QUEUE_URL and CHECKS_QUEUE_URL');
  }
  const usingLocal = local !== undefined && from === local.deadLetterQueueUrl;
  const sqs = new SQSClient(
    usingLocal
      ? { endpoint: local.motoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
      : {},
  );
  const dryRun = flags['dry-run'] === true;
  const moved = await redrive(sqs, { from, to, dryRun, limit });
  for (const m of moved) {
    io.out(`${dryRun ? 'would move' : 'moved'} ${m.messageId} ${m.body} (${m.failureCode ?? 'no reason recorded'}${m.failureReason ? `: ${m.failureReason}` : ''})\n`);
  }
  io.out(`${dryRun ? 'dry run: would move' : 'moved'} ${moved.length} message(s) from the DLQ to the checks queue\n`);
};
