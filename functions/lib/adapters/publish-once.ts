/**
 * Exactly-once side effects: a function wrapped in Powertools idempotency, keyed by what the
 * caller says identifies the effect. For alerts that is attempt id + event type (+ reminder
 * number); for Slack posts, the channel plus that. A duplicate trigger, an SQS redelivery or a
 * concurrent run finds the key and does nothing; a failure deletes the key so the retry can act.
 */

import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import { type Notification, notificationKey } from '../domain/notification.js';
import { publishAlert, publishAlertEvent } from './publish.js';

export interface OnceOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** How long a done effect's key is kept; longer than any redelivery or watch. */
  expiresAfterSeconds: number;
}

export const createOnce = <T>(
  effect: (payload: T) => Promise<void>,
  keyOf: (payload: T) => string,
  options: OnceOptions,
) => {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: options.expiresAfterSeconds });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.dynamodb,
  });
  // The nonce is not part of the key: it tells this call's own run from a stored earlier one.
  const once = makeIdempotent(
    async (request: { key: string; nonce: string; payload: T }) => {
      await effect(request.payload);
      return { nonce: request.nonce };
    },
    { persistenceStore, config },
  );
  return {
    config,
    async run(payload: T): Promise<'done' | 'duplicate'> {
      const nonce = randomUUID();
      const result = await once({ key: keyOf(payload), nonce, payload });
      return result.nonce === nonce ? 'done' : 'duplicate';
    },
  };
};

export const createPublishOnce = (publish: (notification: Notification) => Promise<void>, options: OnceOptions) => {
  const { config, run } = createOnce(publish, notificationKey, options);
  return {
    config,
    publishOnce: async (notification: Notification): Promise<'published' | 'duplicate'> =>
      (await run(notification)) === 'done' ? 'published' : 'duplicate',
  };
};

/**
 * Alerts and digests to the alerts topic, each once, and to the alert bus when there is one, each
 * once there too under its own key (`bus:<key>`): a retry after the bus refused finds the topic's
 * key done and publishes only the event. What check, the sweep and the digest publish with.
 */
export const createAlertPublisher = (
  sns: SNSClient,
  dynamodb: DynamoDBClient,
  settings: { alertsTopicArn: string; idempotencyTableName: string; alertDedupeSeconds: number; alertBus?: string },
  events?: EventBridgeClient,
) => {
  const options = {
    dynamodb,
    tableName: settings.idempotencyTableName,
    expiresAfterSeconds: settings.alertDedupeSeconds,
  };
  const topic = createPublishOnce(publishAlert(sns, settings.alertsTopicArn), options);
  if (!settings.alertBus || !events) return topic;
  const bus = createOnce(
    publishAlertEvent(events, settings.alertBus),
    (notification: Notification) => `bus:${notificationKey(notification)}`,
    options,
  );
  return {
    config: topic.config,
    publishOnce: async (notification: Notification): Promise<'published' | 'duplicate'> => {
      const result = await topic.publishOnce(notification);
      await bus.run(notification);
      return result;
    },
  };
};
