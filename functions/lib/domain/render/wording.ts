/**
 * The words every channel shares: headline, what to do, the facts. Email, Slack and chat lay
 * them out differently but never phrase them differently.
 */
import type { Alert, AlertType } from '../alert.js';
import type { ReviewItem } from '../attempt.js';
import type { Digest, DigestItem, DigestTrigger } from '../digest.js';

const TITLES: Record<AlertType, string> = {
  'review.needed': 'Review needed',
  'review.overdue': 'Review overdue',
  'review.escalated': 'Review escalated',
  'review.completed': 'Review completed',
  'scoring.stalled': 'Scoring stalled',
  'attempt.scored': 'Attempt scored',
};

export const title = (alert: Alert): string =>
  alert.eventType === 'review.overdue' && alert.reminder !== undefined
    ? `${TITLES[alert.eventType]} (reminder ${alert.reminder})`
    : TITLES[alert.eventType];

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

const who = (alert: Alert) => alert.candidateName ?? `attempt ${alert.attemptId}`;

const waited = (alert: Alert) =>
  alert.waitedHours === undefined || alert.waitedHours < 1 ? '' : ` after ${plural(alert.waitedHours, 'hour')}`;

/** "3h 20m": how long a claimed review took. */
const minutesText = (minutes: number) => (minutes < 60 ? plural(minutes, 'minute') : formatDuration(minutes * 60));

/** One sentence: what the reader must do now. */
export const whatToDo = (alert: Alert): string => {
  const where = alert.url ? 'at the link below' : 'in the Indeed Assessments web app';
  const pending = plural(alert.pendingReviewCount, 'answer or recording', 'answers or recordings');
  switch (alert.eventType) {
    case 'review.needed':
      return `Grade ${pending} waiting for a human review for ${who(alert)}, ${where}.`;
    case 'review.overdue':
      return alert.claimedBy
        ? `${pending} for ${who(alert)} still wait for a review${waited(alert)}; ${alert.claimedBy} has claimed it${alert.claimedAt ? ` since ${formatTime(alert.claimedAt)}` : ''}. Check in with them, or grade them ${where}.`
        : `${pending} for ${who(alert)} still wait for a review${waited(alert)}. Grade them ${where}, or reassign the review.`;
    case 'review.escalated':
      return `${pending} for ${who(alert)} still wait for a review${waited(alert)}, and the people alerted have not acted. Grade them ${where}, or have someone else take the review.`;
    case 'review.completed':
      return alert.claimedBy
        ? `Reviews for ${who(alert)} are done and scoring is final, ${alert.minutesFromClaim === undefined ? 'claimed' : `${minutesText(alert.minutesFromClaim)} after being claimed`} by ${alert.claimedBy}. No action needed.`
        : `Reviews for ${who(alert)} are done and scoring is final. No action needed.`;
    case 'scoring.stalled':
      return `Scoring for ${who(alert)} has not completed${waited(alert) || ' yet'}. Open the attempt ${where}; if it looks finished, contact Indeed Assessments support.`;
    case 'attempt.scored':
      return `Scoring for ${who(alert)} is complete with nothing to review. No action needed.`;
  }
};

export const formatScore = (ratio: number): string => `${Math.round(ratio * 1000) / 10}%`;

export const formatDuration = (seconds: number): string => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].filter(Boolean).join(' ');
};

export const formatTime = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** Label/value pairs in reading order; absent facts are left out, not shown as "unknown". */
export const facts = (alert: Alert): Array<[string, string]> => {
  const rows: Array<[string, string | undefined]> = [
    ['Account', alert.account],
    ['Assessment', alert.assessmentName ?? alert.assessmentId],
    ['Candidate', alert.candidateName],
    ['Candidate email', alert.candidateEmail],
    ['Role', alert.role],
    ['Pending reviews', String(alert.pendingReviewCount)],
    [
      alert.scoringCompleted ? 'Score' : 'Score so far',
      alert.scoreRatio === undefined ? undefined : formatScore(alert.scoreRatio),
    ],
    ['Level', alert.level],
    ['Completed', alert.completedAt && formatTime(alert.completedAt)],
    ['Duration', alert.durationSeconds === undefined ? undefined : formatDuration(alert.durationSeconds)],
    [
      'Claimed by',
      alert.claimedBy && `${alert.claimedBy}${alert.claimedAt ? ` since ${formatTime(alert.claimedAt)}` : ''}`,
    ],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
};

const KIND_LABEL: Record<ReviewItem['kind'], string> = {
  answer: 'answer',
  audio: 'audio recording',
  video: 'video recording',
};

export const describeReviewItem = (item: ReviewItem): string =>
  `${item.step}: ${KIND_LABEL[item.kind]}${item.prompt ? ` "${item.prompt}"` : ''}`;

/** The ids someone pastes into a search box. */
export const searchIds = (alert: Alert): string =>
  [
    `attempt ${alert.attemptId}`,
    alert.assessmentId && `assessment ${alert.assessmentId}`,
    alert.assignmentId && `assignment ${alert.assignmentId}`,
  ]
    .filter(Boolean)
    .join(', ');

/** Every item awaiting review, listed or not. */
export const reviewItemTotal = (alert: Alert): number => alert.reviewItemCount ?? alert.reviewItems.length;

/** Which steps await review matters while a review is (or may be) outstanding. */
export const showsReviewItems = (alert: Alert): boolean =>
  alert.reviewItems.length > 0 && alert.eventType !== 'attempt.scored' && alert.eventType !== 'review.completed';

export const subscriptionNote =
  'You receive this because you are subscribed to the assessment review alerts. ' +
  'To stop, use the unsubscribe link below or ask your operations team to remove your subscription.';

const hoursSince = (iso: string, now: string) =>
  Math.max(0, Math.floor((Date.parse(now) - Date.parse(iso)) / 3_600_000));

const waitedFor = (hours: number) => (hours >= 48 ? `${Math.floor(hours / 24)} days` : plural(hours, 'hour'));

/** The digest's headline. */
export const digestTitle = (digest: Digest): string => `Reviews waiting: ${plural(digest.waiting, 'attempt')}`;

/** One sentence: how much waits and since when, and what to do. */
export const digestSummary = (digest: Digest): string =>
  digest.oldestSince === undefined
    ? 'Nothing waits for a human review.'
    : `${plural(digest.waiting, 'attempt')} with ${plural(digest.pendingReviews, 'answer or recording', 'answers or recordings')} wait for a human review; the oldest since ${formatTime(digest.oldestSince)} (${waitedFor(hoursSince(digest.oldestSince, digest.occurredAt))})${digest.escalated > 0 ? `; ${plural(digest.escalated, 'was', 'were')} escalated` : ''}. Grade them in the Indeed Assessments web app, oldest first.`;

/**
 * A trigger's line in the digest and `sources`: "greenhouse: no event since 2026-12-01 09:12 UTC;
 * 14 completions found only by the sweep".
 */
export const describeTrigger = (trigger: DigestTrigger): string => {
  const missed =
    trigger.sweepOnly > 0
      ? `${plural(trigger.sweepOnly, 'completion')} found only by the sweep${trigger.lastEventAt ? ' since' : ''}`
      : '';
  if (trigger.status === 'never') return `${trigger.name}: no event yet; ${missed}`;
  const last = formatTime(trigger.lastEventAt as string);
  return trigger.status === 'silent'
    ? `${trigger.name}: SILENT, no event since ${last}; ${missed}. Check the integration on the sender's side`
    : `${trigger.name}: last event ${last}, ${trigger.eventsPerDay} a day${missed ? `; ${missed}` : ''}`;
};

/** Counts per assessment, most first, in reading order. */
export const digestAssessments = (digest: Digest): Array<[string, string]> => [
  ...digest.perAssessment.map((a): [string, string] => [
    a.assessmentName ?? a.assessmentId ?? 'Unknown assessment',
    String(a.waiting),
  ]),
  ...(digest.otherAssessments
    ? [
        [
          `${plural(digest.otherAssessments.assessments, 'other assessment')}`,
          String(digest.otherAssessments.waiting),
        ] as [string, string],
      ]
    : []),
];

/** One waiting attempt, as a line: who, what, how many, since when. */
export const describeDigestItem = (item: DigestItem, now: string): string =>
  `${item.account ? `[${item.account}] ` : ''}${item.candidateName ?? `attempt ${item.attemptId}`} - ${item.assessmentName ?? 'assessment'}: ${plural(item.pendingReviewCount, 'pending review')}, waiting ${waitedFor(hoursSince(item.waitingSince, now))}${item.escalatedAt ? ', escalated' : ''}${item.claimedBy ? `, claimed by ${item.claimedBy}${item.claimedAt ? ` ${waitedFor(hoursSince(item.claimedAt, now))} ago` : ''}` : ''}`;
