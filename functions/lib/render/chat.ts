/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) renders only "custom
 * notifications" of this exact shape; `threadId` = attempt id keeps an attempt's alerts
 * (needed → overdue → completed) in one thread.
 */
import type { Alert } from '../alert.js';
import { alertKey } from '../publish-once.js';
import { emailSubject } from './email.js';
import { truncate } from './text.js';
import { describeReviewItem, facts, showsReviewItems, title, whatToDo } from './wording.js';

export const chatNotification = (alert: Alert) => ({
  version: '1.0',
  source: 'custom',
  id: alertKey(alert),
  content: {
    textType: 'client-markdown',
    title: truncate(`${title(alert)}: ${alert.candidateName ?? alert.attemptId}`, 250),
    description: truncate(
      [
        ...facts(alert).map(([label, value]) => `*${label}:* ${value}`),
        ...(showsReviewItems(alert) ? ['', `*Awaiting review (${alert.reviewItems.length}):*`, ...alert.reviewItems.slice(0, 10).map((i) => `• ${describeReviewItem(i)}`)] : []),
      ].join('\n'),
      4000,
    ),
    nextSteps: [whatToDo(alert), ...(alert.url ? [`Open: ${alert.url}`] : [])],
    keywords: [alert.eventType, ...(alert.assessmentName ? [truncate(alert.assessmentName, 75)] : [])],
  },
  metadata: {
    threadId: alert.attemptId,
    summary: emailSubject(alert),
    eventType: alert.eventType,
    relatedResources: alert.url ? [alert.url] : [],
    additionalContext: {
      attemptId: alert.attemptId,
      ...(alert.assessmentId ? { assessmentId: alert.assessmentId } : {}),
      pendingReviewCount: String(alert.pendingReviewCount),
    },
  },
});
