/**
 * `check`: SQS batch → IA → decision → SNS. Wiring only; the logic is in check-reference.ts and
 * record-handler.ts. Clients, config and the pacer live at module scope so warm invocations
 * reuse connections, the secret cache and the rate budget.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { createAccountIaClient } from '#lib/adapters/paced-ia-client.js';
import { createAlertPublisher } from '#lib/adapters/publish-once.js';
import { deadLetter, delayRecord, outgoingChecks } from '#lib/adapters/queues.js';
import { accountRouter, scopeToAccount } from '#lib/domain/accounts.js';
import { count, logger, metrics, observability, traced } from '#lib/runtime/commons.js';
import { loadCheckConfig } from './config.js';
import { createRecordHandler } from './record-handler.js';

const config = loadCheckConfig(process.env);
const sns = traced(new SNSClient({}));
const sqs = traced(new SQSClient({}));
const dynamodb = traced(new DynamoDBClient({}));
const { config: idempotency, publishOnce } = createAlertPublisher(
  sns,
  dynamodb,
  config,
  config.alertBus ? traced(new EventBridgeClient({})) : undefined,
);
const rechecks = outgoingChecks(sqs, config.checksQueueUrl);
const delayCheck = delayRecord(sqs, config.checksQueueUrl);

const shared = {
  states: dynamoStateStore(dynamodb, config.stateTableName),
  publishOnce,
  schedule: rechecks.add,
  now: () => new Date(),
  render: config.render,
  watch: config.watch,
  minRecheckIntervalSeconds: config.minRecheckIntervalSeconds,
  notFoundMemorySeconds: config.notFoundMemorySeconds,
  count,
};
// Each IA account: its own key, its own request schedule, its states and alerts kept apart.
const forAccount = accountRouter(config.accounts, (account) => {
  const scoped = scopeToAccount(shared, account.name, config.accounts.labelled);
  return { ...scoped, ia: createAccountIaClient(account, { ...config, dynamodb, count: scoped.count }) };
});

const handleRecord = createRecordHandler({
  ...forAccount(undefined),
  forAccount,
  deadLetter: deadLetter(sqs, config.deadLetterQueueUrl, 'check'),
  delay: (record, seconds) => delayCheck(record.receiptHandle, seconds),
  log: logger,
  minRemainingMs: config.ia.totalTimeoutMs + 2_000,
  retry: config.retry,
});

const processor = new BatchProcessor(EventType.SQS);

const lambdaHandler = async (
  event: SQSEvent,
  context: Context,
  { signal }: { signal?: AbortSignal } = {},
): Promise<SQSBatchResponse> => {
  // In-progress idempotency records expire with this invocation, so a crash frees them in time.
  idempotency.registerLambdaContext(context);
  const { batchItemFailures } = await processPartialResponse(
    event,
    (record: SQSRecord) =>
      handleRecord(record, { remainingMs: () => context.getRemainingTimeInMillis(), ...(signal ? { signal } : {}) }),
    processor,
    // One record at a time: the pacer spaces IA calls anyway, and the time guard stays honest.
    { context, processInParallel: false, throwOnFullBatchFailure: false },
  );
  const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
  const { unsent, reason } = await rechecks.flush(
    new Set(event.Records.map((r) => r.messageId).filter((id) => !failed.has(id))),
  );
  if (unsent.length > 0) {
    // Their state is saved with the re-check id: the redelivered record only sends the schedule again.
    logger.warn('re-checks not scheduled; their records are retried', { records: unsent.length, reason });
    metrics.addMetric('RechecksNotScheduled', MetricUnit.Count, unsent.length);
  }
  return { batchItemFailures: [...batchItemFailures, ...unsent.map((itemIdentifier) => ({ itemIdentifier }))] };
};

export const handler = middy(lambdaHandler).use(observability({ coldStartMetric: true }));
