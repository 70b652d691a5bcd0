/**
 * The webhook front door: an HTTP API with one route, `POST /events/{source}` (no catch-all),
 * stage throttling and JSON access logs, in front of the `ingest` function. The function may
 * only send to the checks queue, read its sources' secrets and write the dedupe table.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Source } from '../../functions/lib/domain/webhooks/sources.js';
import type { ResolvedProps, SourceSetting } from '../review-alerts-props.js';
import { importSecret } from './secrets.js';
import { ServiceFunction } from './service-function.js';

/** Sized from `npm run bench` (docs/performance.md). */
export const INGEST_MEMORY_MB = 256;

export interface IngestApiProps {
  settings: ResolvedProps;
  checksQueue: sqs.IQueue;
}

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

export class IngestApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly dedupeTable: dynamodb.Table;
  readonly ingest: ServiceFunction;
  readonly sourceSecrets = new Map<string, secretsmanager.ISecret>();

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const { settings } = props;

    this.dedupeTable = new dynamodb.Table(this, 'DedupeTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Two days of sender deliveries, minutes of references; nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const runtimeSources: Source[] = settings.sources.map((source) => {
      const secret = this.secretFor(source);
      this.sourceSecrets.set(source.name, secret);
      const { secret: _existing, ...rest } = source;
      return { ...rest, secretName: secret.secretName };
    });

    this.ingest = new ServiceFunction(this, 'Ingest', {
      name: 'ingest',
      description: 'Verifies ATS/IA webhooks and enqueues check requests',
      memorySize: INGEST_MEMORY_MB,
      timeout: Duration.seconds(10),
      logRetentionDays: settings.logRetentionDays,
      xRayTracing: settings.xRayTracing,
      environment: {
        SOURCES: JSON.stringify(runtimeSources),
        CHECKS_QUEUE_URL: props.checksQueue.queueUrl,
        DEDUPE_TABLE_NAME: this.dedupeTable.tableName,
        MIN_RECHECK_INTERVAL_SECONDS: String(settings.minRecheckIntervalSeconds),
      },
    });
    const fn = this.ingest.function;
    props.checksQueue.grantSendMessages(fn);
    // Put records a key (pending), Update settles it once its checks are enqueued, Delete releases it.
    this.dedupeTable.grant(fn, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    for (const secret of this.sourceSecrets.values()) secret.grantRead(fn);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
    });
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
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Webhook senders cannot use IAM, Cognito or JWT auth; ingest verifies each sender signature (HMAC or URL token) before acting.',
      });
    }
  }

  /** The operator's secret when named; otherwise a generated one to copy into the sender (or replace with its own). */
  private secretFor(source: SourceSetting): secretsmanager.ISecret {
    const id = `Source-${source.name}`;
    if (source.secret) return importSecret(this, id, source.secret);
    const secret = new secretsmanager.Secret(this, id, {
      description: `Signing secret (or callback token) of webhook source "${source.name}" (${source.kind})`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Webhook signing secrets are shared with the sending ATS; rotating means changing them there too, by hand.',
    });
    return secret;
  }
}
