/**
 * Posting to a Slack incoming webhook, with Slack's error classes as typed errors. No retries
 * here: the notifier's queue is the retry loop. The webhook URL is a credential; it never
 * appears in an error, only the channel's name does.
 */
import ky, { isHTTPError, isNetworkError, isTimeoutError } from 'ky';
import { RateLimitedError, SlackGoneError, SlackRejectedError, UpstreamError } from '../domain/errors.js';
import type { SlackMessage } from '../domain/render/slack.js';
import { SLACK_WEBHOOK_ORIGIN } from '../domain/slack-origin.js';
import { parseRetryAfter } from './ia-client.js';

/**
 * A webhook URL read from a secret is posted to with alert content: it must be Slack's (or the
 * origin the channel names), never whatever a mistyped or tampered secret says.
 */
export const isSlackWebhookUrl = (value: string, origin = SLACK_WEBHOOK_ORIGIN): boolean => {
  try {
    const url = new URL(value);
    return (
      url.origin === new URL(origin).origin && url.pathname.length > 1 && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
};

export type PostToSlack = (
  webhookUrl: string,
  channel: string,
  /** An alert's message, or an interaction's reply (claims). */
  message: SlackMessage | Record<string, unknown>,
  signal?: AbortSignal,
) => Promise<void>;

export const createSlackPoster = (
  options: { timeoutMs?: number; fetch?: typeof globalThis.fetch } = {},
): PostToSlack => {
  const http = ky.create({
    timeout: options.timeoutMs ?? 5_000,
    retry: { limit: 0 },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return async (webhookUrl, channel, message, signal) => {
    try {
      await http.post(webhookUrl, { json: message, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (isHTTPError(error)) {
        const { status } = error.response;
        const reason = typeof error.data === 'string' ? error.data.slice(0, 100) : String(status);
        if (status === 429) {
          const after = parseRetryAfter(error.response.headers.get('retry-after')) ?? 1;
          throw new RateLimitedError(after, `Slack rate-limited channel ${channel}; retry after ${after}s`);
        }
        if (status === 400)
          throw new SlackRejectedError(`Slack rejected the message for channel ${channel}: ${reason}`);
        if (status === 403 || status === 404 || status === 410) {
          throw new SlackGoneError(`Slack channel ${channel} is gone or the webhook revoked (${status} ${reason})`);
        }
        throw new UpstreamError(`Slack answered ${status} for channel ${channel}`, status);
      }
      if (isTimeoutError(error)) throw new UpstreamError(`Slack timed out for channel ${channel}`);
      if (isNetworkError(error)) throw new UpstreamError(`network error posting to Slack channel ${channel}`);
      throw new UpstreamError(`posting to Slack channel ${channel} failed`);
    }
  };
};
