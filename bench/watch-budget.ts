/**
 * What watching costs: the lifecycle itself (functions/lib/lifecycle.ts) driven on a virtual
 * clock through typical attempt timelines, with the sweep's walk of the assignment list as the
 * functions do it (needsOwnRecheck decides between a look of the attempt's own and the list's).
 *
 * The model, stated so it can be checked (`LIST_MODEL`): IA serves `per` assignments a page; the
 * horizon holds `assignmentsPerDay × horizonDays` assignments of one attempt each; a sweep run
 * every `intervalMinutes` walks for 90 % of it at `budgetShare` of the key's rate (paced 5 %
 * under it) and resumes where it stopped. The walk's IA calls are shared by every assignment on
 * the list: each attempt carries `sweep calls per day / assignments per day` of them. The sweep
 * finds an attempt half a walk after its completion on average (no event names it); its own
 * looks (a re-check: one IA call, a 304 too) happen only when the list will not look in time:
 * quick looks while scoring runs, and after the assignment leaves the horizon.
 */

import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAttempt } from '#lib/domain/attempt-schema.js';
import { SQS_MAX_DELAY_SECONDS } from '#lib/domain/check-message.js';
import { type AttemptState, needsOwnRecheck, nextStep, type WatchSettings } from '#lib/domain/lifecycle.js';
import { seedVariant } from '../local/ia-fixtures.js';

interface Timeline {
  /** Human review: pending from completion until this many hours later (never when null). */
  reviewDoneAfterHours?: number | null;
  /** Automatic scoring without review: final after this many minutes (never when null). */
  scoringDoneAfterMinutes?: number | null;
}

export const SCENARIOS: Record<string, Timeline> = {
  'scored automatically after 2 min': { scoringDoneAfterMinutes: 2 },
  'reviewed after 4 h': { reviewDoneAfterHours: 4 },
  'reviewed after 24 h': { reviewDoneAfterHours: 24 },
  'reviewed after 3 days': { reviewDoneAfterHours: 72 },
  'never reviewed': { reviewDoneAfterHours: null },
  'scoring never finishes': { scoringDoneAfterMinutes: null },
};

export const LIST_MODEL = {
  per: 100,
  horizonDays: 30,
  intervalMinutes: 5,
  budgetShare: 0.5,
  assignmentsPerDay: 10_000,
  ratePerSecond: 1,
};
export type ListModel = typeof LIST_MODEL;

/** What the sweep spends and how long a walk of the horizon takes, at the model's volume. */
export const sweepLoad = (m: ListModel) => {
  const pages = Math.ceil((m.assignmentsPerDay * m.horizonDays) / m.per);
  const runSeconds = Math.floor(m.intervalMinutes * 60 * 0.9) - 5;
  const callsPerRun = Math.floor((runSeconds * m.ratePerSecond * m.budgetShare) / 1.05);
  const runsPerWalk = Math.max(1, Math.ceil(pages / callsPerRun));
  const runsPerDay = 1440 / m.intervalMinutes;
  const callsPerDay = Math.round(runsPerDay * Math.min(pages, callsPerRun));
  return {
    pagesInHorizon: pages,
    callsPerRun,
    walkMinutes: runsPerWalk * m.intervalMinutes,
    sweepCallsPerDay: callsPerDay,
    sweepCallsPerAttempt: Math.round((callsPerDay / m.assignmentsPerDay) * 100) / 100,
  };
};

const attemptAt = (timeline: Timeline, hours: number) => {
  const reviewPending =
    timeline.reviewDoneAfterHours !== undefined &&
    (timeline.reviewDoneAfterHours === null || hours < timeline.reviewDoneAfterHours);
  const scoringDone =
    timeline.reviewDoneAfterHours !== undefined
      ? !reviewPending
      : timeline.scoringDoneAfterMinutes !== null && hours * 60 >= (timeline.scoringDoneAfterMinutes ?? 0);
  return normaliseAttempt(
    parseAttempt(
      seedVariant('watched', { pending_review_count: reviewPending ? 2 : 0, scoring_completed: scoringDone }),
    ),
  );
};

export interface WatchCost {
  /** Own looks plus the attempt's share of the walk. */
  iaCalls: number;
  ownLooks: number;
  listLooks: number;
  alerts: string[];
  /** Alerts after the first look. */
  laterAlerts: number;
  /** Deliveries of a waiting re-check before it is due. */
  queuePasses: number;
  watchedHours: number;
  attemptsPerDayAtOneRps: number;
}

export const watchCost = (timeline: Timeline, settings: WatchSettings, model: ListModel = LIST_MODEL): WatchCost => {
  const load = sweepLoad(model);
  const walkSeconds = load.walkMinutes * 60;
  const completedAt = Date.parse('2026-01-05T09:00:00Z');
  const listedUntil = new Date(completedAt + model.horizonDays * 86_400_000).toISOString();
  // Found by the sweep half a walk after completion, on average.
  let elapsedSeconds = walkSeconds / 2;
  let state: AttemptState | undefined;
  const alerts: string[] = [];
  let laterAlerts = 0;
  let queuePasses = 0;
  let ownLooks = 0;
  let listLooks = 1;
  for (let look = 0; look < 100_000; look++) {
    const now = new Date(completedAt + elapsedSeconds * 1000);
    const step = nextStep(state, { attempt: attemptAt(timeline, elapsedSeconds / 3600), listedUntil }, now, settings);
    alerts.push(...step.alerts.map((a) => a.eventType));
    if (look > 0) laterAlerts += step.alerts.length;
    state = step.state;
    if (step.recheckInSeconds === undefined) {
      const iaCalls = Math.round((ownLooks + load.sweepCallsPerAttempt) * 100) / 100;
      return {
        iaCalls,
        ownLooks,
        listLooks,
        alerts,
        laterAlerts,
        queuePasses,
        watchedHours: Math.round(elapsedSeconds / 3600),
        attemptsPerDayAtOneRps: Math.floor(86_400 / iaCalls),
      };
    }
    if (needsOwnRecheck(step, now, settings)) {
      ownLooks += 1;
      queuePasses += Math.ceil(step.recheckInSeconds / SQS_MAX_DELAY_SECONDS) - 1;
      elapsedSeconds += step.recheckInSeconds;
    } else {
      // The list looks at every walk, whatever the lifecycle's cadence.
      listLooks += 1;
      elapsedSeconds += walkSeconds;
    }
  }
  throw new Error('the watch never ended');
};
