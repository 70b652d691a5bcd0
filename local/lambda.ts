/** What Lambda hands a function: a context object and SQS events, built the way the service does. */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Runs `build` with the process environment Lambda would give the function: factories and
 * Powertools read it as they build (its idempotency layer takes the function's name there), so a
 * harness running several functions in one process builds each under its own.
 */
export const withEnvironment = <T>(env: Record<string, string | undefined>, build: () => T): T => {
  const saved = process.env;
  process.env = { ...env };
  try {
    return build();
  } finally {
    process.env = saved;
  }
};

export const lambdaContext = (functionName = 'check', timeoutMs = 60_000): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

export interface QueueMessage {
  body: string;
  messageId?: string;
  receiptHandle?: string;
  receiveCount?: number;
}

export const sqsRecord = (
  message: QueueMessage,
  queueArn = 'arn:aws:sqs:us-east-1:123456789012:checks',
): SQSRecord => ({
  messageId: message.messageId ?? randomUUID(),
  receiptHandle: message.receiptHandle ?? randomUUID(),
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receiveCount ?? 1),
    SentTimestamp: String(Date.now()),
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: 'us-east-1',
});

export const sqsEvent = (messages: Array<QueueMessage | string>): SQSEvent => ({
  Records: messages.map((m) => sqsRecord(typeof m === 'string' ? { body: m } : m)),
});
