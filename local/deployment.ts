/**
 * A synthesised template, deployed as CloudFormation would deploy it, onto an AWS API we can run
 * here: moto (`npm start`, the load test) or the simulation's in-memory cloud. Every resource the
 * functions touch is created from its template properties (queues with their redrive, tables with
 * their keys, index and TTL, topics and their filtered subscriptions, secrets, the parameter,
 * buses and rules with their patterns and input transformers), and each function gets the
 * environment its template gives it, every reference resolved to what was created. What Lambda
 * does around the functions — event source mappings, schedules, the HTTP API — is returned for
 * the harness to drive. So every harness runs the stack as it is deployed, not a copy of it.
 */
import { createHash } from 'node:crypto';
import type { Provisioner, RuleSpec, TableSpec } from './provisioner.js';

export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };
type Json = Record<string, unknown>;

export const FUNCTION_KINDS = ['check', 'ingest', 'sweep', 'digest', 'notify-slack'] as const;
export type FunctionKind = (typeof FUNCTION_KINDS)[number];

export interface FunctionDefinition {
  logicalId: string;
  /** Which of the five it is (from its service name). */
  kind: FunctionKind;
  /** Its name, as Lambda gives it in AWS_LAMBDA_FUNCTION_NAME. */
  name: string;
  arn: string;
  /** Its environment as the template gives it, every reference resolved. */
  env: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface EventSourceMapping {
  functionLogicalId: string;
  queueArn: string;
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
}

export interface Schedule {
  functionLogicalId: string;
  /** `rate(5 minutes)` or `cron(0 8 ? * MON-FRI *)`. */
  expression: string;
  timezone?: string;
  /** The input, with `<aws.scheduler.scheduled-time>` where Scheduler puts the scheduled time. */
  input?: string;
}

export interface Deployment {
  stackName: string;
  functions: FunctionDefinition[];
  eventSourceMappings: EventSourceMapping[];
  schedules: Schedule[];
  /** The HTTP API's function (ingest): `POST /events/{source}`. */
  httpFunctionLogicalId?: string;
  /** The HTTP API's route keys (`POST /events/{source}`, and the claims routes when on). */
  httpRoutes: string[];
  /** What every resource resolved to: logical id → its Ref. */
  refs: Map<string, string>;
  /** Each queue's URL, by its ARN. */
  queueUrls: Map<string, string>;
  /** The topics' subscriptions as declared (email ones included, which only AWS delivers). */
  subscriptions: Array<{
    topicArn: string;
    protocol: string;
    endpoint: string;
    filterPolicy?: Record<string, unknown>;
  }>;
  /** The stack's outputs, resolved. */
  outputs: Record<string, string>;
  function(kind: FunctionKind): FunctionDefinition;
}

export interface DeployOptions {
  stackName: string;
  /** A secret's value: the template's own when this returns undefined. */
  secretValue?: (logicalId: string, properties: Json) => string | undefined;
  region?: string;
  account?: string;
  /** Where the HTTP API answers (the local API's URL), for what links to it (claim links). */
  apiEndpoint?: string;
}

const random = (seed: string, length: number) =>
  createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, 'X').slice(0, length);

/** Every logical id a value references (Ref, Fn::GetAtt), pseudo parameters aside. */
const references = (value: unknown): string[] => {
  if (value === null || typeof value !== 'object') return [];
  const node = value as Json;
  const own: string[] = [];
  if (typeof node.Ref === 'string' && !node.Ref.startsWith('AWS::')) own.push(node.Ref);
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') own.push(getAtt[0]);
  return [...own, ...Object.values(node).flatMap(references)];
};

/** Resources in an order where each comes after what it references. */
const ordered = (resources: Record<string, Resource>): string[] => {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (id: string, path: Set<string>) => {
    if (done.has(id) || !resources[id]) return;
    if (path.has(id)) throw new Error(`the template has a cycle through ${id}`);
    path.add(id);
    for (const dependency of references(resources[id]?.Properties)) visit(dependency, path);
    path.delete(id);
    done.add(id);
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id, new Set());
  return order;
};

export const deploy = async (
  template: Template,
  provisioner: Provisioner,
  options: DeployOptions,
): Promise<Deployment> => {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const stack = options.stackName;
  const refs = new Map<string, string>();
  const attributes = new Map<string, Record<string, string>>();
  const pseudo: Record<string, string> = {
    'AWS::StackName': stack,
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };

  const resolve = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(resolve);
    const node = value as Json;
    if ('Ref' in node) {
      const id = node.Ref as string;
      const found = pseudo[id] ?? refs.get(id);
      if (found === undefined) throw new Error(`Ref to ${id} before it was created`);
      return found;
    }
    if ('Fn::GetAtt' in node) {
      const [id, attribute] = node['Fn::GetAtt'] as [string, string];
      const found = attributes.get(id)?.[attribute];
      if (found === undefined) throw new Error(`Fn::GetAtt ${id}.${attribute} is not known`);
      return found;
    }
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).join(separator);
    }
    if ('Fn::Split' in node) {
      const [separator, source] = node['Fn::Split'] as [string, unknown];
      return String(resolve(source)).split(separator);
    }
    if ('Fn::Select' in node) {
      const [index, list] = node['Fn::Select'] as [number, unknown];
      return (resolve(list) as unknown[])[Number(index)];
    }
    if ('Fn::Sub' in node) {
      const [text, variables] = (Array.isArray(node['Fn::Sub']) ? node['Fn::Sub'] : [node['Fn::Sub'], {}]) as [
        string,
        Json,
      ];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in variables) return String(resolve(variables[name]));
        const [id, attribute] = name.split('.') as [string, string | undefined];
        return String(attribute ? resolve({ 'Fn::GetAtt': [id, attribute] }) : resolve({ Ref: id }));
      });
    }
    return Object.fromEntries(Object.entries(node).map(([key, v]) => [key, resolve(v)]));
  };
  const text = (value: unknown) => String(resolve(value));
  /** A physical name as CloudFormation generates one: stack, logical id, a random suffix. */
  const physical = (id: string, max = 80) => `${`${stack}-${id}`.slice(0, max - 13)}-${random(`${stack}${id}`, 12)}`;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

  const functions: FunctionDefinition[] = [];
  const queueUrls = new Map<string, string>();
  const subscriptions: Deployment['subscriptions'] = [];
  const eventSourceMappings: EventSourceMapping[] = [];
  const schedules: Schedule[] = [];
  let httpFunctionLogicalId: string | undefined;
  const httpRoutes: string[] = [];

  for (const id of ordered(template.Resources)) {
    const resource = template.Resources[id] as Resource;
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::SQS::Queue': {
        const redrive = p.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
        const { url, arn: queueArn } = await provisioner.queue(physical(id), {
          visibilitySeconds: Number(p.VisibilityTimeout ?? 30),
          retentionSeconds: Number(p.MessageRetentionPeriod ?? 345_600),
          ...(redrive
            ? { redrive: { targetArn: text(redrive.deadLetterTargetArn), maxReceiveCount: redrive.maxReceiveCount } }
            : {}),
        });
        refs.set(id, url);
        queueUrls.set(queueArn, url);
        attributes.set(id, { Arn: queueArn, QueueName: queueArn.split(':').pop() as string, QueueUrl: url });
        break;
      }
      case 'AWS::SNS::Topic': {
        const topicArn = await provisioner.topic(physical(id, 256));
        refs.set(id, topicArn);
        attributes.set(id, { TopicArn: topicArn, TopicName: topicArn.split(':').pop() as string });
        break;
      }
      case 'AWS::SNS::Subscription': {
        const subscription = {
          protocol: String(p.Protocol),
          endpoint: text(p.Endpoint),
          ...(p.FilterPolicy ? { filterPolicy: resolve(p.FilterPolicy) as Json } : {}),
        };
        subscriptions.push({ topicArn: text(p.TopicArn), ...subscription });
        await provisioner.subscribe(text(p.TopicArn), {
          ...subscription,
          raw: p.RawMessageDelivery === true || p.RawMessageDelivery === 'true',
        });
        refs.set(id, `${text(p.TopicArn)}:${random(id, 8)}`);
        break;
      }
      case 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration':
      case 'AWS::Chatbot::SlackChannelConfiguration':
        // Amazon Q reads its topics over HTTPS: here, an inbox named after the configuration.
        for (const topicArn of (resolve(p.SnsTopicArns) as string[] | undefined) ?? [])
          await provisioner.subscribe(topicArn, { protocol: 'https', endpoint: `amazon-q:${id}`, raw: false });
        refs.set(id, arn('chatbot', `chat-configuration/${id}`));
        break;
      case 'AWS::DynamoDB::Table': {
        const keys = p.KeySchema as Array<{ AttributeName: string; KeyType: string }>;
        const indexes = ((p.GlobalSecondaryIndexes as Json[] | undefined) ?? []).map((index) => {
          const schema = index.KeySchema as Array<{ AttributeName: string; KeyType: string }>;
          const range = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
          return {
            name: String(index.IndexName),
            hashKey: schema.find((k) => k.KeyType === 'HASH')?.AttributeName as string,
            ...(range ? { rangeKey: range } : {}),
          };
        });
        const ttl = (p.TimeToLiveSpecification as { AttributeName?: string } | undefined)?.AttributeName;
        const spec: TableSpec = {
          name: physical(id, 255),
          hashKey: keys.find((k) => k.KeyType === 'HASH')?.AttributeName as string,
          indexes,
          ...(ttl ? { ttlAttribute: ttl } : {}),
        };
        const name = await provisioner.table(spec);
        refs.set(id, name);
        attributes.set(id, { Arn: arn('dynamodb', `table/${name}`) });
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        // CloudFormation names a secret `<logical id>-<12 random>`; its ARN adds `-<6 random>`.
        const name = p.Name ? text(p.Name) : `${id}-${random(`${stack}${id}`, 12)}`;
        const generated = p.GenerateSecretString as
          | { SecretStringTemplate?: string; GenerateStringKey?: string }
          | undefined;
        const generate = () =>
          generated?.SecretStringTemplate && generated.GenerateStringKey
            ? JSON.stringify({
                ...(JSON.parse(generated.SecretStringTemplate) as Json),
                [generated.GenerateStringKey]: random(`${stack}${id}value`, 40),
              })
            : random(`${stack}${id}value`, 40);
        const value =
          options.secretValue?.(id, p) ?? (p.SecretString !== undefined ? text(p.SecretString) : generate());
        const secretArn = await provisioner.secret(name, value);
        refs.set(id, secretArn);
        break;
      }
      case 'AWS::SSM::Parameter': {
        const name = text(p.Name);
        await provisioner.parameter(name, text(p.Value));
        refs.set(id, name);
        break;
      }
      case 'AWS::Events::EventBus': {
        const name = text(p.Name);
        const busArn = await provisioner.bus(name);
        refs.set(id, name);
        attributes.set(id, { Arn: busArn, Name: name });
        break;
      }
      case 'AWS::Events::Rule': {
        refs.set(id, physical(id, 64));
        attributes.set(id, { Arn: arn('events', `rule/${refs.get(id)}`) });
        const targets = (p.Targets as Json[] | undefined) ?? [];
        if (p.ScheduleExpression) {
          for (const target of targets)
            schedules.push({
              functionLogicalId: references(target.Arn)[0] as string,
              expression: String(p.ScheduleExpression),
              ...(target.Input ? { input: text(target.Input) } : {}),
            });
          break;
        }
        const rule: RuleSpec = {
          name: refs.get(id) as string,
          pattern: resolve(p.EventPattern) as Json,
          targets: targets.map((target) => {
            const transformer = target.InputTransformer as Json | undefined;
            const dead = (target.DeadLetterConfig as Json | undefined)?.Arn;
            return {
              arn: text(target.Arn),
              ...(transformer
                ? {
                    inputTransformer: {
                      InputTemplate: text(transformer.InputTemplate),
                      ...(transformer.InputPathsMap
                        ? { InputPathsMap: resolve(transformer.InputPathsMap) as Record<string, string> }
                        : {}),
                    },
                  }
                : {}),
              ...(dead ? { deadLetterArn: text(dead) } : {}),
            };
          }),
        };
        await provisioner.rule(p.EventBusName ? text(p.EventBusName) : 'default', rule);
        break;
      }
      case 'AWS::Scheduler::Schedule': {
        const target = p.Target as Json;
        schedules.push({
          functionLogicalId: references(target.Arn)[0] as string,
          expression: String(p.ScheduleExpression),
          ...(p.ScheduleExpressionTimezone ? { timezone: String(p.ScheduleExpressionTimezone) } : {}),
          ...(target.Input ? { input: text(target.Input) } : {}),
        });
        refs.set(id, physical(id, 64));
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = physical(id, 64);
        const env = resolve((p.Environment as Json | undefined)?.Variables ?? {}) as Record<string, string>;
        const kind = FUNCTION_KINDS.find((k) => env.POWERTOOLS_SERVICE_NAME === `ia-review-alerts-${k}`);
        const functionArn = arn('lambda', `function:${name}`);
        refs.set(id, name);
        attributes.set(id, { Arn: functionArn });
        if (kind)
          functions.push({
            logicalId: id,
            kind,
            name,
            arn: functionArn,
            env,
            timeoutSeconds: Number(p.Timeout ?? 3),
            memoryMb: Number(p.MemorySize ?? 128),
          });
        break;
      }
      case 'AWS::Lambda::EventSourceMapping':
        eventSourceMappings.push({
          functionLogicalId: references(p.FunctionName)[0] as string,
          queueArn: text(p.EventSourceArn),
          batchSize: Number(p.BatchSize ?? 10),
          batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
          maxConcurrency: Number((p.ScalingConfig as Json | undefined)?.MaximumConcurrency ?? 1000),
          reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes(
            'ReportBatchItemFailures',
          ),
        });
        refs.set(id, random(id, 36));
        break;
      case 'AWS::ApiGatewayV2::Integration':
        httpFunctionLogicalId = references(p.IntegrationUri)[0];
        refs.set(id, random(id, 7));
        break;
      case 'AWS::ApiGatewayV2::Route':
        httpRoutes.push(text(p.RouteKey));
        refs.set(id, random(id, 7));
        break;
      default:
        // Roles, policies, keys, log groups, alarms, the dashboard, queue and topic policies:
        // nothing the functions call at run time. Their names, for whatever references them.
        refs.set(id, physical(id));
        attributes.set(id, {
          Arn: arn(resource.Type.split('::')[1]?.toLowerCase() ?? 'x', id),
          ApiEndpoint: options.apiEndpoint ?? 'http://local',
        });
    }
  }

  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).flatMap(([key, output]) => {
      try {
        return [[key, text(output.Value)]];
      } catch {
        return [];
      }
    }),
  );
  return {
    stackName: stack,
    functions,
    eventSourceMappings,
    schedules,
    ...(httpFunctionLogicalId ? { httpFunctionLogicalId } : {}),
    httpRoutes,
    refs,
    queueUrls,
    subscriptions,
    outputs,
    function(kind) {
      const found = functions.find((f) => f.kind === kind);
      if (!found) throw new Error(`the template has no ${kind} function`);
      return found;
    },
  };
};
