/**
 * `ia-review-alerts test-alert [--stack NAME | --local] [--event TYPE] [--account NAME]
 * [--assessment ID] [--json]`: proves after a deploy that alerts arrive. Publishes one clearly
 * marked alert about no real attempt through the deployed alerts topic (and alert bus), with the
 * attributes a real one carries, so each subscription's filter takes it or not as it would take a
 * real one; and says beforehand which subscriptions and rules it expects to reach.
 *
 * It never passes through check, the sweep or the state table: no `AlertsPublished` count, no
 * awaiting-review index entry, nothing for `pending` or the digest. Its attempt id starts with
 * `test-alert-`, its `source` is `test-alert` and its email subject starts with `[TEST]`.
 */
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { toAlertEvent, toPublishInput } from '#lib/adapters/publish.js';
import { DEFAULT_ACCOUNT } from '#lib/domain/accounts.js';
import { ALERT_TYPES, type Alert, type AlertType, TEST_ALERT_SOURCE } from '#lib/domain/alert.js';
import { matchesFilterPolicy, matchesPattern, OPERATORS } from '#lib/domain/matching.js';
import { type Io, UsageError } from './io.js';
import { accountFlag, required, resolveTargets } from './targets.js';

/** An alert of `eventType` about no real attempt, saying so in every field a person reads. */
export const testAlert = (
  eventType: AlertType,
  now: Date,
  options: { account?: string; assessment?: string },
): Alert => {
  const reviewing = eventType !== 'attempt.scored' && eventType !== 'review.completed';
  return {
    schemaVersion: 1,
    eventType,
    attemptId: `${TEST_ALERT_SOURCE}-${now.toISOString().replace(/[-:.]/g, '')}`,
    assessmentId: options.assessment ?? TEST_ALERT_SOURCE,
    assessmentName: 'TEST ALERT from ia-review-alerts (no real attempt)',
    candidateName: 'Test Candidate',
    pendingReviewCount: reviewing ? 1 : 0,
    scoringCompleted: eventType !== 'scoring.stalled',
    reviewItems: reviewing ? [{ step: 'Test step (nothing to review)', kind: 'answer' }] : [],
    source: TEST_ALERT_SOURCE,
    ...(options.account ? { account: options.account } : {}),
    ...(eventType === 'review.overdue' ? { reminder: 1 } : {}),
    ...(['review.overdue', 'review.escalated', 'scoring.stalled'].includes(eventType) ? { waitedHours: 24 } : {}),
    occurredAt: now.toISOString(),
  };
};

export interface Reach {
  /** `email ops@example.com`, `sqs arn:…`, `rule <name>`. */
  readonly audience: string;
  /** yes, no, unknown (a filter on the message body, not evaluated here), or unconfirmed. */
  readonly takes: 'yes' | 'no' | 'unknown' | 'unconfirmed';
}

/** A subscriber as people know it: a Slack or chat channel by its name, anything else by protocol and endpoint. */
const audienceOf = (protocol = '', endpoint = '', slackBuffers: Record<string, string>) => {
  const channel = Object.entries(slackBuffers).find(([, url]) => url.split('/').pop() === endpoint.split(':').pop());
  return channel ? `channel ${channel[0]} (Slack or chat, through notify-slack)` : `${protocol} ${endpoint}`;
};

/** Whether `matching.ts` can judge this policy or pattern: only values and the operators it knows. */
export const predictable = (filter: unknown): boolean =>
  Array.isArray(filter)
    ? filter.every(
        (option) =>
          option === null || typeof option !== 'object' || Object.keys(option).every((op) => OPERATORS.has(op)),
      )
    : filter !== null &&
      typeof filter === 'object' &&
      Object.entries(filter).every(([key, value]) => !key.startsWith('$') && predictable(value));

const subscriptionsOf = async (
  sns: SNSClient,
  topicArn: string,
  attributes: Parameters<typeof matchesFilterPolicy>[1],
  slackBuffers: Record<string, string>,
): Promise<Reach[]> => {
  const reach: Reach[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const subscription of page.Subscriptions ?? []) {
      const audience = audienceOf(subscription.Protocol, subscription.Endpoint, slackBuffers);
      if (!subscription.SubscriptionArn?.startsWith('arn:')) {
        reach.push({ audience, takes: 'unconfirmed' });
        continue;
      }
      const { Attributes: settings = {} } = await sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription.SubscriptionArn }),
      );
      const policy = settings.FilterPolicy ? (JSON.parse(settings.FilterPolicy) as Record<string, unknown>) : undefined;
      const takes =
        settings.FilterPolicyScope === 'MessageBody' || (policy && !predictable(policy))
          ? 'unknown'
          : !policy || matchesFilterPolicy(policy, attributes)
            ? 'yes'
            : 'no';
      reach.push({ audience, takes });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return reach;
};

/** The bus's enabled rules, each matched against the event as EventBridge will see it. */
const rulesOf = async (events: EventBridgeClient, busName: string, alert: Alert): Promise<Reach[]> => {
  const entry = toAlertEvent(busName, alert);
  const event = {
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '000000000000',
    time: entry.Time.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(entry.Detail),
  };
  const reach: Reach[] = [];
  let NextToken: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ EventBusName: busName, NextToken }));
    for (const rule of page.Rules ?? []) {
      if (!rule.EventPattern || rule.State === 'DISABLED') continue;
      const pattern = JSON.parse(rule.EventPattern) as Record<string, unknown>;
      // Which account and region the event comes from is EventBridge's to say, not this CLI's.
      const judged = predictable(pattern) && !('account' in pattern) && !('region' in pattern);
      reach.push({
        audience: `rule ${rule.Name}`,
        takes: !judged ? 'unknown' : matchesPattern(pattern, event) ? 'yes' : 'no',
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return reach;
};

const LABEL: Record<Reach['takes'], string> = {
  yes: 'expected to receive it',
  no: 'filtered out',
  unknown: 'may receive it (not predicted here: see docs/operating.md)',
  unconfirmed: 'will not receive it: subscription not confirmed',
};

export const testAlertCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length > 0) throw new UsageError(`test-alert takes no arguments, got "${positionals[0]}"`);
  const eventType = (flags.event ?? 'review.needed') as AlertType;
  if (!ALERT_TYPES.includes(eventType))
    throw new UsageError(`--event must be one of ${ALERT_TYPES.join(', ')}, got "${String(flags.event)}"`);
  const account = accountFlag(flags);
  const assessment = flags.assessment;
  if (assessment !== undefined && (typeof assessment !== 'string' || !/^[\w.:-]{1,128}$/.test(assessment)))
    throw new UsageError(`--assessment must be an assessment id (1-128 of letters, digits, "_.:-")`);

  const targets = await resolveTargets(flags, io);
  const topicArn = required(targets, 'alertsTopicArn', 'alerts topic');
  const alert = testAlert(eventType, new Date(), {
    ...(account ? { account } : {}),
    ...(typeof assessment === 'string' ? { assessment } : {}),
  });
  const sns = new SNSClient(targets.aws);
  const input = toPublishInput(topicArn, alert);
  const attributes = input.MessageAttributes as Parameters<typeof matchesFilterPolicy>[1];
  // Listing needs more than publishing: a role that may only publish still sends the test.
  const notListed = (what: string) => (error: Error) => [
    { audience: `${what} (not listed: ${error.name})`, takes: 'unknown' as const },
  ];
  const reach: Reach[] = await subscriptionsOf(sns, topicArn, attributes, targets.slackBuffers).catch(
    notListed(`the subscriptions of ${topicArn}`),
  );
  const events = targets.alertBusName ? new EventBridgeClient(targets.aws) : undefined;
  if (events && targets.alertBusName) {
    reach.push(
      ...(await rulesOf(events, targets.alertBusName, alert).catch(notListed(`the rules of ${targets.alertBusName}`))),
    );
  }

  const { MessageId } = await sns.send(
    new PublishCommand({ ...input, Subject: `[TEST] ${input.Subject ?? ''}`.slice(0, 100) }),
  );
  if (events && targets.alertBusName) {
    const result = await events.send(new PutEventsCommand({ Entries: [toAlertEvent(targets.alertBusName, alert)] }));
    if (result.FailedEntryCount)
      throw new Error(`the alert bus refused the test event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown error'}`);
  }

  const sent = {
    eventType,
    attemptId: alert.attemptId,
    account: account ?? DEFAULT_ACCOUNT,
    assessmentId: alert.assessmentId,
    topic: topicArn,
    messageId: MessageId,
    ...(targets.alertBusName ? { alertBus: targets.alertBusName } : {}),
    audiences: reach,
  };
  if (flags.json === true) {
    io.out(`${JSON.stringify(sent)}\n`);
    return;
  }
  const expected = reach.filter((r) => r.takes === 'yes' || r.takes === 'unknown').length;
  io.out(
    `published a test ${eventType} (attempt ${alert.attemptId}, account ${sent.account}, assessment ${alert.assessmentId}) to ${topicArn}${
      targets.alertBusName ? ` and the alert bus ${targets.alertBusName}` : ''
    }\n${reach.map((r) => `  ${r.audience}: ${LABEL[r.takes]}\n`).join('')}${
      expected === 0
        ? 'nobody is expected to receive it: check the subscriptions and their filters (docs/notifications.md)\n'
        : `${expected} of ${reach.length} expected to receive it; it counts nowhere (no metric, index, pending or digest)\n`
    }`,
  );
};
