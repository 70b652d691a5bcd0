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
import { createAccountIaClient } from '#lib/adapters/paced-ia-client.js';
import { createAlertPublisher } from '#lib/adapters/publish-once.js';
import { outgoingChecks } from '#lib/adapters/queues.js';
import { CURSOR_KEY, dynamoCursorStore } from '#lib/adapters/sweep-cursor.js';
import { accountCount, accountKey, accountRouter, type IaAccount, scopeToAccount } from '#lib/domain/accounts.js';
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
const rechecks = outgoingChecks(sqs, config.checksQueueUrl);
const SWEEP = new Set(['sweep']);
const states = dynamoStateStore(dynamodb, config.stateTableName);
// Each account's paced client, built once: warm runs keep its schedule position and key cache.
const iaFor = accountRouter(config.accounts, (account) =>
  createAccountIaClient(account, {
    ...config,
    dynamodb,
    count: accountCount(count, account.name, config.accounts.labelled),
    share: account.sweep?.budgetShare ?? config.budgetShare,
    // Booked further ahead than two slots means triggered checks are waiting: they go first.
    maxWaitMs: 50 + 2 * pacedIntervalMs(account.ratePerSecond),
  }),
);

/** One account's walk: its key and schedule, its share of them, its cursor, its settings. */
const sweepAccount = (
  account: IaAccount,
  context: Context,
  awaiting: () => ReturnType<typeof countAwaiting>,
): Promise<SweepReport> => {
  const scoped = scopeToAccount(
    { states, publishOnce, schedule: rechecks.add, render: config.render, watch: config.watch, count },
    account.name,
    config.accounts.labelled,
  );
  return runSweep({
    ...scoped,
    ia: iaFor(account.name),
    cursors: dynamoCursorStore(
      dynamodb,
      config.stateTableName,
      `${context.awsRequestId ?? randomUUID()}`,
      accountKey(account.name, CURSOR_KEY),
    ),
    flush: async () => {
      const { unsent, reason } = await rechecks.flush(SWEEP);
      // The looks stay saved; the next walk schedules what is still needed.
      if (unsent.length > 0) {
        logger.warn('sweep re-checks not scheduled', { reason, account: account.name });
        metrics.addMetric('RechecksNotScheduled', MetricUnit.Count, 1);
      }
    },
    now: () => new Date(),
    settings: {
      ...config.sweep,
      ...(account.sweep?.horizonDays === undefined ? {} : { horizonDays: account.sweep.horizonDays }),
      ...(account.sweep?.headDays === undefined ? {} : { headDays: account.sweep.headDays }),
      runSeconds: Math.min(config.sweep.runSeconds, Math.floor(context.getRemainingTimeInMillis() / 1000) - 20),
    },
    awaiting,
    log: config.accounts.labelled ? logger.createChild({ persistentKeys: { account: account.name } }) : logger,
  });
};

/** Every account's walk at once: each has its own key and 1 request/second. */
const lambdaHandler = async (
  _event: unknown,
  context: Context,
): Promise<SweepReport | { accounts: Record<string, SweepReport> }> => {
  idempotency.registerLambdaContext(context);
  // The awaiting-review index is the whole table's: counted once a run, whatever the accounts.
  let counted: ReturnType<typeof countAwaiting> | undefined;
  const awaiting = () => {
    counted ??= countAwaiting(dynamodb, config.stateTableName);
    return counted;
  };
  const reports = await Promise.all(config.accounts.list.map((account) => sweepAccount(account, context, awaiting)));
  if (!config.accounts.labelled) return reports[0] as SweepReport;
  return {
    accounts: Object.fromEntries(config.accounts.list.map((account, i) => [account.name, reports[i] as SweepReport])),
  };
};

export const handler = middy(lambdaHandler).use(observability({ coldStartMetric: true }));
