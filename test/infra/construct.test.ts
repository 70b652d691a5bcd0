/** `ReviewAlerts` in someone else's stack: CDK-typed props, defaults, errors naming the prop, members, methods. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { App, CfnParameter, Duration, Errors, RemovalPolicy, Stack, TimeZone, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EVENT_TYPES } from '../../functions/lib/domain/alert.js';
import { AlertEventType, ReviewAlerts, type ReviewAlertsProps, WebhookSourceKind } from '../../infra/index.js';
import { PROP_RULES } from '../../infra/review-alerts-props.js';
import { CONTEXT, CONTEXT_KEYS, contextDefault, propsFromContext } from '../../infra/settings.js';
import { app, lambdaVariables, userStack } from '../support/user-stack.js';

describe('ReviewAlerts in a user’s stack', () => {
  it('takes CDK types: Duration, ISecret, IEventBus, ITopic, RetentionDays, RemovalPolicy, ScheduleExpression', () => {
    const { stack, template } = userStack((scope) => ({
      alertEmails: ['ops@example.com'],
      iaApiKeySecret: secretsmanager.Secret.fromSecretNameV2(scope, 'Key', 'platform/ia-key'),
      eventBus: new events.EventBus(scope, 'Bus'),
      alarmTopic: new sns.Topic(scope, 'PlatformAlarms'),
      logRetention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
      sweepInterval: Duration.minutes(10),
      sweepHorizon: Duration.days(14),
      reviewSla: Duration.hours(8),
      digestSchedule: scheduler.ScheduleExpression.expression('cron(0 9 ? * MON-FRI *)', TimeZone.EUROPE_BERLIN),
      sources: [{ name: 'greenhouse', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.id' }],
      slackChannels: [{ name: 'reviews' }],
    }));
    const t = template();
    const variables = lambdaVariables(t);
    expect(variables.find((v) => v.SWEEP_INTERVAL_SECONDS)).toMatchObject({
      SWEEP_INTERVAL_SECONDS: '600',
      SWEEP_HORIZON_DAYS: '14',
      REVIEW_SLA_SECONDS: '28800',
      IA_API_KEY_SECRET: 'platform/ia-key',
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ KeySchema: [{ AttributeName: 'attemptId', KeyType: 'HASH' }] }),
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: stack.getLogicalId(stack.node.findChild('Bus').node.defaultChild as never) },
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    // The platform's own topic takes the alarms; no ops topic of ours.
    t.resourcePropertiesCountIs('AWS::SNS::Topic', { DisplayName: 'Assessment review alerts: ops alarms' }, 0);
    const alarmTopic = stack.getLogicalId(stack.node.findChild('PlatformAlarms').node.defaultChild as never);
    for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
      expect((alarm as { Properties: { AlarmActions: unknown[] } }).Properties.AlarmActions).toEqual([
        { Ref: alarmTopic },
      ]);
    }
  });

  it('keeps the state and idempotency tables by default', () => {
    const t = userStack().template();
    const tables = Object.values(t.findResources('AWS::DynamoDB::Table')) as Array<{
      DeletionPolicy: string;
      Properties: { KeySchema: Array<{ AttributeName: string }> };
    }>;
    const policyOf = (key: string) =>
      tables.find((table) => table.Properties.KeySchema[0]?.AttributeName === key)?.DeletionPolicy;
    expect([policyOf('attemptId'), policyOf('id')]).toEqual(['Retain', 'Retain']);
  });

  it('exposes what users wire further, typed by interfaces', () => {
    const { alerts, stack } = userStack({ slackChannels: [{ name: 'reviews' }] });
    for (const exposed of [
      alerts.alertsTopic.topicArn,
      alerts.alarmTopic.topicArn,
      alerts.checksQueue.queueUrl,
      alerts.deadLetterQueue.queueUrl,
      alerts.stateTable.tableName,
      alerts.webhookUrl,
      alerts.checkFunction.functionArn,
      alerts.ingestFunction.functionArn,
      alerts.sweepFunction.functionArn,
      alerts.digestFunction.functionArn,
      alerts.notifySlackFunction?.functionArn,
      alerts.slackDeadLetterQueue?.queueUrl,
      alerts.dashboard.dashboardName,
    ]) {
      expect(Token.isUnresolved(exposed)).toBe(true);
    }
    expect(alerts.alarms.length).toBe(
      Template.fromStack(stack).toJSON() &&
        Object.keys(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).length,
    );
  });

  it('gives every function unit its own errors alarm', () => {
    const { alerts } = userStack({ slackChannels: [{ name: 'reviews' }] });
    const errorAlarms = alerts.alarms
      .filter((alarm) => alarm.node.id === 'Errors')
      .map((alarm) => alarm.node.scope?.node.id);
    expect(errorAlarms.sort()).toEqual(['Check', 'Digest', 'Ingest', 'Slack', 'Sweep']);
  });

  it('adds audiences, sources and check senders after construction', () => {
    const { stack, alerts, template } = userStack();
    alerts.addEmailSubscription('lead@example.com', {
      assessmentIds: ['pjpmahbioyqufxos'],
      eventTypes: [AlertEventType.REVIEW_OVERDUE],
    });
    alerts.addSlackChannel({ name: 'late', eventTypes: [AlertEventType.REVIEW_OVERDUE] });
    alerts.addSource({
      name: 'lever',
      kind: WebhookSourceKind.LEVER,
      attemptIdPath: 'data.attemptId',
      tolerance: Duration.minutes(2),
    });
    const sender = new iam.Role(stack, 'Sender', { assumedBy: new iam.AccountRootPrincipal() });
    alerts.grantRequestCheck(sender);
    const t = template();
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'lead@example.com',
      FilterPolicy: { eventType: ['review.overdue'], assessmentId: ['pjpmahbioyqufxos'] },
    });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      FilterPolicy: { eventType: ['review.overdue'] },
    });
    const ingest = lambdaVariables(t).find((v) => v.SOURCES) as { SOURCES: unknown };
    expect(JSON.stringify(ingest.SOURCES)).toContain('\\"toleranceSeconds\\":120');
    const slack = lambdaVariables(t).find((v) => v.SLACK_CHANNELS) as { SLACK_CHANNELS: unknown };
    expect(JSON.stringify(slack.SLACK_CHANNELS)).toContain('\\"name\\":\\"late\\"');
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(sender.node.defaultChild as never) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })] },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Nobody receives'))).toEqual([]);
  });

  it('names every event type in AlertEventType, as the functions publish them', () => {
    expect(Object.values(AlertEventType).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('sets VPC, security groups, reserved concurrency and architecture on every function', () => {
    const { template } = userStack((scope) => {
      const vpc = new ec2.Vpc(scope, 'Vpc', { maxAzs: 2 });
      return {
        slackChannels: [{ name: 'reviews' }],
        functionOptions: {
          vpc,
          securityGroups: [new ec2.SecurityGroup(scope, 'Egress', { vpc })],
          reservedConcurrentExecutions: 5,
          architecture: lambda.Architecture.X86_64,
        },
      };
    });
    const t = template();
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(5);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Architectures: ['x86_64'],
        ReservedConcurrentExecutions: 5,
        VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^Egress/), 'GroupId'] }] },
      });
      const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: role }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['ec2:CreateNetworkInterface']), Resource: '*' }),
          ]),
        },
      });
    }
    // Without a VPC, no function may manage network interfaces.
    expect(JSON.stringify(userStack().template().toJSON())).not.toContain('ec2:CreateNetworkInterface');
    expect(() => userStack({ functionOptions: { reservedConcurrentExecutions: 1 } })).toThrow(
      /"functionOptions.reservedConcurrentExecutions" must be at least checkMaxConcurrency \(2\), got 1/,
    );
    expect(() =>
      userStack((scope) => ({
        functionOptions: { securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(scope, 'Sg', 'sg-1')] },
      })),
    ).toThrow(/"functionOptions.vpc" must be given with vpcSubnets and securityGroups/);
  });

  it('leaves its stack outputs out when stackOutputs is false', () => {
    const withOutputs = userStack({ slackChannels: [{ name: 'reviews' }] })
      .template()
      .toJSON();
    expect(Object.keys(withOutputs.Outputs ?? {}).length).toBeGreaterThanOrEqual(10);
    const { alerts, template } = userStack({ stackOutputs: false, slackChannels: [{ name: 'reviews' }] });
    alerts.addSource({ name: 'lever', kind: WebhookSourceKind.LEVER, attemptIdPath: 'data.id' });
    expect(template().toJSON().Outputs).toBeUndefined();
  });

  it('returns what its add… methods make', () => {
    const { stack, alerts } = userStack();
    const subscription = alerts.addEmailSubscription('lead@example.com');
    expect(subscription).toBeInstanceOf(sns.Subscription);
    const slack = alerts.addSlackChannel({ name: 'late' });
    expect(slack.buffer.node.path).toMatch(/ReviewAlerts\/.*late/);
    expect(stack.resolve(slack.webhookSecret.secretArn)).toBeDefined();
    const teams = alerts.addTeamsChannel({
      name: 'hiring',
      teamId: '5d4a0e3b-0000-4000-8000-000000000001',
      channelId: '19:abc@thread.tacv2',
      tenantId: '72f988bf-0000-4000-8000-000000000002',
    });
    expect(teams.configuration.node.path).toBe('PlatformStack/ReviewAlerts/Teams-hiring');
    expect(teams.topic.node.path).toBe('PlatformStack/ReviewAlerts/ChatTopic-hiring');
    const chat = alerts.addChatSlackChannel({ name: 'q', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' });
    expect(chat.configuration.node.path).toBe('PlatformStack/ReviewAlerts/Chat-q');
    const secret = alerts.addSource({ name: 'lever', kind: WebhookSourceKind.LEVER, attemptIdPath: 'data.id' });
    expect(secret.node.path).toMatch(/ReviewAlerts\/.*lever/i);
  });

  it('names the prop and the construct path in its errors; checks Teams and Slack ids as their services give them', () => {
    const { alerts } = userStack();
    const teams = {
      name: 'hiring',
      teamId: '5d4a0e3b-0000-4000-8000-000000000001',
      channelId: '19:abc@thread.tacv2',
      tenantId: '72f988bf-0000-4000-8000-000000000002',
    };
    expect(() => alerts.addTeamsChannel({ ...teams, teamId: 'hiring-team' })).toThrow(
      /^ReviewAlerts at PlatformStack\/ReviewAlerts: "teamsChannels\[hiring\]\.teamId" must be a GUID/,
    );
    expect(() => alerts.addTeamsChannel({ ...teams, tenantId: 'contoso.onmicrosoft.com' })).toThrow(
      /"teamsChannels\[hiring\]\.tenantId" must be a GUID/,
    );
    expect(() => alerts.addTeamsChannel({ ...teams, channelId: 'General' })).toThrow(
      /"teamsChannels\[hiring\]\.channelId" must be a Teams channel id, 19:…@thread.tacv2/,
    );
    // As copied from the channel's link: URL-encoded.
    expect(() => alerts.addTeamsChannel({ ...teams, channelId: '19%3Aabc%40thread.tacv2' })).not.toThrow();
    expect(() => alerts.addChatSlackChannel({ name: 'q', workspaceId: 'acme', channelId: 'C0123' })).toThrow(
      /"chatSlackChannels\[q\]\.workspaceId" must be a Slack workspace id/,
    );
    expect(() => alerts.addEmailSubscription('nobody')).toThrow(
      /^ReviewAlerts at PlatformStack\/ReviewAlerts: "addEmailSubscription" must be an email address/,
    );
    let thrown: unknown;
    try {
      userStack({ checkBatchSize: 0 });
    } catch (error) {
      thrown = error;
    }
    // CDK's own kind of error, on the construct: tools that report validation errors see it as one.
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as { constructPath?: string }).constructPath).toBe('PlatformStack/ReviewAlerts');
    expect(() => userStack({ checkBatchSize: 0 })).toThrow(
      /^ReviewAlerts at PlatformStack\/ReviewAlerts: "checkBatchSize"/,
    );
  });

  it('measures alerts published and the oldest wait in its own namespace', () => {
    const { alerts } = userStack({ metricsNamespace: 'TeamA' });
    const sweepPages = alerts.metric('SweepPages', { dimensionsMap: { service: 'ia-review-alerts-sweep' } });
    expect(sweepPages).toBeInstanceOf(cloudwatch.Metric);
    expect(sweepPages.toMetricConfig().metricStat).toMatchObject({
      namespace: 'TeamA',
      metricName: 'SweepPages',
      statistic: 'Sum',
    });
    // A count that is only a log field would graph nothing, and a typo nothing either: both refused.
    expect(() => alerts.metric('SweepHeadWalks')).toThrow(
      /"metric" must be a metric the functions publish \(AlertsPublished, .*log lines\), got "SweepHeadWalks"$/,
    );
    expect(() => alerts.metric('SweepPage')).toThrow(/did you mean SweepPages\?, got "SweepPage"$/);
    expect(
      alerts
        .metricOldestReviewWait()
        .createAlarm(new Stack(app(), 'Alarms'), 'Late', { threshold: 24, evaluationPeriods: 1 }),
    ).toBeDefined();
    // The counts carry service and eventType (functions/lib/runtime/commons.ts): the query names both,
    // and an alarm can take it (an alarm takes no SEARCH).
    const published = alerts.metricAlertsPublished();
    expect(published.expression).toBe('SELECT SUM(AlertsPublished) FROM SCHEMA("TeamA", eventType, service)');
    const alarms = new Stack(app(), 'PublishedAlarms');
    published.createAlarm(alarms, 'Quiet', {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    Template.fromStack(alarms).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({ Expression: published.expression, ReturnData: true })],
    });
    expect(alerts.metricOldestReviewWait().toMetricConfig().metricStat).toMatchObject({
      namespace: 'TeamA',
      metricName: 'OldestReviewWaitHours',
      statistic: 'Maximum',
    });
  });

  it('lives twice in one stack: no physical names, a warning about shared metrics', () => {
    const stack = new Stack(app(), 'Twice');
    new ReviewAlerts(stack, 'TeamA', {
      alertEmails: ['a@example.com'],
      chatSlackWorkspaceId: 'T1',
      chatSlackChannelId: 'C1',
    });
    new ReviewAlerts(stack, 'TeamB', {
      alertEmails: ['b@example.com'],
      chatSlackWorkspaceId: 'T1',
      chatSlackChannelId: 'C2',
    });
    const t = Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const names = Object.values(t.Resources).flatMap((resource) =>
      Object.entries(resource.Properties ?? {})
        .filter(
          ([key, value]) =>
            typeof value === 'string' &&
            /^(AlarmName|DashboardName|TableName|QueueName|TopicName|FunctionName|RoleName|LogGroupName|SecretName)$/.test(
              key,
            ),
        )
        .map(([key, value]) => `${resource.Type}.${key}=${JSON.stringify(value)}`),
    );
    expect(names).toEqual([]);
    const chat = Object.values(t.Resources)
      .filter((resource) => resource.Type === 'AWS::Chatbot::SlackChannelConfiguration')
      .map((resource) => resource.Properties?.ConfigurationName);
    expect(new Set(chat).size).toBe(2);
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('metrics namespace IaReviewAlerts')),
    ).toHaveLength(2);
  });

  it.each<[string, ReviewAlertsProps, RegExp]>([
    ['a rate of 0', { iaRatePerSecond: 0 }, /ReviewAlerts: "iaRatePerSecond" must be a number from 0.01 to 100, got 0/],
    [
      'a string where a number goes (JavaScript users)',
      { checkBatchSize: '10' as unknown as number },
      /"checkBatchSize" must be a whole number from 1 to 10/,
    ],
    ['an email that is not one', { alertEmails: ['ops'] }, /"alertEmails" must be a list of email addresses/],
    [
      'a prop that does not exist',
      { alertEmail: ['a@b.co'] } as unknown as ReviewAlertsProps,
      /"alertEmail" must be a prop of ReviewAlerts/,
    ],
    [
      'half of Amazon Q',
      { chatSlackWorkspaceId: 'T1' },
      /"chatSlackWorkspaceId" must be given together with chatSlackChannelId/,
    ],
    [
      'a bad source',
      { sources: [{ name: 'x', kind: WebhookSourceKind.GREENHOUSE }] },
      /"sources" must be valid webhook sources .*needs attemptIdPath or assignmentIdPath/,
    ],
    [
      'a sweep interval of seconds',
      { sweepInterval: Duration.seconds(90) },
      /"sweepInterval" must be from 1 minute to 1 hour in whole minutes, got 1 minute 30 seconds/,
    ],
    [
      'a number where a Duration goes',
      { reviewSla: 24 as unknown as Duration },
      /"reviewSla" must be a Duration, got 24/,
    ],
    [
      'a retention CloudWatch does not offer',
      { logRetention: 2 as logs.RetentionDays },
      /"logRetention" must be a RetentionDays value/,
    ],
  ])('fails on %s, naming the prop', (_name, props, message) => {
    expect(() => userStack(props)).toThrow(message);
  });

  it('leaves tokens alone', () => {
    const { template } = userStack((stack) => ({
      iaRatePerSecond: new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber,
      alertEmails: [new CfnParameter(stack, 'Email').valueAsString],
      iaAttemptUrlTemplate: new CfnParameter(stack, 'AttemptUrl').valueAsString,
    }));
    expect(JSON.stringify(lambdaVariables(template()))).toContain('{"Ref":"Rate"}');
  });
});

describe('CDK context', () => {
  const contextProps = (context: Record<string, unknown>) => propsFromContext(new Stack(new App({ context }), 'S'));

  it('maps keys from the strings -c gives to the props they set', () => {
    const props = contextProps({
      alertEmails: 'a@b.co, c@d.co',
      iaRatePerSecond: '2',
      xRayTracing: 'true',
      slackChannels: '[{"name":"x","secret":"slack/x"}]',
      sweepIntervalMinutes: '10',
      logRetentionDays: '90',
      removalPolicy: 'destroy',
      eventBusName: 'platform',
      iaApiKeySecret: 'platform/ia-key',
      digestTimeZone: 'Europe/Berlin',
      functionOptions: '{"architecture":"x86_64","reservedConcurrentExecutions":4}',
      stackName: 'S',
    });
    expect(props).toMatchObject({
      alertEmails: ['a@b.co', 'c@d.co'],
      iaRatePerSecond: 2,
      xRayTracing: true,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(props.sweepInterval?.toMinutes()).toBe(10);
    expect(props.slackChannels?.[0]?.secret?.secretName).toBe('slack/x');
    expect(props.iaApiKeySecret?.secretName).toBe('platform/ia-key');
    expect(props.eventBus?.eventBusName).toBe('platform');
    expect(props.digestSchedule?.expressionString).toBe('cron(0 8 ? * MON-FRI *)');
    expect(props.digestSchedule?.timeZone?.timezoneName).toBe('Europe/Berlin');
    expect(props.functionOptions).toEqual({
      architecture: lambda.Architecture.X86_64,
      reservedConcurrentExecutions: 4,
    });
    expect(() => contextProps({ functionOptions: '{"vpcId":"vpc-1"}' })).toThrow(/a VPC is set in CDK code/);
  });

  it('names the context key when its value is wrong', () => {
    expect(() => contextProps({ digestTimeZone: 'Mars/Olympus' })).toThrow(
      /"digestTimeZone" must be an IANA time zone/,
    );
    expect(() => contextProps({ alarmTopicArn: 'ops' })).toThrow(/"alarmTopicArn" must be an SNS topic ARN/);
  });

  it('has a key for every prop, and docs/configuration.md a row for every key with its default', () => {
    expect(new Set(Object.values(CONTEXT).map((setting) => setting.prop))).toEqual(new Set(Object.keys(PROP_RULES)));
    const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const table = page.slice(page.indexOf('<!-- settings table -->'), page.indexOf('<!-- /settings table -->'));
    const rows = new Map(
      [...table.matchAll(/^\| `([A-Za-z]+)` \| `([A-Za-z]+)` \| ([^|]+) \|/gm)].map((m) => [
        m[1] as string,
        { prop: m[2] as string, shown: (m[3] as string).trim() },
      ]),
    );
    expect([...rows.keys()].sort()).toEqual([...CONTEXT_KEYS].filter((key) => key !== 'stackName').sort());
    for (const [key, setting] of Object.entries(CONTEXT)) {
      const row = rows.get(key);
      expect([key, row?.prop]).toEqual([key, setting.prop]);
      const fallback = contextDefault(key);
      if (fallback !== undefined && fallback !== '') expect([key, row?.shown]).toEqual([key, `\`${fallback}\``]);
    }
  });
});
