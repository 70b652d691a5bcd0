/** Plain-text email: subject ≤ 100 ASCII characters, a body readable on a phone. */
import type { Alert } from '../alert.js';
import type { Digest } from '../digest.js';
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
  searchIds,
  showsReviewItems,
  subscriptionNote,
  title,
  whatToDo,
} from './wording.js';

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
  return truncate(
    asciiSafe(`${title(alert)}: ${about || `attempt ${alert.attemptId}`}${pending}`),
    SUBJECT_LIMIT,
    '...',
  );
};

/** Sections of lines to the body text: one blank line between sections, no line of outside text split. */
const bodyOf = (sections: string[][]) =>
  // Text from outside arrives on one line; a line break that got here anyway must not start a line of its own.
  `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.map(oneLine).join('\n'))
    .join('\n\n')}\n`;

const table = (rows: Array<[string, string]>) => {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
};

/** "Reviews waiting: N attempts": far within the subject's limit. */
export const digestSubject = (digest: Digest): string => asciiSafe(digestTitle(digest));

export const digestBody = (digest: Digest): string =>
  bodyOf([
    [digestTitle(digest).toUpperCase(), '', digestSummary(digest)],
    digest.perAssessment.length > 0
      ? ['Per assessment:', ...table(digestAssessments(digest)).map((line) => `  ${line}`)]
      : [],
    digest.oldest.length > 0
      ? [
          `The ${digest.oldest.length} oldest:`,
          ...digest.oldest.flatMap((item) => [
            `  - ${describeDigestItem(item, digest.occurredAt)}`,
            ...(item.url ? [`    ${item.url}`] : []),
          ]),
        ]
      : [],
    digest.triggers ? ['Triggers:', ...digest.triggers.map((t) => `  - ${describeTrigger(t)}`)] : [],
    [`Event: ${digest.eventType} for ${digest.period} at ${digest.occurredAt}`],
    [subscriptionNote],
  ]);

export const emailBody = (alert: Alert, claimUrl?: string): string => {
  const listed = alert.reviewItems.slice(0, LISTED_ITEMS).map((item) => `  - ${describeReviewItem(item)}`);
  const more = reviewItemTotal(alert) - listed.length;
  const sections = [
    [
      title(alert).toUpperCase(),
      '',
      whatToDo(alert),
      ...(alert.url ? [`Open: ${alert.url}`] : []),
      ...(claimUrl ? [`I'm on it (say who reviews, stops escalation): ${claimUrl}`] : []),
    ],
    table(facts(alert)),
    showsReviewItems(alert)
      ? [`Awaiting review (${reviewItemTotal(alert)}):`, ...listed, ...(more > 0 ? [`  ... and ${more} more`] : [])]
      : [],
    [`For search: ${searchIds(alert)}`, `Event: ${alert.eventType} at ${alert.occurredAt}`],
    [subscriptionNote],
  ];
  return bodyOf(sections);
};
