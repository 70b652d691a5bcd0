/**
 * Alerts topic → one SQS buffer per channel (subscribed with that channel's filter policy, so
 * Slack's ~1 message/s and its outages never drop an alert) → `notify-slack` → a Slack channel's
 * incoming webhook, whose URL lives in Secrets Manager, or an Amazon Q chat channel's own topic
 * (Slack or Teams). Channels can be added after construction (`addChannel`, `addChatChannel`):
 * the function's channel list is read at synthesis.
 */
import { Duration, Lazy, SecretValue } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { chatFilterPolicy, filterPolicy } from '../../functions/lib/domain/alert.js';
import { redriveMaxReceiveCount } from '../../functions/lib/domain/record-disposition.js';
import type { NotifySlackEnvironment } from '../../functions/notify-slack/environment.js';
import { acknowledge } from '../constructs/compat.js';
import { deadLettersAlarm, serviceMetric } from '../constructs/ops-alarms.js';
import { deadLetterQueue, secureQueue } from '../constructs/queues.js';
import { grantExactlyOnce, grantPacing, grantReadSecretValue, grantSend } from '../constructs/service-access.js';
import type { ChatChannelOptions, SlackChannel } from '../review-alerts-props.js';
import { FunctionUnit, type UnitContext } from './function-unit.js';
import { grantPublishTo, type SharedResources, seconds } from './shared-resources.js';

/** Sized from `npm run bench` (docs/performance.md). */
export const NOTIFY_MEMORY_MB = 256;

const NOTIFY_TIMEOUT = Duration.seconds(30);

/** A subscription filter policy (attribute → allowed values) in CDK's terms. */
export const snsFilter = (policy: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(policy).map(([key, values]) => [key, sns.SubscriptionFilter.stringFilter({ allowlist: values })]),
  );

/** A channel as the function reads it (functions/notify-slack/config.ts). */
interface ChannelEntry {
  name: string;
  queueArn: string;
  queueUrl: string;
  secretName?: string;
  webhookOrigin?: string;
  claimButtons?: boolean;
  chatTopicArn?: string;
}

export class NotifySlackUnit extends FunctionUnit<NotifySlackEnvironment> {
  readonly deadLetterQueue: sqs.Queue;
  /** Each channel's webhook secret and buffer queue, by channel name. */
  readonly channelSecrets = new Map<string, secretsmanager.ISecret>();
  readonly buffers = new Map<string, sqs.Queue>();
  private readonly entries: ChannelEntry[];
  /** Slack alerts carry the "I'm on it" button (the deployment has claims). */
  private readonly claimButtons: boolean;

  constructor(
    scope: Construct,
    id: string,
    context: UnitContext,
    private readonly shared: SharedResources,
  ) {
    const { settings } = context;
    const own: { dlq?: sqs.Queue; entries: ChannelEntry[] } = { entries: [] };
    super(scope, id, context, {
      name: 'notify-slack',
      description: 'Posts buffered review alerts to Slack incoming webhooks',
      memorySize: NOTIFY_MEMORY_MB,
      timeout: NOTIFY_TIMEOUT,
      environment: {
        SLACK_CHANNELS: Lazy.string({ produce: () => JSON.stringify(own.entries) }),
        DEAD_LETTER_QUEUE_URL: Lazy.string({ produce: () => own.dlq?.queueUrl }),
        IDEMPOTENCY_TABLE_NAME: shared.idempotencyTable.tableName,
        RATE_LIMIT_TABLE_NAME: shared.rateLimitTable.tableName,
        ALERT_DEDUPE_SECONDS: seconds(settings.alertDedupeWindow),
      },
      errorsRunbook:
        'The notify-slack function itself failed: buffered posts wait in their queues and are retried. Read its log group. See docs/operating.md, runbook "NotifySlackErrors".',
    });
    this.entries = own.entries;
    this.claimButtons = settings.claims;
    this.deadLetterQueue = own.dlq = deadLetterQueue(this, 'DeadLetterQueue', 'the Slack buffers');
    const fn = this.function;
    grantSend(this.deadLetterQueue, fn);
    grantExactlyOnce(shared.idempotencyTable, fn);
    grantPacing(shared.rateLimitTable, fn);

    const { alarmSet } = context;
    const metric = (name: string) => serviceMetric(settings.metricsNamespace, name, 'notify-slack');
    alarmSet.add(
      this,
      'DeadLetters',
      deadLettersAlarm(
        this.deadLetterQueue,
        'Slack posts failed for good. failureCode slack_destination_gone: the channel was archived or the webhook revoked, put a new webhook URL in the channel secret; slack_rejected_payload: our bug, open an issue. Then redrive. See docs/operating.md, runbook "SlackDeadLetters".',
      ),
    );
    alarmSet.add(this, 'DestinationGone', {
      metric: metric('SlackDestinationGone'),
      threshold: 1,
      description:
        'A Slack webhook answered 403/404/410: the channel is archived or the webhook revoked, so its alerts stop. Create a new incoming webhook and put its URL in the channel secret. See docs/operating.md, runbook "SlackDestinationGone".',
    });
    alarmSet.add(this, 'PayloadRejected', {
      metric: metric('SlackPayloadRejected'),
      threshold: 1,
      description:
        'Slack rejected a message as invalid (400): a rendering bug. The alert is in the Slack DLQ; email still went out. Open an issue with the failureReason. See docs/operating.md, runbook "SlackPayloadRejected".',
    });
  }

  /** One more Slack webhook channel: its buffer, its secret. */
  addChannel(channel: SlackChannel): { queue: sqs.Queue; secret: secretsmanager.ISecret } {
    const secret = channel.secret ?? this.emptySecret(channel.name);
    grantReadSecretValue(secret, this.function);
    this.channelSecrets.set(channel.name, secret);
    const queue = this.buffer(channel.name, filterPolicy(channel), {
      secretName: secret.secretName,
      ...(channel.webhookOrigin ? { webhookOrigin: channel.webhookOrigin } : {}),
      ...(this.claimButtons ? { claimButtons: true } : {}),
    });
    return { queue, secret };
  }

  /** One more Amazon Q chat channel (Slack or Teams): its buffer, published on to `topic`, which only its chat configuration reads. */
  addChatChannel(channel: ChatChannelOptions, topic: sns.ITopic): sqs.Queue {
    grantPublishTo(this.shared, topic, this.function);
    return this.buffer(channel.name, chatFilterPolicy(channel), { chatTopicArn: topic.topicArn });
  }

  /** A channel's buffer on the alerts topic (with its filter) and its event source. */
  private buffer(
    name: string,
    policy: Record<string, string[]>,
    delivery: Omit<ChannelEntry, 'name' | 'queueArn' | 'queueUrl'>,
  ): sqs.Queue {
    const queue = secureQueue(this, `Buffer-${name}`, {
      visibilityTimeout: Duration.seconds(NOTIFY_TIMEOUT.toSeconds() * 6),
      // notify-slack dead-letters a post itself, with its reason, after RETRY_POLICY's window (~24 h).
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: redriveMaxReceiveCount() },
    });
    this.shared.alertsTopic.addSubscription(
      new SqsSubscription(queue, { rawMessageDelivery: true, filterPolicy: snsFilter(policy) }),
    );
    this.function.addEventSource(
      new SqsEventSource(queue, { batchSize: 5, maxConcurrency: 2, reportBatchItemFailures: true }),
    );
    this.buffers.set(name, queue);
    this.entries.push({ name, queueArn: queue.queueArn, queueUrl: queue.queueUrl, ...delivery });
    return queue;
  }

  private emptySecret(name: string) {
    const secret = new secretsmanager.Secret(this, `Webhook-${name}`, {
      description: `Slack incoming-webhook URL for channel "${name}": put the URL here (plain text)`,
      // Not a secret: an empty value the function reports as "no webhook URL yet".
      secretStringValue: SecretValue.unsafePlainText('{"url":""}'),
    });
    acknowledge(secret, {
      id: 'AwsSolutions-SMG4',
      reason: 'Slack issues incoming-webhook URLs; rotating one means creating a new webhook in Slack by hand.',
    });
    return secret;
  }
}
