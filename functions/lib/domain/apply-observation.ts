/**
 * What follows one look at an attempt, whoever looked (a triggered check, a re-check, the sweep's
 * walk of the assignment list): the lifecycle decides, due alerts are published exactly once, the
 * state is saved, and the next look is scheduled as a re-check of its own unless the sweep will
 * look anyway. Dependencies come in as arguments.
 */

import type { RenderSettings } from './alert.js';
import { type Alert, buildAlert } from './alert.js';
import { isCompleted } from './attempt.js';
import type { StateStore } from './attempt-store.js';
import type { CheckMessage } from './check-message.js';
import { SQS_MAX_DELAY_SECONDS } from './check-message.js';
import { decide } from './decision.js';
import {
  type AttemptState,
  interruptedAlerts,
  lateClaim,
  needsOwnRecheck,
  nextStep,
  type Observation,
  type PlannedAlert,
  type Recalled,
  stallDue,
  type WatchSettings,
} from './lifecycle.js';

export interface ObservationDeps {
  states: StateStore;
  publishOnce(alert: Alert): Promise<'published' | 'duplicate'>;
  /**
   * When this alert was published, if it was (its exactly-once key): what a look that died without
   * saving left. `done: false`: its key is held by an invocation that died or timed out, which may
   * or may not have published it. `exact`: the key's record says when (not reckoned from its expiry).
   */
  alertedAt?(alert: Alert): Promise<{ at: Date; done: boolean; exact?: boolean } | undefined>;
  /** Queues a check for later; sent once the work unit `forRecord` has succeeded. */
  schedule(message: CheckMessage, delaySeconds: number, forRecord: string): void;
  render: RenderSettings;
  watch: WatchSettings;
}

export interface Looked {
  attemptId: string;
  previous: AttemptState | undefined;
  observed: Observation;
  now: Date;
  /** What brought the attempt in: a source name, `recheck`, `sweep`. */
  source?: string;
  /** The re-check id this look would schedule under, and the work unit it belongs to. */
  recheckId: string;
  forRecord: string;
  /** Save nothing when nothing but the time of the look changed (the sweep looks often). */
  skipUnchanged?: boolean;
}

export interface Applied {
  published: Alert['eventType'][];
  suppressed: Alert['eventType'][];
  lifecycle: string;
  /** When the attempt's own re-check is due, if it needs one. */
  nextCheckAt?: string;
  /** When the next look is due, by whoever looks (a re-check or the sweep); undefined when closed. */
  nextLookAt?: string;
  saved: boolean;
}

const delayUntil = (at: string, now: Date) =>
  Math.max(0, Math.min(Math.ceil((Date.parse(at) - now.getTime()) / 1000), SQS_MAX_DELAY_SECONDS));

export const scheduleRecheck = (
  deps: Pick<ObservationDeps, 'schedule'>,
  at: { attemptId: string; recheckId: string; notBefore: string; source?: string; now: Date; forRecord: string },
) =>
  deps.schedule(
    {
      attemptId: at.attemptId,
      recheckId: at.recheckId,
      notBefore: at.notBefore,
      ...(at.source ? { source: at.source } : {}),
    },
    delayUntil(at.notBefore, at.now),
    at.forRecord,
  );

/** What changes on every look: a state that differs only there is not saved again. */
const LOOK_ONLY: ReadonlySet<string> = new Set(['lastCheckedAt', 'version']);
const NOTHING_IGNORED: ReadonlySet<string> = new Set();

/**
 * The same data as JSON sees it, keys in any order (a state read back from DynamoDB has its own),
 * a key holding undefined as absent, and `ignored` left out at the top. Compared in place: the
 * sweep asks it of every attempt on every page it walks. (A key list as JSON.stringify's replacer
 * applies at every depth: it hid every change inside the snapshot, such as a review graded.)
 */
const sameData = (a: unknown, b: unknown, ignored = NOTHING_IGNORED): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined && !ignored.has(k));
  const mine = keys(left);
  return mine.length === keys(right).length && mine.every((k) => sameData(left[k], right[k]));
};

/**
 * Whether this look asks the `review.needed` key: every look that reads IA anew with none on
 * record, whatever it decides, since IA may show anything next (the reviews done, scoring still
 * running: seed 4173) and only a look that asks finishes a publish that died before the bus. A 304
 * says IA's attempt is the one saved: reviews asked and done since would have changed it.
 */
const asksReviewNeeded = (look: Looked) =>
  look.observed !== 'not-modified' && !look.previous?.reviewNeededAt && !look.previous?.closedAt;

/** The attempt as this look sees it: IA's answer, or on a 304 the stored one. */
const seen = (look: Looked) => (look.observed === 'not-modified' ? look.previous?.snapshot : look.observed.attempt);

/**
 * What a look that died without saving left half done: alerts its keys say went out (to the topic)
 * that the state does not know. A `review.needed` so lost, with the reviews done by the next look,
 * would close the attempt with `attempt.scored` ("no review asked") and its reviewers never hear
 * `review.completed` (seed 1436); with the reviews still waiting, its reminders would run from the
 * next look instead of from when it went out; a reminder, escalation or stall report so lost is not
 * planned again once IA moved on, and never reached the alert bus (seed 2161). A reminder,
 * escalation or stall report is asked about only when this look will not plan it again: when it
 * leaves a state with one of them due, or one claimed after its escalation fell due. A
 * `review.needed` is asked about by every read with none saved, whatever IA shows now (seed 4173).
 */
const interrupted = async (
  deps: ObservationDeps,
  look: Looked,
): Promise<{ recalled: Recalled; unfinished: Alert[] }> => {
  const { previous, now } = look;
  const { alertedAt } = deps;
  const attempt = seen(look);
  if (!alertedAt || !attempt) return { recalled: {}, unfinished: [] };
  const decision = decide(attempt);
  const alertOf = (planned: PlannedAlert) => buildAlert(planned.eventType, attempt, contextOf(deps, look, planned));
  const unfinished: Alert[] = [];
  const escalated: Recalled = {};
  // Finished only when certainly sent: one that may not have gone out is not due any more.
  for (const planned of interruptedAlerts(previous, decision, now, deps.watch)) {
    const alert = alertOf(planned);
    const sent = await alertedAt(alert);
    if (!sent?.done) continue;
    unfinished.push(alert);
    // Recorded, so that it is asked about once: the reviews may wait on for days. Only its being
    // sent counts; a time reckoned from the key's expiry under another dedupe window could be
    // months off, so such a key counts as sent now.
    if (alert.eventType === 'review.escalated') escalated.escalatedAt = (sent.exact ? sent.at : now).toISOString();
  }
  if (!asksReviewNeeded(look)) return { recalled: escalated, unfinished };
  const needed = alertOf({ eventType: 'review.needed' });
  const sent = await alertedAt(needed);
  if (decision === 'review.needed') {
    // Sent for certain by a look that died before saving it (its key done; its redelivery dead-
    // lettered, say, and redriven hours later): its reminders and escalation run from when it
    // went out, not from now (seed 4055). One that may not have gone out goes out now; so does
    // one whose key does not say exactly when (written before its record held the time), or
    // whose time is not of this watch: older than a watch lasts, or than this state (a key kept
    // longer than the state it belonged to, under a dedupe window of over 60 days).
    const ofThisWatch =
      sent?.done &&
      sent.exact &&
      now.getTime() - sent.at.getTime() < deps.watch.maxWatchSeconds * 1000 &&
      (!previous || sent.at.getTime() >= Date.parse(previous.firstSeenAt));
    if (!ofThisWatch) return { recalled: {}, unfinished };
    return { recalled: { reviewNeededAt: sent.at.toISOString() }, unfinished: [needed, ...unfinished] };
  }
  // One that may have gone out (its key held by a look that died, or by one still publishing)
  // counts where this look would otherwise say that no review was asked: "the reviews are done" is
  // true either way, "no review was asked" would not be if it went out (seed 2392); recalled, it
  // closes the attempt with review.completed, or keeps the stall report from going out (seed 4020).
  // A look that only watches scoring leaves it be: the look holding the key may yet fail and let
  // it go, and a review.needed recorded as sent would then never go out while the reviews wait.
  if (!sent) return { recalled: {}, unfinished };
  if (!sent.done && decision === 'scoring.pending' && !stallDue(previous, now, deps.watch))
    return { recalled: {}, unfinished };
  // Closing, only its being on record counts; a scoring look's attempt stays watched, and its
  // reminders would run from that time should reviews come back: one reckoned from the key's expiry
  // (always so for a key held in progress) could be weeks off, so it counts as now.
  const at = sent.exact ? sent.at : now;
  return {
    recalled: { reviewNeededAt: at.toISOString() },
    unfinished: sent.done ? [needed, ...unfinished] : unfinished,
  };
};

const contextOf = (deps: ObservationDeps, look: Looked, planned: PlannedAlert) => ({
  now: look.now,
  settings: deps.render,
  ...(look.source ? { source: look.source } : {}),
  ...(planned.reminder === undefined ? {} : { reminder: planned.reminder }),
  ...(planned.waitedHours === undefined ? {} : { waitedHours: planned.waitedHours }),
  ...(planned.claimedBy === undefined ? {} : { claimedBy: planned.claimedBy, claimedAt: planned.claimedAt }),
  ...(planned.minutesFromClaim === undefined ? {} : { minutesFromClaim: planned.minutesFromClaim }),
});

/**
 * What the lifecycle makes of a look, before anything is published or written: the step, the
 * state to save (`saved`: whether it differs from what is stored), and the re-check it keeps or
 * schedules.
 */
const planLook = (deps: Pick<ObservationDeps, 'watch'>, look: Looked, recalled: Recalled) => {
  const { now } = look;
  const step = nextStep(look.previous, look.observed, now, deps.watch, recalled);
  const ownRecheck = needsOwnRecheck(step, now, deps.watch);
  const wanted = now.getTime() + (step.recheckInSeconds ?? 0) * 1000;
  // The sweep's look keeps the re-check already scheduled when it is still ahead and not later
  // than this look wants one: nothing to send, and nothing to save if nothing else changed.
  const previousId = look.previous?.recheckId;
  const previousAt = look.previous?.nextCheckAt;
  const keep =
    ownRecheck &&
    look.skipUnchanged &&
    previousId !== undefined &&
    previousAt !== undefined &&
    Date.parse(previousAt) > now.getTime() &&
    Date.parse(previousAt) <= wanted;
  const nextCheckAt = !ownRecheck ? undefined : keep ? previousAt : new Date(wanted).toISOString();
  const recheckId = keep ? previousId : look.recheckId;
  const next: AttemptState = nextCheckAt ? { ...step.state, recheckId, nextCheckAt } : step.state;
  return {
    step,
    next,
    keep,
    nextCheckAt,
    recheckId,
    // Every alert changes the state (the time it went out, a reminder counted, the attempt closed).
    // A look that asks about an escalation a claim came too late to stop saves its time: the
    // question ends with a look saved long enough after the claim.
    saved:
      !(look.skipUnchanged && look.previous !== undefined && sameData(look.previous, next, LOOK_ONLY)) ||
      (look.previous !== undefined && lateClaim(look.previous, deps.watch)),
    nextLookAt: step.recheckInSeconds === undefined ? undefined : new Date(wanted).toISOString(),
  };
};

/** Only a completed attempt is watched: one still being taken is nothing to decide on yet. */
const notYetWatched = (look: Looked) =>
  !look.previous && look.observed !== 'not-modified' && !isCompleted(look.observed.attempt);

/**
 * Whether this look, with this `previous`, would do nothing at all: publish nothing, ask nothing
 * of the alert keys, save nothing, schedule nothing. The sweep reads a page's states eventually
 * consistent and looks again with a consistent read only when this is false (sweep-run.ts says why
 * that is safe); `nextLookAt` is the quiet look's next due time.
 */
export const quietLook = (
  deps: Pick<ObservationDeps, 'watch'>,
  look: Looked,
): { quiet: boolean; nextLookAt?: string } => {
  if (notYetWatched(look)) return { quiet: true };
  // A look with no review.needed saved asks its key; past the first looks, that is one whose
  // scoring was reported stalled, or whose watch ended, while it stays listed.
  if (asksReviewNeeded(look)) return { quiet: false };
  // Saving nothing is doing nothing: every alert changes the state it saves (its time, a count,
  // the attempt closed); a new re-check is written into it; and the other alert keys are asked
  // when the decision moved on from the stored one or the attempt closes, which change it too, or
  // for an escalation a claim came too late to stop (`lateClaim`), whose look saves so it settles.
  const plan = planLook(deps, look, {});
  return { quiet: !plan.saved, ...(plan.nextLookAt ? { nextLookAt: plan.nextLookAt } : {}) };
};

export const applyObservation = async (deps: ObservationDeps, look: Looked): Promise<Applied> => {
  const { now } = look;
  // The sweep finds an attempt still being taken once it completes; watched now, it would read
  // as scoring that never finishes.
  if (notYetWatched(look)) return { published: [], suppressed: [], lifecycle: 'not-completed', saved: false };
  const { recalled, unfinished } = await interrupted(deps, look);
  const { step, next, keep, nextCheckAt, recheckId, saved, nextLookAt } = planLook(deps, look, recalled);
  const published: Alert['eventType'][] = [];
  const suppressed: Alert['eventType'][] = [];
  // What went out before, first: its topic key is done, so only its missing effects follow.
  const alerts = [
    ...unfinished,
    ...step.alerts.map((planned) => buildAlert(planned.eventType, step.state.snapshot, contextOf(deps, look, planned))),
  ];
  for (const alert of alerts)
    ((await deps.publishOnce(alert)) === 'published' ? published : suppressed).push(alert.eventType);
  if (saved) await deps.states.put(next);
  if (nextCheckAt && !keep)
    scheduleRecheck(deps, {
      attemptId: look.attemptId,
      recheckId,
      notBefore: nextCheckAt,
      now,
      forRecord: look.forRecord,
      ...(look.source ? { source: look.source } : {}),
    });
  return {
    published,
    suppressed,
    lifecycle: step.outcome,
    saved,
    ...(nextCheckAt ? { nextCheckAt } : {}),
    ...(nextLookAt ? { nextLookAt } : {}),
  };
};
