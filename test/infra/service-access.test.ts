/**
 * Every AWS service that writes into one of our resources is allowed by that resource's policy
 * and by the KMS key that encrypts it, limited to our own source (aws:SourceArn / aws:SourceAccount,
 * against the confused deputy). moto enforces no resource policies, so this walk of the synthesised
 * template is the only proof before a deployment. It is written over resource types, not over our
 * resources: a new alarm, subscription, rule or schedule is checked without touching this file, and
 * a resource type it does not know fails until someone says how that type writes.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
}
interface Statement {
  Effect: string;
  Principal?: { Service?: string | string[]; AWS?: unknown } | string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** A service writing into a resource of ours, found in the template. */
interface Write {
  service: string;
  target: string;
  via: string;
}

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: object };
const templateOf = (context: Record<string, unknown>) => {
  const { stack } = buildApp({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> };
};

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
const referenced = (value: unknown): string | undefined => {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Json;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
};

/** Every logical id referenced anywhere inside a value. */
const allReferences = (value: unknown): string[] => {
  if (value === null || typeof value !== 'object') return [];
  const own = referenced(value);
  return [...(own ? [own] : []), ...Object.values(value as Json).flatMap(allReferences)];
};

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** How each resource type makes a service write into our resources (a service principal, not a role). */
const WRITERS: Record<string, (props: Json) => Array<{ service: string; target: unknown }>> = {
  'AWS::CloudWatch::Alarm': (p) =>
    ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((key) =>
      asList(p[key] as unknown[]).map((target) => ({ service: 'cloudwatch.amazonaws.com', target })),
    ),
  'AWS::SNS::Subscription': (p) =>
    p.Protocol === 'sqs' || p.Protocol === 'lambda' ? [{ service: 'sns.amazonaws.com', target: p.Endpoint }] : [],
  'AWS::Events::Rule': (p) =>
    asList(p.Targets as Json[]).flatMap((t) => [
      // A target with a role is written by that role (checked with the roles below), not by the service.
      ...(t.RoleArn ? [] : [{ service: 'events.amazonaws.com', target: t.Arn }]),
      ...((t.DeadLetterConfig as Json | undefined)?.Arn
        ? [{ service: 'events.amazonaws.com', target: (t.DeadLetterConfig as Json).Arn }]
        : []),
    ]),
  'AWS::Scheduler::Schedule': (p) => {
    const dlq = ((p.Target as Json).DeadLetterConfig as Json | undefined)?.Arn;
    return dlq ? [{ service: 'scheduler.amazonaws.com', target: dlq }] : [];
  },
};

/** Types that reference our resources without a service writing into them (or through a role the roles test checks). */
const NOT_WRITERS = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Permission',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::Chatbot::SlackChannelConfiguration',
  'AWS::CloudWatch::Dashboard',
  'AWS::DynamoDB::Table',
  'AWS::SecretsManager::Secret',
  // Its value names the functions; only their roles read it.
  'AWS::SSM::Parameter',
]);

const writesOf = (resources: Record<string, Resource>): Write[] =>
  Object.entries(resources).flatMap(([id, resource]) =>
    (WRITERS[resource.Type]?.(resource.Properties ?? {}) ?? []).map(({ service, target }) => ({
      service,
      target: referenced(target) ?? JSON.stringify(target),
      via: `${resource.Type} ${id}`,
    })),
  );

const principalServices = (statement: Statement) =>
  typeof statement.Principal === 'object' ? asList(statement.Principal.Service) : [];

/** A confused-deputy guard: the writer must be one of ours, by source ARN or account. */
const limitedToOurSource = (statement: Statement) =>
  Object.values(statement.Condition ?? {}).some(
    (operator) => 'aws:SourceArn' in operator || 'aws:SourceAccount' in operator,
  );

const allows = (statements: Statement[], service: string, actions: string[]) =>
  statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      principalServices(s).includes(service) &&
      actions.every((action) =>
        asList(s.Action).some((a) => a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))),
      ) &&
      limitedToOurSource(s),
  );

const RESOURCE_POLICY: Record<string, { policyType: string; listKey: string; actions: string[] }> = {
  'AWS::SNS::Topic': { policyType: 'AWS::SNS::TopicPolicy', listKey: 'Topics', actions: ['sns:Publish'] },
  'AWS::SQS::Queue': { policyType: 'AWS::SQS::QueuePolicy', listKey: 'Queues', actions: ['sqs:SendMessage'] },
};

/** What is missing for `write` to work in a real account; empty when nothing is. */
const missingAllows = (resources: Record<string, Resource>, write: Write): string[] => {
  const target = resources[write.target];
  if (!target) return [`${write.via}: ${write.service} writes into ${write.target}, which is not in this template`];
  if (target.Type === 'AWS::Lambda::Function') {
    const permitted = Object.values(resources).some(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        referenced(r.Properties?.FunctionName) === write.target &&
        r.Properties?.Principal === write.service &&
        (r.Properties?.SourceArn !== undefined || r.Properties?.SourceAccount !== undefined),
    );
    return permitted
      ? []
      : [`${write.via}: no Lambda permission for ${write.service} on ${write.target} with a SourceArn/SourceAccount`];
  }
  const rule = RESOURCE_POLICY[target.Type];
  if (!rule) return [`${write.via}: no rule for ${write.service} writing into a ${target.Type}; add one to this test`];
  const statements = Object.values(resources)
    .filter(
      (r) =>
        r.Type === rule.policyType &&
        asList(r.Properties?.[rule.listKey] as unknown[]).some((t) => referenced(t) === write.target),
    )
    .flatMap((r) => ((r.Properties?.PolicyDocument as Json | undefined)?.Statement as Statement[] | undefined) ?? []);
  const problems = allows(statements, write.service, rule.actions)
    ? []
    : [
        `${write.via}: ${write.target} has no policy Allow for ${write.service} (${rule.actions.join(', ')}) limited by aws:SourceArn/aws:SourceAccount`,
      ];
  const key = referenced(target.Properties?.KmsMasterKeyId);
  if (key) {
    const keyStatements = ((resources[key]?.Properties?.KeyPolicy as Json | undefined)?.Statement as Statement[]) ?? [];
    if (!allows(keyStatements, write.service, ['kms:GenerateDataKey', 'kms:Decrypt'])) {
      problems.push(
        `${write.via}: key ${key} of ${write.target} does not allow ${write.service} kms:GenerateDataKey* + kms:Decrypt for our source only`,
      );
    }
  }
  return problems;
};

/** Roles that services assume (Scheduler, Amazon Q, EventBridge targets) trust only our account. */
const unguardedServiceRoles = (resources: Record<string, Resource>) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .flatMap(([id, r]) =>
      (((r.Properties?.AssumeRolePolicyDocument as Json | undefined)?.Statement as Statement[] | undefined) ?? [])
        .filter(
          (s) => principalServices(s).some((service) => service !== 'lambda.amazonaws.com') && !limitedToOurSource(s),
        )
        .map((s) => `${id}: ${principalServices(s).join(',')} may assume it for any account`),
    );

const CONFIGURATIONS: Record<string, Record<string, unknown>> = {
  default: {},
  'everything on': {
    alertEmails: 'ops@example.com',
    opsEmails: 'oncall@example.com',
    slackChannels: JSON.stringify([{ name: 'reviews' }, { name: 'leads', eventTypes: ['review.overdue'] }]),
    chatSlackWorkspaceId: 'T0123',
    chatSlackChannelId: 'C0456',
    sources: JSON.stringify([{ name: 'gh', kind: 'greenhouse', attemptIdPath: 'payload.id' }]),
  },
};

describe.each(Object.entries(CONFIGURATIONS))('service access (%s)', (_name, context) => {
  const { Resources: resources } = templateOf(context);

  it('knows how every resource type that references our resources writes into them', () => {
    const unknown = Object.entries(resources)
      .filter(([, r]) => !(r.Type in WRITERS) && !NOT_WRITERS.has(r.Type))
      .filter(([, r]) => allReferences(r.Properties).some((id) => resources[id] !== undefined))
      .map(([id, r]) => `${r.Type} (${id})`);
    expect(unknown).toEqual([]);
  });

  it('finds the integrations it must check', () => {
    const services = [...new Set(writesOf(resources).map((w) => w.service))];
    expect(services).toEqual(expect.arrayContaining(['cloudwatch.amazonaws.com', 'events.amazonaws.com']));
  });

  it('allows every service write in the target policy and its key, for our sources only', () => {
    expect(writesOf(resources).flatMap((write) => missingAllows(resources, write))).toEqual([]);
  });

  it('lets services assume our roles only on behalf of this account', () => {
    expect(unguardedServiceRoles(resources)).toEqual([]);
  });
});
