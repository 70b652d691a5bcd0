/**
 * One SNS publish per alert, with a body per protocol: email subscribers read text; HTTPS, the
 * protocol Amazon Q Developer (Chatbot) subscribes with, gets its custom-notification JSON; SQS,
 * Lambda and everything else get the alert as JSON. Attributes carry what filter policies match.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_ACCOUNT } from '../domain/accounts.js';
import { ALERT_EVENT_SOURCE, type Alert, isClaimable } from '../domain/alert.js';
import type { Digest } from '../domain/digest.js';
import { UpstreamError } from '../domain/errors.js';
import { isDigest, type Notification } from '../domain/notification.js';
import { chatDigest, chatNotification } from '../domain/render/chat.js';
import { digestBody, digestSubject, emailBody, emailSubject } from '../domain/render/email.js';

export const messageAttributes = (alert: Alert): NonNullable<PublishCommandInput['MessageAttributes']> => ({
  eventType: { DataType: 'String', StringValue: alert.eventType },
  // Filter policies cannot match a missing attribute; "unknown" keeps per-assessment routing total.
  assessmentId: { DataType: 'String', StringValue: alert.assessmentId ?? 'unknown' },
  pendingReviewCount: { DataType: 'Number', StringValue: String(alert.pendingReviewCount) },
  attemptId: { DataType: 'String', StringValue: alert.attemptId },
  ...(alert.source ? { source: { DataType: 'String', StringValue: alert.source } } : {}),
  // Filter policies cannot match a missing attribute: a single-account deployment's alerts are "default".
  account: { DataType: 'String', StringValue: alert.account ?? DEFAULT_ACCOUNT },
});

/** The digest is about every assessment: "all", which per-assessment filter policies do not take. */
const digestAttributes = (digest: Digest): NonNullable<PublishCommandInput['MessageAttributes']> => ({
  eventType: { DataType: 'String', StringValue: digest.eventType },
  assessmentId: { DataType: 'String', StringValue: 'all' },
  pendingReviewCount: { DataType: 'Number', StringValue: String(digest.pendingReviews) },
});

/** SNS refuses a message over 256 KiB: the message, the subject and the attributes together. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** What SNS counts against its limit. */
export const publishSize = (input: PublishCommandInput): number =>
  Buffer.byteLength(input.Message ?? '') +
  Buffer.byteLength(input.Subject ?? '') +
  Object.entries(input.MessageAttributes ?? {}).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? ''),
    0,
  );

/** The "I'm on it" link an alert's email carries, when the deployment has claims. */
export type ClaimLinkFor = (alert: Alert) => Promise<string>;

const buildInput = (topicArn: string, notification: Notification, claimUrl?: string): PublishCommandInput => {
  const json = JSON.stringify(notification);
  const digest = isDigest(notification) ? notification : undefined;
  const alert = notification as Alert;
  return {
    TopicArn: topicArn,
    Subject: digest ? digestSubject(digest) : emailSubject(alert),
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: json,
      email: digest ? digestBody(digest) : emailBody(alert, claimUrl),
      sqs: json,
      lambda: json,
      https: JSON.stringify(digest ? chatDigest(digest) : chatNotification(alert)),
    }),
    MessageAttributes: digest ? digestAttributes(digest) : messageAttributes(alert),
  };
};

/**
 * The publish request, always within SNS's limit: the alert goes out in five renderings, each
 * escaped again inside the JSON envelope, so 50 long non-ASCII review items can pass 256 KiB.
 * Then as many review items are kept as fit (the count stays: every rendering says "and N more").
 * Everything else in an alert is bounded where it enters (safe-text.ts).
 */
export const toPublishInput = (
  topicArn: string,
  notification: Notification,
  claimUrl?: string,
): PublishCommandInput => {
  const whole = buildInput(topicArn, notification, claimUrl);
  if (publishSize(whole) <= SNS_MAX_MESSAGE_BYTES || isDigest(notification)) return whole;
  const alert = notification;
  const total = alert.reviewItemCount ?? alert.reviewItems.length;
  const keeping = (kept: number) =>
    buildInput(topicArn, { ...alert, reviewItems: alert.reviewItems.slice(0, kept), reviewItemCount: total }, claimUrl);
  // The most items that fit: a binary search, a handful of renderings at most.
  let [fits, tooMany] = [0, alert.reviewItems.length];
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    if (publishSize(keeping(middle)) <= SNS_MAX_MESSAGE_BYTES) fits = middle;
    else tooMany = middle;
  }
  return keeping(fits);
};

export const publishAlert =
  (sns: SNSClient, topicArn: string, claimLinkFor?: ClaimLinkFor) =>
  async (notification: Notification): Promise<void> => {
    const claimUrl =
      claimLinkFor && !isDigest(notification) && isClaimable(notification)
        ? await claimLinkFor(notification)
        : undefined;
    await sns.send(new PublishCommand(toPublishInput(topicArn, notification, claimUrl)));
  };

/**
 * The alert as an EventBridge event: `detail` is the JSON SNS carries to SQS and Lambda (the same
 * trimmed alert, so one schema and within the 256 KB entry limit as well), and an alert's
 * `account` always, `default` in a deployment of one key, as the SNS attribute says: a rule can
 * only match a field that is there.
 */
export const toAlertEvent = (busName: string, notification: Notification) => {
  const detail = JSON.parse(
    (JSON.parse(toPublishInput('', notification).Message as string) as { default: string }).default,
  ) as Record<string, unknown>;
  return {
    EventBusName: busName,
    Source: ALERT_EVENT_SOURCE,
    DetailType: notification.eventType,
    Detail: JSON.stringify(isDigest(notification) ? detail : { ...detail, account: detail.account ?? DEFAULT_ACCOUNT }),
    Time: new Date(notification.occurredAt),
  };
};

export const publishAlertEvent =
  (events: EventBridgeClient, busName: string) =>
  async (notification: Notification): Promise<void> => {
    const result = await events.send(new PutEventsCommand({ Entries: [toAlertEvent(busName, notification)] }));
    // PutEvents answers 200 with the entry refused inside: the retry decides, like a 5xx.
    const refused = result.FailedEntryCount ? result.Entries?.[0] : undefined;
    if (refused)
      throw new UpstreamError(`the alert bus refused the event: ${refused.ErrorCode} ${refused.ErrorMessage}`);
  };
