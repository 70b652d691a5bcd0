/**
 * Exactly-once side effects: a function wrapped in Powertools idempotency, keyed by what the
 * caller says identifies the effect. For alerts that is attempt id + event type (+ reminder
 * number); for Slack posts, the channel plus that. A duplicate trigger, an SQS redelivery or a
 * concurrent run — in this function or another — finds the key and does nothing; a failure
 * deletes the key so the retry can act.
 */

import { randomUUID } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { EffectInProgressError } from '../domain/errors.js';
import { type Notification, notificationKey } from '../domain/notification.js';
import type { LegacyPrefixes } from './legacy-key-prefixes.js';
import { type ClaimLinkFor, publishAlert, publishAlertEvent } from './publish.js';

/**
 * Every function's keys carry this prefix, not the function's name (Powertools' default): check
 * and the sweep publish the same alerts and must find each other's keys.
 */
export const IDEMPOTENCY_KEY_PREFIX = 'ia-review-alerts';

export interface IdempotencyOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** How long a done effect's key is kept; longer than any redelivery or watch. */
  expiresAfterSeconds: number;
  /** Prefixes keys were written under before they were shared: an effect done under one is done. */
  legacyPrefixes?: LegacyPrefixes;
}

export type Once<T> = (payload: T) => Promise<'done' | 'duplicate'>;

export interface Idempotency {
  /** One config for all of a function's effects: each invocation's context is registered with it. */
  readonly config: IdempotencyConfig;
  once<T>(effect: (payload: T) => Promise<void>, keyOf: (payload: T) => string): Once<T>;
  /** When the effect of `key` was done (under this prefix or an older one), if it was and is still kept. */
  doneAt(key: string): Promise<Date | undefined>;
  /**
   * When `key` was taken: done, or held in progress by an invocation that may have done the effect
   * before it died or timed out (`done: false`): nobody can tell which.
   */
  takenAt(key: string): Promise<Taken | undefined>;
}

export interface Taken {
  at: Date;
  done: boolean;
  /**
   * `at` is when the effect was done, as its record says: written there by this version. Otherwise
   * it is reckoned from the record's expiry and today's dedupe window, which a key written under
   * another window (0.2's, or before `ALERT_DEDUPE_SECONDS` changed) puts elsewhere.
   */
  exact: boolean;
}

/** A function's exactly-once effects: one table, one key prefix, one config. */
export const createIdempotency = (options: IdempotencyOptions): Idempotency => {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: options.expiresAfterSeconds });
  const store = () => new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.dynamodb });
  const persistenceStore = store();
  const readers = new Map<string, DynamoDBPersistenceLayer>();
  /** Taken under these prefixes: Powertools' own hashing and expiry, read through a layer of each prefix. */
  const takenUnder = async (
    prefixes: readonly string[],
    key: string,
    inProgress: boolean,
  ): Promise<Taken | undefined> => {
    for (const prefix of prefixes) {
      let reader = readers.get(prefix);
      if (!reader) {
        reader = store();
        reader.configure({ config, keyPrefix: prefix });
        readers.set(prefix, reader);
      }
      try {
        const record = await reader.getRecord({ key });
        const done = record.getStatus() === IdempotencyRecordStatus.COMPLETED;
        const doneAt = done ? (record.getResponse() as { doneAt?: unknown } | undefined)?.doneAt : undefined;
        if (typeof doneAt === 'string' && !Number.isNaN(Date.parse(doneAt)))
          return { at: new Date(doneAt), done, exact: true };
        // Its expiry is the dedupe window after it was taken (and done, when it was).
        if (done || inProgress)
          return {
            at: new Date(((record.expiryTimestamp ?? 0) - options.expiresAfterSeconds) * 1000),
            done,
            exact: false,
          };
      } catch (error) {
        if (!(error instanceof IdempotencyItemNotFoundError)) throw error;
      }
    }
    return undefined;
  };
  const doneUnder = async (prefixes: readonly string[], key: string) => (await takenUnder(prefixes, key, false))?.at;
  const legacy = async () => (await options.legacyPrefixes?.()) ?? [];
  return {
    config,
    doneAt: async (key) => doneUnder([IDEMPOTENCY_KEY_PREFIX, ...(await legacy())], key),
    takenAt: async (key) => takenUnder([IDEMPOTENCY_KEY_PREFIX, ...(await legacy())], key, true),
    once<T>(effect: (payload: T) => Promise<void>, keyOf: (payload: T) => string): Once<T> {
      // The nonce is not part of the key: it tells this call's own run from a stored earlier one.
      const idempotent = makeIdempotent(
        async (request: { key: string; nonce: string; payload: T }) => {
          await effect(request.payload);
          // The nonce tells this call's own run from a stored one; the time, when it was done.
          return { nonce: request.nonce, doneAt: new Date().toISOString() };
        },
        { persistenceStore, config, keyPrefix: IDEMPOTENCY_KEY_PREFIX },
      );
      return async (payload) => {
        const key = keyOf(payload);
        if (await doneUnder(await legacy(), key)) return 'duplicate';
        const nonce = randomUUID();
        const result = await idempotent({ key, nonce, payload }).catch((error: unknown) => {
          if (error instanceof IdempotencyAlreadyInProgressError)
            throw new EffectInProgressError(`another invocation is doing ${key} right now`, { cause: error });
          throw error;
        });
        return result.nonce === nonce ? 'done' : 'duplicate';
      };
    },
  };
};

/**
 * The longest an effect holds its key in progress. One publish or post takes seconds (the clients
 * time out well within it); a process that died holding the key blocks the same alert in every
 * other function until then, and the sweep's invocations last up to 15 minutes.
 */
export const IN_PROGRESS_MAX_MS = 2 * 60_000;

/**
 * A publish that hangs is cut short and retried by the SDK (3 tries): well within the time an
 * effect may hold its key in progress (IN_PROGRESS_MAX_MS), so no other function takes it over
 * while a publish is still on its way.
 */
export const EFFECT_CLIENT = { requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } } as const;

/**
 * In-progress records expire with the invocation that wrote them (its remaining time, at most
 * IN_PROGRESS_MAX_MS), so a timeout or crash frees them for the retry, in this function or
 * another; without the context they would stay in progress until the key itself expires, a month later.
 */
export const registerInvocations = (idempotency: Idempotency): MiddlewareObj<unknown, unknown, Error, Context> => ({
  before: (request) => {
    const { context } = request;
    idempotency.config.registerLambdaContext({
      ...context,
      getRemainingTimeInMillis: () => Math.min(context.getRemainingTimeInMillis(), IN_PROGRESS_MAX_MS),
    });
  },
});

export interface PublishOnce {
  (notification: Notification): Promise<'published' | 'duplicate'>;
  /**
   * When this notification went to the topic, if it did within the dedupe window; `done: false`
   * when an invocation took its key and died or timed out holding it: it may have gone out.
   */
  sentAt(notification: Notification): Promise<Taken | undefined>;
}

/**
 * Alerts and digests to the alerts topic, each once, and to the alert bus when there is one, each
 * once there too under its own key (`bus:<key>`): a retry after the bus refused finds the topic's
 * key done and publishes only the event. `published` when this call did either (what
 * `AlertsPublished` counts). What check, the sweep and the digest publish with.
 */
export const createAlertPublisher = (
  idempotency: Idempotency,
  sns: SNSClient,
  settings: { alertsTopicArn: string; alertBus?: string | undefined },
  events?: EventBridgeClient,
  claimLinkFor?: ClaimLinkFor,
): PublishOnce => {
  const topic = idempotency.once(publishAlert(sns, settings.alertsTopicArn, claimLinkFor), notificationKey);
  const bus =
    settings.alertBus && events
      ? idempotency.once(
          publishAlertEvent(events, settings.alertBus),
          (notification: Notification) => `bus:${notificationKey(notification)}`,
        )
      : undefined;
  const publish = async (notification: Notification) => {
    const sent = await topic(notification);
    const evented = bus ? await bus(notification) : 'duplicate';
    return sent === 'done' || evented === 'done' ? 'published' : 'duplicate';
  };
  return Object.assign(publish, {
    sentAt: (notification: Notification) => idempotency.takenAt(notificationKey(notification)),
  });
};
