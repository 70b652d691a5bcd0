/** The `notify-slack` function's settings, checked at init; every name is in docs/configuration.md's environment table. */
import * as z from 'zod/mini';
import '#lib/domain/zod.js';
import { pacedIntervalMs, SLACK_RATE_PER_SECOND } from '#lib/domain/defaults.js';
import { alertDedupeSeconds, jsonEnv, loadRetryPolicy, numberEnv, requireEnv } from '#lib/runtime/config.js';
import type { EnvironmentOf, LambdaEnvironment } from '#lib/runtime/environment.js';
import type { NotifySlackEnvironment } from './environment.js';

const nonEmpty = () => z.string().check(z.minLength(1));

/**
 * A channel as the stack describes it: its buffer queue, and either a Slack webhook (the secret
 * holding its URL, the origin it may post to) or an Amazon Q Developer chat channel, Slack or
 * Microsoft Teams (the channel's own topic, which only its chat configuration subscribes to).
 */
const channelSchema = z.union([
  z.object({
    name: nonEmpty(),
    queueArn: nonEmpty(),
    queueUrl: nonEmpty(),
    secretName: nonEmpty(),
    webhookOrigin: z.optional(z.string()),
    /** The "I'm on it" button on alerts a person can claim (the deployment has claims, its Slack app interactivity). */
    claimButtons: z.optional(z.boolean()),
  }),
  z.object({ name: nonEmpty(), queueArn: nonEmpty(), queueUrl: nonEmpty(), chatTopicArn: nonEmpty() }),
]);

export type Channel = z.output<typeof channelSchema>;
export type SlackWebhookChannel = Extract<Channel, { secretName: string }>;
export type ChatChannel = Extract<Channel, { chatTopicArn: string }>;

export const isChatChannel = (channel: Channel): channel is ChatChannel => 'chatTopicArn' in channel;

const parseChannels = (value: unknown): Channel[] => {
  const result = z.array(channelSchema).safeParse(value);
  if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
  return result.data;
};

export const loadNotifyConfig = (env: EnvironmentOf<NotifySlackEnvironment & LambdaEnvironment>) => ({
  /** Where its keys were written before they were shared (Lambda's name for it). */
  functionName: env.AWS_LAMBDA_FUNCTION_NAME?.trim() || undefined,
  channels: jsonEnv(env, 'SLACK_CHANNELS', parseChannels),
  deadLetterQueueUrl: requireEnv(env, 'DEAD_LETTER_QUEUE_URL'),
  idempotencyTableName: requireEnv(env, 'IDEMPOTENCY_TABLE_NAME'),
  rateLimitTableName: requireEnv(env, 'RATE_LIMIT_TABLE_NAME'),
  alertDedupeSeconds: alertDedupeSeconds(env),
  // Slack's limit per webhook, with the margin, shared by all executions.
  slackIntervalMs: numberEnv(env, 'SLACK_MIN_INTERVAL_MS', pacedIntervalMs(SLACK_RATE_PER_SECOND)),
  retry: loadRetryPolicy(env),
});
