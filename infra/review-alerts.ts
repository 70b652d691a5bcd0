/**
 * `ReviewAlerts`: the whole pipeline as one construct, to put in any CDK stack — triggers
 * (webhooks, EventBridge, the sweep of IA's assignment list) → checks queue → check → alerts
 * topic → email, Slack, Amazon Q, any subscriber; the watch, the digest, the dashboard and the
 * ops alarms. It makes the shared resources (topics, queues, tables, the key secret) and wires
 * the five function units (infra/units/), each of which configures and grants itself. Nothing has
 * a physical name, so two can live in one stack. Its outputs are those the runbook and the CLI
 * (`--stack`) use.
 */
import {
  Annotations,
  Aspects,
  Aws,
  CfnOutput,
  type CfnOutputProps,
  Duration,
  Fn,
  Lazy,
  Names,
  RemovalPolicy,
  SecretValue,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import { DEFAULT_ACCOUNT } from '../functions/lib/domain/accounts.js';
import {
  ALERT_EVENT_SOURCE,
  ESCALATION_EVENT_TYPES,
  EVENT_TYPES,
  filterPolicy,
} from '../functions/lib/domain/alert.js';
import { AWAITING_INDEX } from '../functions/lib/domain/lifecycle.js';
import { nearest } from '../functions/lib/domain/nearest.js';
import { redriveMaxReceiveCount } from '../functions/lib/domain/record-disposition.js';
import {
  ACCOUNT_KEY_OUTPUT_DESCRIPTION,
  ACCOUNT_RATE_OUTPUT_DESCRIPTION,
  OUTPUTS,
  SLACK_BUFFER_OUTPUT_DESCRIPTION,
} from '../functions/lib/domain/stack-outputs.js';
import { eventBridgeTrigger, type Trigger } from '../functions/lib/domain/trigger-health.js';
import { METRIC_STREAMS } from '../functions/lib/runtime/metric-streams.js';
import { acknowledge } from './constructs/compat.js';
import { Dashboard } from './constructs/dashboard.js';
import { EventBridgeTrigger } from './constructs/event-bridge-trigger.js';
import { AlarmSet, addTriggerSilentAlarm, PipelineAlarms, serviceMetric } from './constructs/ops-alarms.js';
import { deadLetterQueue, secureQueue } from './constructs/queues.js';
import { allowServiceToPublish, grantClaim, grantPacing, serviceRole } from './constructs/service-access.js';
import {
  type AlertEventType,
  type AlertFilter,
  type AlertRuleOptions,
  CHAT_SLACK_IDS,
  type ChatChannelOptions,
  type ChatChannelResources,
  type ChatIdFormats,
  type ChatSlackChannel,
  checkChatChannel,
  checkFilter,
  checkSlackChannel,
  fail,
  type IaAccount,
  InvalidPropError,
  type ReviewAlertsProps,
  resolveProps,
  type Settings,
  type SlackChannel,
  type SlackChannelResources,
  TEAMS_IDS,
  type TeamsChannel,
  type WebhookSource,
} from './review-alerts-props.js';
import { CHECK_TIMEOUT, CheckUnit } from './units/check-unit.js';
import { DigestUnit } from './units/digest-unit.js';
import type { UnitContext } from './units/function-unit.js';
import { IngestUnit } from './units/ingest-unit.js';
import { NotifySlackUnit, snsFilter } from './units/notify-slack-unit.js';
import { type SharedResources, triggerEnvironment } from './units/shared-resources.js';
import { SweepUnit } from './units/sweep-unit.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What `redrive` does on a dead-letter queue: take each message, then delete it or let it go back. */
const REDRIVE_FROM = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];
const SEND_TO = ['sqs:SendMessage'];

/** What a chat channel's users may run from it: read CloudWatch, nothing else. */
const CHAT_GUARDRAIL = iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess');

/** An output id from a name the operator chose (a channel, a source). */
/**
 * A name the functions can be given before the parameter exists (a reference to it would make
 * CloudFormation see a cycle: its value names them): unique per stack and construct.
 */
const legacyKeyPrefixesParameter = (scope: Construct) => {
  const path = `ia-review-alerts/${Aws.STACK_NAME}/${Names.uniqueId(scope)}/legacy-key-prefixes`;
  return {
    parameterName: `/${path}`,
    parameterArn: Stack.of(scope).formatArn({ service: 'ssm', resource: 'parameter', resourceName: path }),
  };
};

const outputId = (prefix: string, name: string, suffix = '') =>
  `${prefix}${name.replace(/[^A-Za-z0-9]/g, '')}${suffix}`;

/**
 * Alerts for Indeed Assessments attempts that need a human review, as one construct.
 *
 * Checks triggered by webhooks, EventBridge or the checks queue, and a sweep of IA's assignment list that
 * finds what no trigger announced; `review.needed` when scoring is done and reviews wait, then
 * reminders, escalation, completion and a daily digest, each published once to an SNS topic (and
 * optionally an EventBridge bus) that email, Slack, Teams and Amazon Q audiences filter; ops alarms
 * and a dashboard. Put it in any stack; `grantOperate` lets a role run the ops CLI against it.
 *
 * @example
 * const alerts = new ReviewAlerts(stack, 'ReviewAlerts', { alertEmails: ['ops@example.com'] });
 * alerts.addSlackChannel({ name: 'reviews' });
 */
export class ReviewAlerts extends Construct {
  /** Where every alert is published: subscribe SQS, Lambda, HTTPS or email to it. */
  readonly alertsTopic: sns.ITopic;
  /** Where the ops alarms go: the `alarmTopic` prop, or the topic made for them. */
  readonly alarmTopic: sns.ITopic;
  /** Check requests: anything granted `grantRequestCheck` may send `{"attemptId": "..."}` or `{"assignmentId": "..."}`. */
  readonly checksQueue: sqs.IQueue;
  /** Checks that failed for good, each with its reason (`ia-review-alerts redrive`). */
  readonly deadLetterQueue: sqs.IQueue;
  /** The secret holding the IA API key (the first account's, with `iaAccounts`). */
  readonly apiKeySecret: secretsmanager.ISecret;
  /** Watch state, one item per attempt; its `AwaitingReview` index lists what waits. */
  readonly stateTable: dynamodb.ITable;
  /** The webhook receiver: a source named `<name>` posts to `<webhookUrl>/<name>`. */
  readonly webhookUrl: string;
  /**
   * With `claims`: where claims arrive. The Slack app's interactivity request URL is
   * `<claimsUrl>/slack`; alert emails link to `<claimsUrl>/email`.
   */
  readonly claimsUrl?: string;
  /** With `claims`: the secret holding `linkKey` and `slackSigningSecret` (paste the Slack app's in). */
  readonly claimsSecret?: secretsmanager.ISecret;
  readonly checkFunction: lambda.IFunction;
  readonly ingestFunction: lambda.IFunction;
  readonly sweepFunction: lambda.IFunction;
  readonly digestFunction: lambda.IFunction;
  /** The pipeline's CloudWatch dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
  /** Where every alert also goes as an event, when the `alertBus` prop is set. */
  readonly alertBus?: events.IEventBus;

  private readonly settings: Settings;
  /** The IA accounts with their secrets; empty for the one default account. */
  private readonly accounts: Array<IaAccount & { apiKeySecret: secretsmanager.ISecret }>;
  private readonly shared: SharedResources;
  private readonly units: UnitContext;
  private readonly ingest: IngestUnit;
  private slack?: NotifySlackUnit;
  private chatRole?: iam.IRole;
  private readonly dashboards: Dashboard;
  /** Who was granted `grantOperate`: channels added later are granted to them too. */
  private readonly operators: iam.IGrantable[] = [];
  /** Who receives what: each audience's filter, for the warnings once the app is complete. */
  private readonly audiences: AlertFilter[] = [];

  constructor(scope: Construct, id: string, props: ReviewAlertsProps = {}) {
    super(scope, id);
    const settings = this.checked(() => resolveProps(props));
    this.settings = settings;
    this.alertBus = settings.alertBus;

    const checksDeadLetters = deadLetterQueue(this, 'ChecksDeadLetterQueue', 'the checks queue');
    this.deadLetterQueue = checksDeadLetters;
    this.checksQueue = secureQueue(this, 'ChecksQueue', {
      retentionPeriod: Duration.days(4),
      // AWS's guidance for Lambda sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(CHECK_TIMEOUT.toSeconds() * 6),
      // The check dead-letters a record itself, with its reason, after RETRY_POLICY's window (~24 h).
      deadLetterQueue: { queue: checksDeadLetters, maxReceiveCount: redriveMaxReceiveCount() },
    });

    // One customer-managed key for every topic the stack makes (alerts, chat channels, ops alarms):
    // each key costs a month's fee and, with rotation, one more for each of its first two rotations.
    // A topic's access is its own policy; the key only lets SNS (and the services allowed on it)
    // encrypt and decrypt.
    const alertsTopicKey = new kms.Key(this, 'AlertsTopicKey', {
      description: 'Encrypts the assessment review alerts topics (alerts, chat channels, ops alarms)',
      enableKeyRotation: true,
    });
    this.alertsTopic = new sns.Topic(this, 'AlertsTopic', {
      displayName: 'Assessment review alerts',
      masterKey: alertsTopicKey,
      enforceSSL: true,
    });

    this.accounts =
      settings.iaAccounts.length > 0
        ? settings.iaAccounts.map((account) => ({
            ...account,
            // `default` is the key the deployment had before iaAccounts: its stack-made secret stays.
            apiKeySecret:
              account.apiKeySecret ??
              (account.name === DEFAULT_ACCOUNT
                ? this.emptyApiKeySecret('IaApiKey')
                : this.emptyApiKeySecret(`IaApiKey-${account.name}`, account.name)),
          }))
        : [];
    this.apiKeySecret = this.accounts[0]?.apiKeySecret ?? settings.iaApiKeySecret ?? this.emptyApiKeySecret('IaApiKey');

    const table = (tableId: string, key: string, ttl: string) =>
      new dynamodb.Table(this, tableId, {
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: ttl,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Watch state and alert keys are what let a deployment resume its reminders exactly once.
        removalPolicy: settings.removalPolicy,
      });
    const stateTable = table('AttemptStateTable', 'attemptId', 'expiresAt');
    // What waits for a human review, oldest first: sparse (only those items carry `awaiting`), keys only.
    stateTable.addGlobalSecondaryIndex({
      indexName: AWAITING_INDEX,
      partitionKey: { name: 'awaiting', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'awaitingSince', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.stateTable = stateTable;
    // One item per API key: the next free slot of its request schedule, shared by all executions.
    const rateLimitTable = new dynamodb.Table(this, 'RateLimitTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.alarmTopic = settings.alarmTopic ?? this.ownAlarmTopic(alertsTopicKey);
    for (const email of settings.opsEmails) this.alarmTopic.addSubscription(new EmailSubscription(email));
    const alarmSet = new AlarmSet(new SnsAction(this.alarmTopic));
    this.units = { settings, alarmSet };
    this.shared = {
      alertsTopic: this.alertsTopic,
      alertsTopicKey,
      checksQueue: this.checksQueue,
      deadLetterQueue: checksDeadLetters,
      apiKeySecret: this.apiKeySecret,
      accounts: this.accounts,
      stateTable,
      idempotencyTable: table('IdempotencyTable', 'id', 'expiration'),
      rateLimitTable,
      ...(settings.alertBus ? { alertBus: settings.alertBus } : {}),
      legacyKeyPrefixes: legacyKeyPrefixesParameter(this),
      // Sources may be added after construction (addSource): the list is read at synthesis.
      triggers: Lazy.string({ produce: () => JSON.stringify(this.triggers()) }),
      ...(settings.claims
        ? {
            claims: {
              secret: settings.claimsSecret ?? this.generatedClaimsSecret(),
              linkUrl: Lazy.string({ produce: () => `${this.ingest.api.apiEndpoint}/claims/email` }),
            },
          }
        : {}),
    };

    const check = new CheckUnit(this, 'Check', this.units, this.shared);
    const sweep = new SweepUnit(this, 'Sweep', this.units, this.shared);
    // Written once both functions exist; they read it by the name they were given before.
    new ssm.StringParameter(this, 'LegacyKeyPrefixes', {
      parameterName: this.shared.legacyKeyPrefixes.parameterName,
      simpleName: false,
      description:
        'The check and sweep functions: alert idempotency keys they wrote under their own names (up to 0.2) still count until they expire',
      stringValue: Fn.join(',', [check.function.functionName, sweep.function.functionName]),
    });
    const digest = new DigestUnit(this, 'Digest', this.units, this.shared);
    this.ingest = new IngestUnit(this, 'Ingest', this.units, this.shared);
    for (const account of this.accountNames())
      addTriggerSilentAlarm(this, alarmSet, settings.metricsNamespace, eventBridgeTrigger(account).name);
    this.checkFunction = check.function;
    this.sweepFunction = sweep.function;
    this.digestFunction = digest.function;
    this.ingestFunction = this.ingest.function;
    this.webhookUrl = `${this.ingest.api.apiEndpoint}/events`;
    if (this.shared.claims) {
      this.claimsUrl = `${this.ingest.api.apiEndpoint}/claims`;
      this.claimsSecret = this.shared.claims.secret;
    }
    new EventBridgeTrigger(this, 'EventBridge', {
      ...(settings.eventBus ? { eventBus: settings.eventBus } : {}),
      sources: settings.eventBridgeSources,
      checksQueue: this.checksQueue,
      deadLetterQueue: checksDeadLetters,
    });
    new PipelineAlarms(this, 'Alarms', {
      alarmSet,
      metricsNamespace: settings.metricsNamespace,
      checksQueue: this.checksQueue,
      deadLetterQueue: checksDeadLetters,
      alertsTopic: this.alertsTopic,
      oldestMessageAlarmAge: settings.oldestMessageAlarmAge,
    });

    this.dashboards = new Dashboard(this, 'Dashboard', {
      metricsNamespace: settings.metricsNamespace,
      iaRatePerSecond: settings.iaRatePerSecond,
      checksQueue: this.checksQueue,
      alarms: alarmSet.alarms,
    });
    this.dashboard = this.dashboards.dashboard;
    this.dashboards.addDeadLetterQueue('checks DLQ', checksDeadLetters);
    if (this.shared.claims) this.dashboards.addClaims(this.ingest.logGroup);
    if (this.accounts.length > 0) this.dashboards.addAccounts(settings.metricsNamespace);
    for (const [label, fn] of [
      ['check', check.function],
      ['ingest', this.ingest.function],
      ['sweep', sweep.function],
      ['digest', digest.function],
    ] as const) {
      this.dashboards.addFunction(label, fn);
    }

    for (const email of settings.alertEmails) this.addEmailSubscription(email);
    for (const route of settings.emailRoutes) {
      for (const email of route.emails) this.addEmailSubscription(email, route);
    }
    for (const email of settings.escalationEmails)
      this.addEmailSubscription(email, { eventTypes: [...ESCALATION_EVENT_TYPES] as AlertEventType[] });
    for (const source of settings.sources) this.addSource(source);
    for (const channel of settings.slackChannels) this.addSlackChannel(channel);
    for (const channel of settings.teamsChannels) this.addTeamsChannel(channel);
    for (const channel of settings.chatSlackChannels) this.addChatSlackChannel(channel);
    if (settings.chatSlackWorkspaceId && settings.chatSlackChannelId) {
      this.addChatSlackChannel({
        name: 'chat',
        workspaceId: settings.chatSlackWorkspaceId,
        channelId: settings.chatSlackChannelId,
      });
    }
    this.addOutputs(rateLimitTable);
    // Warnings that depend on what is added after construction, given once the app is complete.
    Aspects.of(this).add({ visit: (node: IConstruct) => node === this && this.warnAbout() });
  }

  /** Every ops alarm, the function units' and the pipeline's. */
  get alarms(): cloudwatch.IAlarm[] {
    return [...this.units.alarmSet.alarms];
  }

  /** The function posting to Slack, once a Slack channel is configured. */
  get notifySlackFunction(): lambda.IFunction | undefined {
    return this.slack?.function;
  }

  /** Slack posts that failed for good, once a Slack channel is configured. */
  get slackDeadLetterQueue(): sqs.IQueue | undefined {
    return this.slack?.deadLetterQueue;
  }

  /** The CloudWatch namespace of the functions' metrics. */
  get metricsNamespace(): string {
    return this.settings.metricsNamespace;
  }

  /**
   * Subscribes an address to alerts: by default what people act on (review.needed,
   * review.overdue, scoring.stalled) and the digest, about every assessment.
   */
  addEmailSubscription(address: string, filter?: AlertFilter): sns.Subscription {
    return this.checked(() => {
      if (!Token.isUnresolved(address) && !EMAIL.test(address))
        fail('addEmailSubscription', 'an email address', address);
      checkFilter('addEmailSubscription', filter);
      this.audience('addEmailSubscription', filter ?? {});
      return this.alertsTopic.addSubscription(
        new EmailSubscription(address, { filterPolicy: snsFilter(filterPolicy(filter)) }),
      );
    });
  }

  /**
   * Feeds one more Slack channel through its own buffer queue; outputs name its webhook secret
   * and buffer. Returns the buffer and the secret to put the webhook URL in.
   */
  addSlackChannel(channel: SlackChannel): SlackChannelResources {
    return this.checked(() => {
      const taken = new Set(this.slack?.buffers.keys() ?? []);
      checkSlackChannel('slackChannels', channel, taken);
      this.audience('slackChannels', channel);
      const slack = this.slack ?? this.makeSlack();
      const { queue, secret } = slack.addChannel(channel);
      if (channel.webhookOrigin) this.ingest.allowSlackOrigin(channel.webhookOrigin);
      this.output(outputId('SlackWebhookSecret', channel.name), {
        description: `Secret holding the Slack webhook URL of channel ${channel.name}`,
        value: secret.secretName,
      });
      this.bufferOutput(channel.name, queue);
      this.operateOn(queue, SEND_TO);
      return { buffer: queue, webhookSecret: secret };
    });
  }

  /** A channel's buffer, as `redrive --slack` finds it by description. */
  private bufferOutput(name: string, queue: sqs.IQueue): void {
    this.output(outputId('SlackBuffer', name, 'QueueUrl'), {
      description: `${SLACK_BUFFER_OUTPUT_DESCRIPTION} ${name}`,
      value: queue.queueUrl,
    });
  }

  /**
   * One more Microsoft Teams channel through Amazon Q Developer in chat: its filter on the alerts
   * topic, a topic of its own that only its chat configuration reads, a read-only guardrail.
   */
  addTeamsChannel(channel: TeamsChannel): ChatChannelResources {
    return this.addChat('teamsChannels', channel, TEAMS_IDS, (names) => {
      return new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams-${channel.name}`, {
        configurationName: names.configurationName,
        iamRoleArn: names.role.roleArn,
        teamId: channel.teamId,
        // Amazon Q takes the id URL-encoded, as in the channel's link (19%3A…%40thread.tacv2).
        teamsChannelId:
          Token.isUnresolved(channel.channelId) || channel.channelId.includes('%')
            ? channel.channelId
            : encodeURIComponent(channel.channelId),
        teamsTenantId: channel.tenantId,
        snsTopicArns: [names.topic.topicArn],
        loggingLevel: 'ERROR',
        guardrailPolicies: [CHAT_GUARDRAIL.managedPolicyArn],
      });
    });
  }

  /** One more Slack channel through Amazon Q Developer in chat, filtered like any audience. */
  addChatSlackChannel(channel: ChatSlackChannel): ChatChannelResources {
    return this.addChat('chatSlackChannels', channel, CHAT_SLACK_IDS, (names) => {
      return new chatbot.SlackChannelConfiguration(this, `Chat-${channel.name}`, {
        slackChannelConfigurationName: names.configurationName,
        slackWorkspaceId: channel.workspaceId,
        slackChannelId: channel.channelId,
        notificationTopics: [names.topic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
        role: names.role,
        guardrailPolicies: [CHAT_GUARDRAIL],
      });
    });
  }

  /**
   * Serves one more webhook source at `<webhookUrl>/<name>`; an output names its secret. Returns
   * the secret its sender signs with (generated unless the source brings its own).
   */
  addSource(source: WebhookSource): secretsmanager.ISecret {
    return this.checked(() => {
      const secret = this.ingest.addSource(source);
      addTriggerSilentAlarm(this, this.units.alarmSet, this.units.settings.metricsNamespace, source.name);
      this.output(outputId('SourceSecret', source.name), {
        description: `Secret of webhook source ${source.name}`,
        value: secret.secretName,
      });
      return secret;
    });
  }

  /**
   * A rule on the alert bus for alerts of these event types (default: all, digest included) about
   * these assessments (default: all), sending them to `targets`.
   */
  addAlertRule(id: string, options: AlertRuleOptions = {}): events.Rule {
    return this.checked(() => this.alertRule(id, options));
  }

  private alertRule(id: string, options: AlertRuleOptions): events.Rule {
    const bus = this.alertBus ?? fail('addAlertRule', 'used with the alertBus prop set', id);
    checkFilter('addAlertRule', options);
    const eventTypes = options.eventTypes ?? ([...EVENT_TYPES] as AlertEventType[]);
    const assessmentIds = options.assessmentIds ?? [];
    this.audience('addAlertRule', { eventTypes, ...(options.accounts ? { accounts: options.accounts } : {}) });
    return new events.Rule(this, id, {
      eventBus: bus,
      description:
        options.description ??
        `ia-review-alerts: ${eventTypes.join(', ')}${assessmentIds.length > 0 ? ` about ${assessmentIds.join(', ')}` : ''}`.slice(
          0,
          512,
        ),
      eventPattern: {
        source: [ALERT_EVENT_SOURCE],
        detailType: eventTypes,
        ...(assessmentIds.length > 0 || options.accounts
          ? {
              detail: {
                ...(assessmentIds.length > 0 ? { assessmentId: assessmentIds } : {}),
                ...(options.accounts ? { account: options.accounts } : {}),
              },
            }
          : {}),
      },
      ...(options.targets ? { targets: options.targets } : {}),
    });
  }

  /** Lets `grantee` send check requests to the checks queue (an ATS integration, a script of yours). */
  grantRequestCheck(grantee: iam.IGrantable): iam.Grant {
    return this.checksQueue.grantSendMessages(grantee);
  }

  /**
   * Lets `grantee` (an operator's role, a CI job) run the ops CLI against this deployment with
   * `--stack`, and nothing more: find it (`cloudformation:DescribeStacks` on this stack), list what
   * waits (`pending`, `digest --now`: Query on the awaiting-review index, BatchGetItem on the state
   * table), claim (`ack`: an attempt's claim and what it decides on, nothing else of its state), publish (`digest --now`, `test-alert`: the alerts topic and its key, the alert bus, and
   * reading the subscriptions and rules `test-alert` reports on), redrive dead letters (receive,
   * delete and release on the dead-letter queues, send to the checks queue and the Slack buffers),
   * and book `check`/`sweep` requests on the IA key's shared schedule. It reads no secret: the
   * CLI takes the IA key from `IA_API_KEY`. Channels added later are granted too.
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const topicArn = this.alertsTopic.topicArn;
    const grant = (actions: string[], resourceArns: string[]) =>
      iam.Grant.addToPrincipal({ grantee, actions, resourceArns });
    const grants = [
      grant(
        ['cloudformation:DescribeStacks'],
        [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
      ),
      grant(['dynamodb:Query'], [`${this.stateTable.tableArn}/index/${AWAITING_INDEX}`]),
      grant(['dynamodb:BatchGetItem'], [this.stateTable.tableArn]),
      grantClaim(this.stateTable, grantee),
      grantPacing(this.shared.rateLimitTable, grantee),
      grant(['sns:Publish', 'sns:ListSubscriptionsByTopic'], [topicArn]),
      // IAM offers no resource for reading a subscription's attributes (its filter policy).
      grant(['sns:GetSubscriptionAttributes'], ['*']),
      this.shared.alertsTopicKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt'),
      ...this.operateOn(this.checksQueue, SEND_TO, [grantee]),
      ...this.operateOn(this.deadLetterQueue, REDRIVE_FROM, [grantee]),
      ...(this.slack ? this.operateOn(this.slack.deadLetterQueue, REDRIVE_FROM, [grantee]) : []),
      ...[...(this.slack?.buffers.values() ?? [])].flatMap((buffer) => this.operateOn(buffer, SEND_TO, [grantee])),
    ];
    if (this.alertBus) {
      grants.push(
        this.alertBus.grantPutEventsTo(grantee),
        grant(
          ['events:ListRules'],
          [stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${this.alertBus.eventBusName}/*` })],
        ),
      );
    }
    if (Construct.isConstruct(grantee)) {
      acknowledge(grantee, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'sns:GetSubscriptionAttributes (test-alert reads each filter policy) has no resource-level permission.',
      });
    }
    this.operators.push(grantee);
    return grants.reduce((all, one) => all.combine(one));
  }

  /** What operators (`grantOperate`) may do on a queue: redrive from it, or send to it. */
  private operateOn(queue: sqs.IQueue, actions: string[], operators = this.operators): iam.Grant[] {
    return operators.map((grantee) => iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [queue.queueArn] }));
  }

  /**
   * Alerts published, every event type of every function summed (the dashboard shows them per
   * type). The functions count them per `service` and `eventType`, so no single metric holds the
   * sum: this is a Metrics Insights query over them, which graphs and alarms alike
   * (`.createAlarm()`, e.g. none published in a working day), over the recent window Metrics
   * Insights keeps.
   */
  metricAlertsPublished(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SELECT SUM(AlertsPublished) FROM SCHEMA("${this.settings.metricsNamespace}", eventType, service)`,
      label: 'alerts published',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** How long the oldest attempt awaiting review has waited, in hours (counted by every sweep run). */
  metricOldestReviewWait(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.settings.metricsNamespace, 'OldestReviewWaitHours', 'sweep').with({
      statistic: 'Maximum',
      ...props,
    });
  }

  /**
   * A metric the functions publish, in this deployment's namespace (Sum over 5 minutes unless
   * `props` say otherwise). Each function's metrics carry the dimension `service`
   * (`ia-review-alerts-<check|ingest|sweep|digest|notify-slack>`): give it in `props.dimensionsMap`.
   * The names: `AlertsPublished`, `AttemptsAwaitingReview`, `OldestReviewWaitHours`, `IaRequests`,
   * `IaNotModified`, `IaThrottled`, `IaAuthFailures`, `SweepPages`, `WebhooksAccepted`,
   * `WebhooksRejected`, `WebhooksFailed`, `SlackDestinationGone`, `SlackPayloadRejected`; any other
   * name is refused (the functions' other counts are log fields, docs/operating.md).
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!METRIC_STREAMS.has(metricName)) {
      const guess = nearest(metricName, METRIC_STREAMS);
      throw new InvalidPropError(
        'metric',
        `a metric the functions publish (${[...METRIC_STREAMS].join(', ')}; the other counts are fields of their "counts" log lines)${guess ? `: did you mean ${guess}?` : ''}`,
        metricName,
      ).in(this);
    }
    return new cloudwatch.Metric({
      namespace: this.settings.metricsNamespace,
      metricName,
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Records who receives what; an account filter must name accounts this deployment serves. */
  private audience(prop: string, filter: AlertFilter): void {
    const served = this.accounts.length > 0 ? this.accounts.map((a) => a.name) : [DEFAULT_ACCOUNT];
    const unknown = (filter.accounts ?? []).filter((name) => !served.includes(name));
    if (unknown.length > 0) fail(prop, `accounts from iaAccounts (${served.join(', ')})`, unknown);
    this.audiences.push(filter);
  }

  /** Nobody receives alerts; two deployments in one stack count each other's metrics. */
  private warnAbout(): void {
    if (this.audiences.length === 0) {
      Annotations.of(this).addWarningV2(
        'ia-review-alerts:no-subscriber',
        'Nobody receives review alerts: set alertEmails, slackChannels, teamsChannels, chatSlackChannels or alertBus with a rule, or subscribe to the AlertsTopicArn output yourself.',
      );
    }
    const escalated = (filter: AlertFilter) =>
      (filter.eventTypes ?? []).some((type) => (ESCALATION_EVENT_TYPES as readonly string[]).includes(type));
    if (this.settings.escalateAfter !== undefined && !this.audiences.some(escalated)) {
      Annotations.of(this).addWarningV2(
        'ia-review-alerts:no-escalation-audience',
        'escalateAfter is set but nobody receives review.escalated: set escalationEmails, or a Slack or Teams channel whose eventTypes include review.escalated.',
      );
    }
    const sharing = Stack.of(this)
      .node.findAll()
      .find(
        (other) => other instanceof ReviewAlerts && other !== this && other.metricsNamespace === this.metricsNamespace,
      );
    if (sharing) {
      Annotations.of(this).addWarningV2(
        'ia-review-alerts:shared-metrics',
        `Another ReviewAlerts in this stack (${sharing.node.path}) uses the metrics namespace ${this.metricsNamespace}: their alarms and dashboards would count each other's metrics. Give each its own metricsNamespace.`,
      );
    }
  }

  private makeSlack(): NotifySlackUnit {
    const slack = new NotifySlackUnit(this, 'Slack', this.units, this.shared);
    this.slack = slack;
    this.dashboards.addFunction('notify-slack', slack.function);
    this.dashboards.addDeadLetterQueue('Slack DLQ', slack.deadLetterQueue);
    this.operateOn(slack.deadLetterQueue, REDRIVE_FROM);
    this.output(OUTPUTS.slackDeadLetterQueueUrl, {
      description: 'Slack posts that failed for good; each message names its channel (redrive --slack)',
      value: slack.deadLetterQueue.queueUrl,
    });
    return slack;
  }

  /** The IA accounts by name: `default` alone without `iaAccounts`. */
  private accountNames(): string[] {
    return this.accounts.length > 0 ? this.accounts.map((a) => a.name) : [DEFAULT_ACCOUNT];
  }

  /** Every trigger, as the sweep and the digest read them: the webhook sources, then each account's EventBridge trigger. */
  private triggers(): Trigger[] {
    const names = this.accountNames();
    const unnamed = names.includes(DEFAULT_ACCOUNT) ? DEFAULT_ACCOUNT : (names[0] as string);
    return [
      ...this.ingest.sourceList().map((s) => ({ name: s.name, kind: s.kind, account: s.account ?? unnamed })),
      ...names.map(eventBridgeTrigger),
    ];
  }

  /** The email links' key, generated; the Slack app's signing secret, empty until the operator pastes it in. */
  private generatedClaimsSecret(): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(this, 'ClaimsSecret', {
      description:
        'Assessment review alerts claims: linkKey signs the "I\'m on it" links of alert emails (generated); put the Slack app\'s signing secret in slackSigningSecret',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ slackSigningSecret: '' }),
        generateStringKey: 'linkKey',
        passwordLength: 48,
        excludePunctuation: true,
      },
    });
    acknowledge(secret, {
      id: 'AwsSolutions-SMG4',
      reason:
        'The Slack signing secret is issued by Slack; rotating linkKey ends every claim link already mailed, so it is rotated by hand (one value per line while both work).',
    });
    return secret;
  }

  private emptyApiKeySecret(id: string, account?: string): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(this, id, {
      description: `Indeed Assessments API key${account ? ` of account ${account}` : ''} for assessment review alerts: put the key here (plain text)`,
      // Not a secret: a recognisable empty value the function reports as "no key set yet".
      secretStringValue: SecretValue.unsafePlainText('{"apiKey":""}'),
    });
    acknowledge(secret, {
      id: 'AwsSolutions-SMG4',
      reason: 'The IA API key is issued by Indeed Assessments; there is no API to rotate it automatically.',
    });
    return secret;
  }

  /** A topic only this stack's alarms may publish to (their names start with the stack's), under the stack's one key. */
  private ownAlarmTopic(key: kms.IKey): sns.ITopic {
    const topic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'Assessment review alerts: ops alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    allowServiceToPublish(
      topic,
      key,
      'cloudwatch.amazonaws.com',
      `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${stack.stackName}-*`,
    );
    return topic;
  }

  /**
   * What every chat channel shares: checked like every channel, a buffer through notify-slack
   * (Amazon Q's own subscription cannot be filtered; a topic per channel fed through the buffer
   * can), the channel's topic, the one delivery-only role.
   */
  private addChat(
    prop: string,
    channel: ChatChannelOptions,
    ids: ChatIdFormats,
    configure: (names: { configurationName: string; topic: sns.ITopic; role: iam.IRole }) => IConstruct,
  ): ChatChannelResources {
    return this.checked(() => {
      checkChatChannel(prop, channel, new Set(this.slack?.buffers.keys() ?? []), ids);
      this.audience(prop, channel);
      return this.chatChannel(channel, configure);
    });
  }

  private chatChannel(
    channel: ChatChannelOptions,
    configure: (names: { configurationName: string; topic: sns.ITopic; role: iam.IRole }) => IConstruct,
  ): ChatChannelResources {
    const slack = this.slack ?? this.makeSlack();
    const topic = new sns.Topic(this, `ChatTopic-${channel.name}`, {
      displayName: `Assessment review alerts: chat channel ${channel.name}`,
      masterKey: this.shared.alertsTopicKey,
      enforceSSL: true,
    });
    const buffer = slack.addChatChannel(channel, topic);
    this.bufferOutput(channel.name, buffer);
    this.operateOn(buffer, SEND_TO);
    // Delivery needs nothing of the role (SNS decrypts and posts over HTTPS); without a
    // guardrail, CloudFormation's default for what the channel may run is AdministratorAccess.
    this.chatRole ??= serviceRole(
      this,
      'ChatChannelRole',
      'chatbot.amazonaws.com',
      'Amazon Q Developer: the alerts chat channels (delivery only, no permissions)',
    );
    const configuration = configure({
      // Unique per construct path: two deployments in one account do not collide.
      configurationName: Names.uniqueResourceName(topic, { maxLength: 128, separator: '-' }),
      topic,
      role: this.chatRole,
    });
    return { buffer, topic, configuration };
  }

  /** A stack output, unless the `stackOutputs` prop turned them off. */
  private output(id: string, props: CfnOutputProps): void {
    if (this.settings.stackOutputs) new CfnOutput(this, id, props);
  }

  /** A prop problem found in `build`, reported with this construct's path, as CDK's own errors are. */
  private checked<T>(build: () => T): T {
    try {
      return build();
    } catch (error) {
      if (error instanceof InvalidPropError) throw error.in(this);
      throw error;
    }
  }

  private addOutputs(rateLimitTable: dynamodb.ITable): void {
    this.output(OUTPUTS.dashboardUrl, {
      description: 'The CloudWatch dashboard of the pipeline',
      value: this.dashboards.url,
    });
    this.output('OpsTopicArn', { value: this.alarmTopic.topicArn });
    this.output('WebhookUrl', { value: `${this.webhookUrl}/{source}` });
    if (this.claimsUrl && this.claimsSecret) {
      this.output('SlackInteractivityUrl', {
        description: "The Slack app's interactivity request URL: its buttons claim reviews",
        value: `${this.claimsUrl}/slack`,
      });
      this.output('ClaimsSecretName', {
        description: "Holds linkKey (generated) and slackSigningSecret (paste the Slack app's signing secret in)",
        value: this.claimsSecret.secretName,
      });
    }
    this.output(OUTPUTS.checksQueueUrl, { value: this.checksQueue.queueUrl });
    this.output(OUTPUTS.triggers, {
      description: 'The triggers whose health the sweep keeps, and when one is silent (ia-review-alerts sources)',
      value: Lazy.string({
        produce: () =>
          JSON.stringify({
            ...triggerEnvironment(this.shared, this.units.settings),
            TRIGGERS: JSON.stringify(this.triggers()),
          }),
      }),
    });
    this.output(OUTPUTS.deadLetterQueueUrl, { value: this.deadLetterQueue.queueUrl });
    this.output(OUTPUTS.alertsTopicArn, { value: this.alertsTopic.topicArn });
    if (this.alertBus) {
      this.output(OUTPUTS.alertBusName, {
        description: 'Where every alert also goes as an event (ia-review-alerts test-alert publishes there too)',
        value: this.alertBus.eventBusName,
      });
    }
    this.output(OUTPUTS.iaApiKeySecretName, { value: this.apiKeySecret.secretName });
    // The CLI books on a key's schedule at that key's rate (--stack, --account): a slower booker
    // is safe, a faster one would crowd the functions' next call.
    this.output(OUTPUTS.iaRatePerSecond, {
      description: 'IA requests per second allowed to the key (each account: its own output)',
      value: String(this.settings.iaRatePerSecond),
    });
    for (const account of this.accounts) {
      this.output(outputId('IaApiKeySecret', account.name), {
        description: `${ACCOUNT_KEY_OUTPUT_DESCRIPTION}${account.name}`,
        value: account.apiKeySecret.secretName,
      });
      this.output(outputId('IaRatePerSecond', account.name), {
        description: `${ACCOUNT_RATE_OUTPUT_DESCRIPTION}${account.name}`,
        value: String(account.requestsPerSecond ?? this.settings.iaRatePerSecond),
      });
    }
    this.output(OUTPUTS.rateLimitTableName, {
      description: "The IA key's shared request schedule: the CLI's check and sweep book on it with --stack",
      value: rateLimitTable.tableName,
    });
    this.output(OUTPUTS.stateTableName, {
      description: 'Watch state; its AwaitingReview index lists what waits (ia-review-alerts pending)',
      value: this.stateTable.tableName,
    });
    this.output(OUTPUTS.includeCandidateEmail, {
      description: 'Whether alerts and the CLI show candidate email addresses',
      value: String(this.settings.includeCandidateEmail),
    });
  }
}
