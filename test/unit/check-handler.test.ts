/**
 * The check handler as Lambda calls it, AWS SDK mocked (aws-sdk-client-mock), IA on a real
 * fake server. The moto-backed integration tests cover the same flow against real AWS APIs.
 */

import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Handler, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeIaServer } from '../../local/fake-ia-server.js';
import {
  defaultAssignments,
  defaultAttempts,
  SEED_ASSIGNMENT_ID,
  SEED_ATTEMPT_ID,
  VARIANTS,
} from '../../local/ia-fixtures.js';
import { lambdaContext, sqsEvent } from '../../local/lambda.js';

const API_KEY = 'ia-secret-key-do-not-log';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/checks';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/checks-dlq';

const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
const dynamodb = mockClient(DynamoDBClient);
const ia = new FakeIaServer({
  apiKeys: [API_KEY],
  ratePerSecond: Infinity,
  attempts: defaultAttempts(),
  assignments: defaultAssignments(),
});
let handler: Handler<SQSEvent, SQSBatchResponse>;
const output: string[] = [];
const originalWrites = { stdout: process.stdout.write, stderr: process.stderr.write };

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    ALERTS_TOPIC_ARN: TOPIC,
    CHECKS_QUEUE_URL: QUEUE,
    DEAD_LETTER_QUEUE_URL: DLQ,
    IA_API_KEY_SECRET: 'ia-api-key',
    IA_API_BASE_URL: await ia.start(),
    IA_RATE_PER_SECOND: '1000',
    STATE_TABLE_NAME: 'attempt-state',
    IDEMPOTENCY_TABLE_NAME: 'idempotency',
    RATE_LIMIT_TABLE_NAME: 'rate-limit',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  // Everything the function logs (info to stdout, warnings and errors to stderr) is kept for inspection.
  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    output.push(String(chunk));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  ({ handler } = (await import('../../functions/check/handler.js')) as {
    handler: Handler<SQSEvent, SQSBatchResponse>;
  });
});

afterAll(async () => {
  process.stdout.write = originalWrites.stdout;
  process.stderr.write = originalWrites.stderr;
  await ia.stop();
});

beforeEach(() => {
  sns.reset();
  sqs.reset();
  secrets.reset();
  dynamodb.reset();
  ia.reset();
  // No state, no idempotency record: every attempt is new. The moto tests cover the stored paths.
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(DeleteItemCommand).resolves({});
  secrets.on(GetSecretValueCommand).resolves({ SecretString: API_KEY });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sqs.on(SendMessageCommand).resolves({ MessageId: 's-1' });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

const invoke = (event: SQSEvent) => handler(event, lambdaContext(), () => undefined) as Promise<SQSBatchResponse>;

const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
/** Every message sent to the queue, alone or in a batch. */
const sent = (queueUrl: string) => [
  ...sqs
    .commandCalls(SendMessageCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.QueueUrl === queueUrl),
  ...sqs
    .commandCalls(SendMessageBatchCommand)
    .filter((call) => call.args[0].input.QueueUrl === queueUrl)
    .flatMap((call) => call.args[0].input.Entries ?? []),
];

describe('check handler', () => {
  it('publishes review.needed with attributes and per-protocol bodies', async () => {
    const result = await invoke(sqsEvent([JSON.stringify({ attemptId: VARIANTS.reviewNeeded, source: 'greenhouse' })]));
    expect(result.batchItemFailures).toEqual([]);
    const [input] = published();
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.MessageAttributes?.eventType?.StringValue).toBe('review.needed');
    expect(input?.MessageAttributes?.pendingReviewCount).toEqual({ DataType: 'Number', StringValue: '2' });
    expect(JSON.parse(input?.Message as string).email).toContain('REVIEW NEEDED');
  });

  it('publishes attempt.scored for the seed attempt (no action needed)', async () => {
    await invoke(sqsEvent([JSON.stringify({ attemptId: SEED_ATTEMPT_ID })]));
    expect(published().map((p) => p.MessageAttributes?.eventType?.StringValue)).toEqual(['attempt.scored']);
  });

  it('expands an assignment into its attempts with one IA call', async () => {
    await invoke(sqsEvent([JSON.stringify({ assignmentId: SEED_ASSIGNMENT_ID })]));
    expect(ia.requests).toHaveLength(1);
    expect(published()).toHaveLength(1);
  });

  it('sends a scoring.pending attempt back to the checks queue with a delay, publishing nothing', async () => {
    const result = await invoke(sqsEvent([JSON.stringify({ attemptId: VARIANTS.scoringPending })]));
    expect(result.batchItemFailures).toEqual([]);
    expect(published()).toEqual([]);
    const [recheck] = sent(QUEUE);
    expect(recheck?.DelaySeconds).toBe(60);
    expect(JSON.parse(recheck?.MessageBody as string)).toMatchObject({
      attemptId: VARIANTS.scoringPending,
      recheckId: expect.stringContaining(VARIANTS.scoringPending),
      notBefore: expect.any(String),
    });
  });

  it('sends the re-checks of a whole batch in one SendMessageBatch', async () => {
    const result = await invoke(
      sqsEvent([
        JSON.stringify({ attemptId: VARIANTS.scoringPending }),
        JSON.stringify({ attemptId: VARIANTS.reviewNeeded }),
      ]),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.Entries?.map((entry) => JSON.parse(entry.MessageBody as string).attemptId)).toEqual([
      VARIANTS.scoringPending,
      VARIANTS.reviewNeeded,
    ]);
  });

  it('fails the records whose re-checks SQS did not take, so they come back and schedule again', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const event = sqsEvent([JSON.stringify({ attemptId: VARIANTS.scoringPending })]);
    const result = await invoke(event);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(output.join('')).toContain('re-checks not scheduled');
  });

  it('dead-letters what can never succeed, alone, and the rest of the batch proceeds', async () => {
    const event = sqsEvent([
      'not json at all',
      JSON.stringify({ attemptId: 'missing-attempt' }),
      JSON.stringify({ attemptId: VARIANTS.reviewNeeded }),
    ]);
    const result = await invoke(event);
    expect(result.batchItemFailures).toEqual([]);
    expect(published()).toHaveLength(1);
    const dead = sent(DLQ);
    expect(dead.map((d) => d.MessageAttributes?.failureCode?.StringValue)).toEqual(['invalid_message', 'not_found']);
    expect(dead[0]?.MessageBody).toBe('not json at all');
  });

  it('returns a record to the queue when IA keeps failing, without blocking the others', async () => {
    for (let i = 0; i < 4; i++) ia.inject(VARIANTS.scored, { kind: 'status', status: 503 });
    const event = sqsEvent([
      JSON.stringify({ attemptId: VARIANTS.scored }),
      JSON.stringify({ attemptId: VARIANTS.reviewNeeded }),
    ]);
    const result = await invoke(event);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(published()).toHaveLength(1);
    expect(sent(DLQ)).toEqual([]);
  });

  it('puts off what it has no time left for as new messages, so waiting never counts against the retry window', async () => {
    const event = sqsEvent([
      { body: JSON.stringify({ attemptId: VARIANTS.reviewNeeded }), receiveCount: 31 },
      { body: JSON.stringify({ attemptId: VARIANTS.scored, account: 'default' }), receiveCount: 32 },
    ]);
    const redriven = event.Records[1] as (typeof event.Records)[number];
    redriven.messageAttributes = { redrivenAt: { dataType: 'String', stringValue: '2026-12-03T10:00:00Z' } } as never;
    // Less time left than one IA call may take: nothing is started.
    const result = (await handler(event, lambdaContext('check', 1_000), () => undefined)) as SQSBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(ia.requests).toEqual([]);
    expect([published(), sent(DLQ), sqs.commandCalls(ChangeMessageVisibilityCommand)]).toEqual([[], [], []]);
    const again = sent(QUEUE);
    expect(again.map((entry) => [JSON.parse(entry.MessageBody as string), entry.DelaySeconds])).toEqual([
      [{ attemptId: VARIANTS.reviewNeeded }, 0],
      [{ attemptId: VARIANTS.scored, account: 'default' }, 0],
    ]);
    // A redriven record stays redriven (it skips the memory of a recent 404).
    expect(again.map((entry) => entry.MessageAttributes?.redrivenAt?.StringValue)).toEqual([
      undefined,
      '2026-12-03T10:00:00Z',
    ]);
  });

  it("records the EventBridge trigger's event on its first receive only, never a retry's or a redrive's", async () => {
    const body = JSON.stringify({ attemptId: VARIANTS.scored, source: 'eventbridge' });
    const event = sqsEvent([
      { body },
      { body, receiveCount: 2 },
      { body },
      { body: JSON.stringify({ attemptId: VARIANTS.scored }) },
    ]);
    const redriven = event.Records[2] as (typeof event.Records)[number];
    redriven.messageAttributes = { redrivenAt: { dataType: 'String', stringValue: '2026-12-03T10:00:00Z' } } as never;
    await invoke(event);
    const recorded = dynamodb
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key?.attemptId?.S?.startsWith('trigger#'));
    expect(recorded.map((input) => input.Key?.attemptId?.S)).toEqual(['trigger#eventbridge']);
  });

  it('parks a rate-limited record for as long as Retry-After says', async () => {
    ia.inject(VARIANTS.reviewNeeded, { kind: 'status', status: 429, retryAfter: 120 });
    const event = sqsEvent([{ body: JSON.stringify({ attemptId: VARIANTS.reviewNeeded }), receiptHandle: 'rh-1' }]);
    const result = await invoke(event);
    expect(result.batchItemFailures).toHaveLength(1);
    const [change] = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
    expect(change).toEqual({ QueueUrl: QUEUE, ReceiptHandle: 'rh-1', VisibilityTimeout: 120 });
  });

  it('retries a failed publish and releases its idempotency key', async () => {
    sns.on(PublishCommand).rejects(new Error('SNS is down'));
    const event = sqsEvent([JSON.stringify({ attemptId: VARIANTS.reviewNeeded })]);
    const result = await invoke(event);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const released = dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input);
    expect(released).toEqual([expect.objectContaining({ TableName: 'idempotency' })]);
  });

  it('dead-letters on a refused key and counts it', async () => {
    ia.setApiKeys(['another-key']);
    try {
      await invoke(sqsEvent([JSON.stringify({ attemptId: VARIANTS.reviewNeeded })]));
      expect(sent(DLQ)[0]?.MessageAttributes?.failureCode?.StringValue).toBe('unauthorized');
    } finally {
      ia.setApiKeys([API_KEY]);
    }
  });

  it('never writes the API key to the logs', () => {
    expect(output.join('')).not.toContain(API_KEY);
    expect(output.join('')).toContain('attempt checked');
    expect(output.join('')).toContain('record can never succeed');
  });
});
