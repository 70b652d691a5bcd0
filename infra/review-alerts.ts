/**
 * `ReviewAlerts`: the whole pipeline as one construct, to put in any CDK stack — triggers
 * (webhooks, EventBridge, the sweep of IA's assignment list) → checks queue → check → alerts
 * topic → email, Slack, Amazon Q, any subscriber; the watch, the digest, the dashboard and the ops
 * alarms. Each function gets exactly the grants it needs, on exactly its resources. Its outputs
 * are those the runbook and the CLI (`--stack`) use.
 */
import { Annotations, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PEOPLE_EVENT_TYPES } from '../functions/lib/domain/alert.js';
import { IA_DEFAULTS } from '../functions/lib/domain/defaults.js';
import { AWAITING_INDEX } from '../functions/lib/domain/lifecycle.js';
import { redriveMaxReceiveCount } from '../functions/lib/domain/record-disposition.js';
import { OUTPUTS, SLACK_BUFFER_OUTPUT_DESCRIPTION } from '../functions/lib/domain/stack-outputs.js';
import { Dashboard } from './constructs/dashboard.js';
import { Digest } from './constructs/digest.js';
import { EventBridgeTrigger } from './constructs/event-bridge-trigger.js';
import { IngestApi } from './constructs/ingest-api.js';
import { OpsAlarms } from './constructs/ops-alarms.js';
import { deadLetterQueue, secureQueue } from './constructs/queues.js';
import { importSecret } from './constructs/secrets.js';
import { grantExactlyOnce, grantOnTable, grantPacing, serviceRole } from './constructs/service-access.js';
import { ServiceFunction } from './constructs/service-function.js';
import { SlackNotifier } from './constructs/slack-notifier.js';
import { Sweep } from './constructs/sweep.js';
import { type ReviewAlertsProps, resolveProps } from './review-alerts-props.js';

const CHECK_TIMEOUT = Duration.seconds(60);

/** Subscriptions that reach people take only what people must act on, and the digest. */
export const actionableFilter = () => ({
  eventType: sns.SubscriptionFilter.stringFilter({ allowlist: [...PEOPLE_EVENT_TYPES] }),
});

/** `Topic.grantPublish` would grant `kms:GenerateDataKey*`; publishing needs exactly these two. */
export const grantPublishTo = (topic: sns.ITopic, key: kms.IKey, grantee: iam.IGrantable) => {
  iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
  key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
};

export class ReviewAlerts extends Construct {
  /** Where every alert is published: subscribe SQS, Lambda, HTTPS or email to it. */
  readonly alertsTopic: sns.Topic;
  readonly checksQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly apiKeySecret: secretsmanager.ISecret;
  readonly check: ServiceFunction;
  readonly ingest: IngestApi;
  readonly stateTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;
  readonly rateLimitTable: dynamodb.Table;
  readonly opsTopic: sns.Topic;
  readonly alarms: OpsAlarms;
  readonly slack?: SlackNotifier;
  readonly sweep: Sweep;
  readonly digest: Digest;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ReviewAlertsProps = {}) {
    super(scope, id);
    const settings = resolveProps(props);
    const { stackName } = Stack.of(this);

    this.deadLetterQueue = deadLetterQueue(this, 'ChecksDeadLetterQueue', 'the checks queue');
    this.checksQueue = secureQueue(this, 'ChecksQueue', {
      retentionPeriod: Duration.days(4),
      // AWS's guidance for Lambda sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(CHECK_TIMEOUT.toSeconds() * 6),
      // The check dead-letters a record itself, with its reason, after RETRY_POLICY's window (~25 h).
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: redriveMaxReceiveCount() },
    });

    const topicKey = new kms.Key(this, 'AlertsTopicKey', {
      description: 'Encrypts the assessment review alerts topic',
      enableKeyRotation: true,
    });
    this.alertsTopic = new sns.Topic(this, 'AlertsTopic', {
      displayName: 'Assessment review alerts',
      masterKey: topicKey,
      enforceSSL: true,
    });
    for (const email of settings.alertEmails) {
      this.alertsTopic.addSubscription(new EmailSubscription(email, { filterPolicy: actionableFilter() }));
    }
    if (settings.alertEmails.length === 0 && settings.slackChannels.length === 0 && !settings.chatSlackChannelId) {
      Annotations.of(this).addWarningV2(
        'ia-review-alerts:no-subscriber',
        'Nobody receives review alerts: set alertEmails, slackChannels or chatSlackWorkspaceId/chatSlackChannelId, or subscribe to the AlertsTopicArn output yourself.',
      );
    }

    this.apiKeySecret = settings.iaApiKeySecret
      ? importSecret(this, 'IaApiKey', settings.iaApiKeySecret)
      : new secretsmanager.Secret(this, 'IaApiKey', {
          description: 'Indeed Assessments API key for assessment review alerts: put the key here (plain text)',
          // Not a secret: a recognisable empty value the function reports as "no key set yet".
          secretStringValue: SecretValue.unsafePlainText('{"apiKey":""}'),
        });
    if (this.apiKeySecret instanceof secretsmanager.Secret) {
      Validations.of(this.apiKeySecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The IA API key is issued by Indeed Assessments; there is no API to rotate it automatically.',
      });
    }

    const table = (id: string, key: string, ttl: string, removalPolicy: RemovalPolicy) =>
      new dynamodb.Table(this, id, {
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: ttl,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy,
      });
    // Watch state is what lets a deployment resume its reminders: keep it if the stack goes.
    this.stateTable = table('AttemptStateTable', 'attemptId', 'expiresAt', RemovalPolicy.RETAIN);
    // What waits for a human review, oldest first: sparse (only those items carry `awaiting`), keys only.
    this.stateTable.addGlobalSecondaryIndex({
      indexName: AWAITING_INDEX,
      partitionKey: { name: 'awaiting', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'awaitingSince', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.idempotencyTable = table('IdempotencyTable', 'id', 'expiration', RemovalPolicy.RETAIN);
    // One item per API key: the next free slot of its request schedule, shared by all executions.
    this.rateLimitTable = new dynamodb.Table(this, 'RateLimitTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // What check and the sweep both need: they look at attempts through the same lifecycle.
    const sharedEnvironment = {
      ALERTS_TOPIC_ARN: this.alertsTopic.topicArn,
      CHECKS_QUEUE_URL: this.checksQueue.queueUrl,
      IA_API_KEY_SECRET: this.apiKeySecret.secretName,
      STATE_TABLE_NAME: this.stateTable.tableName,
      IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
      RATE_LIMIT_TABLE_NAME: this.rateLimitTable.tableName,
      ALERT_DEDUPE_SECONDS: String(Math.round(settings.alertDedupeDays * 86_400)),
      WATCH_INTERVAL_SECONDS: String(Math.round(settings.watchIntervalMinutes * 60)),
      REVIEW_SLA_SECONDS: String(Math.round(settings.reviewSlaHours * 3600)),
      MAX_REMINDERS: String(settings.maxReminders),
      MAX_WATCH_SECONDS: String(Math.round(settings.maxWatchDays * 86_400)),
      IA_API_BASE_URL: settings.iaApiBaseUrl,
      IA_RATE_PER_SECOND: String(settings.iaRatePerSecond),
      IA_TOTAL_TIMEOUT_MS: String(IA_DEFAULTS.totalTimeoutMs),
      RECHECK_FIRST_DELAY_SECONDS: String(settings.recheckFirstDelaySeconds),
      SCORING_DEADLINE_SECONDS: String(Math.round(settings.scoringDeadlineHours * 3600)),
      INCLUDE_CANDIDATE_EMAIL: String(settings.includeCandidateEmail),
      ...(settings.iaAttemptUrlTemplate ? { IA_ATTEMPT_URL_TEMPLATE: settings.iaAttemptUrlTemplate } : {}),
    };
    this.check = new ServiceFunction(this, 'Check', {
      name: 'check',
      description: 'Fetches attempts from Indeed Assessments, decides, publishes review alerts',
      memorySize: settings.checkMemoryMb,
      timeout: CHECK_TIMEOUT,
      logRetentionDays: settings.logRetentionDays,
      xRayTracing: settings.xRayTracing,
      environment: {
        ...sharedEnvironment,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        MIN_RECHECK_INTERVAL_SECONDS: String(settings.minRecheckIntervalSeconds),
      },
    });
    const checkFn = this.check.function;
    checkFn.addEventSource(
      new SqsEventSource(this.checksQueue, {
        batchSize: settings.checkBatchSize,
        maxBatchingWindow: Duration.seconds(5),
        maxConcurrency: settings.checkMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Re-checks go back on its own queue; permanent failures straight to the DLQ with a reason.
    this.checksQueue.grantSendMessages(checkFn);
    this.deadLetterQueue.grantSendMessages(checkFn);
    grantPublishTo(this.alertsTopic, topicKey, checkFn);
    this.apiKeySecret.grantRead(checkFn);
    grantOnTable(this.stateTable, checkFn, 'dynamodb:GetItem', 'dynamodb:PutItem');
    grantPacing(this.rateLimitTable, checkFn);
    grantExactlyOnce(this.idempotencyTable, checkFn);

    this.sweep = new Sweep(this, 'Sweep', {
      intervalMinutes: settings.sweepIntervalMinutes,
      logRetentionDays: settings.logRetentionDays,
      xRayTracing: settings.xRayTracing,
      stateTable: this.stateTable,
      idempotencyTable: this.idempotencyTable,
      rateLimitTable: this.rateLimitTable,
      checksQueue: this.checksQueue,
      apiKeySecret: this.apiKeySecret,
      grantPublish: (grantee) => grantPublishTo(this.alertsTopic, topicKey, grantee),
      environment: {
        ...sharedEnvironment,
        SWEEP_HORIZON_DAYS: String(settings.sweepHorizonDays),
        SWEEP_BUDGET_SHARE: String(settings.sweepBudgetShare),
        SWEEP_PAGE_SIZE: String(settings.sweepPageSize),
      },
    });

    this.digest = new Digest(this, 'Digest', {
      schedule: settings.digestSchedule,
      timeZone: settings.digestTimeZone,
      logRetentionDays: settings.logRetentionDays,
      xRayTracing: settings.xRayTracing,
      stateTable: this.stateTable,
      idempotencyTable: this.idempotencyTable,
      grantPublish: (grantee) => grantPublishTo(this.alertsTopic, topicKey, grantee),
      environment: {
        ALERTS_TOPIC_ARN: this.alertsTopic.topicArn,
        STATE_TABLE_NAME: this.stateTable.tableName,
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        ALERT_DEDUPE_SECONDS: sharedEnvironment.ALERT_DEDUPE_SECONDS,
        INCLUDE_CANDIDATE_EMAIL: sharedEnvironment.INCLUDE_CANDIDATE_EMAIL,
        ...(settings.iaAttemptUrlTemplate ? { IA_ATTEMPT_URL_TEMPLATE: settings.iaAttemptUrlTemplate } : {}),
      },
    });

    this.ingest = new IngestApi(this, 'Ingest', { settings, checksQueue: this.checksQueue });
    new EventBridgeTrigger(this, 'EventBridge', {
      eventBusName: settings.eventBusName,
      sources: settings.eventBridgeSources,
      checksQueue: this.checksQueue,
      deadLetterQueue: this.deadLetterQueue,
    });

    if (settings.slackChannels.length > 0) {
      this.slack = new SlackNotifier(this, 'Slack', {
        channels: settings.slackChannels,
        alertsTopic: this.alertsTopic,
        idempotencyTable: this.idempotencyTable,
        rateLimitTable: this.rateLimitTable,
        alertDedupeSeconds: Math.round(settings.alertDedupeDays * 86_400),
        logRetentionDays: settings.logRetentionDays,
        xRayTracing: settings.xRayTracing,
      });
      for (const [name, secret] of this.slack.channelSecrets) {
        new CfnOutput(this, `SlackWebhookSecret${name.replace(/[^A-Za-z0-9]/g, '')}`, {
          description: `Secret holding the Slack webhook URL of channel ${name}`,
          value: secret.secretName,
        });
      }
      for (const [name, queue] of this.slack.buffers) {
        new CfnOutput(this, `SlackBuffer${name.replace(/[^A-Za-z0-9]/g, '')}QueueUrl`, {
          description: `${SLACK_BUFFER_OUTPUT_DESCRIPTION} ${name}`,
          value: queue.queueUrl,
        });
      }
      new CfnOutput(this, OUTPUTS.slackDeadLetterQueueUrl, {
        description: 'Slack posts that failed for good; each message names its channel (redrive --slack)',
        value: this.slack.deadLetterQueue.queueUrl,
      });
    }
    if (settings.chatSlackWorkspaceId && settings.chatSlackChannelId) {
      // Amazon Q Developer subscribes over HTTPS and reads the message's `https` body: the
      // custom-notification JSON. Email keeps its own text body.
      new chatbot.SlackChannelConfiguration(this, 'ChatChannel', {
        slackChannelConfigurationName: `${stackName}-alerts`.slice(0, 128),
        slackWorkspaceId: settings.chatSlackWorkspaceId,
        slackChannelId: settings.chatSlackChannelId,
        notificationTopics: [this.alertsTopic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
        // Delivery needs nothing of the role (SNS decrypts and posts over HTTPS); without a
        // guardrail, CloudFormation's default for what the channel may run is AdministratorAccess.
        role: serviceRole(
          this,
          'ChatChannelRole',
          'chatbot.amazonaws.com',
          'Amazon Q Developer: the alerts chat channel (delivery only, no permissions)',
        ),
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess')],
      });
    }

    const opsKey = new kms.Key(this, 'OpsTopicKey', {
      description: 'Encrypts the ops alarms topic',
      enableKeyRotation: true,
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'Assessment review alerts: ops alarms',
      masterKey: opsKey,
      enforceSSL: true,
    });
    for (const email of settings.opsEmails) this.opsTopic.addSubscription(new EmailSubscription(email));
    this.alarms = new OpsAlarms(this, 'Alarms', {
      opsTopic: this.opsTopic,
      opsTopicKey: opsKey,
      checksQueue: this.checksQueue,
      deadLetterQueue: this.deadLetterQueue,
      alertsTopic: this.alertsTopic,
      check: checkFn,
      ingest: this.ingest.ingest.function,
      sweep: this.sweep,
      oldestMessageMinutes: settings.oldestMessageAlarmMinutes,
      ...(this.slack ? { notifierDeadLetterQueue: this.slack.deadLetterQueue } : {}),
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      iaRatePerSecond: settings.iaRatePerSecond,
      checksQueue: this.checksQueue,
      deadLetterQueues: {
        'checks DLQ': this.deadLetterQueue,
        ...(this.slack ? { 'Slack DLQ': this.slack.deadLetterQueue } : {}),
      },
      functions: {
        check: checkFn,
        ingest: this.ingest.ingest.function,
        sweep: this.sweep.sweep.function,
        digest: this.digest.digest.function,
        ...(this.slack ? { 'notify-slack': this.slack.notify.function } : {}),
      },
      alarms: this.alarms.alarms,
    });
    new CfnOutput(this, OUTPUTS.dashboardUrl, {
      description: 'The CloudWatch dashboard of the pipeline',
      value: this.dashboard.url,
    });

    new CfnOutput(this, 'OpsTopicArn', { value: this.opsTopic.topicArn });
    new CfnOutput(this, 'WebhookUrl', { value: `${this.ingest.api.apiEndpoint}/events/{source}` });
    for (const [name, secret] of this.ingest.sourceSecrets) {
      new CfnOutput(this, `SourceSecret${name.replace(/[^A-Za-z0-9]/g, '')}`, {
        description: `Secret of webhook source ${name}`,
        value: secret.secretName,
      });
    }
    new CfnOutput(this, OUTPUTS.checksQueueUrl, { value: this.checksQueue.queueUrl });
    new CfnOutput(this, OUTPUTS.deadLetterQueueUrl, { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, OUTPUTS.alertsTopicArn, { value: this.alertsTopic.topicArn });
    new CfnOutput(this, OUTPUTS.iaApiKeySecretName, { value: this.apiKeySecret.secretName });
    new CfnOutput(this, OUTPUTS.rateLimitTableName, {
      description: "The IA key's shared request schedule: the CLI's check and sweep book on it with --stack",
      value: this.rateLimitTable.tableName,
    });
    new CfnOutput(this, OUTPUTS.stateTableName, {
      description: 'Watch state; its AwaitingReview index lists what waits (ia-review-alerts pending)',
      value: this.stateTable.tableName,
    });
    new CfnOutput(this, OUTPUTS.includeCandidateEmail, {
      description: 'Whether alerts and the CLI show candidate email addresses',
      value: String(settings.includeCandidateEmail),
    });
  }
}
