/**
 * The alert: one outcome for one attempt, as published to the alerts topic. Every renderer
 * (email, Slack, chat, machine JSON) starts from this object and nothing else.
 */
import type { Attempt, ReviewItem } from './attempt.js';
import type { RenderSettings } from './config.js';
import { compact } from './compact.js';

export const EVENT_TYPES = [
  'review.needed',
  'review.overdue',
  'review.completed',
  'scoring.stalled',
  'attempt.scored',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What a person must act on; the default email and Slack subscriptions take only these. */
export const ACTIONABLE_EVENT_TYPES: readonly EventType[] = ['review.needed', 'review.overdue', 'scoring.stalled'];

/** A subscription's filter policy (message attributes): actionable types by default, optionally one assessment set. */
export const filterPolicy = (options: { eventTypes?: readonly string[]; assessmentIds?: readonly string[] } = {}) => ({
  eventType: [...(options.eventTypes ?? ACTIONABLE_EVENT_TYPES)],
  ...(options.assessmentIds && options.assessmentIds.length > 0 ? { assessmentId: [...options.assessmentIds] } : {}),
});

export interface Alert {
  schemaVersion: 1;
  eventType: EventType;
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
  /** Which trigger brought the attempt in (source name from the ingest config, "recheck", ...). */
  source?: string;
  /** Reminder number for `review.overdue`; hours waited for `scoring.stalled` and overdue reviews. */
  reminder?: number;
  waitedHours?: number;
  occurredAt: string;
}

export interface AlertContext {
  now: Date;
  settings: RenderSettings;
  source?: string;
  reminder?: number;
  waitedHours?: number;
}

const urlFor = (attempt: Attempt, settings: RenderSettings): string | undefined =>
  attempt.resultsUrl ??
  settings.attemptUrlTemplate?.replaceAll('{attemptId}', encodeURIComponent(attempt.id));

export const buildAlert = (eventType: EventType, attempt: Attempt, context: AlertContext): Alert =>
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
    occurredAt: context.now.toISOString(),
  });
