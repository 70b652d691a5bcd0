/**
 * Exactly-once alerts: the publish is wrapped in Powertools idempotency, keyed by attempt id +
 * event type (+ reminder number). A duplicate trigger, an SQS redelivery or a concurrent check
 * finds the key and publishes nothing; a failed publish deletes the key so the retry can publish.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Alert } from './alert.js';

export const alertKey = (alert: Pick<Alert, 'attemptId' | 'eventType' | 'reminder'>): string =>
  [alert.attemptId, alert.eventType, ...(alert.reminder === undefined ? [] : [alert.reminder])].join(':');

export interface PublishOnceOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** How long a published alert's key is kept; longer than any watch. */
  expiresAfterSeconds: number;
}

export const createPublishOnce = (publish: (alert: Alert) => Promise<void>, options: PublishOnceOptions) => {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: options.expiresAfterSeconds });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.dynamodb });
  // The nonce is not part of the key: it tells this call's own publish from a stored earlier one.
  const once = makeIdempotent(
    async (request: { key: string; nonce: string; alert: Alert }) => {
      await publish(request.alert);
      return { nonce: request.nonce };
    },
    { persistenceStore, config },
  );
  return {
    config,
    async publishOnce(alert: Alert): Promise<'published' | 'duplicate'> {
      const nonce = randomUUID();
      const result = await once({ key: alertKey(alert), nonce, alert });
      return result.nonce === nonce ? 'published' : 'duplicate';
    },
  };
};
