/**
 * The package's entry for CDK apps: `import { ReviewAlerts } from 'ia-review-alerts'`.
 */
export { ReviewAlerts } from './review-alerts.js';
export type { ResolvedProps, ReviewAlertsProps, SlackChannelSetting, SourceSetting } from './review-alerts-props.js';
export { InvalidPropError, PROP_RULES, resolveProps } from './review-alerts-props.js';
