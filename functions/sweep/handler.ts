/**
 * `sweep`: on a schedule, walks IA's assignment list and puts every completed attempt through the
 * lifecycle, so attempts nobody sent an event for are alerted and open ones are watched without
 * re-checks of their own. Wiring only; the rules are in sweep-run.ts.
 */

import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { countAwaiting } from '#lib/adapters/awaiting-review.js';
import { createPacedIaClient } from '#lib/adapters/paced-ia-client.js';
import { createAlertPublisher } from '#lib/adapters/publish-once.js';
import { outgoingChecks } from '#lib/adapters/queues.js';
import { dynamoCursorStore } from '#lib/adapters/sweep-cursor.js';
import { pacedIntervalMs } from '#lib/domain/defaults.js';
import { count, logger, metrics, observability, traced } from '#lib/runtime/commons.js';
import { loadSweepConfig } from './config.js';
import { runSweep, type SweepReport } from './sweep-run.js';

const config = loadSweepConfig(process.env);
const sns = traced(new SNSClient({}));
const sqs = traced(new SQSClient({}));
const dynamodb = traced(new DynamoDBClient({}));
const { config: idempotency, publishOnce } = createAlertPublisher(
  sns,
  dynamodb,
  config,
  config.alertBus ? traced(new EventBridgeClient({})) : undefined,
);
const ia = createPacedIaClient({
  ...config,
  dynamodb,
  count,
  share: config.budgetShare,
  // Booked further ahead than two slots means triggered checks are waiting: they go first.
  maxWaitMs: 50 + 2 * pacedIntervalMs(config.ia.ratePerSecond),
});
const rechecks = outgoingChecks(sqs, config.checksQueueUrl);
const SWEEP = new Set(['sweep']);

const lambdaHandler = async (_event: unknown, context: Context): Promise<SweepReport> => {
  idempotency.registerLambdaContext(context);
  return runSweep({
    ia,
    states: dynamoStateStore(dynamodb, config.stateTableName),
    cursors: dynamoCursorStore(dynamodb, config.stateTableName, `${context.awsRequestId ?? randomUUID()}`),
    publishOnce,
    schedule: rechecks.add,
    flush: async () => {
      const { unsent, reason } = await rechecks.flush(SWEEP);
      // The looks stay saved; the next walk schedules what is still needed.
      if (unsent.length > 0) {
        logger.warn('sweep re-checks not scheduled', { reason });
        metrics.addMetric('RechecksNotScheduled', MetricUnit.Count, 1);
      }
    },
    now: () => new Date(),
    render: config.render,
    watch: config.watch,
    settings: {
      ...config.sweep,
      runSeconds: Math.min(config.sweep.runSeconds, Math.floor(context.getRemainingTimeInMillis() / 1000) - 20),
    },
    count,
    awaiting: () => countAwaiting(dynamodb, config.stateTableName),
    log: logger,
  });
};

export const handler = middy(lambdaHandler).use(observability({ coldStartMetric: true }));
