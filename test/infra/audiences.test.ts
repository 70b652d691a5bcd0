/** Who receives what (#21): escalation, routes per audience, Teams, the alert bus, several IA accounts. */
import { describe, expect, it } from '@jest/globals';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AlertEventType, ReviewAlerts, WebhookSourceKind } from '../../infra/index.js';
import { propsFromContext } from '../../infra/settings.js';
import { userStack, lambdaVariables as variables } from '../support/user-stack.js';

describe('escalation', () => {
  it('sends review.escalated to the escalation audience only, after escalateAfter', () => {
    const { template, stack } = userStack({
      alertEmails: ['team@example.com'],
      escalateAfter: Duration.hours(48),
      escalationEmails: ['head-of-talent@example.com'],
    });
    const t = template();
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'head-of-talent@example.com',
      FilterPolicy: { eventType: ['review.escalated'] },
    });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'team@example.com',
      FilterPolicy: { eventType: Match.not(Match.arrayWith(['review.escalated'])) },
    });
    const lifecycle = variables(t).filter((v) => v.REVIEW_SLA_SECONDS);
    expect(lifecycle.map((v) => v.ESCALATE_AFTER_SECONDS)).toEqual(['172800', '172800']);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('review.escalated'))).toEqual([]);
  });

  it('is off by default, and warns when nobody would receive it', () => {
    const off = variables(userStack({ alertEmails: ['a@example.com'] }).template()).filter((v) => v.REVIEW_SLA_SECONDS);
    expect(off.map((v) => v.ESCALATE_AFTER_SECONDS)).toEqual(['0', '0']);
    const { stack, template } = userStack({ alertEmails: ['a@example.com'], escalateAfter: Duration.hours(30) });
    template();
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('nobody receives review.escalated')),
    ).toHaveLength(1);
  });

  it('names the prop when escalation is half configured or out of range', () => {
    expect(() => userStack({ escalationEmails: ['boss@example.com'] })).toThrow(
      /"escalationEmails" must be given with escalateAfter/,
    );
    expect(() => userStack({ escalateAfter: Duration.minutes(10) })).toThrow(/"escalateAfter" must be from 1 hour/);
  });
});

describe('alert events', () => {
  it('grants events:PutEvents on that bus only, to the functions that publish, and routes with addAlertRule', () => {
    const { alerts, stack, template } = userStack((scope) => ({
      alertEmails: ['a@example.com'],
      alertBus: new events.EventBus(scope, 'PlatformBus'),
    }));
    const rule = alerts.addAlertRule('Escalations', {
      eventTypes: [AlertEventType.REVIEW_NEEDED, AlertEventType.REVIEW_ESCALATED],
      assessmentIds: ['pjpmahbioyqufxos'],
    });
    expect(rule).toBeInstanceOf(events.Rule);
    const t = template();
    const busArn = { 'Fn::GetAtt': [stack.getLogicalId(alerts.alertBus?.node.defaultChild as never), 'Arn'] };
    const publishers = variables(t).filter((v) => v.ALERT_BUS);
    expect(publishers).toHaveLength(3); // check, sweep, digest
    for (const v of publishers) expect(v.ALERT_BUS).toEqual(busArn);
    const putEvents = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (
        policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }
      ).Properties.PolicyDocument.Statement.filter((s) => JSON.stringify(s.Action).includes('events:PutEvents')),
    );
    expect(putEvents).toHaveLength(3);
    for (const statement of putEvents)
      expect(statement).toMatchObject({ Action: 'events:PutEvents', Resource: busArn });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: stack.getLogicalId(alerts.alertBus?.node.defaultChild as never) },
      EventPattern: {
        source: ['ia-review-alerts'],
        'detail-type': ['review.needed', 'review.escalated'],
        detail: { assessmentId: ['pjpmahbioyqufxos'] },
      },
    });
  });

  it('has no bus, grant or variable unless asked, and addAlertRule says what it needs', () => {
    const { alerts, template } = userStack({ alertEmails: ['a@example.com'] });
    expect(() => alerts.addAlertRule('Rule')).toThrow(/"addAlertRule" must be used with the alertBus prop set/);
    expect(variables(template()).some((v) => v.ALERT_BUS !== undefined)).toBe(false);
    expect(JSON.stringify(template().toJSON())).not.toContain('events:PutEvents');
  });

  it('fails synth naming the setting for unknown event types or malformed assessment ids', () => {
    const { alerts } = userStack((scope) => ({
      alertBus: events.EventBus.fromEventBusName(scope, 'Default', 'default'),
    }));
    expect(() => alerts.addAlertRule('Typo', { eventTypes: ['review.need'] as never })).toThrow(
      /"addAlertRule" must be eventTypes from/,
    );
    expect(() => alerts.addAlertRule('Bad', { assessmentIds: ['has space'] })).toThrow(
      /"addAlertRule" must be assessmentIds/,
    );
    expect(() => alerts.addEmailSubscription('a@example.com', { assessmentIds: ['x/y'] })).toThrow(
      /"addEmailSubscription" must be assessmentIds/,
    );
  });
});

describe('routes for every audience', () => {
  it('routes email by assessment and event type, from props and from context', () => {
    const { template } = userStack({
      emailRoutes: [
        { emails: ['team-a@example.com', 'team-a2@example.com'], assessmentIds: ['pjpmahbioyqufxos'] },
        { emails: ['lead@example.com'], eventTypes: [AlertEventType.REVIEW_OVERDUE] },
      ],
    });
    const t = template();
    t.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      {
        Protocol: 'email',
        FilterPolicy: {
          eventType: ['review.needed', 'review.overdue', 'scoring.stalled', 'review.digest'],
          assessmentId: ['pjpmahbioyqufxos'],
        },
      },
      2,
    );
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'lead@example.com',
      FilterPolicy: { eventType: ['review.overdue'] },
    });
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        emailRoutes: '[{"emails":["x@example.com"],"eventTypes":["review.escalated"]}]',
      },
    });
    const stack = new Stack(app, 'FromContext');
    new ReviewAlerts(stack, 'Alerts', propsFromContext(stack));
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'x@example.com',
      FilterPolicy: { eventType: ['review.escalated'] },
    });
  });

  it('fails synth naming the setting: unknown event types, malformed ids, bad addresses', () => {
    expect(() =>
      userStack({ emailRoutes: [{ emails: ['a@example.com'], eventTypes: ['review.late'] as never }] }),
    ).toThrow(/"emailRoutes" must be eventTypes from review.needed/);
    expect(() => userStack({ emailRoutes: [{ emails: ['a@example.com'], assessmentIds: ['a b'] }] })).toThrow(
      /"emailRoutes" must be assessmentIds as a list of IA ids/,
    );
    expect(() => userStack({ emailRoutes: [{ emails: ['not-an-address'] }] })).toThrow(
      /"emailRoutes" must be routes with emails as a list of email addresses/,
    );
    const teams = {
      name: 'hiring',
      teamId: '5d4a0e3b-0000-4000-8000-000000000001',
      channelId: '19:abc@thread.tacv2',
      tenantId: '72f988bf-0000-4000-8000-000000000002',
    };
    expect(() => userStack({ teamsChannels: [{ ...teams, eventTypes: ['nope'] as never }] })).toThrow(
      /"teamsChannels" must be eventTypes from/,
    );
    expect(() => userStack({ teamsChannels: [{ ...teams, tenantId: '' }] })).toThrow(
      /"teamsChannels" must be channels with teamId, channelId, tenantId/,
    );
    expect(() => userStack({ slackChannels: [{ name: 'hiring' }], teamsChannels: [teams] })).toThrow(
      /"teamsChannels" must be channels with names unique among Slack, chat and Teams channels/,
    );
  });
});

describe('Microsoft Teams through Amazon Q Developer', () => {
  const { stack, template } = userStack({
    teamsChannels: [
      {
        name: 'hiring',
        teamId: '5d4a0e3b-0000-4000-8000-000000000001',
        channelId: '19:abc@thread.tacv2',
        tenantId: '72f988bf-0000-4000-8000-000000000002',
        assessmentIds: ['pjpmahbioyqufxos'],
      },
    ],
  });
  const t = template();
  const topicId = Object.keys(
    t.findResources('AWS::SNS::Topic', {
      Properties: { DisplayName: 'Assessment review alerts: chat channel hiring' },
    }),
  )[0] as string;

  it('configures the channel on a topic of its own, fed through a buffer with its filter', () => {
    t.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      TeamId: '5d4a0e3b-0000-4000-8000-000000000001',
      TeamsChannelId: '19%3Aabc%40thread.tacv2',
      TeamsTenantId: '72f988bf-0000-4000-8000-000000000002',
      SnsTopicArns: [{ Ref: topicId }],
      LoggingLevel: 'ERROR',
    });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      FilterPolicy: {
        eventType: ['review.needed', 'review.overdue', 'review.completed', 'scoring.stalled', 'review.digest'],
        assessmentId: ['pjpmahbioyqufxos'],
      },
    });
    // notify-slack relays to it: the channel's entry names the topic.
    const notify = variables(t).find((v) => v.SLACK_CHANNELS) as { SLACK_CHANNELS: unknown };
    expect(JSON.stringify(notify.SLACK_CHANNELS)).toContain(topicId);
  });

  it('gives it a read-only guardrail and a role with no permissions', () => {
    const config = Object.values(t.findResources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration'))[0] as {
      Properties: { GuardrailPolicies: unknown; IamRoleArn: { 'Fn::GetAtt': [string, string] } };
    };
    expect(JSON.stringify(config.Properties.GuardrailPolicies)).toContain(':iam::aws:policy/CloudWatchReadOnlyAccess');
    const roleId = config.Properties.IamRoleArn['Fn::GetAtt'][0];
    expect(
      Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes(`"${roleId}"`)),
    ).toEqual([]);
    expect(t.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets only notify-slack publish to the channel topic, encrypted with the alerts key', () => {
    const publishers = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes(`{"Action":"sns:Publish","Effect":"Allow","Resource":{"Ref":"${topicId}"}}`),
    );
    expect(publishers).toHaveLength(1);
    expect(JSON.stringify(publishers[0])).toContain('SlackRole');
    expect(JSON.stringify(t.findResources('AWS::SNS::Topic')[topicId])).toContain('AlertsTopicKey');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Nobody receives'))).toEqual([]);
  });
});

describe('several IA accounts', () => {
  const { stack, template } = userStack({
    alertEmails: ['ops@example.com'],
    iaAccounts: [
      { name: 'agency-a' },
      { name: 'agency-b', requestsPerSecond: 2, sweepHorizon: Duration.days(14), sweepBudgetShare: 0.6 },
    ],
    sources: [{ name: 'gh-b', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.id', account: 'agency-b' }],
    emailRoutes: [{ emails: ['b-team@example.com'], accounts: ['agency-b'] }],
  });
  const t = template();
  const secrets = Object.keys(
    t.findResources('AWS::SecretsManager::Secret', {
      Properties: { Description: Match.stringLikeRegexp('API key of account') },
    }),
  );

  it('gives each account its secret, and check and the sweep its list', () => {
    expect(secrets).toHaveLength(2);
    const lifecycle = variables(t).filter((v) => v.IA_ACCOUNTS);
    expect(lifecycle).toHaveLength(2); // check, sweep
    const accounts = JSON.stringify(stack.resolve(lifecycle[0]?.IA_ACCOUNTS));
    expect(accounts).toContain('\\"name\\":\\"agency-b\\",\\"apiKeySecret\\":\\"');
    expect(accounts).toContain('\\"ratePerSecond\\":2');
    expect(accounts).toContain('\\"horizonDays\\":14');
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    for (const secret of secrets) expect(policies.split(`"Ref":"${secret}"`).length - 1).toBe(2);
  });

  it('routes a source to its account and an audience by account', () => {
    const ingest = variables(t).find((v) => v.SOURCES) as { SOURCES: unknown };
    expect(JSON.stringify(ingest.SOURCES)).toContain('\\"account\\":\\"agency-b\\"');
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'b-team@example.com',
      FilterPolicy: Match.objectLike({ account: ['agency-b'] }),
    });
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'))).toContain('IA requests per account');
    // One account's sweep can stall while the other's pages keep the sum up: an alarm each.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SweepPages',
      Dimensions: Match.arrayWith([{ Name: 'Account', Value: 'agency-b' }]),
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const outputs = Object.values(t.toJSON().Outputs as Record<string, { Description?: string }>);
    expect(outputs.map((o) => o.Description)).toContain('Secret holding the IA API key of account agency-b');
  });

  it('keeps the secret the stack made for its one key when that key becomes the account named default', () => {
    const secretsOf = (props: Parameters<typeof userStack>[0]) =>
      Object.keys(userStack(props).template().findResources('AWS::SecretsManager::Secret')).sort();
    const before = secretsOf({ alertEmails: ['ops@example.com'] });
    const after = secretsOf({
      alertEmails: ['ops@example.com'],
      iaAccounts: [{ name: 'default' }, { name: 'agency-b' }],
    });
    // Same logical id: CloudFormation keeps the secret (and the key in it) instead of replacing it with an empty one.
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after).toHaveLength(before.length + 1);
  });

  it('fails synth naming the setting for an account it does not serve, a duplicate, or a key given twice', () => {
    const two = [{ name: 'a' }, { name: 'b' }];
    expect(() =>
      userStack({ iaAccounts: two, sources: [{ name: 's', kind: WebhookSourceKind.IA_CALLBACK, account: 'c' }] }),
    ).toThrow(/"sources" must be accounts from iaAccounts \(a, b\), got "c"/);
    expect(() => userStack({ iaAccounts: two, emailRoutes: [{ emails: ['x@example.com'], accounts: ['c'] }] })).toThrow(
      /"addEmailSubscription" must be accounts from iaAccounts/,
    );
    expect(() => userStack({ iaAccounts: [{ name: 'a' }, { name: 'a' }] })).toThrow(
      /"iaAccounts" must be accounts with unique names/,
    );
    expect(() => userStack({ iaAccounts: [{ name: 'a', requestsPerSecond: 0 }] })).toThrow(/"iaRatePerSecond" must be/);
    expect(() =>
      userStack((scope) => ({
        iaAccounts: two,
        iaApiKeySecret: secretsmanager.Secret.fromSecretNameV2(scope, 'K', 'k'),
      })),
    ).toThrow(/"iaApiKeySecret" must be left out with iaAccounts/);
  });
});
