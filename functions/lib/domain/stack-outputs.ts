/**
 * The stack outputs the runbook and the CLI (`--stack <name>`) rely on, named once for both the
 * CDK app that writes them and the CLI that reads them.
 */
export const OUTPUTS = {
  alertsTopicArn: 'AlertsTopicArn',
  alertBusName: 'AlertBusName',
  checksQueueUrl: 'ChecksQueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  stateTableName: 'StateTableName',
  rateLimitTableName: 'RateLimitTableName',
  iaApiKeySecretName: 'IaApiKeySecretName',
  slackDeadLetterQueueUrl: 'SlackDeadLetterQueueUrl',
  includeCandidateEmail: 'IncludeCandidateEmail',
  dashboardUrl: 'DashboardUrl',
  iaRatePerSecond: 'IaRatePerSecond',
  /** JSON of the trigger variables the sweep reads (`TRIGGERS`, `TRIGGER_SILENT_…`): `sources` and `digest --now`. */
  triggers: 'Triggers',
} as const;

/** A channel's buffer queue output is described as this, followed by the channel's name. */
export const SLACK_BUFFER_OUTPUT_DESCRIPTION = 'Buffer queue of Slack channel';

/** Each IA account's key secret output (with `iaAccounts`), followed by the account's name. */
export const ACCOUNT_KEY_OUTPUT_DESCRIPTION = 'Secret holding the IA API key of account ';

/** Each IA account's request rate output (with `iaAccounts`), followed by the account's name. */
export const ACCOUNT_RATE_OUTPUT_DESCRIPTION = 'IA requests per second allowed to the key of account ';
