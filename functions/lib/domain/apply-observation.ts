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
import { type AttemptState, needsOwnRecheck, nextStep, type Observation, type WatchSettings } from './lifecycle.js';

export interface ObservationDeps {
  states: StateStore;
  publishOnce(alert: Alert): Promise<'published' | 'duplicate'>;
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

/** The state without what changes on every look. */
const essence = (state: AttemptState | undefined) => {
  if (!state) return undefined;
  const { lastCheckedAt: _at, version: _version, ...rest } = state;
  return JSON.stringify(rest, Object.keys(rest).sort());
};

export const applyObservation = async (deps: ObservationDeps, look: Looked): Promise<Applied> => {
  const { now } = look;
  // Only a completed attempt is watched: one still being taken is nothing to decide on yet (the
  // sweep finds it once it completes), and would otherwise read as scoring that never finishes.
  if (!look.previous && look.observed !== 'not-modified' && !isCompleted(look.observed.attempt)) {
    return { published: [], suppressed: [], lifecycle: 'not-completed', saved: false };
  }
  const step = nextStep(look.previous, look.observed, now, deps.watch);
  const published: Alert['eventType'][] = [];
  const suppressed: Alert['eventType'][] = [];
  for (const planned of step.alerts) {
    const alert = buildAlert(planned.eventType, step.state.snapshot, {
      now,
      settings: deps.render,
      ...(look.source ? { source: look.source } : {}),
      ...(planned.reminder === undefined ? {} : { reminder: planned.reminder }),
      ...(planned.waitedHours === undefined ? {} : { waitedHours: planned.waitedHours }),
    });
    ((await deps.publishOnce(alert)) === 'published' ? published : suppressed).push(planned.eventType);
  }
  const ownRecheck = needsOwnRecheck(step, now, deps.watch);
  const { recheckId: previousId, nextCheckAt: previousAt, ...rest } = step.state;
  // A re-check already scheduled for this look stays; otherwise one is scheduled under our id.
  const keep =
    ownRecheck &&
    look.skipUnchanged &&
    previousId !== undefined &&
    previousAt !== undefined &&
    Date.parse(previousAt) > now.getTime();
  const nextCheckAt = !ownRecheck
    ? undefined
    : keep
      ? previousAt
      : new Date(now.getTime() + (step.recheckInSeconds as number) * 1000).toISOString();
  const recheckId = keep ? previousId : look.recheckId;
  const next: AttemptState = nextCheckAt ? { ...rest, recheckId, nextCheckAt } : rest;
  const saved = !(
    look.skipUnchanged &&
    published.length === 0 &&
    suppressed.length === 0 &&
    essence(look.previous) === essence(next)
  );
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
  const nextLookAt =
    step.recheckInSeconds === undefined
      ? undefined
      : new Date(now.getTime() + step.recheckInSeconds * 1000).toISOString();
  return {
    published,
    suppressed,
    lifecycle: step.outcome,
    saved,
    ...(nextCheckAt ? { nextCheckAt } : {}),
    ...(nextLookAt ? { nextLookAt } : {}),
  };
};
