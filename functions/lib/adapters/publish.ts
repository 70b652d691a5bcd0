/**
 * One SNS publish per alert, with a body per protocol: email subscribers read text; HTTPS, the
 * protocol Amazon Q Developer (Chatbot) subscribes with, gets its custom-notification JSON; SQS,
 * Lambda and everything else get the alert as JSON. Attributes carry what filter policies match.
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../domain/alert.js';
import type { Digest } from '../domain/digest.js';
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
});

/** The digest is about every assessment: "all", which per-assessment filter policies do not take. */
const digestAttributes = (digest: Digest): NonNullable<PublishCommandInput['MessageAttributes']> => ({
  eventType: { DataType: 'String', StringValue: digest.eventType },
  assessmentId: { DataType: 'String', StringValue: 'all' },
  pendingReviewCount: { DataType: 'Number', StringValue: String(digest.pendingReviews) },
});

export const toPublishInput = (topicArn: string, notification: Notification): PublishCommandInput => {
  const json = JSON.stringify(notification);
  const digest = isDigest(notification) ? notification : undefined;
  const alert = notification as Alert;
  return {
    TopicArn: topicArn,
    Subject: digest ? digestSubject(digest) : emailSubject(alert),
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: json,
      email: digest ? digestBody(digest) : emailBody(alert),
      sqs: json,
      lambda: json,
      https: JSON.stringify(digest ? chatDigest(digest) : chatNotification(alert)),
    }),
    MessageAttributes: digest ? digestAttributes(digest) : messageAttributes(alert),
  };
};

export const publishAlert =
  (sns: SNSClient, topicArn: string) =>
  async (notification: Notification): Promise<void> => {
    await sns.send(new PublishCommand(toPublishInput(topicArn, notification)));
  };
