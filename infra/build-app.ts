/** Builds the CDK app with cdk-nag's AWS Solutions pack attached; shared by the entry and the tests. */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlertsStack } from './alerts-stack.js';

export const buildApp = (props?: AppProps) => {
  const app = new App(props);
  const stack = new AlertsStack(app, app.node.tryGetContext('stackName') ?? 'AssessmentReviewAlerts', {
    description: 'Assessment review alerts: Indeed Assessments attempts that need a human, to SNS/email/Slack',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
};
