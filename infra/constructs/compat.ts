/**
 * What lets the construct run on every aws-cdk-lib from the peer range's floor up (package.json):
 * three APIs it uses came after that floor or changed since, each replaced here by what an older
 * release understands.
 * The floor itself, 2.190.0, is set by APIs that have no such stand-in: `aws_apigatewayv2`'s
 * `LogGroupLogDestination` (the webhook API's access log, 2.190.0) and the `aws_scheduler` L2
 * constructs (the sweep's and the digest's schedules, 2.186.0). `test/package/install.test.ts`
 * synthesises an app at the floor and at the release we build with.
 */
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/**
 * Node.js 24 (`Runtime.NODEJS_24_X` arrived after the floor): the name Lambda knows, in the
 * family CDK's checks expect.
 */
export const NODEJS_24 = new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });

type Acknowledgement = { readonly id: string; readonly reason: string };
type ValidationsApi = { of(scope: IConstruct): { acknowledge(...a: Acknowledgement[]): void } };

/**
 * A cdk-nag finding this construct answers for, with why. `Validations` (aws-cdk-lib 2.257,
 * cdk-nag 3) where the app has it; otherwise cdk-nag 2's own suppression metadata on every
 * CloudFormation resource under `scope` (`RULE[finding]` as `appliesTo`), added at synthesis so
 * that resources made later (a role's default policy) carry it too.
 */
export const acknowledge = (scope: IConstruct, finding: Acknowledgement): void => {
  const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;
  if (validations) {
    validations.of(scope).acknowledge(finding);
    return;
  }
  const [, rule, appliesTo] = /^([^[]+)(?:\[(.*)\])?$/.exec(finding.id) ?? [];
  const suppression = { id: rule, reason: finding.reason, ...(appliesTo ? { appliesTo: [appliesTo] } : {}) };
  cdk.Aspects.of(scope).add({
    visit: (node: IConstruct) => {
      if (!(node instanceof cdk.CfnResource)) return;
      const current = (node.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress;
      node.addMetadata('cdk_nag', { rules_to_suppress: [...(current ?? []), suppression] });
    },
  });
};

type ValidationErrorClass = new (...args: unknown[]) => Error;

/**
 * CDK's own `ValidationError` on `scope` (`Errors.isValidationError`, `constructPath`): its
 * constructor took `(message, scope)` at the floor and takes `(name, message, scope)` now.
 */
export const validationError = (name: string, message: string, scope: IConstruct): Error => {
  const ValidationError = cdk.ValidationError as unknown as ValidationErrorClass;
  return ValidationError.length >= 3 ? new ValidationError(name, message, scope) : new ValidationError(message, scope);
};
