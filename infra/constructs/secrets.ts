/** An existing secret by name, partial ARN or complete ARN: whatever the operator has at hand. */
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export const importSecret = (scope: Construct, id: string, reference: string): secretsmanager.ISecret => {
  if (!reference.startsWith('arn:')) return secretsmanager.Secret.fromSecretNameV2(scope, id, reference);
  // A complete ARN ends in "-" plus six random characters; a partial one does not.
  return /-[A-Za-z0-9]{6}$/.test(reference)
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, reference)
    : secretsmanager.Secret.fromSecretPartialArn(scope, id, reference);
};
