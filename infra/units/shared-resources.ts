/**
 * The resources `ReviewAlerts` makes once and the units share, and what the units derive from
 * them the same way: the alert and lifecycle parts of their environment contracts, and the grant
 * to publish alerts.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { IA_DEFAULTS } from '../../functions/lib/domain/defaults.js';
import type {
  AlertEnvironment,
  LifecycleEnvironment,
  TriggerEnvironment,
} from '../../functions/lib/runtime/environment.js';
import { grantExactlyOnce, grantPacing, grantReadSecretValue, grantSend } from '../constructs/service-access.js';
import type { IaAccount, Settings } from '../review-alerts-props.js';

export interface SharedResources {
  readonly alertsTopic: sns.ITopic;
  /** The alerts topic's key: publishers need to use it. */
  readonly alertsTopicKey: kms.IKey;
  readonly checksQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly apiKeySecret: secretsmanager.ISecret;
  /** Several IA accounts, each with its secret; empty for the one default account (`apiKeySecret`). */
  readonly accounts: ReadonlyArray<IaAccount & { readonly apiKeySecret: secretsmanager.ISecret }>;
  readonly stateTable: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly rateLimitTable: dynamodb.ITable;
  /** Where every alert also goes as an event, when the operator chose a bus. */
  readonly alertBus?: events.IEventBus;
  /**
   * The SSM parameter naming check's and the sweep's functions (their keys of before 0.3 still
   * count): its name is known before the functions are, its value only after them.
   */
  readonly legacyKeyPrefixes: { readonly parameterName: string; readonly parameterArn: string };
  /** Every trigger (webhook sources, each account's EventBridge trigger) as the functions read them (`TRIGGERS`). */
  readonly triggers: string;
  /** Claims ("I'm on it"), when on: the secret of their keys, and the page an email's link opens. */
  readonly claims?: { readonly secret: secretsmanager.ISecret; readonly linkUrl: string };
}

/** Whole seconds, as the functions read times. */
export const seconds = (duration: Duration) => String(Math.round(duration.toSeconds({ integral: false })));

export const alertEnvironment = (shared: SharedResources, settings: Settings): AlertEnvironment => ({
  ALERTS_TOPIC_ARN: shared.alertsTopic.topicArn,
  STATE_TABLE_NAME: shared.stateTable.tableName,
  IDEMPOTENCY_TABLE_NAME: shared.idempotencyTable.tableName,
  ALERT_DEDUPE_SECONDS: seconds(settings.alertDedupeWindow),
  INCLUDE_CANDIDATE_EMAIL: String(settings.includeCandidateEmail),
  IA_ATTEMPT_URL_TEMPLATE: settings.iaAttemptUrlTemplate,
  ALERT_BUS: shared.alertBus?.eventBusArn,
});

/** What the sweep (which keeps trigger health) and the digest (which reports it) read of the triggers. */
export const triggerEnvironment = (shared: SharedResources, settings: Settings): TriggerEnvironment => ({
  TRIGGERS: shared.triggers,
  TRIGGER_SILENT_AFTER_SECONDS: seconds(settings.triggerSilentAfter),
  TRIGGER_SILENT_COMPLETIONS: String(settings.triggerSilentCompletions),
  TRIGGER_GRACE_SECONDS: seconds(settings.triggerGrace),
});

export const lifecycleEnvironment = (shared: SharedResources, settings: Settings): LifecycleEnvironment => ({
  ...alertEnvironment(shared, settings),
  CHECKS_QUEUE_URL: shared.checksQueue.queueUrl,
  IA_API_KEY_SECRET: shared.apiKeySecret.secretName,
  IA_ACCOUNTS:
    shared.accounts.length === 0
      ? undefined
      : JSON.stringify(
          shared.accounts.map((account) => ({
            name: account.name,
            apiKeySecret: account.apiKeySecret.secretName,
            ...(account.requestsPerSecond === undefined ? {} : { ratePerSecond: account.requestsPerSecond }),
            sweep: {
              ...(account.sweepHorizon ? { horizonDays: account.sweepHorizon.toDays({ integral: false }) } : {}),
              ...(account.sweepHead ? { headDays: account.sweepHead.toDays({ integral: false }) } : {}),
              ...(account.sweepBudgetShare === undefined ? {} : { budgetShare: account.sweepBudgetShare }),
            },
          })),
        ),
  RATE_LIMIT_TABLE_NAME: shared.rateLimitTable.tableName,
  LEGACY_KEY_PREFIXES_PARAMETER: shared.legacyKeyPrefixes.parameterName,
  IA_API_BASE_URL: settings.iaApiBaseUrl,
  IA_RATE_PER_SECOND: String(settings.iaRatePerSecond),
  IA_TOTAL_TIMEOUT_MS: String(IA_DEFAULTS.totalTimeoutMs),
  RECHECK_FIRST_DELAY_SECONDS: seconds(settings.recheckFirstDelay),
  SCORING_DEADLINE_SECONDS: seconds(settings.scoringDeadline),
  WATCH_INTERVAL_SECONDS: seconds(settings.watchInterval),
  REVIEW_SLA_SECONDS: seconds(settings.reviewSla),
  MAX_REMINDERS: String(settings.maxReminders),
  MAX_WATCH_SECONDS: seconds(settings.maxWatchTime),
  ESCALATE_AFTER_SECONDS: settings.escalateAfter ? seconds(settings.escalateAfter) : '0',
  CLAIM_LINK_URL: shared.claims?.linkUrl,
  CLAIMS_SECRET_NAME: shared.claims?.secret.secretName,
});

/**
 * Publishing to a topic encrypted with the alerts key: `Topic.grantPublish` would grant
 * `kms:GenerateDataKey*`; publishing needs exactly these two.
 */
export const grantPublishTo = (shared: SharedResources, topic: sns.ITopic, grantee: iam.IGrantable) => {
  iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
  shared.alertsTopicKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
};

export const grantPublishAlerts = (shared: SharedResources, grantee: iam.IGrantable) => {
  grantPublishTo(shared, shared.alertsTopic, grantee);
  // events:PutEvents on that bus only.
  shared.alertBus?.grantPutEventsTo(grantee);
};

/**
 * What looking at attempts through the lifecycle needs, in check and the sweep alike: every
 * account's key, its schedule, the alerts' exactly-once keys and the topic (and bus), re-checks
 * on the checks queue.
 */
export const grantLifecycle = (shared: SharedResources, grantee: iam.IGrantable) => {
  const secrets = shared.accounts.length > 0 ? shared.accounts.map((a) => a.apiKeySecret) : [shared.apiKeySecret];
  for (const secret of secrets) grantReadSecretValue(secret, grantee);
  // Alert emails' "I'm on it" links are signed with its linkKey.
  if (shared.claims) grantReadSecretValue(shared.claims.secret, grantee);
  grantPacing(shared.rateLimitTable, grantee);
  grantExactlyOnce(shared.idempotencyTable, grantee);
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['ssm:GetParameter'],
    resourceArns: [shared.legacyKeyPrefixes.parameterArn],
  });
  grantSend(shared.checksQueue, grantee);
  grantPublishAlerts(shared, grantee);
};
