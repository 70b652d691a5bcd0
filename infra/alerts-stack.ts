/**
 * The CDK app's stack: `ReviewAlerts` configured from CDK context (`-c key=value` or cdk.json), so
 * `npx cdk deploy -c alertEmails=...` works without writing code.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ReviewAlerts } from './review-alerts.js';
import { inContextTerms, propsFromContext } from './settings.js';

export class AlertsStack extends Stack {
  readonly alerts: ReviewAlerts;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // "Default" adds nothing to the logical ids: a stack deployed before the construct existed
    // (0.1) updates in place instead of replacing its tables and queues.
    const alertsProps = propsFromContext(this);
    try {
      this.alerts = new ReviewAlerts(this, 'Default', alertsProps);
    } catch (error) {
      throw inContextTerms(error);
    }
  }
}
