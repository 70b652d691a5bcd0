/** Trigger health: silent only when a trigger that delivered went quiet while the sweep kept finding its completions. */
import { describe, expect, it } from '@jest/globals';
import {
  assess,
  countsAgainstTriggers,
  eventBridgeTrigger,
  TRIGGER_DEFAULTS,
  type TriggerRecord,
  triggersOf,
} from '#lib/domain/trigger-health.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const greenhouse = { name: 'greenhouse', kind: 'greenhouse', account: 'default' };
const record = (over: Partial<TriggerRecord>): TriggerRecord => ({ days: {}, sweepOnly: 0, ...over });

describe('trigger health', () => {
  it('is silent once quiet past silentAfter while the sweep found enough completions since its last event', () => {
    const quiet = record({ lastEventAt: hoursAgo(7), sweepOnly: 3 });
    expect(assess(greenhouse, quiet, TRIGGER_DEFAULTS, NOW).status).toBe('silent');
    // Quiet, but nothing was missed (a weekend without candidates): fine.
    expect(assess(greenhouse, { ...quiet, sweepOnly: 2 }, TRIGGER_DEFAULTS, NOW).status).toBe('ok');
    // Missed completions, but it delivered lately (the sweep was only faster): fine.
    expect(assess(greenhouse, { ...quiet, lastEventAt: hoursAgo(5) }, TRIGGER_DEFAULTS, NOW).status).toBe('ok');
  });

  it('is "never" for a trigger that never delivered, however much the sweep found', () => {
    expect(assess(greenhouse, record({ sweepOnly: 40 }), TRIGGER_DEFAULTS, NOW)).toEqual({
      trigger: greenhouse,
      status: 'never',
      eventsPerDay: 0,
      sweepOnly: 40,
    });
    expect(assess(greenhouse, undefined, TRIGGER_DEFAULTS, NOW).status).toBe('never');
  });

  it('averages events a day over the seven full days before today', () => {
    const days = { '2026-12-06': 50, '2026-12-05': 10, '2026-11-29': 4, '2026-11-28': 99 };
    expect(assess(greenhouse, record({ lastEventAt: hoursAgo(1), days }), TRIGGER_DEFAULTS, NOW).eventsPerDay).toBe(2);
  });

  it('counts a completion against the triggers only after the grace period', () => {
    expect(countsAgainstTriggers(hoursAgo(0.5), NOW, TRIGGER_DEFAULTS)).toBe(false);
    expect(countsAgainstTriggers(hoursAgo(2), NOW, TRIGGER_DEFAULTS)).toBe(true);
    expect(countsAgainstTriggers(undefined, NOW, TRIGGER_DEFAULTS)).toBe(false);
  });

  it('names the EventBridge trigger per account and finds who should have announced an account', () => {
    expect(eventBridgeTrigger('default').name).toBe('eventbridge');
    const agency = eventBridgeTrigger('agency-b');
    expect(agency).toEqual({ name: 'eventbridge-agency-b', kind: 'eventbridge', account: 'agency-b' });
    expect(triggersOf([greenhouse, agency], 'agency-b')).toEqual([agency]);
  });
});
