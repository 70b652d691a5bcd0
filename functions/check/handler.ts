/**
 * `check`: SQS batch → IA → decision → SNS. Wiring only; the logic is in check-reference.ts and
 * record-handler.ts. Clients, config and the pacer live at module scope so warm invocations
 * reuse connections, the secret cache and the rate budget.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { apiKeyFromSecret } from '#lib/api-key.js';
import { logger, metrics, tracer } from '#lib/commons.js';
import { loadCheckConfig } from './config.js';
import { createIaClient } from '#lib/ia-client.js';
import { createPacer, intervalForShare } from '#lib/pacer.js';
import { publishAlert } from '#lib/publish.js';
import { deadLetter, delayRecord, enqueueCheck } from '#lib/queues.js';
import { createRecordHandler } from './record-handler.js';

const config = loadCheckConfig(process.env);
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));

const ia = createIaClient({
  ...config.ia,
  apiKey: apiKeyFromSecret(config.apiKeySecret),
  pace: createPacer(intervalForShare(config.ia.ratePerSecond, config.ia.maxConcurrency)),
});

const handleRecord = createRecordHandler({
  ia,
  publish: publishAlert(sns, config.alertsTopicArn),
  requeue: enqueueCheck(sqs, config.checksQueueUrl),
  deadLetter: deadLetter(sqs, config.deadLetterQueueUrl, 'check'),
  delay: delayRecord(sqs, config.checksQueueUrl),
  now: () => new Date(),
  render: config.render,
  recheck: config.recheck,
  log: logger,
  count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
  minRemainingMs: config.ia.totalTimeoutMs + 2_000,
});

const processor = new BatchProcessor(EventType.SQS);

const lambdaHandler = async (
  event: SQSEvent,
  context: Context,
  { signal }: { signal?: AbortSignal } = {},
): Promise<SQSBatchResponse> =>
  processPartialResponse(
    event,
    (record: SQSRecord) => handleRecord(record, { remainingMs: () => context.getRemainingTimeInMillis(), ...(signal ? { signal } : {}) }),
    processor,
    // One record at a time: the pacer spaces IA calls anyway, and the time guard stays honest.
    { context, processInParallel: false, throwOnFullBatchFailure: false },
  );

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
