/**
 * One buffered alert → one Slack post, exactly once per channel. The channel is the queue the
 * record came from (each channel's queue is subscribed to the alerts topic with its own filter
 * policy); its webhook URL comes from that channel's secret.
 */
import type { SQSRecord } from 'aws-lambda';
import type { PostToSlack } from '#lib/adapters/slack-client.js';
import { ALERT_TYPES, DIGEST_TYPE } from '#lib/domain/alert.js';
import { InvalidMessageError, SlackGoneError, SlackRejectedError } from '#lib/domain/errors.js';
import { isDigest, type Notification } from '#lib/domain/notification.js';
import { type DispositionDeps, disposeOfFailure } from '#lib/domain/record-disposition.js';
import { slackDigestMessage, slackMessage } from '#lib/domain/render/slack.js';
import type { Channel } from './config.js';

export interface DeliverDeps extends DispositionDeps {
  channels: ReadonlyMap<string, Channel>;
  webhookUrlFor(channel: Channel): Promise<string>;
  post: PostToSlack;
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
      if (!channel) throw new InvalidMessageError(`no Slack channel is configured for queue ${record.eventSourceARN}`);
      const notification = parseNotification(record.body);
      const result = await deps.once({ channel: channel.name, notification }, async () => {
        const url = await deps.webhookUrlFor(channel);
        await deps.pace(channel);
        await deps.post(
          url,
          channel.name,
          isDigest(notification) ? slackDigestMessage(notification) : slackMessage(notification),
          signal,
        );
      });
      deps.log.info(result === 'done' ? 'alert posted to Slack' : 'alert already posted to this channel', {
        channel: channel.name,
        eventType: notification.eventType,
        ...(isDigest(notification) ? { period: notification.period } : { attemptId: notification.attemptId }),
      });
      deps.count(result === 'done' ? 'SlackPosts' : 'DuplicateSlackPostsSuppressed');
    } catch (error) {
      if (error instanceof SlackRejectedError) deps.count('SlackPayloadRejected');
      if (error instanceof SlackGoneError) deps.count('SlackDestinationGone');
      await disposeOfFailure(error, record, deps);
    }
  };
