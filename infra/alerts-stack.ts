/**
 * The CDK app's stack: `ReviewAlerts` configured from CDK context (`-c key=value` or cdk.json), so
 * `npx cdk deploy -c alertEmails=...` works without writing code.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ReviewAlerts } from './review-alerts.js';
import type { ReviewAlertsProps } from './review-alerts-props.js';

export interface AlertsStackProps extends StackProps {
  alerts: ReviewAlertsProps;
}

export class AlertsStack extends Stack {
  readonly alerts: ReviewAlerts;

  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    // "Default" adds nothing to the logical ids: a stack deployed before the construct existed
    // (0.1) updates in place instead of replacing its tables and queues.
    this.alerts = new ReviewAlerts(this, 'Default', props.alerts);
  }
}
