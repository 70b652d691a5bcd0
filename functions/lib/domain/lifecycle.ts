/**
 * The life of one watched attempt: given what we knew (state) and what IA says now, which alerts
 * are due and when to look again. Pure; the clock and settings are arguments.
 *
 *   scoring.pending ──(growing delays, ≤ 15 min/hop)──> … ──(deadline)──> scoring.stalled alert
 *   review.needed alert ──(watch cadence)──> still pending after SLA ──> review.overdue (≤ N)
 *                        ├──> still pending after escalateAfter ──> review.escalated (once, if set)
 *                        └──> nothing pending and scoring completed ──> review.completed (closed)
 *   last reminder sent, or scoring.stalled ──(slower and slower, ≤ 1 day/hop)──> closed or watch ends
 *   attempt.scored (nothing was ever pending) ──> closed
 *   claimed while reviews wait ──> no escalation; reminders and review.completed name the holder
 */
import type { AlertType } from './alert.js';
import type { Attempt } from './attempt.js';
import { type Claim, minutesSinceClaim } from './claims/claim.js';
import { type Decision, decide } from './decision.js';

export interface WatchSettings {
  /** First re-check delay while scoring runs; doubles per re-check up to `maxDelaySeconds`. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** No completed scoring this long after the first check → `scoring.stalled`. */
  scoringDeadlineSeconds: number;
  /** Cadence of the slow watch after `review.needed` or `scoring.stalled`. */
  watchIntervalSeconds: number;
  /** Still pending this long after `review.needed` → a `review.overdue` reminder, then again every SLA. */
  reviewSlaSeconds: number;
  maxReminders: number;
  /** Stop watching an attempt this long after its first check, whatever its state. */
  maxWatchSeconds: number;
  /** Still pending this long after `review.needed` → one `review.escalated`; 0: never. */
  escalateAfterSeconds: number;
}

export const DEFAULT_WATCH: WatchSettings = {
  firstDelaySeconds: 60,
  maxDelaySeconds: 900,
  scoringDeadlineSeconds: 24 * 3600,
  watchIntervalSeconds: 3600,
  reviewSlaSeconds: 24 * 3600,
  maxReminders: 3,
  maxWatchSeconds: 14 * 24 * 3600,
  escalateAfterSeconds: 0,
};

export interface AttemptState {
  attemptId: string;
  firstSeenAt: string;
  lastCheckedAt: string;
  lastDecision: Decision;
  etag?: string;
  rechecks: number;
  reviewNeededAt?: string;
  remindersSent: number;
  stalledAt?: string;
  /** When `review.escalated` went out: the digest marks the attempt, and it goes out once. */
  escalatedAt?: string;
  closedAt?: string;
  /** The attempt as last fetched: what a reminder renders when IA answers 304. */
  snapshot: Attempt;
  /** The one re-check message allowed to act on this attempt; others are stale copies. */
  recheckId?: string;
  /** When that re-check is due. */
  nextCheckAt?: string;
  /**
   * Until when the attempt's assignment stays inside the sweep's horizon: till then the sweep
   * looks at it on every walk of the assignment list, and it needs no re-checks of its own.
   */
  listedUntil?: string;
  /**
   * Set while a human review is outstanding (from `review.needed` until the reviews are done, the
   * attempt closes or its watch ends): the key of the sparse awaiting-review index, ordered by
   * `awaitingSince`. Absent otherwise, so the index holds only what is waiting.
   */
  awaiting?: typeof AWAITING_REVIEW;
  awaitingSince?: string;
  /** The IA account, for an account other than the default (the key then carries it too). */
  account?: string;
  /** Who said "I'm on it" while reviews waited (domain/claim.ts); kept once the attempt closes. */
  claim?: Claim;
  /** Optimistic-locking counter. */
  version: number;
}

/** The one partition of the awaiting-review index: everything waiting, ordered by how long. */
export const AWAITING_REVIEW = 'review';
/** The state table's sparse index of what waits for a review (the stack defines it, `pending` reads it). */
export const AWAITING_INDEX = 'AwaitingReview';

export interface PlannedAlert {
  eventType: AlertType;
  reminder?: number;
  waitedHours?: number;
  /** The claim's holder, on a reminder or `review.completed` of a claimed attempt. */
  claimedBy?: string;
  claimedAt?: string;
  /** `review.completed` of a claimed attempt: whole minutes from the claim. */
  minutesFromClaim?: number;
}

/** What a reminder or `review.completed` says of the claim, if any. */
const claimed = (state: Pick<AttemptState, 'claim'>, now: Date, closing = false): Partial<PlannedAlert> =>
  state.claim
    ? {
        claimedBy: state.claim.by,
        claimedAt: state.claim.at,
        ...(closing ? { minutesFromClaim: minutesSinceClaim(state.claim, now) } : {}),
      }
    : {};

export type Observation = { attempt: Attempt; etag?: string; listedUntil?: string } | 'not-modified';

export interface Step {
  alerts: PlannedAlert[];
  state: AttemptState;
  /** When to look again; undefined: stop watching. */
  recheckInSeconds?: number;
  outcome: 'alerted' | 'watching' | 'closed' | 'watch-ended';
}

/**
 * Once nothing actionable is left to send (every reminder out, or scoring reported stalled), the
 * watch only waits to close the attempt (review.completed is informational): it looks again after
 * a quarter of the time waited so far, at least the watch interval and at most a day. Hourly
 * looks there spent most of the IA budget of a forgotten attempt (docs/performance.md: the watch).
 */
export const SETTLED_MAX_INTERVAL_SECONDS = 24 * 3600;

const hoursBetween = (from: string, now: Date) => Math.floor((now.getTime() - Date.parse(from)) / 3_600_000);
const secondsSince = (from: string, now: Date) => (now.getTime() - Date.parse(from)) / 1000;

/**
 * What the alert keys know that the state may not: a `review.needed` a look published before it
 * died without saving. The attempt then closes with `review.completed`, as its reviewers expect.
 */
export interface Recalled {
  reviewNeededAt?: string;
  /** An escalation that went out before a claim recorded since made it not due (lateClaim). */
  escalatedAt?: string;
}

/**
 * Alerts that fall due with time alone, IA unchanged since `state`: the next reminder, escalation,
 * the stall report. A look that would publish one reads the attempt whole (check-reference), since
 * a 304 may be stale for a while after IA changed it.
 */
export const alertsDueByTime = (state: AttemptState, now: Date, s: WatchSettings): PlannedAlert[] => {
  if (state.closedAt) return [];
  const alerts: PlannedAlert[] = [];
  const { reviewNeededAt } = state;
  if (state.lastDecision === 'review.needed' && reviewNeededAt) {
    const next = state.remindersSent + 1;
    if (next <= s.maxReminders && secondsSince(reviewNeededAt, now) >= next * s.reviewSlaSeconds)
      alerts.push({
        eventType: 'review.overdue',
        reminder: next,
        waitedHours: hoursBetween(reviewNeededAt, now),
        ...claimed(state, now),
      });
    if (escalationDueIn(state, now, s) === 0)
      alerts.push({ eventType: 'review.escalated', waitedHours: hoursBetween(reviewNeededAt, now) });
  }
  if (
    state.lastDecision === 'scoring.pending' &&
    !state.stalledAt &&
    !reviewNeededAt &&
    secondsSince(state.firstSeenAt, now) >= s.scoringDeadlineSeconds
  )
    alerts.push({ eventType: 'scoring.stalled', waitedHours: hoursBetween(state.firstSeenAt, now) });
  return alerts;
};

/**
 * Alerts a look may have published before it died without saving, which this look, deciding
 * `decision`, will not plan again: a reminder, an escalation or a stall report that fell due after
 * the saved state, when IA has moved on since (the reviews done, scoring finished); an escalation
 * a claim recorded since made not due (`lateClaim`). Its topic key says whether it went out; if it
 * did, its other effects (the alert bus) must still follow (seed 2161). A `review.needed` so lost
 * is asked about apart, by every look that reads IA with none saved (apply-observation.ts), and
 * `Recalled`; an escalation so lost is `Recalled` while the reviews still wait.
 */
export const interruptedAlerts = (
  previous: AttemptState | undefined,
  decision: Decision,
  now: Date,
  s: WatchSettings,
): PlannedAlert[] => {
  if (!previous) return [];
  const moved = decision === previous.lastDecision ? [] : alertsDueByTime(previous, now, s);
  if (!lateClaim(previous, s)) return moved;
  // Due before the claim came, it is not due on the claimed state: a look between may have sent it.
  const { claim: _claim, ...unclaimed } = previous;
  return [...moved, ...alertsDueByTime(unclaimed, now, s).filter((alert) => alert.eventType === 'review.escalated')];
};

/**
 * The longest a look runs from reading the state to its last write: Lambda's longest timeout, which
 * also covers a claim written a moment after the time it records (ingest retries a conflict with
 * the time it took first) and the clocks of two containers.
 */
export const LOOK_SPAN_MS = 15 * 60_000;

/**
 * A claim recorded (by ingest, beside the looks) about when the escalation fell due or after, and
 * before a look saved it: the look that sent it may have died before saving, so no later look
 * plans it and the alert bus never hears of it (seed 4019). Asked until a look saved after every
 * look that read the state unclaimed has ended: a key not done by then never will be.
 */
export const lateClaim = (state: AttemptState, s: WatchSettings): boolean =>
  state.claim !== undefined &&
  state.reviewNeededAt !== undefined &&
  state.escalatedAt === undefined &&
  s.escalateAfterSeconds > 0 &&
  Date.parse(state.claim.at) >= Date.parse(state.reviewNeededAt) + s.escalateAfterSeconds * 1000 - LOOK_SPAN_MS &&
  Date.parse(state.lastCheckedAt) < Date.parse(state.claim.at) + LOOK_SPAN_MS;

export const nextStep = (
  previous: AttemptState | undefined,
  observed: Observation,
  now: Date,
  s: WatchSettings,
  recalled: Recalled = {},
): Step => markAwaiting(step(previous, observed, now, s, recalled));

/**
 * A watched attempt IA answers 404 for (deleted with its assignment) waits for no one: it leaves
 * the awaiting-review index, so the digest and `pending` stop listing it. The rest stays, so a
 * redrive of its re-check looks again and, should IA have it after all, puts it back.
 */
export const goneFromIa = (state: AttemptState, now: Date): AttemptState => {
  const { awaiting: _awaiting, awaitingSince: _since, ...rest } = state;
  return { ...rest, lastCheckedAt: now.toISOString() };
};

/** In the awaiting-review index exactly while a review is outstanding and the attempt is watched. */
const markAwaiting = (result: Step): Step => {
  const { awaiting: _awaiting, awaitingSince: _since, ...state } = result.state;
  const waiting =
    state.lastDecision === 'review.needed' &&
    state.reviewNeededAt !== undefined &&
    !state.closedAt &&
    result.outcome !== 'watch-ended';
  return {
    ...result,
    state: waiting ? { ...state, awaiting: AWAITING_REVIEW, awaitingSince: state.reviewNeededAt } : state,
  };
};

const step = (
  previous: AttemptState | undefined,
  observed: Observation,
  now: Date,
  s: WatchSettings,
  recalled: Recalled,
): Step => {
  if (observed === 'not-modified' && !previous) throw new TypeError('a 304 needs a previous state');
  const attempt = observed === 'not-modified' ? (previous as AttemptState).snapshot : observed.attempt;
  const nowIso = now.toISOString();
  const decision = decide(attempt);
  const etag = observed === 'not-modified' ? previous?.etag : (observed.etag ?? undefined);
  const listedUntil = (observed === 'not-modified' ? undefined : observed.listedUntil) ?? previous?.listedUntil;
  const state: AttemptState = {
    attemptId: attempt.id,
    firstSeenAt: previous?.firstSeenAt ?? nowIso,
    lastCheckedAt: nowIso,
    lastDecision: decision,
    rechecks: previous?.rechecks ?? 0,
    remindersSent: previous?.remindersSent ?? 0,
    snapshot: attempt,
    version: previous?.version ?? 0,
    ...(etag === undefined ? {} : { etag }),
    ...(listedUntil === undefined ? {} : { listedUntil }),
    ...((previous?.reviewNeededAt ?? recalled.reviewNeededAt)
      ? { reviewNeededAt: previous?.reviewNeededAt ?? recalled.reviewNeededAt }
      : {}),
    ...(previous?.stalledAt ? { stalledAt: previous.stalledAt } : {}),
    ...((previous?.escalatedAt ?? recalled.escalatedAt)
      ? { escalatedAt: previous?.escalatedAt ?? recalled.escalatedAt }
      : {}),
    ...(previous?.claim ? { claim: previous.claim } : {}),
  };
  if (previous?.closedAt) return { alerts: [], state: { ...state, closedAt: previous.closedAt }, outcome: 'closed' };

  const alerts: PlannedAlert[] = [];
  let recheckInSeconds: number | undefined = s.watchIntervalSeconds;
  switch (decision) {
    case 'attempt.scored':
      alerts.push(
        state.reviewNeededAt
          ? { eventType: 'review.completed', ...claimed(state, now, true) }
          : { eventType: 'attempt.scored' },
      );
      return { alerts, state: { ...state, closedAt: nowIso }, outcome: 'closed' };
    case 'review.needed':
      if (!state.reviewNeededAt) {
        alerts.push({ eventType: 'review.needed' });
        state.reviewNeededAt = nowIso;
      } else alerts.push(...recordDue(state, now, s));
      break;
    case 'scoring.pending':
      if (state.reviewNeededAt || state.stalledAt) break; // reviews done or already reported: watch slowly
      alerts.push(...recordDue(state, now, s));
      if (state.stalledAt) break;
      recheckInSeconds = Math.min(s.firstDelaySeconds * 2 ** state.rechecks, s.maxDelaySeconds);
      state.rechecks += 1;
      break;
  }
  if (secondsSince(state.firstSeenAt, now) >= s.maxWatchSeconds) {
    return { alerts, state, outcome: 'watch-ended' };
  }
  const escalationIn = escalationDueIn(state, now, s);
  const onlyClosingLeft =
    (decision === 'review.needed' && state.remindersSent >= s.maxReminders && escalationIn === undefined) ||
    (decision === 'scoring.pending' && state.stalledAt !== undefined && state.reviewNeededAt === undefined);
  if (onlyClosingLeft) {
    recheckInSeconds = Math.min(
      Math.max(s.watchIntervalSeconds, secondsSince(state.firstSeenAt, now) / 4),
      SETTLED_MAX_INTERVAL_SECONDS,
    );
  } else if (decision === 'review.needed' && state.reviewNeededAt) {
    // The next reminder goes out when it is due, not up to a watch interval later.
    const dueIn = (state.remindersSent + 1) * s.reviewSlaSeconds - secondsSince(state.reviewNeededAt, now);
    if (dueIn > 0 && state.remindersSent < s.maxReminders)
      recheckInSeconds = Math.min(recheckInSeconds, Math.max(60, Math.ceil(dueIn)));
    // Never 0 here: an escalation due by now went out above.
    if (escalationIn !== undefined)
      recheckInSeconds = Math.min(recheckInSeconds, Math.max(60, Math.ceil(escalationIn)));
  }
  return { alerts, state, recheckInSeconds, outcome: alerts.length > 0 ? 'alerted' : 'watching' };
};

/** The alerts due by time on `state` (alertsDueByTime), each recorded in it as sent. */
const recordDue = (state: AttemptState, now: Date, s: WatchSettings): PlannedAlert[] => {
  const due = alertsDueByTime(state, now, s);
  for (const { eventType } of due) {
    if (eventType === 'review.overdue') state.remindersSent += 1;
    if (eventType === 'review.escalated') state.escalatedAt = now.toISOString();
    if (eventType === 'scoring.stalled') state.stalledAt = now.toISOString();
  }
  return due;
};

/**
 * Whether a look now, scoring still running, reports the stall on `previous`: past the deadline
 * with no review on record. A `review.needed` that may have gone out (its key held) would make
 * that report false ("no review was asked"), so such a look counts it as sent (seed 4020).
 */
export const stallDue = (previous: AttemptState | undefined, now: Date, s: WatchSettings): boolean =>
  previous !== undefined &&
  !previous.closedAt &&
  !previous.reviewNeededAt &&
  !previous.stalledAt &&
  secondsSince(previous.firstSeenAt, now) >= s.scoringDeadlineSeconds;

/**
 * Seconds until `review.escalated` is due (0: now); undefined when escalation is off, already
 * sent, no review was asked, or someone claimed it (they are on it). Asked only while reviews
 * wait (`review.needed`).
 */
const escalationDueIn = (state: AttemptState, now: Date, s: WatchSettings): number | undefined => {
  if (
    s.escalateAfterSeconds <= 0 ||
    state.escalatedAt !== undefined ||
    state.reviewNeededAt === undefined ||
    state.claim !== undefined
  )
    return;
  return Math.max(0, s.escalateAfterSeconds - secondsSince(state.reviewNeededAt, now));
};

/**
 * Whether the next look needs a re-check of the attempt's own (one IA call), or the sweep's walk
 * of the assignment list will look anyway: it does while the assignment is inside the horizon,
 * except for the first quick looks while scoring runs, which come sooner than a walk would.
 */
export const needsOwnRecheck = (step: Step, now: Date, s: WatchSettings): boolean => {
  if (step.recheckInSeconds === undefined) return false;
  const { listedUntil, lastDecision } = step.state;
  if (listedUntil === undefined) return true;
  if (now.getTime() + step.recheckInSeconds * 1000 >= Date.parse(listedUntil)) return true;
  return lastDecision === 'scoring.pending' && step.recheckInSeconds < s.maxDelaySeconds;
};
