/**
 * `ingest`, the webhook front door: an HTTP API with one route, `POST /events/{source}` (no
 * catch-all), and with claims `POST /claims/slack` and `GET|POST /claims/email`; stage throttling
 * and JSON access logs. The function verifies each sender's
 * signature and may only send to the checks queue, read its sources' secrets and write its dedupe
 * table. Sources can be added after construction (`addSource`): the function's list is read at
 * synthesis.
 */
import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { IngestEnvironment } from '../../functions/ingest/environment.js';
import { SLACK_WEBHOOK_ORIGIN } from '../../functions/lib/domain/slack-origin.js';
import type { Source } from '../../functions/lib/domain/webhooks/sources.js';
import { acknowledge } from '../constructs/compat.js';
import { serviceMetric } from '../constructs/ops-alarms.js';
import { grantClaim, grantReadSecretValue, grantSend, grantTriggerHealth } from '../constructs/service-access.js';
import { checkSources, type WebhookSource } from '../review-alerts-props.js';
import { FunctionUnit, type UnitContext } from './function-unit.js';
import { type SharedResources, seconds } from './shared-resources.js';

/** Sized from `npm run bench` (docs/performance.md). */
export const INGEST_MEMORY_MB = 256;

const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
};

export class IngestUnit extends FunctionUnit<IngestEnvironment> {
  readonly api: apigw.HttpApi;
  readonly dedupeTable: dynamodb.Table;
  /** Each source's secret, by source name. */
  readonly sourceSecrets = new Map<string, secretsmanager.ISecret>();
  private readonly sources: Source[];
  private readonly slackOrigins: string[];

  constructor(scope: Construct, id: string, context: UnitContext, shared: SharedResources) {
    const { settings } = context;
    // The table and the list are the unit's own, made after it: the environment reads them at synthesis.
    const own: { table?: dynamodb.Table; sources: Source[]; slackOrigins: string[] } = {
      sources: [],
      slackOrigins: [],
    };
    super(scope, id, context, {
      name: 'ingest',
      description: 'Verifies ATS/IA webhooks and enqueues check requests',
      memorySize: INGEST_MEMORY_MB,
      timeout: Duration.seconds(10),
      environment: {
        SOURCES: Lazy.string({ produce: () => JSON.stringify(own.sources) }),
        CHECKS_QUEUE_URL: shared.checksQueue.queueUrl,
        DEDUPE_TABLE_NAME: Lazy.string({ produce: () => own.table?.tableName }),
        MIN_RECHECK_INTERVAL_SECONDS: seconds(settings.minRecheckInterval),
        CLAIMS_SECRET_NAME: shared.claims?.secret.secretName,
        STATE_TABLE_NAME: shared.stateTable.tableName,
        // Set only once a Slack channel posts elsewhere than Slack's own origin (GovSlack).
        SLACK_ORIGINS: shared.claims
          ? Lazy.string({
              produce: () =>
                own.slackOrigins.length > 0 ? [SLACK_WEBHOOK_ORIGIN, ...own.slackOrigins].join(',') : undefined,
            })
          : undefined,
      },
      errorsRunbook:
        'The ingest function itself failed: senders got 5xx and will retry. Read its log group for the stack trace. See docs/operating.md, runbook "IngestErrors".',
    });
    this.sources = own.sources;
    this.slackOrigins = own.slackOrigins;
    this.dedupeTable = new dynamodb.Table(this, 'DedupeTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Two days of sender deliveries, minutes of references; nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    own.table = this.dedupeTable;
    const fn = this.function;
    grantSend(shared.checksQueue, fn);
    // Put records a key (pending), Update settles it once its checks are enqueued, Delete releases it.
    this.dedupeTable.grant(fn, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    context.alarmSet.add(this, 'WebhookFailures', {
      metric: serviceMetric(settings.metricsNamespace, 'WebhooksFailed', 'ingest'),
      threshold: 1,
      description:
        'ingest answered 503: a webhook could not be enqueued or a source secret is empty. Senders retry; check ingest logs and the source secrets. See docs/operating.md, runbook "WebhookFailures".',
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: settings.logRetention });
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Assessment review alerts: webhook receiver',
      createDefaultStage: false,
    });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiThrottleRate, burstLimit: settings.apiThrottleBurst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const routes = this.api.addRoutes({
      path: '/events/{source}',
      methods: [apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Ingest', fn),
    });
    // Each source's trigger health: its own items of the state table (trigger#…), nothing else.
    grantTriggerHealth(shared.stateTable, fn);
    if (shared.claims) {
      // Claims: the claim's attributes of the state table only (grantClaim), replays in the dedupe table.
      grantReadSecretValue(shared.claims.secret, fn);
      grantClaim(shared.stateTable, fn);
      routes.push(
        ...this.api.addRoutes({
          path: '/claims/slack',
          methods: [apigw.HttpMethod.POST],
          integration: new HttpLambdaIntegration('ClaimsSlack', fn),
        }),
        ...this.api.addRoutes({
          path: '/claims/email',
          methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST],
          integration: new HttpLambdaIntegration('ClaimsEmail', fn),
        }),
      );
    }
    for (const route of routes) {
      acknowledge(route, {
        id: 'AwsSolutions-APIG4',
        reason:
          "Webhook senders (and Slack's interactivity, and a person opening an email's claim link) cannot use IAM, Cognito or JWT auth; ingest verifies each sender signature (HMAC, URL token, Slack's v0 signature, the link's signed token) before acting.",
      });
    }
  }

  /** A Slack channel posts through `origin` (GovSlack): its claim buttons' replies may go there too. */
  allowSlackOrigin(origin: string): void {
    if (origin !== SLACK_WEBHOOK_ORIGIN && !this.slackOrigins.includes(origin)) this.slackOrigins.push(origin);
  }

  /** The sources served, as the function reads them. */
  sourceList(): readonly Source[] {
    return this.sources;
  }

  /** Serves one more source; returns the secret its sender signs with. */
  addSource(source: WebhookSource): secretsmanager.ISecret {
    const [checked] = checkSources('sources', [source]);
    if (this.sourceSecrets.has(source.name)) {
      throw new Error(`ReviewAlerts: webhook source "${source.name}" is defined twice`);
    }
    const secret = checked?.secret ?? this.generatedSecret(source);
    grantReadSecretValue(secret, this.function);
    this.sourceSecrets.set(source.name, secret);
    const { secret: _secret, tolerance, ...rest } = source;
    this.sources.push({
      ...rest,
      ...(tolerance === undefined ? {} : { toleranceSeconds: tolerance.toSeconds() }),
      secretName: secret.secretName,
    });
    return secret;
  }

  /** A secret with a generated value, to copy into the sender (or replace with its own). */
  private generatedSecret(source: WebhookSource): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(this, `Source-${source.name}`, {
      description: `Signing secret (or callback token) of webhook source "${source.name}" (${source.kind})`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    acknowledge(secret, {
      id: 'AwsSolutions-SMG4',
      reason:
        'Webhook signing secrets are shared with the sending ATS; rotating means changing them there too, by hand.',
    });
    return secret;
  }
}
