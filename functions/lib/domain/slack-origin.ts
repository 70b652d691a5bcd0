/**
 * Where Slack's incoming webhooks and interaction replies live; a channel may name another origin
 * explicitly (GovSlack, a proxy). A module of its own: the construct (jsii, an older library
 * target) reads it too.
 */
export const SLACK_WEBHOOK_ORIGIN = 'https://hooks.slack.com';
