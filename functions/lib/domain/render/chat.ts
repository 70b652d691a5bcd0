/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) renders only "custom
 * notifications" of this exact shape; `threadId` = attempt id keeps an attempt's alerts
 * (needed → overdue → completed) in one thread. Its text is markdown that lands in Slack or
 * Teams, so every string that holds text from outside is escaped for both.
 */

import { accountKey, DEFAULT_ACCOUNT } from '../accounts.js';
import type { Alert } from '../alert.js';
import type { Digest } from '../digest.js';
import { alertKey, digestKey } from '../notification.js';
import { digestSubject, emailSubject } from './email.js';
import { truncate } from './text.js';
import {
  describeDigestItem,
  describeReviewItem,
  describeTrigger,
  digestAssessments,
  digestSummary,
  digestTitle,
  facts,
  reviewItemTotal,
  showsReviewItems,
  title,
  whatToDo,
} from './wording.js';

/**
 * `<!channel>` and `<url|text>` are Slack's syntax, `[text](url)` and emphasis markdown's: the
 * first become entities (shown as typed), the brackets and emphasis marks are backslash-escaped.
 */
export const escapeChat = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/[\\`*_~[\]]/g, '\\$&');

const chatText = (text: string, limit: number) => truncate(escapeChat(text), limit);

export const chatNotification = (alert: Alert) => ({
  version: '1.0',
  source: 'custom',
  id: alertKey(alert),
  content: {
    textType: 'client-markdown',
    title: chatText(`${title(alert)}: ${alert.candidateName ?? alert.attemptId}`, 250),
    description: truncate(
      [
        ...facts(alert).map(([label, value]) => `*${label}:* ${escapeChat(value)}`),
        ...(showsReviewItems(alert)
          ? [
              '',
              `*Awaiting review (${reviewItemTotal(alert)}):*`,
              ...alert.reviewItems.slice(0, 10).map((i) => `• ${chatText(describeReviewItem(i), 300)}`),
            ]
          : []),
      ].join('\n'),
      4000,
    ),
    nextSteps: [escapeChat(whatToDo(alert)), ...(alert.url ? [`Open: ${alert.url}`] : [])],
    keywords: [alert.eventType, ...(alert.assessmentName ? [chatText(alert.assessmentName, 75)] : [])],
  },
  metadata: {
    // One thread per attempt, and the same id in two IA accounts is two attempts.
    threadId: accountKey(alert.account ?? DEFAULT_ACCOUNT, alert.attemptId),
    summary: escapeChat(emailSubject(alert)),
    eventType: alert.eventType,
    relatedResources: alert.url ? [alert.url] : [],
    additionalContext: {
      attemptId: alert.attemptId,
      ...(alert.account ? { account: alert.account } : {}),
      ...(alert.assessmentId ? { assessmentId: alert.assessmentId } : {}),
      pendingReviewCount: String(alert.pendingReviewCount),
    },
  },
});

export const chatDigest = (digest: Digest) => ({
  version: '1.0',
  source: 'custom',
  id: digestKey(digest),
  content: {
    textType: 'client-markdown',
    title: chatText(digestTitle(digest), 250),
    description: truncate(
      [
        escapeChat(digestSummary(digest)),
        '',
        ...digestAssessments(digest).map(([name, count]) => `*${escapeChat(name)}:* ${count}`),
        ...(digest.oldest.length > 0 ? ['', `*The ${Math.min(digest.oldest.length, 10)} oldest:*`] : []),
        ...digest.oldest.slice(0, 10).map((item) => `• ${chatText(describeDigestItem(item, digest.occurredAt), 300)}`),
        ...(digest.triggers
          ? ['', '*Triggers:*', ...digest.triggers.map((t) => `• ${chatText(describeTrigger(t), 300)}`)]
          : []),
      ].join('\n'),
      4000,
    ),
    nextSteps: ['Grade the oldest first in the Indeed Assessments web app.'],
    keywords: [digest.eventType],
  },
  metadata: {
    threadId: `digest-${digest.period}`,
    summary: escapeChat(digestSubject(digest)),
    eventType: digest.eventType,
    relatedResources: digest.oldest.flatMap((item) => (item.url ? [item.url] : [])).slice(0, 10),
    additionalContext: { waiting: String(digest.waiting), pendingReviews: String(digest.pendingReviews) },
  },
});

/** A custom notification as text, roughly as Amazon Q shows it in Slack or Teams (for `npm start` and `preview`). */
export const chatPreview = (
  notification: ReturnType<typeof chatNotification> | ReturnType<typeof chatDigest>,
): string =>
  [
    `**${notification.content.title}**`,
    notification.content.description,
    ...notification.content.nextSteps.map((step) => `→ ${step}`),
    `(${notification.metadata.eventType}, thread ${notification.metadata.threadId})`,
  ].join('\n');
