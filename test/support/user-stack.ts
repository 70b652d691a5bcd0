/** `ReviewAlerts` in a user's stack, as the infra tests build it, and what its functions are given. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReviewAlerts, type ReviewAlertsProps } from '../../infra/index.js';

/** An app that bundles nothing: the templates, not the bundles, are under test. */
export const app = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

export const userStack = (props: ReviewAlertsProps | ((stack: Stack) => ReviewAlertsProps) = {}) => {
  const stack = new Stack(app(), 'PlatformStack');
  const alerts = new ReviewAlerts(stack, 'ReviewAlerts', typeof props === 'function' ? props(stack) : props);
  return { stack, alerts, template: () => Template.fromStack(stack) };
};

/** Every function's environment variables, as synthesised. */
export const lambdaVariables = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) =>
      (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables,
  );
