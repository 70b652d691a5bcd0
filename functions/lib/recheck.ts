/**
 * When to look again at an attempt whose scoring is still running, and when to give up and
 * say so. Delays grow so a slow grader does not cost a stream of IA calls; one hop is capped by
 * SQS's 15-minute maximum message delay.
 */
import type { CheckMessage } from './check-message.js';

export interface RecheckSettings {
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** After this long without completed scoring, alert `scoring.stalled` instead of waiting on. */
  deadlineSeconds: number;
}

export const SQS_MAX_DELAY_SECONDS = 900;

export const DEFAULT_RECHECK: RecheckSettings = {
  firstDelaySeconds: 60,
  maxDelaySeconds: SQS_MAX_DELAY_SECONDS,
  deadlineSeconds: 24 * 3600,
};

export type RecheckPlan =
  | { kind: 'recheck'; delaySeconds: number; message: CheckMessage }
  | { kind: 'stalled'; waitedHours: number };

export const planRecheck = (
  attemptId: string,
  previous: CheckMessage,
  now: Date,
  settings: RecheckSettings,
): RecheckPlan => {
  const firstSeenAt = previous.firstSeenAt ?? now.toISOString();
  const waitedSeconds = (now.getTime() - Date.parse(firstSeenAt)) / 1000;
  if (waitedSeconds >= settings.deadlineSeconds) {
    return { kind: 'stalled', waitedHours: Math.floor(waitedSeconds / 3600) };
  }
  const rechecks = (previous.rechecks ?? 0) + 1;
  const growing = settings.firstDelaySeconds * 2 ** (rechecks - 1);
  const delaySeconds = Math.max(0, Math.min(growing, settings.maxDelaySeconds, SQS_MAX_DELAY_SECONDS));
  const message: CheckMessage = { attemptId, firstSeenAt, rechecks, source: previous.source ?? 'recheck' };
  return { kind: 'recheck', delaySeconds: Math.round(delaySeconds), message };
};
