/** Plain-text email: subject ≤ 100 ASCII characters, a body readable on a phone. */
import type { Alert } from '../alert.js';
import { truncate } from './text.js';
import { describeReviewItem, facts, reviewItemTotal, searchIds, showsReviewItems, subscriptionNote, title, whatToDo } from './wording.js';

const SUBJECT_LIMIT = 100;
const LISTED_ITEMS = 20;

/** SNS subjects must be ASCII without line breaks: strip accents, replace the rest. */
export const asciiSafe = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();

const oneLine = (line: string) => line.replace(/[\r\n\v\f\u0085\u2028\u2029]+/g, ' ');

export const emailSubject = (alert: Alert): string => {
  const about = [alert.candidateName, alert.assessmentName ?? alert.assessmentId].filter(Boolean).join(' - ');
  const pending = alert.pendingReviewCount > 0 ? ` (${alert.pendingReviewCount} pending)` : '';
  return truncate(asciiSafe(`${title(alert)}: ${about || `attempt ${alert.attemptId}`}${pending}`), SUBJECT_LIMIT, '...');
};

export const emailBody = (alert: Alert): string => {
  const rows = facts(alert);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const listed = alert.reviewItems.slice(0, LISTED_ITEMS).map((item) => `  - ${describeReviewItem(item)}`);
  const more = reviewItemTotal(alert) - listed.length;
  const sections = [
    [title(alert).toUpperCase(), '', whatToDo(alert), ...(alert.url ? [`Open: ${alert.url}`] : [])],
    rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`),
    showsReviewItems(alert)
      ? [`Awaiting review (${reviewItemTotal(alert)}):`, ...listed, ...(more > 0 ? [`  ... and ${more} more`] : [])]
      : [],
    [`For search: ${searchIds(alert)}`, `Event: ${alert.eventType} at ${alert.occurredAt}`],
    [subscriptionNote],
  ];
  // Text from outside arrives on one line; a line break that got here anyway must not start a line of its own.
  return sections.filter((lines) => lines.length > 0).map((lines) => lines.map(oneLine).join('\n')).join('\n\n') + '\n';
};
