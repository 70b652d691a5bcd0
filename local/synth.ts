/**
 * The stack as `cdk synth` makes it, without bundling the functions (the harnesses run their
 * TypeScript sources): the template local/deployment.ts deploys onto moto or the in-memory cloud.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReviewAlerts, type ReviewAlertsProps } from '../infra/index.js';
import type { Template as DeployableTemplate } from './deployment.js';

export const synthesize = (
  props: ReviewAlertsProps | ((stack: Stack) => ReviewAlertsProps),
  stackName = 'ReviewAlertsLocal',
): DeployableTemplate => {
  // CloudFormation's rule validation (seconds of WebAssembly per synth) is cdk synth's and the
  // infra tests' job; a harness only deploys the template.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, stackName);
  new ReviewAlerts(stack, 'ReviewAlerts', typeof props === 'function' ? props(stack) : props);
  return Template.fromStack(stack).toJSON() as DeployableTemplate;
};
