/** The synthesised template: what ops engineers deploy, checked resource by resource. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { METRICS_NAMESPACE } from '#lib/domain/defaults.js';
import { redriveMaxReceiveCount } from '#lib/domain/record-disposition.js';
import { ACCOUNT_METRIC_STREAMS, METRIC_STREAMS } from '#lib/runtime/metric-streams.js';
import { STANDING } from '../../bench/monthly-bill.js';
import { buildApp } from '../../infra/build-app.js';

// The feature flags the CLI would pass from cdk.json; bundling is skipped (esbuild's job, and slow).
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: object };
const synth = (context: Record<string, unknown> = {}) => {
  const { app, stack } = buildApp({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, stack, template: Template.fromStack(stack) };
};

const SOURCES = [
  { name: 'greenhouse', kind: 'greenhouse', attemptIdPath: 'payload.application.custom_fields.ia_attempt_id.value' },
  { name: 'zapier', kind: 'standard-webhooks', secret: 'existing/zapier', attemptIdPath: 'data.attemptId' },
];
const { app, stack, template } = synth({
  alertEmails: 'ops@example.com,lead@example.com',
  sources: JSON.stringify(SOURCES),
});

const policyStatements = (): Array<{ Action: string | string[]; Resource: unknown }> =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement,
  );

describe('alerts stack', () => {
  it('runs check on Node 24, arm64, JSON logs, its own log group; X-Ray off unless asked for', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      TracingConfig: Match.absent(),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: 'false' }) },
      Timeout: 60,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(JSON.stringify(policyStatements())).not.toContain('xray:');
  });

  it('turns on active tracing and the Tracer for every function with xRayTracing=true', () => {
    const { template: traced } = synth({ xRayTracing: 'true' });
    const functions = Object.values(traced.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { TracingConfig: unknown; Environment: { Variables: Record<string, unknown> } };
    }>;
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const fn of functions) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('true');
    }
    expect(JSON.stringify(traced.findResources('AWS::IAM::Policy'))).toContain('xray:PutTraceSegments');
  });

  it('feeds check from the checks queue with partial batch failures and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      BatchSize: 10,
    });
  });

  it('encrypts the queues, enforces TLS and redrives to a 14-day DLQ', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: redriveMaxReceiveCount() },
    });
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      Match.objectLike({
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        }),
      }),
      2,
    );
  });

  it('encrypts every topic with the one rotating KMS key (a key is billed monthly) and enforces TLS', () => {
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.values(keys)).toEqual([
      expect.objectContaining({ Properties: expect.objectContaining({ EnableKeyRotation: true }) }),
    ]);
    const topics = Object.values(template.findResources('AWS::SNS::Topic')) as Array<{
      Properties: { KmsMasterKeyId: unknown };
    }>;
    expect(topics.length).toBeGreaterThanOrEqual(2);
    for (const topic of topics)
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('subscribes each alert email to actionable event types and the digest only', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.allResourcesProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      FilterPolicy: { eventType: ['review.needed', 'review.overdue', 'scoring.stalled', 'review.digest'] },
    });
  });

  it('keeps a sparse, keys-only awaiting-review index on the state table', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'attemptId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'AwaitingReview',
          KeySchema: [
            { AttributeName: 'awaiting', KeyType: 'HASH' },
            { AttributeName: 'awaitingSince', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    // Only the index is queried, and only by the functions that count or list what waits.
    expect(JSON.stringify(policyStatements())).not.toContain('/index/*');
  });

  it('publishes the digest on weekdays at 08:00 UTC by default, in the time zone given otherwise', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({
        Input: JSON.stringify({ scheduledAt: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
    const { template: berlin } = synth({ digestSchedule: 'cron(30 9 ? * MON *)', digestTimeZone: 'Europe/Berlin' });
    berlin.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 9 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    expect(() => synth({ digestTimeZone: 'Mars/Olympus' })).toThrow(/"digestTimeZone" must be an IANA time zone/);
    expect(() => synth({ digestSchedule: '0 8 * * 1-5' })).toThrow(/"digestSchedule" must be a Scheduler expression/);
  });

  it('creates an empty API key secret when none is given', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"apiKey":""}' });
  });

  it('uses an existing secret by name, granting read on that secret only', () => {
    const { template: imported } = synth({ iaApiKeySecret: 'prod/ia-api-key' });
    imported.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const statements = JSON.stringify(imported.findResources('AWS::IAM::Policy'));
    expect(statements).toContain('secret:prod/ia-api-key-??????');
  });

  it('grants check only scoped actions on its own resources', () => {
    const statements = policyStatements();
    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action);
      expect(statement.Resource).not.toBe('*');
      expect(actions.some((a) => a.endsWith('*'))).toBe(false);
    }
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'sns:Publish',
          Resource: { Ref: stack.getLogicalId(stack.alerts.alertsTopic.node.defaultChild as never) },
        }),
        expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] }),
        expect.objectContaining({ Action: 'secretsmanager:GetSecretValue' }),
        expect.objectContaining({
          Action: 'sqs:SendMessage',
          Resource: {
            'Fn::GetAtt': [stack.getLogicalId(stack.alerts.deadLetterQueue.node.defaultChild as never), 'Arn'],
          },
        }),
      ]),
    );
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('serves exactly POST /events/{source}, throttled, with JSON access logs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /events/{source}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') }),
    });
  });

  it('keeps sender event ids in a TTL table and gives ingest only what it needs', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
    const roleId = stack.getLogicalId(stack.alerts.ingestFunction.role?.node.defaultChild as never);
    const ingestPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes(`"Ref":"${roleId}"`),
    );
    const statements = (
      ingestPolicy as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }
    ).Properties.PolicyDocument.Statement;
    const actions = [...new Set(statements.flatMap((st) => ([] as string[]).concat(st.Action)))].sort();
    expect(actions).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(JSON.stringify(statements)).toContain('secret:existing/zapier-??????');
  });

  it('passes the source mapping to ingest with resolved secret names', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f).includes('DEDUPE_TABLE_NAME'),
    ) as { Properties: { Environment: { Variables: { SOURCES: unknown } } } };
    expect(JSON.stringify(fn.Properties.Environment.Variables.SOURCES)).toContain(
      'payload.application.custom_fields.ia_attempt_id.value',
    );
  });

  it('turns EventBridge events into check messages with an input transformer, the account carried, never its own alerts', () => {
    const notOwnAlerts = [{ 'anything-but': ['ia-review-alerts'] }];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: notOwnAlerts, detail: { attemptId: [{ exists: true }], account: [{ exists: false }] } },
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: { 'detail-attemptId': '$.detail.attemptId', id: '$.id' },
            InputTemplate: '{"attemptId":<detail-attemptId>,"source":"eventbridge","eventId":<id>}',
          },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: notOwnAlerts, detail: { attemptId: [{ exists: true }], account: [{ exists: true }] } },
      Targets: [
        Match.objectLike({
          InputTransformer: Match.objectLike({
            InputPathsMap: {
              'detail-attemptId': '$.detail.attemptId',
              'detail-account': '$.detail.account',
              id: '$.id',
            },
          }),
        }),
      ],
    });
    const patterns = Object.values(
      template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }),
    ).map((rule) => (rule as { Properties: { EventPattern: { source: unknown } } }).Properties.EventPattern);
    expect(patterns).toHaveLength(4);
    for (const pattern of patterns) expect(pattern.source).toEqual(notOwnAlerts);
  });

  it('refuses its own alerts as an EventBridge source, naming the setting', () => {
    expect(() => synth({ eventBridgeSources: 'ats,ia-review-alerts' })).toThrow(
      /eventBridgeSources.*sources other than ia-review-alerts/,
    );
  });

  it('keeps watch state and alert idempotency keys in TTL tables check may only read and write', () => {
    for (const [key, ttl] of [
      ['attemptId', 'expiresAt'],
      ['id', 'expiration'],
    ]) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
    const checkRole = stack.getLogicalId(stack.alerts.checkFunction.role?.node.defaultChild as never);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes(`"Ref":"${checkRole}"`),
    );
    const dynamoActions = JSON.stringify(policy).match(/dynamodb:\w+/g) ?? [];
    expect([...new Set(dynamoActions)].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      // The condition key of its trigger-health counters: trigger#… items only.
      'dynamodb:LeadingKeys',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('sends every ops alarm, with a runbook line, to a separate encrypted ops topic', () => {
    const opsTopic = stack.getLogicalId(stack.alerts.alarmTopic.node.defaultChild as never);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{
      Properties: { AlarmName?: string; AlarmDescription: string; AlarmActions: unknown[]; MetricName?: string };
    }>;
    // Each alarm names its runbook; none has a physical name (CloudFormation names it after the stack).
    expect(alarms.map((a) => a.Properties.AlarmDescription.match(/runbook "(\w+)"/)?.[1]).sort()).toEqual(
      [
        'AlertDeliveryFailures',
        'CheckErrors',
        'ChecksBacklog',
        'DeadLetters',
        'DigestErrors',
        'IaAuthFailures',
        'IngestErrors',
        'SweepErrors',
        'SweepStalled',
        // One per trigger: the greenhouse and zapier sources, the EventBridge trigger.
        'TriggerSilent',
        'TriggerSilent',
        'TriggerSilent',
        'WebhookFailures',
      ].sort(),
    );
    expect(alarms.map((a) => a.Properties.AlarmName).filter(Boolean)).toEqual([]);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: opsTopic }]);
      expect(alarm.Properties.AlarmDescription).toMatch(/runbook/);
    }
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Assessment review alerts: ops alarms',
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`),
    ).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('rejects bad context with a message naming the key', () => {
    expect(() => synth({ alertEmails: 'not-an-email' })).toThrow(/"alertEmails" must be a list of email addresses/);
    expect(() => synth({ iaRatePerSecond: 'fast' })).toThrow(/CDK context "iaRatePerSecond"/);
    expect(() => synth({ logRetentionDays: 2 })).toThrow(
      /CDK context "logRetentionDays" must be a CloudWatch Logs retention period/,
    );
    expect(() => synth({ removalPolicy: 'keep' })).toThrow(/"removalPolicy" must be retain, destroy or snapshot/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a misspelt key, naming the nearest',
      { alertEmail: 'ops@example.com' },
      /"alertEmail" is not a setting of this app; did you mean "alertEmails"/,
    ],
    ['another one', { watchIntervalMinute: '30' }, /did you mean "watchIntervalMinutes"/],
    [
      'a boolean that is not exactly true/false',
      { includeCandidateEmail: 'yes' },
      /"includeCandidateEmail" must be true or false/,
    ],
    ['xRayTracing=1', { xRayTracing: '1' }, /"xRayTracing" must be true or false/],
    ['a base URL that does not parse', { iaApiBaseUrl: 'not a url' }, /"iaApiBaseUrl" must be an https:\/\/ URL/],
    [
      'an http base URL (the key would travel in clear)',
      { iaApiBaseUrl: 'http://api.example.com/v1' },
      /"iaApiBaseUrl" must be an https/,
    ],
    [
      'a link template without {attemptId}',
      { iaAttemptUrlTemplate: 'https://app.example.com/x' },
      /"iaAttemptUrlTemplate" must be a URL containing \{attemptId\}/,
    ],
    [
      'an unknown Slack event type',
      { slackChannels: '[{"name":"a","eventTypes":["review.need"]}]' },
      /"slackChannels" must be eventTypes from review.needed/,
    ],
    [
      'an unknown Slack channel key',
      { slackChannels: '[{"name":"a","eventType":["review.needed"]}]' },
      /"slackChannels" must be channels with only the keys/,
    ],
  ])('fails synth on %s', (_name, context, message) => {
    expect(() => synth(context)).toThrow(message);
  });

  it('accepts booleans as true/false, and CDK’s own context keys', () => {
    expect(() =>
      synth({ includeCandidateEmail: true, xRayTracing: 'false', '@aws-cdk/core:newStyleStackSynthesis': true }),
    ).not.toThrow();
  });

  it('warns when nobody would receive an alert', () => {
    const { stack: silent } = synth({});
    const warnings = Annotations.fromStack(silent).findWarning(
      '*',
      Match.stringLikeRegexp('Nobody receives review alerts'),
    );
    expect(warnings).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Nobody receives'))).toEqual([]);
  });
});

describe('the dashboard', () => {
  type Widget = { type: string; properties: { title: string; metrics?: unknown[][]; alarms?: string[] } };
  /** The dashboard's JSON with every CloudFormation reference as the logical id it points at. */
  const widgets = (): Widget[] => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } };
    };
    const text = dashboard.Properties.DashboardBody['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part).replace(/"/g, "'")))
      .join('');
    return (JSON.parse(text) as { widgets: Widget[] }).widgets;
  };
  const expressions = () => JSON.stringify(widgets().flatMap((w) => w.properties.metrics ?? []));

  it('shows what waits, alerts per type, the IA budget, queues and DLQs, webhooks per source, functions and alarms', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(widgets().map((w) => w.properties.title)).toEqual([
      'Waiting for review',
      'Alerts published per event type',
      'IA requests, 304s and 429s (check + sweep)',
      'IA rate budget used (% of 1/s)',
      'Checks queue: depth and age of the oldest',
      'Dead-letter queues',
      'Webhooks accepted per source',
      'Webhooks rejected per source',
      'Triggers silent (1: quiet while the sweep finds their completions)',
      undefined, // the text beside it: how to read trigger health
      'Function errors',
      'Function duration (p95, ms)',
      'Ops alarms',
    ]);
    for (const metric of [
      'AttemptsAwaitingReview',
      'OldestReviewWaitHours',
      'ApproximateAgeOfOldestMessage',
      'Duration',
      'Errors',
    ])
      expect(expressions()).toContain(metric);
    // Split by dimension with SEARCH, so new event types and sources appear by themselves.
    expect(expressions()).toContain(
      `SEARCH('{IaReviewAlerts,eventType,service} MetricName=\\"AlertsPublished\\"', 'Sum', 300)`,
    );
    expect(expressions()).toContain(
      `SEARCH('{IaReviewAlerts,source,service} MetricName=\\"WebhooksAccepted\\"', 'Sum', 300)`,
    );
    expect(expressions()).toMatch(/100 \* SUM\(SEARCH\(.*IaRequests.*\/ 300/);
    const alarmWidget = widgets().find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms).toHaveLength(
      Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length,
    );
  });

  it('has its URL as a stack output, next to every other runbook target', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain('#dashboards:name=');
    for (const key of [
      'StateTableName',
      'ChecksQueueUrl',
      'DeadLetterQueueUrl',
      'AlertsTopicArn',
      'OpsTopicArn',
      'IaApiKeySecretName',
      'WebhookUrl',
    ]) {
      expect(outputs[key]).toBeDefined();
    }
  });
});

describe('the sweep', () => {
  it('runs on a schedule of sweepIntervalMinutes with the horizon, share and page size it was given', () => {
    const { template: custom } = synth({
      sweepIntervalMinutes: '10',
      sweepHorizonDays: '14',
      sweepBudgetShare: '0.25',
      sweepPageSize: '50',
    });
    custom.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(10 minutes)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 630,
      Environment: {
        Variables: Match.objectLike({
          SWEEP_INTERVAL_SECONDS: '600',
          SWEEP_HORIZON_DAYS: '14',
          SWEEP_BUDGET_SHARE: '0.25',
          SWEEP_PAGE_SIZE: '50',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('may read state in batches and take the walk lease, and nothing it does not use', () => {
    const roleId = stack.getLogicalId(stack.alerts.sweepFunction.role?.node.defaultChild as never);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes(`"Ref":"${roleId}"`),
    );
    const actions = [...new Set(JSON.stringify(policy).match(/"(dynamodb|sqs|sns|kms|secretsmanager):\w+"/g))].sort();
    expect(actions).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'secretsmanager:GetSecretValue',
        'sns:Publish',
        'sqs:SendMessage',
      ].map((a) => `"${a}"`),
    );
  });

  it('alarms when the walk moved no page in three intervals, missing data included (not on whole walks: at 30,000 a day one takes a day)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SweepPages',
      Period: 900,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('rejects a sweep interval that is not whole minutes, and a share above 1', () => {
    expect(() => synth({ sweepIntervalMinutes: '2.5' })).toThrow(
      /CDK context "sweepIntervalMinutes": ReviewAlerts at AssessmentReviewAlerts\/Default: "sweepInterval" must be from 1 minute to 1 hour in whole minutes, got 2 minutes 30 seconds/,
    );
    expect(() => synth({ sweepBudgetShare: '1.5' })).toThrow(/"sweepBudgetShare" must be a number from 0.05 to 1/);
  });
});

describe('alerts stack with Slack channels and Amazon Q Developer', () => {
  const {
    app: slackApp,
    stack: slackStack,
    template: slackTemplate,
  } = synth({
    slackChannels: JSON.stringify([
      { name: 'reviews' },
      { name: 'philosophy', assessmentIds: ['pjpmahbioyqufxos'], digest: false },
    ]),
    chatSlackWorkspaceId: 'T0123',
    chatSlackChannelId: 'C0456',
  });

  it('buffers each channel in its own queue, subscribed with that channel’s filter policy', () => {
    slackTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      FilterPolicy: { eventType: ['review.needed', 'review.overdue', 'scoring.stalled', 'review.digest'] },
    });
    slackTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      FilterPolicy: {
        eventType: ['review.needed', 'review.overdue', 'scoring.stalled'],
        assessmentId: ['pjpmahbioyqufxos'],
      },
    });
    const mappings = slackTemplate.findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(4); // check + two Slack channels + the chat channel
  });

  it('keeps webhook URLs in secrets notify-slack alone may read', () => {
    const roleId = slackStack.getLogicalId(slackStack.alerts.notifySlackFunction?.role?.node.defaultChild as never);
    const policy = Object.values(slackTemplate.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes(`"Ref":"${roleId}"`),
    );
    const text = JSON.stringify(policy);
    expect(text).toContain('secretsmanager:GetSecretValue');
    // It publishes to chat channels' topics, never to the alerts topic it reads from.
    expect(text).not.toContain(slackStack.getLogicalId(slackStack.alerts.alertsTopic.node.defaultChild as never));
    const checkRole = slackStack.getLogicalId(slackStack.alerts.checkFunction.role?.node.defaultChild as never);
    const checkPolicy = JSON.stringify(
      Object.values(slackTemplate.findResources('AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p).includes(`"Ref":"${checkRole}"`),
      ),
    );
    const webhookSecrets = Object.keys(
      slackTemplate.findResources('AWS::SecretsManager::Secret', {
        Properties: { Description: Match.stringLikeRegexp('Slack incoming-webhook URL') },
      }),
    );
    expect(webhookSecrets.length).toBeGreaterThan(0);
    for (const secret of webhookSecrets) expect(checkPolicy).not.toContain(secret);
  });

  it('alarms on Slack dead letters, gone destinations and rejected payloads', () => {
    const names = Object.values(slackTemplate.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { MetricName: string } }).Properties.MetricName,
    );
    expect(names).toEqual(expect.arrayContaining(['SlackDestinationGone', 'SlackPayloadRejected']));
    expect(names.filter((n) => n === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
  });

  it('feeds an Amazon Q Developer Slack channel its own topic, through a filtered buffer', () => {
    const topics = slackTemplate.findResources('AWS::SNS::Topic', {
      Properties: { DisplayName: 'Assessment review alerts: chat channel chat' },
    });
    expect(Object.keys(topics)).toHaveLength(1);
    slackTemplate.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123',
      SlackChannelId: 'C0456',
      SnsTopicArns: [{ Ref: Object.keys(topics)[0] }],
    });
    slackTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      FilterPolicy: {
        eventType: ['review.needed', 'review.overdue', 'review.completed', 'scoring.stalled', 'review.digest'],
      },
    });
  });

  it('gives the chat channel a read-only guardrail and its role no permissions at all', () => {
    slackTemplate.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      GuardrailPolicies: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/CloudWatchReadOnlyAccess'])] }),
      ],
    });
    const chat = Object.values(slackTemplate.findResources('AWS::Chatbot::SlackChannelConfiguration'))[0] as {
      Properties: { IamRoleArn: { 'Fn::GetAtt': [string, string] } };
    };
    const roleId = chat.Properties.IamRoleArn['Fn::GetAtt'][0];
    const policies = Object.values(slackTemplate.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes(`"${roleId}"`),
    );
    expect(policies).toEqual([]);
    expect(slackTemplate.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('is cdk-nag clean too', () => {
    expect(new AwsSolutionsChecks().validateScope(slackApp).violations).toEqual([]);
  });

  it('outputs the Slack DLQ and each channel’s buffer queue, which the CLI finds by description', () => {
    const outputs = slackTemplate.toJSON().Outputs as Record<string, { Description?: string }>;
    expect(outputs.SlackDeadLetterQueueUrl).toBeDefined();
    expect(outputs.SlackBufferreviewsQueueUrl?.Description).toBe('Buffer queue of Slack channel reviews');
    expect(outputs.SlackBufferphilosophyQueueUrl?.Description).toBe('Buffer queue of Slack channel philosophy');
    expect(JSON.stringify(slackTemplate.findResources('AWS::CloudWatch::Dashboard'))).toContain('Slack DLQ');
  });

  it('rejects a half-configured chat channel and a badly named Slack channel', () => {
    expect(() => synth({ chatSlackWorkspaceId: 'T0123' })).toThrow(/chatSlackWorkspaceId/);
    expect(() => synth({ slackChannels: '[{"name":"Bad Name"}]' })).toThrow(/slackChannels/);
  });
});

describe('a deployment with one source, one Slack channel and one email', () => {
  const typical = synth({
    alertEmails: 'ops@example.com',
    sources: JSON.stringify(SOURCES.slice(0, 1)),
    slackChannels: JSON.stringify([{ name: 'reviews' }]),
  }).template;

  it("has the standing resources the bench's monthly bill counts", () => {
    const count = (type: string) => Object.keys(typical.findResources(type)).length;
    // An alarm is billed per metric it watches: one, or each metric of its math expression.
    const alarmMetrics = Object.values(typical.findResources('AWS::CloudWatch::Alarm')).reduce(
      (sum, alarm) =>
        sum +
        ((alarm as { Properties: { Metrics?: Array<{ MetricStat?: unknown }> } }).Properties.Metrics?.filter(
          (metric) => metric.MetricStat,
        ).length ?? 1),
      0,
    );
    expect({
      kmsKeys: count('AWS::KMS::Key'),
      secrets: count('AWS::SecretsManager::Secret'),
      alarmMetrics,
      dashboards: count('AWS::CloudWatch::Dashboard'),
      polledQueues: count('AWS::Lambda::EventSourceMapping'),
    }).toEqual({
      kmsKeys: STANDING.kmsKeys,
      secrets: STANDING.secrets,
      alarmMetrics: STANDING.alarmMetrics,
      dashboards: STANDING.dashboards,
      polledQueues: STANDING.polledQueues,
    });
  });

  it('publishes as metrics exactly the counts its alarms and dashboard read (each stream is billed)', () => {
    const read = new Set<string>();
    for (const alarm of Object.values(typical.findResources('AWS::CloudWatch::Alarm')))
      for (const metric of [
        (alarm as { Properties: object }).Properties,
        ...(
          (alarm as { Properties: { Metrics?: Array<{ MetricStat?: { Metric: object } }> } }).Properties.Metrics ?? []
        )
          .map((m) => m.MetricStat?.Metric)
          .filter((m) => m !== undefined),
      ] as Array<{ MetricName?: string; Namespace?: string }>)
        if (metric.Namespace === METRICS_NAMESPACE && metric.MetricName) read.add(metric.MetricName);
    // The dashboard's body, its tokens (the region) blanked: ["IaReviewAlerts","X",…] and SEARCH(… MetricName="X").
    const body = Object.values(typical.findResources('AWS::CloudWatch::Dashboard'))
      .map(({ Properties: { DashboardBody: text } }) =>
        typeof text === 'string'
          ? text
          : (text as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
              .map((part) => (typeof part === 'string' ? part : 'token'))
              .join(''),
      )
      .join('');
    for (const match of body.matchAll(new RegExp(`\\["${METRICS_NAMESPACE}","(\\w+)"`, 'g')))
      read.add(match[1] as string);
    for (const match of body.matchAll(/MetricName=\\"(\w+)\\"/g)) read.add(match[1] as string);
    expect([...read].sort()).toEqual([...METRIC_STREAMS].sort());
  });

  it('publishes by account exactly what its dashboard splits by account', () => {
    const accounts = synth({ iaAccounts: JSON.stringify([{ name: 'agency-a' }, { name: 'agency-b' }]) }).template;
    const body = JSON.stringify(accounts.findResources('AWS::CloudWatch::Dashboard'));
    const byAccount = [...body.matchAll(/\{[^{}]*Account[^{}]*\} MetricName=\\+"(\w+)\\+"/g)].map((m) => m[1]);
    expect([...new Set(byAccount)].sort()).toEqual([...ACCOUNT_METRIC_STREAMS].sort());
  });
});
