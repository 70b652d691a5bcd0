/**
 * One buffered alert → one Slack post, exactly once per channel. The channel is the queue the
 * record came from (each channel's queue is subscribed to the alerts topic with its own filter
 * policy); its webhook URL comes from that channel's secret.
 */
import type { SQSRecord } from 'aws-lambda';
import { EVENT_TYPES, type Alert } from '#lib/alert.js';
import { InvalidMessageError, SlackGoneError, SlackRejectedError } from '#lib/errors.js';
import { disposeOfFailure, type DispositionDeps } from '#lib/record-disposition.js';
import { slackMessage } from '#lib/render/slack.js';
import type { PostToSlack } from '#lib/slack-client.js';

export interface Channel {
  name: string;
  queueArn: string;
  queueUrl: string;
  secretName: string;
  /** Another origin than https://hooks.slack.com its webhook URL may have, set explicitly by the operator. */
  webhookOrigin?: string;
}

export interface DeliverDeps extends DispositionDeps {
  channels: ReadonlyMap<string, Channel>;
  webhookUrlFor(channel: Channel): Promise<string>;
  post: PostToSlack;
  /** Runs the post unless this channel already got this alert. */
  once(delivery: { channel: string; alert: Alert }, post: () => Promise<void>): Promise<'done' | 'duplicate'>;
  pace(channel: Channel): Promise<void>;
  log: DispositionDeps['log'] & { info(message: string, extra: Record<string, unknown>): void };
}

const parseAlert = (body: string): Alert => {
  let alert: Partial<Alert>;
  try {
    alert = JSON.parse(body) as Partial<Alert>;
  } catch {
    throw new InvalidMessageError('buffered alert is not JSON');
  }
  if (typeof alert?.attemptId !== 'string' || !EVENT_TYPES.includes(alert.eventType as Alert['eventType'])) {
    throw new InvalidMessageError('buffered message is not an alert (attemptId, eventType)');
  }
  return alert as Alert;
};

export const createDeliverAlert =
  (deps: DeliverDeps) =>
  async (record: SQSRecord, signal?: AbortSignal): Promise<void> => {
    try {
      const channel = deps.channels.get(record.eventSourceARN);
      if (!channel) throw new InvalidMessageError(`no Slack channel is configured for queue ${record.eventSourceARN}`);
      const alert = parseAlert(record.body);
      const result = await deps.once({ channel: channel.name, alert }, async () => {
        const url = await deps.webhookUrlFor(channel);
        await deps.pace(channel);
        await deps.post(url, channel.name, slackMessage(alert), signal);
      });
      deps.log.info(result === 'done' ? 'alert posted to Slack' : 'alert already posted to this channel', {
        channel: channel.name,
        attemptId: alert.attemptId,
        eventType: alert.eventType,
      });
      deps.count(result === 'done' ? 'SlackPosts' : 'DuplicateSlackPostsSuppressed');
    } catch (error) {
      if (error instanceof SlackRejectedError) deps.count('SlackPayloadRejected');
      if (error instanceof SlackGoneError) deps.count('SlackDestinationGone');
      await disposeOfFailure(error, record, deps);
    }
  };
