/**
 * Every synthesised function's environment, read back through that function's own config loader:
 * the construct and the functions agree on every name and format (a typo, a missing variable or a
 * value the loader refuses fails here, not at a cold start in someone's account).
 */
import { describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadCheckConfig } from '../../functions/check/config.js';
import { loadDigestConfig } from '../../functions/digest/config.js';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { serviceName } from '../../functions/lib/domain/defaults.js';
import { isChatChannel, loadNotifyConfig } from '../../functions/notify-slack/config.js';
import { loadSweepConfig } from '../../functions/sweep/config.js';
import { ReviewAlerts, WebhookSourceKind } from '../../infra/index.js';

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
};

/** CloudFormation's intrinsics as a deployment would resolve them, with recognisable stand-ins. */
const resolve = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic)
    return (
      PSEUDO[String(intrinsic.Ref)] ??
      `ref-${String(intrinsic.Ref)
        .toLowerCase()
        .replaceAll(/[^a-z0-9]/g, '-')}`
    );
  if ('Fn::GetAtt' in intrinsic) {
    const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    return attribute === 'ApiEndpoint'
      ? `https://${id.toLowerCase()}.execute-api.us-east-1.amazonaws.com`
      : `arn:aws:svc:us-east-1:123456789012:${id}`;
  }
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  if ('Fn::Select' in intrinsic) {
    const [index, list] = intrinsic['Fn::Select'] as [number, unknown];
    return resolve(list).split(':')[index] ?? 'selected';
  }
  if ('Fn::Split' in intrinsic) return resolve((intrinsic['Fn::Split'] as [string, unknown])[1]);
  throw new Error(`no stand-in for ${JSON.stringify(value)}`);
};

const LOADERS: Record<string, (env: Record<string, string>) => unknown> = {
  check: loadCheckConfig,
  sweep: loadSweepConfig,
  digest: loadDigestConfig,
  ingest: loadIngestConfig,
  'notify-slack': loadNotifyConfig,
};

describe('each function’s environment, as synthesised', () => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Platform');
  const alerts = new ReviewAlerts(stack, 'Alerts', {
    iaAttemptUrlTemplate: 'https://ia.example.com/attempts/{attemptId}',
    sources: [{ name: 'greenhouse', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.id' }],
    slackChannels: [{ name: 'reviews' }, { name: 'gov', webhookOrigin: 'https://hooks.slack-gov.com' }],
    claims: true,
    teamsChannels: [
      {
        name: 'hiring-team',
        teamId: '5d4a0e3b-0000-4000-8000-000000000001',
        channelId: '19:x@thread.tacv2',
        tenantId: '72f988bf-0000-4000-8000-000000000002',
      },
    ],
  });
  alerts.addSource({ name: 'ia', kind: WebhookSourceKind.IA_CALLBACK });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((fn) => {
    const variables = (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
      .Environment.Variables;
    return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)]));
  });

  it.each(Object.keys(LOADERS))('%s loads it through its config loader', (name) => {
    const environment = functions.find((variables) => variables.POWERTOOLS_SERVICE_NAME === serviceName(name));
    expect(environment).toBeDefined();
    const config = (LOADERS[name] as (env: Record<string, string>) => Record<string, unknown>)(
      environment as Record<string, string>,
    );
    expect(config).toBeDefined();
  });

  it('carries what was configured into what the functions read', () => {
    const of = (name: string) =>
      functions.find((variables) => variables.POWERTOOLS_SERVICE_NAME === serviceName(name)) as Record<string, string>;
    expect(loadIngestConfig(of('ingest')).sources.map((source) => source.name)).toEqual(['greenhouse', 'ia']);
    // A claim button's reply may go to Slack's hooks and the GovSlack channel's.
    expect(loadIngestConfig(of('ingest')).claims?.slackOrigins).toEqual([
      'https://hooks.slack.com',
      'https://hooks.slack-gov.com',
    ]);
    const withOrigins = (value: string) => loadIngestConfig({ ...of('ingest'), SLACK_ORIGINS: value }).claims;
    expect(withOrigins(' https://HOOKS.slack-gov.com/ ,')?.slackOrigins).toEqual(['https://hooks.slack-gov.com']);
    for (const bad of ['hooks.slack-gov.com:443', 'data:text/plain,x', ' , '])
      expect(() => withOrigins(bad)).toThrow(/^environment variable SLACK_ORIGINS/);
    expect(
      loadNotifyConfig(of('notify-slack')).channels.map((channel) =>
        isChatChannel(channel) ? `chat ${channel.name}` : channel.webhookOrigin,
      ),
    ).toEqual([undefined, 'https://hooks.slack-gov.com', 'chat hiring-team']);
    const check = loadCheckConfig(of('check'));
    expect(check.render.attemptUrlTemplate).toBe('https://ia.example.com/attempts/{attemptId}');
    expect([check.minRecheckIntervalSeconds, check.watch.reviewSlaSeconds, check.alertDedupeSeconds]).toEqual([
      300,
      86_400,
      30 * 86_400,
    ]);
    expect(loadSweepConfig(of('sweep')).intervalSeconds).toBe(300);
  });
});
