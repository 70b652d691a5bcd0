/**
 * `check`: SQS batch → IA → decision → SNS. Wiring only; the logic is in check-reference.ts and
 * record-handler.ts. Clients, config and the pacer are made once per execution environment, so
 * warm invocations reuse connections, the secret cache and the rate budget.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { alertPublishing } from '#lib/adapters/alert-publishing.js';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { createAccountIaClient } from '#lib/adapters/paced-ia-client.js';
import { registerInvocations } from '#lib/adapters/publish-once.js';
import { deadLetter, delayRecord, outgoingChecks } from '#lib/adapters/queues.js';
import { secretReader } from '#lib/adapters/secrets.js';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { accountRouter, scopeToAccount, unnamedAccount } from '#lib/domain/accounts.js';
import { describeError } from '#lib/domain/errors.js';
import { eventBridgeTrigger } from '#lib/domain/trigger-health.js';
import { count, logger, observability, traced } from '#lib/runtime/commons.js';
import { type FunctionRuntime, lambdaRuntime } from '#lib/runtime/function-runtime.js';
import { loadCheckConfig } from './config.js';
import { createRecordHandler } from './record-handler.js';

export const createCheckHandler = (runtime: FunctionRuntime = lambdaRuntime()) => {
  const config = loadCheckConfig(runtime.env);
  const sqs = runtime.aws?.sqs ?? traced(new SQSClient({}));
  const dynamodb = runtime.aws?.dynamodb ?? traced(new DynamoDBClient({}));
  const { idempotency, publishOnce } = alertPublishing(config, runtime, dynamodb);
  const rechecks = outgoingChecks(sqs, config.checksQueueUrl);
  const delayCheck = delayRecord(sqs, config.checksQueueUrl);
  const readSecret = secretReader(runtime.aws?.secrets);

  const shared = {
    states: dynamoStateStore(dynamodb, config.stateTableName),
    publishOnce,
    alertedAt: publishOnce.sentAt,
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
    return {
      ...scoped,
      ia: createAccountIaClient(account, {
        ...config,
        dynamodb,
        readSecret,
        count: scoped.count,
        ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
      }),
    };
  });

  const triggerHealth = dynamoTriggerHealth(dynamodb, config.stateTableName);
  const handleRecord = createRecordHandler({
    ...forAccount(undefined),
    forAccount,
    // Until a record's message is read, its account is not known: counted without one.
    count,
    deadLetter: deadLetter(sqs, config.deadLetterQueueUrl, 'check'),
    delay: (record, seconds) => delayCheck(record.receiptHandle, seconds),
    putOff: (message, forRecord, attributes) => rechecks.add(message, 0, forRecord, attributes),
    log: logger,
    triggerEvent: async (message) => {
      try {
        await triggerHealth.recordEvent(
          eventBridgeTrigger(message.account ?? unnamedAccount(config.accounts).name),
          new Date(),
        );
      } catch (error) {
        logger.warn('trigger health not updated', { ...describeError(error) });
      }
    },
    minRemainingMs: config.ia.totalTimeoutMs + 2_000,
    retry: config.retry,
  });

  const processor = new BatchProcessor(EventType.SQS);

  const lambdaHandler = async (
    event: SQSEvent,
    context: Context,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<SQSBatchResponse> => {
    const { batchItemFailures } = await processPartialResponse(
      event,
      (record: SQSRecord) =>
        handleRecord(record, {
          remainingMs: () => context.getRemainingTimeInMillis(),
          ...(signal ? { signal } : {}),
        }),
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
      count('RechecksNotScheduled', unsent.length);
    }
    return { batchItemFailures: [...batchItemFailures, ...unsent.map((itemIdentifier) => ({ itemIdentifier }))] };
  };

  return middy(lambdaHandler).use(observability()).use(registerInvocations(idempotency));
};
