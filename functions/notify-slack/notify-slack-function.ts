/**
 * `notify-slack`: per-channel SQS buffers of the alerts topic → Slack incoming webhooks (at most
 * about one post per second per webhook, Slack's limit) and Amazon Q Developer chat channels in
 * Slack or Teams (each channel's own topic), each alert once per channel. Wiring only; the rules
 * are in deliver-alert.ts.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { legacyKeyPrefixes } from '#lib/adapters/legacy-key-prefixes.js';
import { createIdempotency, EFFECT_CLIENT, registerInvocations } from '#lib/adapters/publish-once.js';
import { deadLetter, delayRecord } from '#lib/adapters/queues.js';
import { secretReader } from '#lib/adapters/secrets.js';
import { createSharedPacer } from '#lib/adapters/shared-pacer.js';
import { createSlackPoster, isSlackWebhookUrl } from '#lib/adapters/slack-client.js';
import { type Notification, notificationKey } from '#lib/domain/notification.js';
import type { Pacer } from '#lib/domain/pacing.js';
import { SLACK_WEBHOOK_ORIGIN } from '#lib/domain/slack-origin.js';
import { count, logger, observability, traced } from '#lib/runtime/commons.js';
import { type FunctionRuntime, lambdaRuntime } from '#lib/runtime/function-runtime.js';
import { type Channel, loadNotifyConfig, type SlackWebhookChannel } from './config.js';
import { createDeliverAlert } from './deliver-alert.js';

interface Delivery {
  channel: string;
  notification: Notification;
  post: () => Promise<void>;
}

export const createNotifySlackHandler = (runtime: FunctionRuntime = lambdaRuntime()) => {
  const config = loadNotifyConfig(runtime.env);
  const channels = new Map(config.channels.map((c) => [c.queueArn, c]));
  const sqs = runtime.aws?.sqs ?? traced(new SQSClient({}));
  const toDeadLetters = deadLetter(sqs, config.deadLetterQueueUrl, 'notify-slack');
  const dynamodb = runtime.aws?.dynamodb ?? traced(new DynamoDBClient({}));
  const sns = runtime.aws?.sns ?? traced(new SNSClient(EFFECT_CLIENT));
  const readSecret = secretReader(runtime.aws?.secrets);

  // Only this function posts: its own keys of before 0.3 are the only old ones.
  const idempotency = createIdempotency({
    dynamodb,
    tableName: config.idempotencyTableName,
    expiresAfterSeconds: config.alertDedupeSeconds,
    legacyPrefixes: legacyKeyPrefixes(config.functionName ? { functionName: config.functionName } : {}),
  });
  const postOnce = idempotency.once<Delivery>(
    (delivery) => delivery.post(),
    (delivery) => `slack:${delivery.channel}:${notificationKey(delivery.notification)}`,
  );

  const pacers = new Map<string, Pacer>();
  const paceFor = (channel: Channel) => {
    let pace = pacers.get(channel.name);
    if (!pace) {
      pace = createSharedPacer({
        dynamodb,
        tableName: config.rateLimitTableName,
        key: `slack#${channel.name}`,
        intervalMs: config.slackIntervalMs,
      });
      pacers.set(channel.name, pace);
    }
    return pace();
  };

  /** The secret holds the webhook URL as plain text, or as JSON `{"url": "..."}`. */
  const webhookUrlFor = (channel: SlackWebhookChannel): Promise<string> => {
    const origin = channel.webhookOrigin ?? SLACK_WEBHOOK_ORIGIN;
    return readSecret(channel.secretName, {
      jsonField: 'url',
      what: `Slack webhook URL (${origin}/...) for channel ${channel.name}`,
      isValid: (url) => isSlackWebhookUrl(url, origin),
    });
  };

  const deliver = createDeliverAlert({
    channels,
    webhookUrlFor,
    post: createSlackPoster(runtime.fetch ? { fetch: runtime.fetch } : {}),
    publishChat: async (channel, message) => {
      await sns.send(new PublishCommand({ TopicArn: channel.chatTopicArn, Message: message }));
    },
    once: (delivery, post) => postOnce({ ...delivery, post }),
    pace: paceFor,
    deadLetter: (body, reason, record) => {
      const channel = channels.get(record.eventSourceARN)?.name;
      return toDeadLetters(body, { ...reason, ...(channel ? { channel } : {}) });
    },
    delay: async (record, seconds) => {
      const channel = channels.get(record.eventSourceARN);
      if (channel) await delayRecord(sqs, channel.queueUrl)(record.receiptHandle, seconds);
    },
    log: logger,
    count: (name) => count(name),
    now: () => new Date(),
    retry: config.retry,
  });

  const processor = new BatchProcessor(EventType.SQS);

  const lambdaHandler = async (
    event: SQSEvent,
    context: Context,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<SQSBatchResponse> =>
    processPartialResponse(event, (record: SQSRecord) => deliver(record, signal), processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });

  return middy(lambdaHandler).use(observability()).use(registerInvocations(idempotency));
};
