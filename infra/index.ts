/**
 * The package's entry for CDK apps, in every CDK language (jsii):
 * `import { ReviewAlerts } from 'ia-review-alerts'`, `from ia_review_alerts import ReviewAlerts`.
 */
export { ReviewAlerts } from './review-alerts.js';
export type {
  AlertFilter,
  AlertRuleOptions,
  ChatChannelOptions,
  ChatChannelResources,
  ChatSlackChannel,
  EmailRoute,
  FunctionOptions,
  IaAccount,
  ReviewAlertsProps,
  SlackChannel,
  SlackChannelResources,
  TeamsChannel,
  WebhookSource,
} from './review-alerts-props.js';
export { AlertEventType, WebhookSourceKind } from './review-alerts-props.js';
