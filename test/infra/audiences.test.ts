/** Who receives what (#21): escalation, routes per audience, Teams, the alert bus, several IA accounts. */
import { describe, expect, it } from '@jest/globals';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
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
