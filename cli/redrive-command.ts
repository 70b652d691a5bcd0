/**
 * `ia-review-alerts redrive [--dry-run] [--limit N] [--stack NAME] [--slack]`: after a fix, moves
 * dead-lettered check requests back to the checks queue — or, with `--slack`, dead-lettered Slack
 * posts back to their own channel's buffer — each sent before it is deleted (a failure midway
 * duplicates at worst, never loses), and reports what it moved and why each had failed.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { REDRIVEN_ATTRIBUTE } from '#lib/domain/check-message.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { type Io, UsageError } from './io.js';
import { resolveTargets, type Targets } from './targets.js';

export interface RedriveOptions {
  from: string;
  /** Where a message goes back to; undefined leaves it in the DLQ (reported). */
  to: (message: Message) => string | undefined;
  dryRun: boolean;
  limit: number;
}

export interface Redriven {
  messageId: string;
  body: string;
  failureCode?: string;
  failureReason?: string;
  /** Where it went (or would go); absent when it stays in the DLQ. */
  to?: string;
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
      const to = options.to(message);
      moved.push({
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        ...(attributes.failureCode?.StringValue ? { failureCode: attributes.failureCode.StringValue } : {}),
        ...(attributes.failureReason?.StringValue ? { failureReason: attributes.failureReason.StringValue } : {}),
        ...(to ? { to } : {}),
      });
      if (options.dryRun || !to) {
        held.push(message);
        continue;
      }
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: to,
          MessageBody: message.Body ?? '',
          // After a fix, ask IA again even about ids it answered 404 for minutes ago.
          MessageAttributes: { [REDRIVEN_ATTRIBUTE]: { DataType: 'String', StringValue: new Date().toISOString() } },
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.from, ReceiptHandle: message.ReceiptHandle ?? '' }));
    }
  }
  // A dry run (or a message with nowhere to go) is put back, visible again at once.
  for (let i = 0; i < held.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.from,
        Entries: held
          .slice(i, i + 10)
          .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
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
  if (!(limit > 0) || (Number.isFinite(limit) && !Number.isInteger(limit)))
    throw new UsageError('--limit must be a positive integer');
  // Explicit URLs name a deployment's queues, reached with the SDK's own credentials.
  const explicit =
    typeof flags['dlq-url'] === 'string' && (flags.slack === true || typeof flags['queue-url'] === 'string');
  const targets: Targets = explicit
    ? { aws: {}, slackBuffers: {}, includeCandidateEmail: false, from: 'the command line' }
    : await resolveTargets(flags, io);
  const slack = flags.slack === true;
  const from = explicit
    ? (flags['dlq-url'] as string)
    : slack
      ? targets.slackDeadLetterQueueUrl
      : targets.deadLetterQueueUrl;
  const checksQueue = explicit ? (flags['queue-url'] as string | undefined) : targets.checksQueueUrl;
  if (!from || (!slack && !checksQueue)) {
    throw new ConfigurationError(
      slack
        ? 'no Slack dead-letter queue: give --stack <name> (the deployed stack), or --dlq-url (output SlackDeadLetterQueueUrl), or set SLACK_DEAD_LETTER_QUEUE_URL and SLACK_BUFFERS, or --local with npm start running'
        : 'no dead-letter and checks queues: give --stack <name> (the deployed stack), or --dlq-url and --queue-url (outputs DeadLetterQueueUrl, ChecksQueueUrl), or set DEAD_LETTER_QUEUE_URL and CHECKS_QUEUE_URL, or --local with npm start running',
    );
  }
  // A Slack post goes back to the buffer of the channel it failed for, named on the message.
  const to = slack
    ? (message: Message) => targets.slackBuffers[message.MessageAttributes?.channel?.StringValue ?? '']
    : () => checksQueue;
  const dryRun = flags['dry-run'] === true;
  const moved = await redrive(new SQSClient(targets.aws), { from, to, dryRun, limit });
  if (flags.json === true) {
    // One line per message, as `check --json` and `pending --json` print theirs.
    for (const m of moved)
      io.out(
        `${JSON.stringify({ messageId: m.messageId, body: m.body, moved: Boolean(m.to) && !dryRun, wouldMove: Boolean(m.to), failureCode: m.failureCode, failureReason: m.failureReason })}\n`,
      );
    return;
  }
  for (const m of moved) {
    const reason = `(${m.failureCode ?? 'no reason recorded'}${m.failureReason ? `: ${m.failureReason}` : ''})`;
    io.out(
      m.to
        ? `${dryRun ? 'would move' : 'moved'} ${m.messageId} ${m.body} ${reason}\n`
        : `left ${m.messageId} in the DLQ: it names no channel this deployment has ${reason}\n`,
    );
  }
  const count = moved.filter((m) => m.to).length;
  io.out(
    `${dryRun ? 'dry run: would move' : 'moved'} ${count} message(s) from the DLQ to ${slack ? "their channels' buffers" : 'the checks queue'}\n`,
  );
};
