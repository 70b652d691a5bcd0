/**
 * The counts that become CloudWatch metrics: those an alarm, the dashboard or a `metric…` method of
 * the construct reads. Each name is a stream per function and per dimension value, billed $0.30 a
 * month once published in the month; every other count is a field of the invocation's `counts`
 * log line (Logs Insights: `filter message = "counts" | stats sum(counts.SweepHeadWalks)`), which
 * costs only its bytes. test/infra/stack.test.ts holds this list to what the template reads.
 */
export const METRIC_STREAMS: ReadonlySet<string> = new Set([
  'AlertsPublished',
  'AttemptsAwaitingReview',
  'IaAuthFailures',
  'IaNotModified',
  'IaRequests',
  'IaThrottled',
  'OldestReviewWaitHours',
  'SlackDestinationGone',
  'SlackPayloadRejected',
  'SweepPages',
  'TriggerSilent',
  'WebhooksAccepted',
  'WebhooksFailed',
  'WebhooksRejected',
]);

/** Of those, what the dashboard also splits by IA account (dimension `Account`, several accounts). */
export const ACCOUNT_METRIC_STREAMS: ReadonlySet<string> = new Set(['AlertsPublished', 'IaRequests']);
