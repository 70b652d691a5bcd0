/**
 * `digest`: on its schedule (EventBridge Scheduler, with a time zone), publishes one
 * `review.digest` of everything waiting for a human review, exactly once per scheduled period.
 * Wiring only; the digest is built in #lib/domain/digest.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { alertPublishing } from '#lib/adapters/alert-publishing.js';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { listAwaiting } from '#lib/adapters/awaiting-review.js';
import { registerInvocations } from '#lib/adapters/publish-once.js';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { DIGEST_TYPE } from '#lib/domain/alert.js';
import { buildDigest } from '#lib/domain/digest.js';
import { assess } from '#lib/domain/trigger-health.js';
import { count, logger, observability, traced } from '#lib/runtime/commons.js';
import { type FunctionRuntime, lambdaRuntime } from '#lib/runtime/function-runtime.js';
import { loadDigestConfig } from './config.js';

/** Scheduler passes the period's scheduled time; a manual invocation is its own period, to the minute. */
export interface DigestEvent {
  scheduledAt?: string;
}

export const createDigestHandler = (runtime: FunctionRuntime = lambdaRuntime()) => {
  const config = loadDigestConfig(runtime.env);
  const dynamodb = runtime.aws?.dynamodb ?? traced(new DynamoDBClient({}));
  const states = dynamoStateStore(dynamodb, config.stateTableName);
  const { idempotency, publishOnce } = alertPublishing(config, runtime, dynamodb);
  const triggerHealth = dynamoTriggerHealth(dynamodb, config.stateTableName);

  const lambdaHandler = async (event: DigestEvent, _context: Context) => {
    const now = new Date();
    const period =
      typeof event?.scheduledAt === 'string' && !Number.isNaN(Date.parse(event.scheduledAt))
        ? event.scheduledAt
        : now.toISOString().slice(0, 16);
    const waiting = await listAwaiting(dynamodb, config.stateTableName, states);
    const records = await triggerHealth.read(config.triggers);
    const triggers = config.triggers.map((t) => assess(t, records.get(t.name), config.thresholds, now));
    // A silent trigger is news even when nothing waits.
    if (waiting.length === 0 && !triggers.some((t) => t.status === 'silent')) {
      logger.info('nothing waits for a review: no digest', { period });
      return { status: 'nothing-waiting', period };
    }
    const result = await publishOnce(buildDigest(waiting, { now, period, settings: config.render, triggers }));
    if (result === 'published') count('AlertsPublished', 1, { eventType: DIGEST_TYPE });
    logger.info(result === 'published' ? 'digest published' : 'digest of this period already published', {
      period,
      waiting: waiting.length,
    });
    return { status: result, period, waiting: waiting.length };
  };

  return middy(lambdaHandler).use(observability()).use(registerInvocations(idempotency));
};
