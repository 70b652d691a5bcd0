/**
 * One SNS publish per alert, with a body per protocol: email subscribers read text; HTTPS, the
 * protocol Amazon Q Developer (Chatbot) subscribes with, gets its custom-notification JSON; SQS,
 * Lambda and everything else get the alert as JSON. Attributes carry what filter policies match.
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from './alert.js';
import { chatNotification } from './render/chat.js';
import { emailBody, emailSubject } from './render/email.js';

export const messageAttributes = (alert: Alert): NonNullable<PublishCommandInput['MessageAttributes']> => ({
  eventType: { DataType: 'String', StringValue: alert.eventType },
  // Filter policies cannot match a missing attribute; "unknown" keeps per-assessment routing total.
  assessmentId: { DataType: 'String', StringValue: alert.assessmentId ?? 'unknown' },
  pendingReviewCount: { DataType: 'Number', StringValue: String(alert.pendingReviewCount) },
  attemptId: { DataType: 'String', StringValue: alert.attemptId },
  ...(alert.source ? { source: { DataType: 'String', StringValue: alert.source } } : {}),
});

export const toPublishInput = (topicArn: string, alert: Alert): PublishCommandInput => {
  const json = JSON.stringify(alert);
  return {
    TopicArn: topicArn,
    Subject: emailSubject(alert),
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: json,
      email: emailBody(alert),
      sqs: json,
      lambda: json,
      https: JSON.stringify(chatNotification(alert)),
    }),
    MessageAttributes: messageAttributes(alert),
  };
};

export const publishAlert =
  (sns: SNSClient, topicArn: string) =>
  async (alert: Alert): Promise<void> => {
    await sns.send(new PublishCommand(toPublishInput(topicArn, alert)));
  };
