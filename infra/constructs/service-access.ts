/**
 * An AWS service publishing into one of our encrypted topics needs an Allow in the topic's
 * policy (which replaces SNS's default one) and in the key's policy: IAM grants to roles do not
 * reach a service principal. Both are limited to our own account and source resources, so no
 * other account's alarm or rule can use the service to write here (the confused deputy).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';

export const allowServiceToPublish = (topic: sns.ITopic, key: kms.IKey, service: string, sourceArnLike: string) => {
  const principals = [new iam.ServicePrincipal(service)];
  const conditions = {
    StringEquals: { 'aws:SourceAccount': Stack.of(topic).account },
    ArnLike: { 'aws:SourceArn': sourceArnLike },
  };
  topic.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['sns:Publish'], resources: [topic.topicArn], conditions }));
  key.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions }));
};

/** A role a service assumes on our behalf, trusting that service only for this account. */
export const serviceRole = (scope: Stack, id: string, service: string, description: string) =>
  new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(service).withConditions({ StringEquals: { 'aws:SourceAccount': scope.account } }),
    description,
  });
