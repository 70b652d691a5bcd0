/**
 * An AWS service publishing into one of our encrypted topics needs an Allow in the topic's
 * policy (which replaces SNS's default one) and in the key's policy: IAM grants to roles do not
 * reach a service principal. Both are limited to our own account and source resources, so no
 * other account's alarm or rule can use the service to write here (the confused deputy).
 */
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CLAIM_ATTRIBUTES } from '../../functions/lib/domain/claims/claim.js';

export const allowServiceToPublish = (topic: sns.ITopic, key: kms.IKey, service: string, sourceArnLike: string) => {
  const principals = [new iam.ServicePrincipal(service)];
  const conditions = {
    StringEquals: { 'aws:SourceAccount': Stack.of(topic).account },
    ArnLike: { 'aws:SourceArn': sourceArnLike },
  };
  topic.addToResourcePolicy(
    new iam.PolicyStatement({ principals, actions: ['sns:Publish'], resources: [topic.topicArn], conditions }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
};

/** A role a service assumes on our behalf, trusting that service only for this account. */
export const serviceRole = (scope: Construct, id: string, service: string, description: string) =>
  new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(service).withConditions({
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    }),
    description,
  });

/**
 * Table actions on the table itself. `Table.grant` adds `<table>/index/*` once the table has an
 * index: a wildcard no function here needs (the digest and the CLI query one named index).
 */
export const grantOnTable = (table: dynamodb.ITable, grantee: iam.IGrantable, ...actions: string[]) =>
  iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [table.tableArn] });

/**
 * Claiming an attempt (`ack`, the Slack button, the email link): reading and writing only the
 * attributes a claim decides on (adapters/claim-store.ts), never the rest of a watch.
 */
export const grantClaim = (table: dynamodb.ITable, grantee: iam.IGrantable) =>
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    resourceArns: [table.tableArn],
    conditions: {
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...CLAIM_ATTRIBUTES] },
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES', 'dynamodb:ReturnValues': 'NONE' },
    },
  });

/** Keeping trigger health (adapters/trigger-health-store.ts): counters on the `trigger#…` items only. */
export const grantTriggerHealth = (table: dynamodb.ITable, grantee: iam.IGrantable) =>
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:UpdateItem'],
    resourceArns: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['trigger#*'] } },
  });

/** Querying one index of a table, and nothing else of it. */
export const grantQueryIndex = (table: dynamodb.ITable, indexName: string, grantee: iam.IGrantable) =>
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:Query'],
    resourceArns: [`${table.tableArn}/index/${indexName}`],
  });

/** Powertools idempotency's records: read, claim, complete, and delete when the effect failed. */
export const grantExactlyOnce = (table: dynamodb.ITable, grantee: iam.IGrantable) =>
  table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');

/** The shared pacer's schedule item: read it, book a slot with a conditional put. */
export const grantPacing = (table: dynamodb.ITable, grantee: iam.IGrantable) =>
  table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem');

/**
 * Sending to a queue: `sqs:SendMessage`, which also authorises SendMessageBatch. CDK's
 * `grantSendMessages` adds GetQueueAttributes and GetQueueUrl, which no function calls.
 */
export const grantSend = (queue: sqs.IQueue, grantee: iam.IGrantable) => {
  iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
  queue.encryptionMasterKey?.grantEncryptDecrypt(grantee);
};

/**
 * Reading a secret's value, which is all the functions do (Powertools' SecretsProvider calls
 * GetSecretValue); `Secret.grantRead` adds DescribeSecret. A secret known by name has a partial ARN:
 * the policy matches its random suffix, as CDK's own grant does.
 */
export const grantReadSecretValue = (secret: secretsmanager.ISecret, grantee: iam.IGrantable) => {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  });
  secret.encryptionKey?.grantDecrypt(grantee);
};
