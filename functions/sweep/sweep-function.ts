/**
 * `sweep`: on a schedule, walks IA's assignment list and puts every completed attempt through the
 * lifecycle, so attempts nobody sent an event for are alerted and open ones are watched without
 * re-checks of their own. Wiring only; the rules are in sweep-run.ts.
 */

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { alertPublishing } from '#lib/adapters/alert-publishing.js';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { countAwaiting } from '#lib/adapters/awaiting-review.js';
import { createAccountIaClient } from '#lib/adapters/paced-ia-client.js';
import { registerInvocations } from '#lib/adapters/publish-once.js';
import { outgoingChecks } from '#lib/adapters/queues.js';
import { secretReader } from '#lib/adapters/secrets.js';
import { CURSOR_KEY, dynamoCursorStore } from '#lib/adapters/sweep-cursor.js';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { accountCount, accountKey, accountRouter, type IaAccount, scopeToAccount } from '#lib/domain/accounts.js';
import { pacedIntervalMs, sweepPagesPerRun } from '#lib/domain/defaults.js';
import { describeError } from '#lib/domain/errors.js';
import { quietMemo } from '#lib/domain/quiet-memo.js';
import { assess, triggersOf } from '#lib/domain/trigger-health.js';
import { count, logger, observability, traced } from '#lib/runtime/commons.js';
import { type FunctionRuntime, lambdaRuntime } from '#lib/runtime/function-runtime.js';
import { loadSweepConfig } from './config.js';
import { runSweep, type SweepReport } from './sweep-run.js';

export const createSweepHandler = (runtime: FunctionRuntime = lambdaRuntime()) => {
  const config = loadSweepConfig(runtime.env);
  const sqs = runtime.aws?.sqs ?? traced(new SQSClient({}));
  const dynamodb = runtime.aws?.dynamodb ?? traced(new DynamoDBClient({}));
  const { idempotency, publishOnce } = alertPublishing(config, runtime, dynamodb);
  const rechecks = outgoingChecks(sqs, config.checksQueueUrl);
  const SWEEP = new Set(['sweep']);
  const states = dynamoStateStore(dynamodb, config.stateTableName);
  const readSecret = secretReader(runtime.aws?.secrets);
  // Each account's paced client, built once: warm runs keep its schedule position and key cache.
  const iaFor = accountRouter(config.accounts, (account) =>
    createAccountIaClient(account, {
      ...config,
      dynamodb,
      readSecret,
      ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
      count: accountCount(count, account.name, config.accounts.labelled),
      // Booked further ahead than two slots means triggered checks are waiting: they go first.
      maxWaitMs: 50 + 2 * pacedIntervalMs(account.ratePerSecond),
    }),
  );
  // Each account's quiet looks, kept while the container is warm.
  const memoFor = accountRouter(config.accounts, () => quietMemo());

  /** One account's walk: its key and schedule, its share of them, its cursor, its settings. */
  const sweepAccount = (
    account: IaAccount,
    context: Context,
    awaiting: () => ReturnType<typeof countAwaiting>,
  ): Promise<SweepReport> => {
    const scoped = scopeToAccount(
      {
        states,
        publishOnce,
        alertedAt: publishOnce.sentAt,
        schedule: rechecks.add,
        render: config.render,
        watch: config.watch,
        count,
      },
      account.name,
      config.accounts.labelled,
    );
    const runSeconds = Math.min(config.sweep.runSeconds, Math.floor(context.getRemainingTimeInMillis() / 1000) - 20);
    const share = account.sweep?.budgetShare ?? config.budgetShare;
    return runSweep({
      ...scoped,
      ia: iaFor(account.name),
      cursors: dynamoCursorStore(
        dynamodb,
        config.stateTableName,
        `${context.awsRequestId ?? randomUUID()}`,
        accountKey(account.name, CURSOR_KEY),
      ),
      memo: memoFor(account.name),
      flush: async () => {
        const { unsent, reason } = await rechecks.flush(SWEEP);
        // The looks stay saved; the next walk schedules what is still needed.
        if (unsent.length > 0) {
          logger.warn('sweep re-checks not scheduled', { reason, account: account.name });
          count('RechecksNotScheduled');
        }
      },
      now: () => new Date(),
      settings: {
        ...config.sweep,
        ...(account.sweep?.horizonDays === undefined ? {} : { horizonDays: account.sweep.horizonDays }),
        ...(account.sweep?.headDays === undefined ? {} : { headDays: account.sweep.headDays }),
        runSeconds,
        pagesPerRun: sweepPagesPerRun(runSeconds, share, account.ratePerSecond),
        graceSeconds: config.thresholds.graceSeconds,
      },
      awaiting,
      log: config.accounts.labelled ? logger.createChild({ persistentKeys: { account: account.name } }) : logger,
    });
  };

  /**
   * What the walks found that no trigger announced is held against the account's triggers; then
   * a silent trigger's metric (`TriggerSilent` 1 by `trigger`, each run while it is) is what its alarm reads.
   * Trigger health is a report about the pipeline: failing to keep it never fails the sweep.
   */
  const triggerHealth = dynamoTriggerHealth(dynamodb, config.stateTableName);
  const watchTriggers = async (reports: Array<[string, SweepReport]>, since: Date) => {
    if (config.triggers.length === 0) return;
    const now = new Date();
    try {
      for (const [account, report] of reports)
        await triggerHealth.recordSweepOnly(triggersOf(config.triggers, account), report.missedByTriggers, {
          since,
          at: now,
        });
      const records = await triggerHealth.read(config.triggers);
      for (const trigger of config.triggers) {
        const health = assess(trigger, records.get(trigger.name), config.thresholds, now);
        if (health.status !== 'silent') continue;
        // Only while silent: a stream published in no month costs nothing, and its alarm reads no data as fine.
        count('TriggerSilent', 1, { trigger: trigger.name });
        logger.warn('a trigger is silent: the sweep finds what it should have announced', { ...health });
      }
    } catch (error) {
      logger.warn('trigger health not updated', { ...describeError(error) });
    }
  };

  /** Every account's walk at once: each has its own key and 1 request/second. */
  const lambdaHandler = async (
    _event: unknown,
    context: Context,
  ): Promise<SweepReport | { accounts: Record<string, SweepReport> }> => {
    const startedAt = new Date();
    // The awaiting-review index is the whole table's: counted once a run, whatever the accounts.
    let counted: ReturnType<typeof countAwaiting> | undefined;
    const awaiting = () => {
      counted ??= countAwaiting(dynamodb, config.stateTableName);
      return counted;
    };
    // One account's walk failing (its cursor unreadable) does not stop the others'.
    const settled = await Promise.allSettled(
      config.accounts.list.map((account) => sweepAccount(account, context, awaiting)),
    );
    const failed = config.accounts.list.flatMap((account, i) => {
      const result = settled[i] as PromiseSettledResult<SweepReport>;
      return result.status === 'rejected' ? [{ account: account.name, error: result.reason as unknown }] : [];
    });
    if (failed.length > 0) {
      for (const { account, error } of failed)
        logger.error('sweep run of an account failed', { account, ...describeError(error) });
      // The function's errors alarm sees it; every other account's walk is done and saved.
      throw new AggregateError(
        failed.map((f) => f.error),
        `sweep failed for ${failed.map((f) => f.account).join(', ')}`,
      );
    }
    const reports = settled.map((result) => (result as PromiseFulfilledResult<SweepReport>).value);
    await watchTriggers(
      config.accounts.list.map((account, i) => [account.name, reports[i] as SweepReport]),
      startedAt,
    );
    if (!config.accounts.labelled) return reports[0] as SweepReport;
    return {
      accounts: Object.fromEntries(config.accounts.list.map((account, i) => [account.name, reports[i] as SweepReport])),
    };
  };

  return middy(lambdaHandler).use(observability()).use(registerInvocations(idempotency));
};
