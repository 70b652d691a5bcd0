/** Who receives what (#21): escalation, routes per audience, Teams, the alert bus, several IA accounts. */
import { describe, expect, it } from '@jest/globals';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { ReviewAlerts, type ReviewAlertsProps } from '../../infra/index.js';

const userStack = (props: ReviewAlertsProps | ((stack: Stack) => ReviewAlertsProps) = {}) => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'PlatformStack');
  const alerts = new ReviewAlerts(stack, 'ReviewAlerts', typeof props === 'function' ? props(stack) : props);
  return { stack, alerts, template: () => Template.fromStack(stack) };
};

const variables = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) =>
      (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables,
  );

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
      eventTypes: ['review.needed', 'review.escalated'],
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
    expect(() => alerts.addAlertRule('Typo', { eventTypes: ['review.need'] })).toThrow(
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
