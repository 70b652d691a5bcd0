/**
 * The digest: one `review.digest` notification summing up what waits for a human review, built
 * from the awaiting-review index (how many, the oldest, counts per assessment, the 20 oldest with
 * links). Pure: the waiting states and the clock come in as arguments.
 */

import type { RenderSettings } from './alert.js';
import { DIGEST_TYPE, urlFor } from './alert.js';
import { compact } from './compact.js';
import type { AttemptState } from './lifecycle.js';
import type { TriggerHealth } from './trigger-health.js';

export const DIGEST_LISTED = 20;
/** Assessments named one by one; the rest are summed up. */
export const DIGEST_ASSESSMENTS = 10;

export interface DigestItem {
  attemptId: string;
  /** The IA account, in a deployment serving several. */
  account?: string;
  assignmentId?: string;
  assessmentName?: string;
  candidateName?: string;
  pendingReviewCount: number;
  waitingSince: string;
  /** When `review.escalated` went out for it, if it did. */
  escalatedAt?: string;
  /** Who said "I'm on it", and since when. */
  claimedBy?: string;
  claimedAt?: string;
  url?: string;
}

export interface Digest {
  schemaVersion: 1;
  eventType: typeof DIGEST_TYPE;
  /** The schedule's period this digest covers (its key: one digest per period). */
  period: string;
  waiting: number;
  pendingReviews: number;
  /** How many of the waiting were escalated. */
  escalated: number;
  oldestSince?: string;
  perAssessment: Array<{ assessmentId?: string; assessmentName?: string; waiting: number }>;
  /** Assessments beyond the ones named, and how many attempts they hold. */
  otherAssessments?: { assessments: number; waiting: number };
  oldest: DigestItem[];
  /** Each trigger that delivered or was missed (trigger-health.ts): its last event, its pace, what only the sweep found. */
  triggers?: DigestTrigger[];
  occurredAt: string;
}

export interface DigestTrigger {
  name: string;
  kind: string;
  status: TriggerHealth['status'];
  lastEventAt?: string;
  eventsPerDay: number;
  /** Completions found only by the sweep since its last event. */
  sweepOnly: number;
}

/** What a digest says of the triggers: those that ever delivered or missed something, silent first. */
export const digestTriggers = (health: readonly TriggerHealth[]): DigestTrigger[] =>
  health
    .filter((h) => h.status !== 'never' || h.sweepOnly > 0)
    .sort((a, b) => Number(b.status === 'silent') - Number(a.status === 'silent'))
    .map((h) =>
      compact({
        name: h.trigger.name,
        kind: h.trigger.kind,
        status: h.status,
        lastEventAt: h.lastEventAt,
        eventsPerDay: h.eventsPerDay,
        sweepOnly: h.sweepOnly,
      }),
    );

export const buildDigest = (
  waiting: AttemptState[],
  context: { now: Date; period: string; settings: RenderSettings; triggers?: readonly TriggerHealth[] },
): Digest => {
  const sorted = [...waiting].sort((a, b) => (a.awaitingSince ?? '').localeCompare(b.awaitingSince ?? ''));
  const byAssessment = new Map<string, { assessmentId?: string; assessmentName?: string; waiting: number }>();
  for (const state of sorted) {
    const { id, name } = state.snapshot.assessment;
    const key = id ?? name ?? '';
    const entry = byAssessment.get(key) ?? compact({ assessmentId: id, assessmentName: name, waiting: 0 });
    entry.waiting += 1;
    byAssessment.set(key, entry);
  }
  const ranked = [...byAssessment.values()].sort((a, b) => b.waiting - a.waiting);
  const others = ranked.slice(DIGEST_ASSESSMENTS);
  return compact({
    schemaVersion: 1 as const,
    eventType: DIGEST_TYPE,
    period: context.period,
    waiting: sorted.length,
    pendingReviews: sorted.reduce((sum, state) => sum + state.snapshot.pendingReviewCount, 0),
    escalated: sorted.filter((state) => state.escalatedAt !== undefined).length,
    oldestSince: sorted[0]?.awaitingSince,
    perAssessment: ranked.slice(0, DIGEST_ASSESSMENTS),
    otherAssessments:
      others.length > 0
        ? { assessments: others.length, waiting: others.reduce((sum, a) => sum + a.waiting, 0) }
        : undefined,
    oldest: sorted.slice(0, DIGEST_LISTED).map((state) =>
      compact({
        // The IA id: an account's state is keyed `<account>:<id>`.
        attemptId: state.snapshot.id,
        account: state.account,
        assignmentId: state.snapshot.assignmentId,
        assessmentName: state.snapshot.assessment.name,
        candidateName: state.snapshot.candidate?.name,
        pendingReviewCount: state.snapshot.pendingReviewCount,
        waitingSince: state.awaitingSince as string,
        escalatedAt: state.escalatedAt,
        claimedBy: state.claim?.by,
        claimedAt: state.claim?.at,
        url: urlFor(state.snapshot, context.settings),
      }),
    ),
    triggers: context.triggers && context.triggers.length > 0 ? digestTriggers(context.triggers) : undefined,
    occurredAt: context.now.toISOString(),
  });
};
