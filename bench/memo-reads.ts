/**
 * What share of the sweep's looks at completed attempts still read a state, with the memo of quiet
 * looks a warm container keeps (functions/lib/domain/quiet-memo.ts). The walks are the twin's
 * (discovery-latency.ts); each sampled attempt is passed by every walk from its completion until it
 * leaves the horizon, and the sweep's container is recycled every `containerHours` (Lambda does so
 * "every few hours", busy or not). A look reads the state when
 * - nothing stands for it: no look read its state in this container (none yet, or the container
 *   was recycled since), or the last that did acted (an acting look is not remembered: the first
 *   after the completion, the first after the review was done);
 * - the attempt is listed differently since (its review done);
 * - the memo ran out, counted from the look that made it: an hour for an attempt waiting for a
 *   review (the watch's interval, the quiet look's next look), a day for any other
 *   (`MAX_MEMO_AGE_MS`), and none in the attempt's last day on the list (`lookAgainBy`).
 * Reminders and escalations (a look that acts, a day apart) and slots lost to collisions are left
 * out: at most one read a day more per waiting attempt, which reads hourly anyway.
 */
import { DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { MAX_MEMO_AGE_MS } from '#lib/domain/quiet-memo.js';
import { byShare, delayBand, type LatencyModel, passTime, seededRandom, simulateWalks } from './discovery-latency.js';

/** How attempts end: a review done this many hours after completion, never (null), or none to do (absent). */
export interface AttemptEnd {
  share: number;
  reviewDoneAfterHours?: number | null;
}

const DAY = 86_400;

export const memoReadShare = (m: LatencyModel, ends: AttemptEnd[], containerHours: number, samples = 2_000) => {
  const warmDays = 40;
  const { heads, fulls } = simulateWalks(m, warmDays + 40);
  const walks = [...heads, ...fulls];
  const next = seededRandom(20_261_207);
  const life = containerHours * 3600;
  const waitingValidity = DEFAULT_WATCH.watchIntervalSeconds;
  const otherValidity = MAX_MEMO_AGE_MS / 1000;
  let sightings = 0;
  let reads = 0;
  for (let i = 0; i < samples; i++) {
    const band = delayBand(next(), m.delays);
    const completed = (warmDays + next() * 7) * DAY;
    const created = completed - (band.fromDays + next() * (band.toDays - band.fromDays)) * DAY;
    const end = byShare(next(), ends);
    const reviewDone =
      end.reviewDoneAfterHours === undefined || end.reviewDoneAfterHours === null
        ? undefined
        : completed + end.reviewDoneAfterHours * 3600;
    const waitingUntil =
      end.reviewDoneAfterHours === undefined ? completed : (reviewDone ?? completed + DEFAULT_WATCH.maxWatchSeconds);
    const seen = walks
      .map((walk) => passTime(walk, created))
      .filter((t): t is number => t !== undefined && t >= completed)
      .sort((a, b) => a - b);
    const lastDay = created + (m.horizonDays - 1) * DAY;
    let previous: number | undefined;
    // The memo of the attempt: made by a quiet look that read its state, standing until `memoUntil`.
    let memoFrom: number | undefined;
    let memoUntil = 0;
    for (const at of seen) {
      sightings += 1;
      const changed = reviewDone !== undefined && (previous ?? completed) < reviewDone && reviewDone <= at;
      previous = at;
      const stands =
        memoFrom !== undefined && !changed && at < memoUntil && Math.floor(memoFrom / life) === Math.floor(at / life);
      if (stands) continue;
      reads += 1;
      // A look that acts (the first after the completion, the first after the review) is not remembered.
      if (at === seen[0] || changed) {
        memoFrom = undefined;
        continue;
      }
      memoFrom = at;
      memoUntil = Math.min(at + (at < waitingUntil ? waitingValidity : otherValidity), lastDay);
    }
  }
  return {
    /** Of the looks at completed attempts, the share that read a state. */
    readShare: Math.round((reads / Math.max(1, sightings)) * 1000) / 1000,
    looksPerAttempt: Math.round((sightings / samples) * 10) / 10,
    readsPerAttempt: Math.round((reads / samples) * 10) / 10,
  };
};
