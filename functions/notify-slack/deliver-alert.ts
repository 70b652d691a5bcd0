/**
 * One buffered alert → one post, exactly once per channel. The channel is the queue the record
 * came from (each channel's queue is subscribed to the alerts topic with its own filter policy):
 * a Slack webhook (its URL from the channel's secret, paced to Slack's limit), or an Amazon Q
 * Developer chat channel in Slack or Teams (the custom notification, published to the channel's
 * own topic: Amazon Q's subscription cannot be filtered, a topic per channel can).
 */
import type { SQSRecord } from 'aws-lambda';
import type { PostToSlack } from '#lib/adapters/slack-client.js';
import { ALERT_TYPES, DIGEST_TYPE, TEST_ALERT_SOURCE } from '#lib/domain/alert.js';
import { InvalidMessageError, SlackGoneError, SlackRejectedError } from '#lib/domain/errors.js';
import { isDigest, type Notification } from '#lib/domain/notification.js';
import { type DispositionDeps, disposeOfFailure } from '#lib/domain/record-disposition.js';
import { chatDigest, chatNotification } from '#lib/domain/render/chat.js';
import { slackDigestMessage, slackMessage } from '#lib/domain/render/slack.js';
import { type Channel, type ChatChannel, isChatChannel, type SlackWebhookChannel } from './config.js';

export interface DeliverDeps extends DispositionDeps {
  channels: ReadonlyMap<string, Channel>;
  webhookUrlFor(channel: SlackWebhookChannel): Promise<string>;
  post: PostToSlack;
  /** Publishes the custom notification to a chat channel's topic. */
  publishChat(channel: ChatChannel, message: string): Promise<void>;
  /** Runs the post unless this channel already got this alert (or digest). */
  once(
    delivery: { channel: string; notification: Notification },
    post: () => Promise<void>,
  ): Promise<'done' | 'duplicate'>;
  pace(channel: Channel): Promise<void>;
  log: DispositionDeps['log'] & { info(message: string, extra: Record<string, unknown>): void };
}

const parseNotification = (body: string): Notification => {
  let message: { attemptId?: unknown; eventType?: unknown; period?: unknown; oldest?: unknown } | null;
  try {
    message = JSON.parse(body) as typeof message;
  } catch {
    throw new InvalidMessageError('buffered alert is not JSON');
  }
  if (message?.eventType === DIGEST_TYPE && typeof message.period === 'string' && Array.isArray(message.oldest))
    return message as Notification;
  if (typeof message?.attemptId !== 'string' || !(ALERT_TYPES as readonly unknown[]).includes(message.eventType)) {
    throw new InvalidMessageError('buffered message is not an alert (attemptId, eventType) nor a digest');
  }
  return message as Notification;
};

export const createDeliverAlert =
  (deps: DeliverDeps) =>
  async (record: SQSRecord, signal?: AbortSignal): Promise<void> => {
    try {
      const channel = deps.channels.get(record.eventSourceARN);
      if (!channel) throw new InvalidMessageError(`no channel is configured for queue ${record.eventSourceARN}`);
      const notification = parseNotification(record.body);
      const result = await deps.once({ channel: channel.name, notification }, async () => {
        if (isChatChannel(channel)) {
          const chat = isDigest(notification) ? chatDigest(notification) : chatNotification(notification);
          await deps.publishChat(channel, JSON.stringify(chat));
          return;
        }
        const url = await deps.webhookUrlFor(channel);
        await deps.pace(channel);
        await deps.post(
          url,
          channel.name,
          isDigest(notification)
            ? slackDigestMessage(notification)
            : slackMessage(notification, { claimButton: channel.claimButtons === true }),
          signal,
        );
      });
      const where = isChatChannel(channel) ? 'chat' : 'Slack';
      deps.log.info(result === 'done' ? `alert posted to ${where}` : 'alert already posted to this channel', {
        channel: channel.name,
        eventType: notification.eventType,
        ...(isDigest(notification) ? { period: notification.period } : { attemptId: notification.attemptId }),
      });
      // A test alert proves delivery; it is not one of the posts the dashboard counts.
      if (isDigest(notification) || notification.source !== TEST_ALERT_SOURCE)
        deps.count(
          result === 'done' ? (isChatChannel(channel) ? 'ChatPosts' : 'SlackPosts') : 'DuplicateSlackPostsSuppressed',
        );
    } catch (error) {
      if (error instanceof SlackRejectedError) deps.count('SlackPayloadRejected');
      if (error instanceof SlackGoneError) deps.count('SlackDestinationGone');
      await disposeOfFailure(error, record, deps);
    }
  };
