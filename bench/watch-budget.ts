/**
 * What watching costs: the lifecycle itself (functions/lib/lifecycle.ts) driven on a virtual
 * clock through typical attempt timelines. One IA call per look (a 304 counts too); between looks
 * a re-check waits in SQS, which delays a message 15 minutes at most, so a longer wait passes
 * through `check` once per 15 minutes without calling IA.
 */
import { SQS_MAX_DELAY_SECONDS } from '#lib/queues.js';
import { normaliseAttempt } from '#lib/attempt.js';
import { parseAttempt } from '#lib/attempt-schema.js';
import { nextStep, type AttemptState, type WatchSettings } from '#lib/lifecycle.js';
import { seedVariant } from '../test/support/ia-fixtures.js';

interface Timeline {
  /** Human review: pending from the first check until this many hours later (never when null). */
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

const attemptAt = (timeline: Timeline, hours: number) => {
  const reviewPending =
    timeline.reviewDoneAfterHours !== undefined && (timeline.reviewDoneAfterHours === null || hours < timeline.reviewDoneAfterHours);
  const scoringDone =
    timeline.reviewDoneAfterHours !== undefined
      ? !reviewPending
      : timeline.scoringDoneAfterMinutes !== null && hours * 60 >= (timeline.scoringDoneAfterMinutes ?? 0);
  return normaliseAttempt(
    parseAttempt(seedVariant('watched', { pending_review_count: reviewPending ? 2 : 0, scoring_completed: scoringDone })),
  );
};

export interface WatchCost {
  iaCalls: number;
  alerts: string[];
  /** Alerts after the first look (the first check's own alert is not the watch's). */
  laterAlerts: number;
  /** Deliveries of a waiting re-check before it is due. */
  queuePasses: number;
  watchedHours: number;
}

export const watchCost = (timeline: Timeline, settings: WatchSettings): WatchCost => {
  const start = Date.parse('2026-01-05T09:00:00Z');
  let elapsedSeconds = 0;
  let state: AttemptState | undefined;
  const alerts: string[] = [];
  let laterAlerts = 0;
  let queuePasses = 0;
  for (let iaCalls = 1; iaCalls < 100_000; iaCalls++) {
    const step = nextStep(state, { attempt: attemptAt(timeline, elapsedSeconds / 3600) }, new Date(start + elapsedSeconds * 1000), settings);
    alerts.push(...step.alerts.map((a) => a.eventType));
    if (iaCalls > 1) laterAlerts += step.alerts.length;
    state = step.state;
    if (step.recheckInSeconds === undefined) {
      return { iaCalls, alerts, laterAlerts, queuePasses, watchedHours: Math.round(elapsedSeconds / 3600) };
    }
    queuePasses += Math.ceil(step.recheckInSeconds / SQS_MAX_DELAY_SECONDS) - 1;
    elapsedSeconds += step.recheckInSeconds;
  }
  throw new Error('the watch never ended');
};
