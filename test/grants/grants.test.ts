/**
 * Every AWS call is granted, and every grant is used. moto checks no IAM, so a missing action
 * would show only as AccessDenied in a real account: the integration tier records each function's
 * AWS calls with the kind of resource each is about (test/support/aws-calls.ts) and this compares
 * them with what its synthesised role allows on which resource. A call without an Allow on its
 * resource fails; an allowed action no test called is printed and fails unless it is justified
 * below (the caller is not the function's code, or the path is driven elsewhere).
 */
import { describe, expect, it } from '@jest/globals';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { serviceName } from '../../functions/lib/domain/defaults.js';
import { ReviewAlerts, WebhookSourceKind } from '../../infra/index.js';
import { CALLS_DIR, recordedAwsCalls } from '../support/aws-calls.js';

const FUNCTIONS = ['check', 'ingest', 'sweep', 'digest', 'notify-slack'];

/** The IAM action an SDK operation needs, where the two differ. */
const IAM_ACTION: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
};

/**
 * Allowed, never called in the tests, and why that is right: by action for every function, or by
 * `<function> <action>` for one.
 */
const JUSTIFIED: Record<string, string> = {
  'logs:CreateLogStream': 'the Lambda runtime writes the function’s logs with its role',
  'logs:PutLogEvents': 'the Lambda runtime writes the function’s logs with its role',
  'kms:GenerateDataKey': 'SNS encrypts each message with the topic’s key as the publisher',
  'kms:Decrypt': 'SNS encrypts each message with the topic’s key as the publisher',
  'sqs:ReceiveMessage': 'Lambda’s SQS event source polls with the function’s role',
  'sqs:DeleteMessage': 'Lambda’s SQS event source deletes what the batch handled',
  'sqs:GetQueueAttributes': 'Lambda’s SQS event source reads its queue’s attributes',
  'sqs:GetQueueUrl': 'granted with the event source’s consume permissions (Queue.grantConsumeMessages)',
  'ingest dynamodb:DeleteItem':
    'releases a pending webhook key when SQS refuses the checks (the simulation drives it; moto’s SQS never refuses)',
  'sweep dynamodb:DeleteItem':
    'Powertools idempotency deletes its in-progress record when a publish fails (driven for check, same code)',
  'digest dynamodb:DeleteItem':
    'Powertools idempotency deletes its in-progress record when a publish fails (driven for check, same code)',
  'digest dynamodb:GetItem': 'Powertools idempotency reads the record its conditional put found (a repeated period)',
  'sweep sqs:SendMessage':
    'hands attempts still scoring back to per-attempt re-checks (sweep-run tests drive it through the adapter, outside the handler)',
  'sweep secretsmanager:GetSecretValue':
    'the key is read through Powertools’ process-wide cache, which the suite’s direct runs fill before the handler runs',
};

const justified = (fn: string, action: string) =>
  JUSTIFIED[action] !== undefined || JUSTIFIED[`${fn} ${action}`] !== undefined;

type Statement = { Action: string | string[]; Resource: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The template's resources as the kinds the recorder names (test/support/aws-calls.ts). */
const KINDS: Array<[RegExp, string]> = [
  [/AttemptStateTable/, 'attempt-state'],
  [/IdempotencyTable/, 'idempotency'],
  [/RateLimitTable/, 'rate-limit'],
  [/DedupeTable/, 'dedupe'],
  [/ChecksDeadLetterQueue/, 'checks-dlq'],
  [/ChecksQueue/, 'checks'],
  [/SlackDeadLetterQueue/, 'notify-dlq'],
  [/SlackBuffer|SlackWebhook/, 'slack-channel'],
  [/IngestSource/, 'source'],
  [/IaApiKey/, 'ia-api-key'],
  [/ClaimsSecret/, 'claims'],
  [/AlertsTopicKey/, 'alerts-key'],
  [/AlertBus/, 'alert-bus'],
  [/ChatTopic/, 'chat-topic'],
  [/AlertsTopic/, 'alerts'],
  [/Logs/, 'logs'],
];

/** The kinds a statement's resources are: `Ref`s, `Fn::GetAtt`s, and ARNs joined from them. */
const kindsOf = (resource: unknown): string[] => {
  if (resource === '*') return ['*'];
  if (JSON.stringify(resource).includes(':stack/')) return ['stack'];
  if (Array.isArray(resource)) return resource.flatMap(kindsOf);
  const text = JSON.stringify(resource);
  // An SSM parameter's ARN is joined from its path: the last part names it.
  const parameter = text.includes(':parameter/') ? /\/([a-z-]+)"\]\]\}$/.exec(text)?.[1] : undefined;
  if (parameter) return [parameter];
  const logicalId = /"(?:Ref|Fn::GetAtt)":\[?"([A-Za-z0-9]+)"/.exec(text)?.[1] ?? '';
  const kind = KINDS.find(([pattern]) => pattern.test(logicalId))?.[1] ?? `unknown ${logicalId}`;
  return [text.includes('/index/') ? `${kind}/index` : kind];
};

/** What the policies attached to a role allow, as `<action>@<resource kind>` pairs. */
const allowedForRole = (template: Resources, roleId: string): Set<string> =>
  new Set(
    Object.values(template)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"Ref":"${roleId}"`))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((statement) =>
        ([] as string[])
          .concat(statement.Action)
          .flatMap((action) => kindsOf(statement.Resource).map((kind) => `${action}@${kind}`)),
      ),
  );

/** Each function's role as `<action>@<resource kind>` pairs it allows, from the synthesised template. */
const allowedActions = (template: Resources): Map<string, Set<string>> => {
  const allowed = new Map<string, Set<string>>();
  for (const fn of Object.values(template).filter((r) => r.Type === 'AWS::Lambda::Function')) {
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const name = FUNCTIONS.find((f) => serviceName(f) === variables.POWERTOOLS_SERVICE_NAME) as string;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    allowed.set(name, allowedForRole(template, roleId));
  }
  return allowed;
};

const actionOf = (pair: string) => pair.split('@')[0] as string;
const kindOf = (pair: string) => pair.split('@')[1] as string;

/** Whether `allowed` covers a call (`<action>@<kind>`): the action, on that kind of resource or on `*`. */
const grants = (allowed: Set<string>, call: string) =>
  [...allowed].some(
    (pair) =>
      new RegExp(`^${actionOf(pair).replaceAll('*', '.*')}$`).test(actionOf(call)) &&
      (kindOf(pair) === '*' || kindOf(pair) === kindOf(call)),
  );

/** A recorded call in IAM's terms (the SDK names the service eventbridge; IAM, events). */
const asIam = (call: string) =>
  `${IAM_ACTION[actionOf(call)] ?? actionOf(call).replace(/^eventbridge:/, 'events:')}@${kindOf(call)}`;

describe('the functions’ roles and what their code calls', () => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Grants');
  // Every feature on, so every function and every grant exists.
  new ReviewAlerts(stack, 'Alerts', {
    alertEmails: ['ops@example.com'],
    sources: [{ name: 'greenhouse', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.id' }],
    slackChannels: [{ name: 'reviews' }],
    chatSlackWorkspaceId: 'T1',
    chatSlackChannelId: 'C1',
    alertBus: new events.EventBus(stack, 'AlertBus'),
    claims: true,
  });
  const allowed = allowedActions((Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources);
  const called = recordedAwsCalls();

  it('has the integration tier’s record of every function’s calls', () => {
    expect([...called.keys()].sort()).toEqual(
      called.size === 0
        ? [`recordings in ${CALLS_DIR}: run npm run test:integration first`]
        : [...FUNCTIONS, 'cli'].sort(),
    );
  });

  it.each(FUNCTIONS)('%s: every AWS call it makes is allowed by its role, on that resource', (fn) => {
    const needed = [...(called.get(fn) ?? [])].map(asIam);
    expect(needed.filter((call) => !grants(allowed.get(fn) ?? new Set(), call))).toEqual([]);
  });

  it('names every allowed action no test calls, or says why it is granted', () => {
    const unused: string[] = [];
    for (const fn of FUNCTIONS) {
      const needed = new Set([...(called.get(fn) ?? [])].map((call) => actionOf(asIam(call))));
      for (const action of new Set([...(allowed.get(fn) ?? [])].map(actionOf))) {
        if (!needed.has(action) && !justified(fn, action)) unused.push(`${fn}: ${action}`);
      }
    }
    if (unused.length > 0) {
      process.stdout.write(
        `allowed but never called in the tests (remove, or justify in grants.test.ts):\n  ${unused.join('\n  ')}\n`,
      );
    }
    // A justification for something no role grants any more is stale.
    const granted = new Set(
      [...allowed].flatMap(([fn, pairs]) => [...pairs].map(actionOf).flatMap((action) => [action, `${fn} ${action}`])),
    );
    expect(Object.keys(JUSTIFIED).filter((key) => !granted.has(key))).toEqual([]);
    expect(unused).toEqual([]);
  });
});

describe('grantOperate and what the ops CLI calls', () => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Operate');
  const alerts = new ReviewAlerts(stack, 'Alerts', {
    alertEmails: ['ops@example.com'],
    alertBus: new events.EventBus(stack, 'AlertBus'),
  });
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  alerts.grantOperate(operator);
  // Added after the grant: its buffer and the Slack dead letters are granted too.
  alerts.addSlackChannel({ name: 'reviews' });
  const template = (Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources;
  const allowed = allowedForRole(template, stack.getLogicalId(operator.node.defaultChild as CfnElement));
  const called = [...(recordedAwsCalls().get('cli') ?? [])].map(asIam);

  it('allows every AWS call the CLI makes in the integration tier, on that resource', () => {
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((call) => !grants(allowed, call))).toEqual([]);
  });

  it('allows nothing the CLI does not call (but what SNS needs of a publisher to an encrypted topic)', () => {
    const needed = new Set(called.map(actionOf));
    const unused = [...new Set([...allowed].map(actionOf))].filter(
      (action) => !needed.has(action) && !['kms:GenerateDataKey', 'kms:Decrypt'].includes(action),
    );
    expect(unused).toEqual([]);
    // No secret: the CLI takes the IA key from its environment.
    expect([...allowed].filter((pair) => pair.startsWith('secretsmanager:'))).toEqual([]);
  });
});
