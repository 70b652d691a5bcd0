/**
 * Trigger health: whether each way completions reach us still works. The commonest failure of a
 * pipeline like this is a trigger that stops without a sound (a webhook disabled in the ATS, a
 * secret rotated on one side): the sweep then carries everything, later, and nobody is told. So
 * each trigger (a webhook source, the EventBridge trigger of an account) keeps when it last
 * delivered and how much, and the sweep counts the completions it found that the trigger should
 * have announced but did not within a grace period. A trigger that used to deliver, has been
 * quiet for `silentAfter`, while the sweep found at least `minCompletions` such completions since
 * its last event, is silent: that is what the `TriggerSilent` alarm, the digest and
 * `ia-review-alerts sources` say. Pure: the store keeps the counts (adapters/trigger-health-store.ts).
 */
import { DEFAULT_ACCOUNT } from './accounts.js';

/** A trigger as the functions know it: a webhook source by its name, or `eventbridge` (per account). */
export interface Trigger {
  name: string;
  /** Its kind: a webhook kind (`greenhouse`, …) or `eventbridge`. */
  kind: string;
  account: string;
}

export interface TriggerSettings {
  /** Quiet for this long, while the sweep finds its completions: silent. */
  silentAfterSeconds: number;
  /** That many completions found only by the sweep since the trigger's last event. */
  minCompletions: number;
  /** How long after a completion a trigger may still announce it before the sweep's find counts against it. */
  graceSeconds: number;
}

export const TRIGGER_DEFAULTS: TriggerSettings = {
  silentAfterSeconds: 6 * 3600,
  minCompletions: 3,
  graceSeconds: 3600,
};

/** What the store keeps of a trigger. */
export interface TriggerRecord {
  lastEventAt?: string;
  /** Events accepted per UTC day (`YYYY-MM-DD`), the last days only. */
  days: Record<string, number>;
  /** Completions found only by the sweep since the last event (all of them when it never delivered). */
  sweepOnly: number;
  lastSweepOnlyAt?: string;
}

export interface TriggerHealth {
  trigger: Trigger;
  status: 'ok' | 'silent' | 'never';
  lastEventAt?: string;
  /** Mean events a day over the last full `EVENT_DAYS` days. */
  eventsPerDay: number;
  sweepOnly: number;
}

/** Events a day averaged over this many days; older day counts are dropped. */
export const EVENT_DAYS = 7;

/** The state-table key of a trigger's record: `#` never occurs in an IA id. */
export const triggerKey = (trigger: Pick<Trigger, 'name'>): string => `trigger#${trigger.name}`;

/** The `source` the EventBridge trigger's input transformer writes into each check request. */
export const EVENTBRIDGE_SOURCE = 'eventbridge';

/** The EventBridge trigger of an account, as a trigger: `eventbridge`, `eventbridge-<account>` beside others. */
export const eventBridgeTrigger = (account: string): Trigger => ({
  name: account === DEFAULT_ACCOUNT ? 'eventbridge' : `eventbridge-${account}`,
  kind: 'eventbridge',
  account,
});

export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** The days a record keeps: today and the `EVENT_DAYS` before it. */
export const keptDays = (now: Date): string[] =>
  Array.from({ length: EVENT_DAYS + 1 }, (_, i) => dayOf(new Date(now.getTime() - i * 86_400_000)));

/** Whether a completion the sweep just found counts against the triggers: past the grace, never seen. */
export const countsAgainstTriggers = (
  completedAt: string | undefined,
  now: Date,
  settings: Pick<TriggerSettings, 'graceSeconds'>,
) => completedAt !== undefined && now.getTime() - Date.parse(completedAt) > settings.graceSeconds * 1000;

export const assess = (
  trigger: Trigger,
  record: TriggerRecord | undefined,
  settings: TriggerSettings,
  now: Date,
): TriggerHealth => {
  const days = record?.days ?? {};
  const full = keptDays(now).slice(1);
  const eventsPerDay = Math.round((full.reduce((sum, day) => sum + (days[day] ?? 0), 0) / EVENT_DAYS) * 10) / 10;
  const sweepOnly = record?.sweepOnly ?? 0;
  const last = record?.lastEventAt;
  const quiet = last !== undefined && now.getTime() - Date.parse(last) > settings.silentAfterSeconds * 1000;
  return {
    trigger,
    status: last === undefined ? 'never' : quiet && sweepOnly >= settings.minCompletions ? 'silent' : 'ok',
    ...(last ? { lastEventAt: last } : {}),
    eventsPerDay,
    sweepOnly,
  };
};

/** The triggers whose events name `account`'s attempts: who should have announced its completions. */
export const triggersOf = (triggers: readonly Trigger[], account: string) =>
  triggers.filter((trigger) => trigger.account === account);
