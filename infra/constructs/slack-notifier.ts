/**
 * Alerts topic → one SQS buffer per Slack channel (subscribed with that channel's filter
 * policy, so Slack's ~1 message/s and its outages never drop an alert) → `notify-slack` →
 * the channel's incoming webhook, whose URL lives in Secrets Manager.
 */
import { Duration, SecretValue, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { filterPolicy } from '../../functions/lib/domain/alert.js';
import { redriveMaxReceiveCount } from '../../functions/lib/domain/record-disposition.js';
import type { SlackChannelSetting } from '../review-alerts-props.js';
import { deadLetterQueue, secureQueue } from './queues.js';
import { importSecret } from './secrets.js';
import { grantExactlyOnce, grantPacing } from './service-access.js';
import { ServiceFunction } from './service-function.js';

export interface SlackNotifierProps {
  channels: SlackChannelSetting[];
  alertsTopic: sns.ITopic;
  idempotencyTable: dynamodb.ITable;
  rateLimitTable: dynamodb.ITable;
  alertDedupeSeconds: number;
  logRetentionDays: number;
  xRayTracing: boolean;
}

/** Sized from `npm run bench` (docs/performance.md). */
export const NOTIFY_MEMORY_MB = 256;

const NOTIFY_TIMEOUT = Duration.seconds(30);

/** The same policy as the local stack's subscriptions, in CDK's terms. */
export const snsFilter = (policy: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(policy).map(([key, values]) => [key, sns.SubscriptionFilter.stringFilter({ allowlist: values })]),
  );

export class SlackNotifier extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly notify: ServiceFunction;
  readonly channelSecrets = new Map<string, secretsmanager.ISecret>();
  /** Each channel's buffer queue, by channel name. */
  readonly buffers = new Map<string, sqs.Queue>();

  constructor(scope: Construct, id: string, props: SlackNotifierProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', 'the Slack buffers');

    const channels = props.channels.map((channel) => {
      const queue = secureQueue(this, `Buffer-${channel.name}`, {
        visibilityTimeout: Duration.seconds(NOTIFY_TIMEOUT.toSeconds() * 6),
        // notify-slack dead-letters a post itself, with its reason, after RETRY_POLICY's window (~25 h).
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: redriveMaxReceiveCount() },
      });
      props.alertsTopic.addSubscription(
        new SqsSubscription(queue, { rawMessageDelivery: true, filterPolicy: snsFilter(filterPolicy(channel)) }),
      );
      const secret = channel.secret
        ? importSecret(this, `Webhook-${channel.name}`, channel.secret)
        : new secretsmanager.Secret(this, `Webhook-${channel.name}`, {
            description: `Slack incoming-webhook URL for channel "${channel.name}": put the URL here (plain text)`,
            // Not a secret: an empty value the function reports as "no webhook URL yet".
            secretStringValue: SecretValue.unsafePlainText('{"url":""}'),
          });
      if (secret instanceof secretsmanager.Secret) {
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: 'Slack issues incoming-webhook URLs; rotating one means creating a new webhook in Slack by hand.',
        });
      }
      this.channelSecrets.set(channel.name, secret);
      this.buffers.set(channel.name, queue);
      return { channel, queue, secret };
    });

    this.notify = new ServiceFunction(this, 'NotifySlack', {
      name: 'notify-slack',
      description: 'Posts buffered review alerts to Slack incoming webhooks',
      memorySize: NOTIFY_MEMORY_MB,
      timeout: NOTIFY_TIMEOUT,
      logRetentionDays: props.logRetentionDays,
      xRayTracing: props.xRayTracing,
      environment: {
        SLACK_CHANNELS: JSON.stringify(
          channels.map(({ channel, queue, secret }) => ({
            name: channel.name,
            queueArn: queue.queueArn,
            queueUrl: queue.queueUrl,
            secretName: secret.secretName,
            ...(channel.webhookOrigin ? { webhookOrigin: channel.webhookOrigin } : {}),
          })),
        ),
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        RATE_LIMIT_TABLE_NAME: props.rateLimitTable.tableName,
        ALERT_DEDUPE_SECONDS: String(props.alertDedupeSeconds),
      },
    });
    const fn = this.notify.function;
    for (const { queue, secret } of channels) {
      fn.addEventSource(new SqsEventSource(queue, { batchSize: 5, maxConcurrency: 2, reportBatchItemFailures: true }));
      secret.grantRead(fn);
    }
    this.deadLetterQueue.grantSendMessages(fn);
    grantExactlyOnce(props.idempotencyTable, fn);
    grantPacing(props.rateLimitTable, fn);
  }
}
