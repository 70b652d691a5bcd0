/**
 * The alert: one outcome for one attempt, as published to the alerts topic. Every renderer
 * (email, Slack, chat, machine JSON) starts from this object and nothing else.
 */

import type { Attempt, ReviewItem } from './attempt.js';
import { compact } from './compact.js';

/** What happens to one attempt; each is one alert. */
export const ALERT_TYPES = [
  'review.needed',
  'review.overdue',
  'review.escalated',
  'review.completed',
  'scoring.stalled',
  'attempt.scored',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** The scheduled summary of everything waiting (functions/lib/digest.ts). */
export const DIGEST_TYPE = 'review.digest';

/** Every `eventType` the alerts topic carries. */
export const EVENT_TYPES = [...ALERT_TYPES, DIGEST_TYPE] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The `source` of an alert `ia-review-alerts test-alert` publishes (its attempt id starts so too):
 * delivered like any alert, counted as none.
 */
export const TEST_ALERT_SOURCE = 'test-alert';

/** The `source` of every alert event on the alert bus; its `detail-type` is the event type. */
export const ALERT_EVENT_SOURCE = 'ia-review-alerts';

/** What a person must act on. */
export const ACTIONABLE_EVENT_TYPES: readonly AlertType[] = ['review.needed', 'review.overdue', 'scoring.stalled'];

/** What a person can answer with "I'm on it" (claims): reviews wait on it, and nobody holds them yet. */
export const isClaimable = (alert: Pick<Alert, 'eventType' | 'claimedBy'>): boolean =>
  (alert.eventType === 'review.needed' ||
    alert.eventType === 'review.overdue' ||
    alert.eventType === 'review.escalated') &&
  !alert.claimedBy;

/** What the default email and Slack subscriptions take: the actionable alerts and the digest. */
export const PEOPLE_EVENT_TYPES: readonly EventType[] = [...ACTIONABLE_EVENT_TYPES, DIGEST_TYPE];

/**
 * What an Amazon Q chat channel takes by default: a review's whole thread (needed → overdue →
 * completed, threaded by attempt id), stalled scoring and the digest.
 */
export const CHAT_EVENT_TYPES: readonly EventType[] = [
  'review.needed',
  'review.overdue',
  'review.completed',
  'scoring.stalled',
  DIGEST_TYPE,
];

/** What the escalation audience takes, and only it: reviews still waiting `escalateAfter` after the alert. */
export const ESCALATION_EVENT_TYPES: readonly EventType[] = ['review.escalated'];

/**
 * A subscription's filter policy (message attributes): people's types by default, optionally
 * some assessments and some IA accounts. A per-assessment or per-account filter keeps the digest
 * out (it is about all of them: `assessmentId` "all").
 */
export const filterPolicy = (
  options: {
    eventTypes?: readonly string[];
    assessmentIds?: readonly string[];
    accounts?: readonly string[];
    digest?: boolean;
  } = {},
) => ({
  eventType: [...(options.eventTypes ?? PEOPLE_EVENT_TYPES)].filter(
    (type) => options.digest !== false || type !== DIGEST_TYPE,
  ),
  ...(options.assessmentIds && options.assessmentIds.length > 0 ? { assessmentId: [...options.assessmentIds] } : {}),
  ...(options.accounts && options.accounts.length > 0 ? { account: [...options.accounts] } : {}),
});

/** A chat channel's filter policy: as any audience's, with the chat channels' own default event types. */
export const chatFilterPolicy = (options: Parameters<typeof filterPolicy>[0] = {}) =>
  filterPolicy({ ...options, eventTypes: options.eventTypes ?? CHAT_EVENT_TYPES });

export interface Alert {
  schemaVersion: 1;
  eventType: AlertType;
  attemptId: string;
  assessmentId?: string;
  assessmentName?: string;
  assignmentId?: string;
  candidateName?: string;
  candidateEmail?: string;
  role?: string;
  pendingReviewCount: number;
  scoringCompleted: boolean;
  scoreRatio?: number;
  level?: string;
  completedAt?: string;
  durationSeconds?: number;
  reviewItems: ReviewItem[];
  /** All review items, when more than `reviewItems` lists. */
  reviewItemCount?: number;
  /** Where to act: the public results page, or the IA app link built from the configured template. */
  url?: string;
  /** The IA account the attempt belongs to, when the deployment serves several (`iaAccounts`). */
  account?: string;
  /** Which trigger brought the attempt in (source name from the ingest config, "recheck", ...). */
  source?: string;
  /** Reminder number for `review.overdue`; hours waited for `scoring.stalled`, overdue and escalated reviews. */
  reminder?: number;
  waitedHours?: number;
  /** Who claimed the review ("I'm on it") and when: on reminders and `review.completed`. */
  claimedBy?: string;
  claimedAt?: string;
  /** `review.completed` of a claimed review: whole minutes from the claim to the reviews done. */
  minutesFromClaim?: number;
  occurredAt: string;
}

export interface AlertContext {
  now: Date;
  settings: RenderSettings;
  source?: string;
  reminder?: number;
  waitedHours?: number;
  claimedBy?: string | undefined;
  claimedAt?: string | undefined;
  minutesFromClaim?: number;
}

/** Where to act on an attempt: IA's public results page, or the operator's link template. */
export const urlFor = (attempt: Attempt, settings: RenderSettings): string | undefined =>
  attempt.resultsUrl ?? settings.attemptUrlTemplate?.replaceAll('{attemptId}', encodeURIComponent(attempt.id));

export const buildAlert = (eventType: AlertType, attempt: Attempt, context: AlertContext): Alert =>
  compact({
    schemaVersion: 1 as const,
    eventType,
    attemptId: attempt.id,
    assessmentId: attempt.assessment.id,
    assessmentName: attempt.assessment.name,
    assignmentId: attempt.assignmentId,
    candidateName: attempt.candidate?.name,
    // Personal data beyond the name goes out only when the operator opted in.
    candidateEmail: context.settings.includeCandidateEmail ? attempt.candidate?.email : undefined,
    role: attempt.role,
    pendingReviewCount: attempt.pendingReviewCount,
    scoringCompleted: attempt.scoringCompleted,
    scoreRatio: attempt.scoreRatio,
    level: attempt.level,
    completedAt: attempt.completedAt,
    durationSeconds: attempt.durationSeconds,
    reviewItems: attempt.reviewItems,
    reviewItemCount: attempt.reviewItemCount,
    url: urlFor(attempt, context.settings),
    source: context.source,
    reminder: context.reminder,
    waitedHours: context.waitedHours,
    claimedBy: context.claimedBy,
    claimedAt: context.claimedAt,
    minutesFromClaim: context.minutesFromClaim,
    occurredAt: context.now.toISOString(),
  });

export interface RenderSettings {
  includeCandidateEmail: boolean;
  /** e.g. `https://app.example.com/attempts/{attemptId}`; linked when the attempt has no results URL. */
  attemptUrlTemplate?: string;
}
