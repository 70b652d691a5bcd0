/**
 * Creates on moto what the CDK stack defines (moto's CloudFormation skips subscriptions and
 * secrets, so SDK calls do it): checks queue + DLQ with redrive, alerts topic, the API key
 * secret, SQS "inboxes" subscribed with the same filter policy as the email subscriptions, and an
 * alert bus whose rule delivers every alert event to an inbox of its own.
 */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ALERT_EVENT_SOURCE, chatFilterPolicy, ESCALATION_EVENT_TYPES, filterPolicy } from '#lib/domain/alert.js';
import { AWAITING_INDEX } from '#lib/domain/lifecycle.js';
import type { Source } from '#lib/domain/webhooks/sources.js';
import type { CheckEnvironment } from '../functions/check/environment.js';
import type { IngestEnvironment } from '../functions/ingest/environment.js';
import type { RetryEnvironment } from '../functions/lib/runtime/environment.js';
import type { NotifySlackEnvironment } from '../functions/notify-slack/environment.js';
import type { SweepEnvironment } from '../functions/sweep/environment.js';

/** A webhook source for the local stack: its config plus the secret value to store. */
export type LocalSource = Omit<Source, 'secretName'> & { secretValue: string };

/** A Slack channel for the local stack: where its webhook points and what it subscribes to. */
export interface LocalSlackChannel {
  name: string;
  webhookUrl: string;
  assessmentIds?: string[];
  eventTypes?: string[];
  digest?: boolean;
}

/** An Amazon Q chat channel (Slack or Teams) for the local stack: what it subscribes to. */
export interface LocalChatChannel {
  name: string;
  assessmentIds?: string[];
  eventTypes?: string[];
  digest?: boolean;
}

export type SlackChannelResource =
  | {
      name: string;
      queueArn: string;
      queueUrl: string;
      secretName: string;
      /** The fake Slack server's origin, allowed explicitly as an operator would allow a proxy. */
      webhookOrigin: string;
    }
  | {
      name: string;
      queueArn: string;
      queueUrl: string;
      /** The channel's own topic, which only Amazon Q's configuration reads in AWS. */
      chatTopicArn: string;
      /** Locally, an inbox subscribed to that topic stands in for Amazon Q: it receives what Amazon Q would render. */
      chatInboxUrl: string;
    };

export interface LocalResources {
  checksQueueUrl: string;
  deadLetterQueueUrl: string;
  alertsTopicArn: string;
  apiKeySecretName: string;
  /** Several IA accounts with their key secrets; empty for the one default account. */
  accounts: Array<{ name: string; apiKeySecret: string }>;
  /** Subscribed like an email address: actionable event types only. */
  emailInboxUrl: string;
  /** Subscribed without a filter, like a machine consumer. */
  allAlertsInboxUrl: string;
  /** Subscribed like `escalationEmails`: review.escalated only. */
  escalationInboxUrl: string;
  /** The alert bus (ARN) every alert also goes to as an event, unless provisioned without one. */
  alertBusArn?: string;
  /** Where the alert bus's rule delivers every alert event. */
  alertEventsInboxUrl?: string;
  dedupeTableName: string;
  stateTableName: string;
  idempotencyTableName: string;
  rateLimitTableName: string;
  sources: Source[];
  slackChannels: SlackChannelResource[];
  notifyDeadLetterQueueUrl: string;
  /** The receive on which check and notify-slack dead-letter a failing record themselves (the queues' redrive count). */
  retryMaxReceives: number;
}

export interface ProvisionOptions {
  endpoint: string;
  prefix: string;
  apiKey: string;
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
  sources?: LocalSource[];
  slackChannels?: LocalSlackChannel[];
  chatChannels?: LocalChatChannel[];
  /** Several IA accounts, one key each (`iaAccounts`); `apiKey` alone is the one default account. */
  accounts?: Array<{ name: string; apiKey: string }>;
  /** An alert bus (`alertBus`) with a rule to an inbox. @default true */
  alertBus?: boolean;
}

export const awsClients = (endpoint: string) => {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    secrets: new SecretsManagerClient(config),
    dynamodb: new DynamoDBClient(config),
    events: new EventBridgeClient(config),
    ssm: new SSMClient(config),
  };
};

const queueArn = async (sqs: SQSClient, queueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
};

/** An alert bus whose rule delivers every alert event to an inbox queue. */
const provisionAlertBus = async (
  events: EventBridgeClient,
  sqs: SQSClient,
  name: (suffix: string) => string,
  createQueue: (suffix: string) => Promise<string>,
) => {
  const busName = name('alert-bus');
  const alertBusArn = (await events.send(new CreateEventBusCommand({ Name: busName }))).EventBusArn as string;
  const alertEventsInboxUrl = await createQueue('alert-events');
  await events.send(
    new PutRuleCommand({
      Name: name('alert-events'),
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: [ALERT_EVENT_SOURCE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: name('alert-events'),
      EventBusName: busName,
      Targets: [{ Id: 'inbox', Arn: await queueArn(sqs, alertEventsInboxUrl) }],
    }),
  );

  return { alertBusArn, alertEventsInboxUrl };
};

export const provision = async (options: ProvisionOptions): Promise<LocalResources> => {
  const { sqs, sns, secrets, dynamodb, events } = awsClients(options.endpoint);
  const name = (suffix: string) => `${options.prefix}-${suffix}`;
  const createQueue = async (suffix: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name(suffix), Attributes: attributes }))).QueueUrl as string;

  const deadLetterQueueUrl = await createQueue('checks-dlq', { MessageRetentionPeriod: String(14 * 24 * 3600) });
  const checksQueueUrl = await createQueue('checks', {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 360),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, deadLetterQueueUrl),
      maxReceiveCount: options.maxReceiveCount ?? 5,
    }),
  });
  const alertsTopicArn = (await sns.send(new CreateTopicCommand({ Name: name('alerts') }))).TopicArn as string;

  const subscribeInbox = async (
    suffix: string,
    policy?: object,
    visibilityTimeoutSeconds = 30,
    topicArn = alertsTopicArn,
  ) => {
    const url = await createQueue(suffix, { VisibilityTimeout: String(visibilityTimeoutSeconds) });
    const arn = await queueArn(sqs, url);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: arn,
              },
            ],
          }),
        },
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: {
          RawMessageDelivery: 'true',
          ...(policy ? { FilterPolicy: JSON.stringify(policy) } : {}),
        },
      }),
    );
    return url;
  };

  const emailInboxUrl = await subscribeInbox('email-inbox', filterPolicy());
  const allAlertsInboxUrl = await subscribeInbox('all-alerts');
  const escalationInboxUrl = await subscribeInbox(
    'escalation-inbox',
    filterPolicy({ eventTypes: ESCALATION_EVENT_TYPES }),
  );

  const bus = options.alertBus === false ? undefined : await provisionAlertBus(events, sqs, name, createQueue);
  const apiKeySecretName = name('ia-api-key');
  await secrets.send(new CreateSecretCommand({ Name: apiKeySecretName, SecretString: options.apiKey }));
  const accounts: LocalResources['accounts'] = [];
  for (const account of options.accounts ?? []) {
    const apiKeySecret = name(`ia-api-key-${account.name}`);
    await secrets.send(new CreateSecretCommand({ Name: apiKeySecret, SecretString: account.apiKey }));
    accounts.push({ name: account.name, apiKeySecret });
  }

  const createTable = async (suffix: string, key: string, ttlAttribute: string, awaitingIndex = false) => {
    const tableName = name(suffix);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: key, AttributeType: 'S' },
          ...(awaitingIndex
            ? [
                { AttributeName: 'awaiting', AttributeType: 'S' as const },
                { AttributeName: 'awaitingSince', AttributeType: 'S' as const },
              ]
            : []),
        ],
        BillingMode: 'PAY_PER_REQUEST',
        // The stack's sparse awaiting-review index, as the state table has it.
        ...(awaitingIndex
          ? {
              GlobalSecondaryIndexes: [
                {
                  IndexName: AWAITING_INDEX,
                  KeySchema: [
                    { AttributeName: 'awaiting', KeyType: 'HASH' },
                    { AttributeName: 'awaitingSince', KeyType: 'RANGE' },
                  ],
                  Projection: { ProjectionType: 'KEYS_ONLY' },
                },
              ],
            }
          : {}),
      }),
    );
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
    return tableName;
  };
  const dedupeTableName = await createTable('dedupe', 'pk', 'expiresAt');
  const stateTableName = await createTable('attempt-state', 'attemptId', 'expiresAt', true);
  const idempotencyTableName = await createTable('idempotency', 'id', 'expiration');
  const rateLimitTableName = await createTable('rate-limit', 'pk', 'expiresAt');

  const sources: Source[] = [];
  for (const { secretValue, ...source } of options.sources ?? []) {
    const secretName = name(`source-${source.name}`);
    await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: secretValue }));
    sources.push({ ...source, secretName });
  }

  const notifyDeadLetterQueueUrl = await createQueue('notify-dlq');
  const slackChannels: SlackChannelResource[] = [];
  for (const channel of options.slackChannels ?? []) {
    const queueUrl = await subscribeInbox(
      `slack-${channel.name}`,
      filterPolicy(channel),
      options.visibilityTimeoutSeconds,
    );
    const secretName = name(`slack-${channel.name}`);
    await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: channel.webhookUrl }));
    slackChannels.push({
      name: channel.name,
      queueUrl,
      queueArn: await queueArn(sqs, queueUrl),
      secretName,
      webhookOrigin: new URL(channel.webhookUrl).origin,
    });
  }

  for (const channel of options.chatChannels ?? []) {
    const queueUrl = await subscribeInbox(
      `slack-${channel.name}`,
      chatFilterPolicy(channel),
      options.visibilityTimeoutSeconds,
    );
    const chatTopicArn = (await sns.send(new CreateTopicCommand({ Name: name(`chat-${channel.name}`) })))
      .TopicArn as string;
    const chatInboxUrl = await subscribeInbox(`chat-${channel.name}-inbox`, undefined, 30, chatTopicArn);
    slackChannels.push({
      name: channel.name,
      queueUrl,
      queueArn: await queueArn(sqs, queueUrl),
      chatTopicArn,
      chatInboxUrl,
    });
  }

  return {
    checksQueueUrl,
    deadLetterQueueUrl,
    alertsTopicArn,
    apiKeySecretName,
    accounts,
    emailInboxUrl,
    allAlertsInboxUrl,
    escalationInboxUrl,
    ...(bus ?? {}),
    dedupeTableName,
    stateTableName,
    idempotencyTableName,
    rateLimitTableName,
    sources,
    slackChannels,
    notifyDeadLetterQueueUrl,
    retryMaxReceives: options.maxReceiveCount ?? 5,
  };
};

/**
 * Retries as the local queues are built: the function dead-letters a record, with its reason, on
 * the receive the queue would redrive it; between tries the queue's own visibility timeout.
 */
const localRetries = (resources: LocalResources): RetryEnvironment => ({
  RETRY_MAX_RECEIVES: String(resources.retryMaxReceives),
  RETRY_FIRST_DELAY_SECONDS: '0',
});

/** The notify-slack function's environment for these resources. */
export const notifyEnvironment = (resources: LocalResources): NotifySlackEnvironment => ({
  SLACK_CHANNELS: JSON.stringify(resources.slackChannels),
  DEAD_LETTER_QUEUE_URL: resources.notifyDeadLetterQueueUrl,
  IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
  RATE_LIMIT_TABLE_NAME: resources.rateLimitTableName,
  ...localRetries(resources),
});

/** The ingest function's environment for these resources. */
export const ingestEnvironment = (resources: LocalResources): IngestEnvironment => ({
  SOURCES: JSON.stringify(resources.sources),
  CHECKS_QUEUE_URL: resources.checksQueueUrl,
  DEDUPE_TABLE_NAME: resources.dedupeTableName,
  STATE_TABLE_NAME: resources.stateTableName,
});

/** The check function's environment for these resources. */
export const checkEnvironment = (resources: LocalResources, iaBaseUrl: string): CheckEnvironment => ({
  ALERTS_TOPIC_ARN: resources.alertsTopicArn,
  CHECKS_QUEUE_URL: resources.checksQueueUrl,
  DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
  IA_API_KEY_SECRET: resources.accounts[0]?.apiKeySecret ?? resources.apiKeySecretName,
  ...(resources.accounts.length > 0 ? { IA_ACCOUNTS: JSON.stringify(resources.accounts) } : {}),
  IA_API_BASE_URL: iaBaseUrl,
  STATE_TABLE_NAME: resources.stateTableName,
  IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
  RATE_LIMIT_TABLE_NAME: resources.rateLimitTableName,
  ...(resources.alertBusArn ? { ALERT_BUS: resources.alertBusArn } : {}),
  ...localRetries(resources),
});

/** The sweep function's environment for these resources. */
export const sweepEnvironment = (resources: LocalResources, iaBaseUrl: string): SweepEnvironment => ({
  ALERTS_TOPIC_ARN: resources.alertsTopicArn,
  CHECKS_QUEUE_URL: resources.checksQueueUrl,
  IA_API_KEY_SECRET: resources.accounts[0]?.apiKeySecret ?? resources.apiKeySecretName,
  ...(resources.accounts.length > 0 ? { IA_ACCOUNTS: JSON.stringify(resources.accounts) } : {}),
  IA_API_BASE_URL: iaBaseUrl,
  STATE_TABLE_NAME: resources.stateTableName,
  IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
  RATE_LIMIT_TABLE_NAME: resources.rateLimitTableName,
  ...(resources.alertBusArn ? { ALERT_BUS: resources.alertBusArn } : {}),
});
