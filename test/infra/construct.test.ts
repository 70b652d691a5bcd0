/** `ReviewAlerts` in someone else's stack: typed props, defaults, errors naming the prop, what it exposes. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PROP_RULES, ReviewAlerts, type ReviewAlertsProps } from '../../infra/index.js';
import { CONTEXT_KEYS, propsFromContext } from '../../infra/settings.js';

const userStack = (props: ReviewAlertsProps) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'PlatformStack');
  const alerts = new ReviewAlerts(stack, 'ReviewAlerts', props);
  return { stack, alerts, template: Template.fromStack(stack) };
};

describe('ReviewAlerts in a user’s stack', () => {
  it('builds from typed props and exposes what users wire further', () => {
    const { alerts, template } = userStack({
      alertEmails: ['ops@example.com'],
      sources: [{ name: 'greenhouse', kind: 'greenhouse', attemptIdPath: 'payload.id' }],
      slackChannels: [{ name: 'reviews' }],
      sweepHorizonDays: 14,
    });
    template.resourceCountIs('AWS::SNS::Subscription', 2); // the email, the Slack buffer
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { SWEEP_HORIZON_DAYS: '14' } },
    });
    for (const exposed of [
      alerts.alertsTopic,
      alerts.opsTopic,
      alerts.checksQueue,
      alerts.deadLetterQueue,
      alerts.stateTable,
      alerts.dashboard.dashboard,
      alerts.slack?.deadLetterQueue,
    ]) {
      expect(exposed).toBeDefined();
    }
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
      { sources: [{ name: 'x', kind: 'greenhouse' } as never] },
      /"sources" must be valid webhook sources .*needs attemptIdPath or assignmentIdPath/,
    ],
  ])('fails on %s, naming the prop', (_name, props, message) => {
    expect(() => userStack(props)).toThrow(message);
  });
});

describe('CDK context', () => {
  const node = (context: Record<string, unknown>) => new App({ context }).node;

  it('maps every prop from the strings -c gives', () => {
    expect(
      propsFromContext(
        node({
          alertEmails: 'a@b.co, c@d.co',
          iaRatePerSecond: '2',
          xRayTracing: 'true',
          slackChannels: '[{"name":"x"}]',
          stackName: 'S',
        }),
      ),
    ).toEqual({
      alertEmails: ['a@b.co', 'c@d.co'],
      iaRatePerSecond: 2,
      xRayTracing: true,
      slackChannels: [{ name: 'x' }],
    });
  });

  it('has a key for every prop, and docs/configuration.md a row for every key with its default', () => {
    expect(CONTEXT_KEYS).toEqual([...Object.keys(PROP_RULES), 'stackName']);
    const readme = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- settings table -->'), readme.indexOf('<!-- /settings table -->'));
    const rows = new Map(
      [...table.matchAll(/^\| `([A-Za-z]+)` \| ([^|]+) \|/gm)].map((m) => [m[1] as string, (m[2] as string).trim()]),
    );
    expect([...rows.keys()].sort()).toEqual([...CONTEXT_KEYS].sort());
    for (const [key, rule] of Object.entries(PROP_RULES)) {
      const shown = rows.get(key);
      if (
        typeof rule.default === 'number' ||
        typeof rule.default === 'boolean' ||
        (typeof rule.default === 'string' && rule.default !== '')
      ) {
        expect([key, shown]).toEqual([key, `\`${String(rule.default)}\``]);
      }
    }
  });
});
