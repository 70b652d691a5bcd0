/**
 * Creating the resources a template declares, on an AWS API: moto's (here, with SDK calls, since
 * moto's CloudFormation skips subscriptions, secrets and more) or the simulation's in-memory cloud
 * (sim/aws/provisioner.ts). local/deployment.ts walks the synthesised template through one of them.
 */
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export interface TableSpec {
  name: string;
  hashKey: string;
  ttlAttribute?: string;
  indexes: Array<{ name: string; hashKey: string; rangeKey?: string }>;
}

export interface QueueSpec {
  visibilitySeconds: number;
  retentionSeconds: number;
  redrive?: { targetArn: string; maxReceiveCount: number };
}

export interface SubscriptionSpec {
  protocol: string;
  endpoint: string;
  filterPolicy?: Record<string, unknown>;
  raw: boolean;
}

export interface RuleSpec {
  name: string;
  pattern: Record<string, unknown>;
  targets: Array<{
    arn: string;
    inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
    deadLetterArn?: string;
  }>;
}

export interface Provisioner {
  table(spec: TableSpec): Promise<string>;
  queue(name: string, spec: QueueSpec): Promise<{ url: string; arn: string }>;
  topic(name: string): Promise<string>;
  subscribe(topicArn: string, subscription: SubscriptionSpec): Promise<void>;
  /** Returns the secret's ARN. */
  secret(name: string, value: string): Promise<string>;
  parameter(name: string, value: string): Promise<void>;
  /** Returns the bus's ARN; `default` exists already. */
  bus(name: string): Promise<string>;
  rule(busName: string, rule: RuleSpec): Promise<void>;
}

export interface ProvisioningClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
  ssm: SSMClient;
  events: EventBridgeClient;
}

/** On any AWS API with these clients: moto's, for `npm start`, the load test and the contract suite. */
export const apiProvisioner = (clients: ProvisioningClients): Provisioner => {
  const queueArn = async (url: string) =>
    (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes
      ?.QueueArn as string;
  return {
    async table(spec) {
      const rangeKeys = spec.indexes.flatMap((index) => (index.rangeKey ? [index.rangeKey] : []));
      const attributes = [...new Set([spec.hashKey, ...spec.indexes.map((i) => i.hashKey), ...rangeKeys])];
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: spec.name,
          KeySchema: [{ AttributeName: spec.hashKey, KeyType: 'HASH' }],
          AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
          ...(spec.indexes.length > 0
            ? {
                GlobalSecondaryIndexes: spec.indexes.map((index) => ({
                  IndexName: index.name,
                  KeySchema: [
                    { AttributeName: index.hashKey, KeyType: 'HASH' },
                    ...(index.rangeKey ? [{ AttributeName: index.rangeKey, KeyType: 'RANGE' as const }] : []),
                  ],
                  Projection: { ProjectionType: 'KEYS_ONLY' },
                })),
              }
            : {}),
        }),
      );
      if (spec.ttlAttribute)
        await clients.dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: spec.name,
            TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
          }),
        );
      return spec.name;
    },
    async queue(name, spec) {
      const { QueueUrl } = await clients.sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: String(spec.visibilitySeconds),
            MessageRetentionPeriod: String(spec.retentionSeconds),
            ...(spec.redrive
              ? {
                  RedrivePolicy: JSON.stringify({
                    deadLetterTargetArn: spec.redrive.targetArn,
                    maxReceiveCount: spec.redrive.maxReceiveCount,
                  }),
                }
              : {}),
          },
        }),
      );
      const url = QueueUrl as string;
      const arn = await queueArn(url);
      // What the stack's queue policies allow: SNS and EventBridge send into it.
      await clients.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            Policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: ['sns.amazonaws.com', 'events.amazonaws.com'] },
                  Action: 'sqs:SendMessage',
                  Resource: arn,
                },
              ],
            }),
          },
        }),
      );
      return { url, arn };
    },
    async topic(name) {
      return (await clients.sns.send(new CreateTopicCommand({ Name: name }))).TopicArn as string;
    },
    async subscribe(topicArn, subscription) {
      // Amazon Q's own subscription (`amazon-q:<configuration>`) is no URL: moto would try to POST
      // to it and fail every publish to the chat topic. On moto the chat topics are read through
      // SQS inboxes instead (local/start.ts); the simulation's cloud keeps it as an inbox.
      if (subscription.protocol === 'https' && !/^https?:\/\//.test(subscription.endpoint)) return;
      await clients.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: subscription.protocol,
          Endpoint: subscription.endpoint,
          Attributes: {
            RawMessageDelivery: String(subscription.raw),
            ...(subscription.filterPolicy ? { FilterPolicy: JSON.stringify(subscription.filterPolicy) } : {}),
          },
        }),
      );
    },
    async secret(name, value) {
      return (await clients.secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN as string;
    },
    async parameter(name, value) {
      await clients.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
    },
    async bus(name) {
      if (name === 'default') return 'default';
      return (await clients.events.send(new CreateEventBusCommand({ Name: name }))).EventBusArn as string;
    },
    async rule(busName, rule) {
      await clients.events.send(
        new PutRuleCommand({ Name: rule.name, EventBusName: busName, EventPattern: JSON.stringify(rule.pattern) }),
      );
      await clients.events.send(
        new PutTargetsCommand({
          Rule: rule.name,
          EventBusName: busName,
          Targets: rule.targets.map((target, i) => ({
            Id: `target-${i}`,
            Arn: target.arn,
            ...(target.inputTransformer ? { InputTransformer: target.inputTransformer } : {}),
            ...(target.deadLetterArn ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
          })),
        }),
      );
    },
  };
};
