/** The watch lifecycle: every path of the state machine, then properties over random histories. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Attempt } from '#lib/domain/attempt.js';
import {
  type AttemptState,
  alertsDueByTime,
  DEFAULT_WATCH,
  interruptedAlerts,
  nextStep,
  type Observation,
} from '#lib/domain/lifecycle.js';

const T0 = Date.parse('2026-11-25T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000);
const attempt = (pendingReviewCount: number, scoringCompleted: boolean): Attempt => ({
  id: 'a1',
  scoringCompleted,
  pendingReviewCount,
  assessment: { id: 'asm', name: 'Assessment' },
  reviewItems: [],
});
const seen = (pending: number, completed: boolean, etag = '"e1"'): Observation => ({
  attempt: attempt(pending, completed),
  etag,
});

/** Runs observations in order, each at its hour, carrying the state like the store would. */
const run = (steps: Array<[number, Observation]>, settings = DEFAULT_WATCH) => {
  let state: AttemptState | undefined;
  return steps.map(([hour, observation]) => {
    const step = nextStep(state, observation, at(hour), settings);
    state = { ...step.state, version: step.state.version + 1 };
    return step;
  });
};

describe('lifecycle', () => {
  it('alerts review.needed once, reminds after the SLA, then completes', () => {
    const steps = run([
      [0, seen(2, false)],
      [1, 'not-modified'],
      [25, 'not-modified'],
      [26, 'not-modified'],
      [49, seen(1, false, '"e2"')],
      [50, seen(0, true, '"e3"')],
    ]);
    expect(steps.map((s) => s.alerts)).toEqual([
      [{ eventType: 'review.needed' }],
      [],
      [{ eventType: 'review.overdue', reminder: 1, waitedHours: 25 }],
      [],
      [{ eventType: 'review.overdue', reminder: 2, waitedHours: 49 }],
      [{ eventType: 'review.completed' }],
    ]);
    expect(steps.map((s) => s.recheckInSeconds)).toEqual([3600, 3600, 3600, 3600, 3600, undefined]);
    expect(steps.at(-1)?.state.closedAt).toBe(at(50).toISOString());
  });

  it('looks again when the next reminder is due, not up to a watch interval later', () => {
    const steps = run([
      [0, seen(1, false)],
      [23.5, 'not-modified'],
      [24, 'not-modified'],
    ]);
    expect(steps.map((s) => s.recheckInSeconds)).toEqual([3600, 1800, 3600]);
    expect(steps[2]?.alerts).toEqual([{ eventType: 'review.overdue', reminder: 1, waitedHours: 24 }]);
  });

  it('stops reminding after maxReminders, then watches for completion slower and slower, a day at most', () => {
    const steps = run([
      [0, seen(1, false)],
      ...[24, 48, 72, 96, 120].map((h) => [h, 'not-modified'] as [number, Observation]),
    ]);
    expect(steps.flatMap((s) => s.alerts).filter((a) => a.eventType === 'review.overdue')).toHaveLength(3);
    // Hourly while a reminder may still be due; after the third, a quarter of the time waited, ≤ 24 h.
    expect(steps.map((s) => s.recheckInSeconds)).toEqual([3600, 3600, 3600, 18 * 3600, 24 * 3600, 24 * 3600]);
    const completed = run([
      [0, seen(1, false)],
      [24, seen(1, false)],
      [48, seen(1, false)],
      [72, seen(1, false)],
      [90, seen(0, true, '"e9"')],
    ]);
    expect(completed.at(-1)?.alerts).toEqual([{ eventType: 'review.completed' }]);
  });

  it('re-checks pending scoring with growing delays, then reports it stalled once', () => {
    const steps = run([
      [0, seen(0, false)],
      [0.1, 'not-modified'],
      [0.2, 'not-modified'],
      [24, 'not-modified'],
      [25, 'not-modified'],
    ]);
    // After the stall report only the close is left to see: a quarter of the time waited.
    expect(steps.map((s) => s.recheckInSeconds)).toEqual([60, 120, 240, 6 * 3600, 6.25 * 3600]);
    expect(steps.flatMap((s) => s.alerts)).toEqual([{ eventType: 'scoring.stalled', waitedHours: 24 }]);
  });

  it('caps a re-check hop at the configured maximum', () => {
    const many = run(Array.from({ length: 12 }, (_, i) => [i * 0.01, seen(0, false)] as [number, Observation]));
    expect(Math.max(...many.map((s) => s.recheckInSeconds ?? 0))).toBe(900);
  });

  it('records attempt.scored and closes when nothing was ever pending', () => {
    const [first] = run([[0, seen(0, true)]]);
    expect(first?.alerts).toEqual([{ eventType: 'attempt.scored' }]);
    expect(first?.recheckInSeconds).toBeUndefined();
  });

  it('keeps the clock of the first check whatever comes later', () => {
    const steps = run([
      [0, seen(0, false)],
      [23, seen(0, false)],
      [24, seen(0, false)],
    ]);
    expect(steps[2]?.state.firstSeenAt).toBe(at(0).toISOString());
    expect(steps[2]?.alerts).toEqual([{ eventType: 'scoring.stalled', waitedHours: 24 }]);
    // The stall report is recorded; it is not one of the quick re-checks while scoring runs.
    expect(steps[2]?.state.stalledAt).toBe(at(24).toISOString());
    expect(steps[2]?.state.rechecks).toBe(steps[1]?.state.rechecks);
  });

  it('records a reminder and an escalation each as itself, never as a stall report', () => {
    const steps = run(
      [
        [0, seen(1, true)],
        [30, seen(1, true)],
      ],
      { ...DEFAULT_WATCH, escalateAfterSeconds: 30 * 3600 },
    );
    expect(steps[1]?.alerts.map((a) => a.eventType)).toEqual(['review.overdue', 'review.escalated']);
    expect(steps[1]?.state).toMatchObject({ remindersSent: 1, escalatedAt: at(30).toISOString() });
    expect(steps[1]?.state.stalledAt).toBeUndefined();
  });

  it('owes nothing by time once closed, even when IA shows reviews pending again', () => {
    const steps = run([
      [0, seen(1, true)],
      [2, seen(0, true)],
      [3, seen(1, true)],
    ]);
    const reopened = { ...(steps[2]?.state as AttemptState), version: 3 };
    expect(reopened).toMatchObject({ lastDecision: 'review.needed', closedAt: at(2).toISOString() });
    expect(alertsDueByTime(reopened, at(100), DEFAULT_WATCH)).toEqual([]);
  });

  it('ends the watch after maxWatchSeconds', () => {
    const steps = run([
      [0, seen(1, false)],
      [14 * 24, 'not-modified'],
    ]);
    expect(steps[1]?.outcome).toBe('watch-ended');
    expect(steps[1]?.recheckInSeconds).toBeUndefined();
  });

  const ESCALATING = { ...DEFAULT_WATCH, escalateAfterSeconds: 30 * 3600 };

  it('escalates once when the review still waits escalateAfter after review.needed, and looks again when it is due', () => {
    const steps = run(
      [
        [0, seen(2, false)],
        [25, 'not-modified'],
        [29.5, 'not-modified'],
        [30, 'not-modified'],
        [31, 'not-modified'],
        [48, 'not-modified'],
        [60, seen(0, true, '"e2"')],
      ],
      ESCALATING,
    );
    expect(steps.map((s) => s.alerts)).toEqual([
      [{ eventType: 'review.needed' }],
      [{ eventType: 'review.overdue', reminder: 1, waitedHours: 25 }],
      [],
      [{ eventType: 'review.escalated', waitedHours: 30 }],
      [],
      [{ eventType: 'review.overdue', reminder: 2, waitedHours: 48 }],
      [{ eventType: 'review.completed' }],
    ]);
    expect(steps[2]?.recheckInSeconds).toBe(1800);
    expect(steps[3]?.state.escalatedAt).toBe(at(30).toISOString());
    expect(steps[5]?.state.escalatedAt).toBe(at(30).toISOString());
  });

  it('keeps the watch cadence for a pending escalation once every reminder is out', () => {
    const steps = run(
      [
        [0, seen(1, false)],
        [24, 'not-modified'],
        [29, 'not-modified'],
      ],
      { ...ESCALATING, maxReminders: 1 },
    );
    expect(steps[1]?.recheckInSeconds).toBe(3600);
    expect(steps.map((s) => s.alerts.map((a) => a.eventType))).toEqual([['review.needed'], ['review.overdue'], []]);
    expect(steps[2]?.recheckInSeconds).toBe(3600);
  });

  it('never escalates when escalation is off, or what never waited for a review', () => {
    const off = run([
      [0, seen(1, false)],
      [100, 'not-modified'],
    ]);
    expect(off.flatMap((s) => s.alerts).map((a) => a.eventType)).not.toContain('review.escalated');
    const scoring = run(
      [
        [0, seen(0, false)],
        [40, 'not-modified'],
      ],
      ESCALATING,
    );
    expect(scoring.flatMap((s) => s.alerts).map((a) => a.eventType)).toEqual(['scoring.stalled']);
  });

  it('property: each alert type at most once (reminders numbered and bounded), closed stays closed', () => {
    const observation = fc.oneof(
      fc.constant<Observation>('not-modified'),
      fc
        .record({ pending: fc.nat(3), completed: fc.boolean() })
        .map(({ pending, completed }) => seen(pending, completed)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), observation), { minLength: 1, maxLength: 30 }),
        (raw) => {
          const history = [...raw].sort((a, b) => a[0] - b[0]);
          if (history[0]?.[1] === 'not-modified') history[0] = [history[0][0], seen(1, false)];
          const steps = run(history, ESCALATING);
          const alerts = steps.flatMap((s) => s.alerts);
          const escalatedAt = alerts.findIndex((a) => a.eventType === 'review.escalated');
          if (escalatedAt >= 0)
            expect(alerts.findIndex((a) => a.eventType === 'review.needed')).toBeLessThan(escalatedAt);
          const keys = alerts.map((a) => `${a.eventType}:${a.reminder ?? ''}`);
          expect(new Set(keys).size).toBe(keys.length);
          expect(alerts.filter((a) => a.eventType === 'review.overdue').length).toBeLessThanOrEqual(
            DEFAULT_WATCH.maxReminders,
          );
          const closedAt = steps.findIndex((s) => s.outcome === 'closed');
          if (closedAt >= 0) for (const later of steps.slice(closedAt + 1)) expect(later.alerts).toEqual([]);
          for (const s of steps) if (s.recheckInSeconds !== undefined) expect(s.recheckInSeconds).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('the awaiting-review index', () => {
  const awaiting = (steps: ReturnType<typeof run>) => steps.map((s) => s.state.awaitingSince ?? null);

  it('holds an attempt from review.needed through its reminders, and drops it when the reviews are done', () => {
    const steps = run([
      [0, seen(2, false)],
      [1, 'not-modified'],
      [25, 'not-modified'],
      [30, seen(0, true, '"e2"')],
    ]);
    expect(awaiting(steps)).toEqual([at(0).toISOString(), at(0).toISOString(), at(0).toISOString(), null]);
    expect(steps[0]?.state.awaiting).toBe('review');
    expect(steps[3]?.state.awaiting).toBeUndefined();
  });

  it('drops it when nothing is pending any more though scoring still runs, and when the watch ends', () => {
    expect(
      awaiting(
        run([
          [0, seen(1, false)],
          [5, seen(0, false, '"e2"')],
        ]),
      ),
    ).toEqual([at(0).toISOString(), null]);
    expect(
      awaiting(
        run([
          [0, seen(1, false)],
          [14 * 24, 'not-modified'],
        ]),
      ),
    ).toEqual([at(0).toISOString(), null]);
  });

  it('never holds what was never waiting on a human', () => {
    expect(awaiting(run([[0, seen(0, true)]]))).toEqual([null]);
    expect(
      awaiting(
        run([
          [0, seen(0, false)],
          [24, seen(0, false)],
        ]),
      ),
    ).toEqual([null, null]);
  });

  it('property: in the index exactly while a review is outstanding and the attempt is watched', () => {
    const observation = fc.oneof(
      fc.constant<Observation>('not-modified'),
      fc
        .record({ pending: fc.nat(2), completed: fc.boolean() })
        .map(({ pending, completed }) => seen(pending, completed)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 400, noNaN: true }), observation), { minLength: 1, maxLength: 20 }),
        (raw) => {
          const history = [...raw].sort((a, b) => a[0] - b[0]);
          if (history[0]?.[1] === 'not-modified') history[0] = [history[0][0], seen(1, false)];
          for (const s of run(history)) {
            const outstanding =
              s.state.lastDecision === 'review.needed' && !s.state.closedAt && s.outcome !== 'watch-ended';
            expect(s.state.awaitingSince).toBe(outstanding ? s.state.reviewNeededAt : undefined);
          }
        },
      ),
    );
  });
});

describe('what a step keeps', () => {
  it('the ETag of the last answer: a new one replaces it, a 304 keeps it, none leaves it out', () => {
    const [first, notModified, fresh] = run([
      [0, seen(2, false, '"e1"')],
      [1, 'not-modified'],
      [2, seen(2, false, '"e2"')],
    ]);
    expect([first?.state.etag, notModified?.state.etag, fresh?.state.etag]).toEqual(['"e1"', '"e1"', '"e2"']);
    const untagged = nextStep(undefined, { attempt: attempt(2, false) }, at(0), DEFAULT_WATCH);
    expect('etag' in untagged.state).toBe(false);
  });

  it('how long the list shows the attempt: from the look that says so, else from before', () => {
    const listed = { attempt: attempt(2, false), listedUntil: at(720).toISOString() };
    const first = nextStep(undefined, listed, at(0), DEFAULT_WATCH);
    expect(first.state.listedUntil).toBe(at(720).toISOString());
    const later = nextStep({ ...first.state, version: 1 }, seen(2, false), at(1), DEFAULT_WATCH);
    expect(later.state.listedUntil).toBe(at(720).toISOString());
    const unlisted = nextStep(undefined, seen(2, false), at(0), DEFAULT_WATCH);
    expect('listedUntil' in unlisted.state).toBe(false);
  });

  it('refuses a 304 with nothing to stand for', () => {
    expect(() => nextStep(undefined, 'not-modified', at(0), DEFAULT_WATCH)).toThrow(
      new TypeError('a 304 needs a previous state'),
    );
  });

  it('a closed attempt stays closed, with nothing to send and no next look', () => {
    const [, , again] = run([
      [0, seen(0, true)],
      [1, seen(0, true)],
      [2, seen(2, false)],
    ]);
    expect(again).toMatchObject({ alerts: [], outcome: 'closed', state: { closedAt: at(0).toISOString() } });
  });

  it('escalates the moment escalateAfter has passed, and looks again by then when it has not', () => {
    const settings = { ...DEFAULT_WATCH, escalateAfterSeconds: 7200 };
    const [needed, before, exactly] = run(
      [
        [0, seen(2, false)],
        [1, seen(2, false)],
        [2, seen(2, false)],
      ],
      settings,
    );
    expect(needed?.recheckInSeconds).toBe(3600);
    expect(before?.recheckInSeconds).toBe(3600);
    expect(exactly?.alerts.map((a) => a.eventType)).toEqual(['review.escalated']);
    // Escalated: the next look is for the next reminder (a day after review.needed), at most a watch interval on.
    expect(exactly?.recheckInSeconds).toBe(3600);
  });
});

describe('the next look once the reviews are done but scoring is not', () => {
  it('is a watch interval on, whatever reminders or stalls came before: review.completed is due when scoring ends', () => {
    // Reviews done half an hour before the first reminder would have been due.
    const beforeReminder = run([
      [0, seen(1, false)],
      [23.5, seen(0, false)],
    ]);
    expect(beforeReminder[1]?.recheckInSeconds).toBe(3600);
    // After every reminder went out.
    const afterReminders = run([
      [0, seen(1, false)],
      [24, seen(1, false)],
      [48, seen(1, false)],
      [72, seen(1, false)],
      [73, seen(0, false)],
    ]);
    expect(afterReminders.flatMap((s) => s.alerts.map((a) => a.eventType))).toEqual([
      'review.needed',
      'review.overdue',
      'review.overdue',
      'review.overdue',
    ]);
    expect(afterReminders[4]?.recheckInSeconds).toBe(3600);
    // Stalled first, then reviews asked and done.
    const stalledThenReviewed = run([
      [0, seen(0, false)],
      [25, seen(0, false)],
      [26, seen(1, false)],
      [27, seen(0, false)],
    ]);
    expect(stalledThenReviewed.flatMap((s) => s.alerts.map((a) => a.eventType))).toEqual([
      'scoring.stalled',
      'review.needed',
    ]);
    expect(stalledThenReviewed[3]?.recheckInSeconds).toBe(3600);
  });
});

describe('the next look while reviews wait, at its edges', () => {
  it('catches up a reminder missed in an outage a watch interval later, not a minute: two a minute apart are noise', () => {
    // Nobody looked for two SLAs: the look at exactly 48 h sends reminder 1 alone; reminder 2 is
    // due that very second, and waits for the next look a watch interval on.
    const steps = run([
      [0, seen(1, false)],
      [48, 'not-modified'],
    ]);
    expect(steps[1]?.alerts).toEqual([{ eventType: 'review.overdue', reminder: 1, waitedHours: 48 }]);
    expect(steps[1]?.recheckInSeconds).toBe(3600);
    // Long past it, the same.
    expect(
      run([
        [0, seen(1, false)],
        [60, 'not-modified'],
      ])[1]?.recheckInSeconds,
    ).toBe(3600);
  });

  it('looks no sooner for a reminder once every reminder went out, while escalation waits', () => {
    const settings = {
      ...DEFAULT_WATCH,
      reviewSlaSeconds: 1800,
      maxReminders: 1,
      escalateAfterSeconds: 10 * 3600,
    };
    const steps = run(
      [
        [0, seen(1, false)],
        [0.5, 'not-modified'],
      ],
      settings,
    );
    expect(steps[1]?.alerts.map((a) => a.eventType)).toEqual(['review.overdue']);
    // A second reminder would be due in 30 minutes, but there is none: the next look is the watch
    // interval's (escalation is 9.5 h away).
    expect(steps[1]?.recheckInSeconds).toBe(3600);
  });

  it('with escalation off or sent, the next look is a number: the reminder or the watch interval', () => {
    const off = run([[0, seen(1, false)]]);
    expect(off[0]?.recheckInSeconds).toBe(3600);
    const settings = { ...DEFAULT_WATCH, escalateAfterSeconds: 3600 };
    const sent = run(
      [
        [0, seen(1, false)],
        [1, 'not-modified'],
        [23.5, 'not-modified'],
      ],
      settings,
    );
    expect(sent.map((s) => s.alerts.map((a) => a.eventType))).toEqual([['review.needed'], ['review.escalated'], []]);
    expect(sent.map((s) => s.recheckInSeconds)).toEqual([3600, 3600, 1800]);
  });
});

describe('what a look that died without saving may have sent, and this look will not plan again', () => {
  const settings = { ...DEFAULT_WATCH, escalateAfterSeconds: 30 * 3600 };
  const stateAfter = (steps: Array<[number, Observation]>) => {
    const all = run(steps, settings);
    const last = all.at(-1) as ReturnType<typeof nextStep>;
    return { ...last.state, version: last.state.version + 1 };
  };

  it('the next reminder and the escalation once due, when the reviews are done meanwhile', () => {
    const waiting = stateAfter([[0, seen(1, false)]]);
    expect(interruptedAlerts(waiting, 'scoring.pending', at(23), settings)).toEqual([]);
    expect(interruptedAlerts(waiting, 'scoring.pending', at(24), settings)).toEqual([
      { eventType: 'review.overdue', reminder: 1, waitedHours: 24 },
    ]);
    expect(interruptedAlerts(waiting, 'attempt.scored', at(30), settings)).toEqual([
      { eventType: 'review.overdue', reminder: 1, waitedHours: 30 },
      { eventType: 'review.escalated', waitedHours: 30 },
    ]);
    // Still waiting: this look plans them itself.
    expect(interruptedAlerts(waiting, 'review.needed', at(30), settings)).toEqual([]);
  });

  it('the last reminder too, and nothing once the reviews were done by the saved look', () => {
    const two = stateAfter([
      [0, seen(1, false)],
      [24, 'not-modified'],
      [48, 'not-modified'],
    ]);
    expect(two.remindersSent).toBe(2);
    expect(interruptedAlerts(two, 'attempt.scored', at(72), DEFAULT_WATCH)).toEqual([
      { eventType: 'review.overdue', reminder: 3, waitedHours: 72 },
    ]);
    // Saved with the reviews done, scoring still running: no reminder could have been sent since.
    const reviewed = stateAfter([
      [0, seen(1, false)],
      [1, seen(0, false)],
    ]);
    expect(interruptedAlerts(reviewed, 'attempt.scored', at(48), settings)).toEqual([]);
  });

  it('no reminder past the last, no escalation sent or off', () => {
    const reminded = stateAfter([
      [0, seen(1, false)],
      [24, 'not-modified'],
      [48, 'not-modified'],
      [72, 'not-modified'],
    ]);
    expect(reminded.remindersSent).toBe(3);
    expect(reminded.escalatedAt).toBeDefined();
    expect(interruptedAlerts(reminded, 'attempt.scored', at(100), settings)).toEqual([]);
    const off = run([[0, seen(1, false)]])[0]?.state as AttemptState;
    expect(interruptedAlerts(off, 'attempt.scored', at(30), DEFAULT_WATCH)).toEqual([
      { eventType: 'review.overdue', reminder: 1, waitedHours: 30 },
    ]);
  });

  it('the escalation, while the reviews still wait, when a claim came after it fell due; then or with IA moved on', () => {
    const waiting = stateAfter([[0, seen(1, false)]]);
    const claim = (hours: number) => ({ by: 'Grace', at: at(hours).toISOString(), via: 'slack' as const });
    const late = { ...waiting, claim: claim(31) };
    expect(interruptedAlerts(late, 'review.needed', at(32), settings)).toEqual([
      { eventType: 'review.escalated', waitedHours: 32 },
    ]);
    expect(interruptedAlerts(late, 'attempt.scored', at(32), settings)).toEqual([
      {
        eventType: 'review.overdue',
        reminder: 1,
        waitedHours: 32,
        claimedBy: 'Grace',
        claimedAt: at(31).toISOString(),
      },
      { eventType: 'review.escalated', waitedHours: 32 },
    ]);
    // Claimed at the very moment it fell due: a look then may have sent it too.
    expect(interruptedAlerts({ ...waiting, claim: claim(30) }, 'review.needed', at(32), settings)).toHaveLength(1);
    // Claimed a few minutes before: ingest records the time it took first, and writes after.
    expect(interruptedAlerts({ ...waiting, claim: claim(29.9) }, 'review.needed', at(32), settings)).toHaveLength(1);
    // Claimed well before it fell due, already sent, escalation off, or a look saved long after the
    // claim (it asked then): nothing to ask.
    expect(interruptedAlerts({ ...waiting, claim: claim(29.7) }, 'review.needed', at(32), settings)).toEqual([]);
    expect(
      interruptedAlerts({ ...late, lastCheckedAt: at(31.25).toISOString() }, 'review.needed', at(32), settings),
    ).toEqual([]);
    expect(
      interruptedAlerts({ ...late, lastCheckedAt: at(31.24).toISOString() }, 'review.needed', at(32), settings),
    ).toHaveLength(1);
    expect(
      interruptedAlerts({ ...late, escalatedAt: at(30).toISOString() }, 'review.needed', at(32), settings),
    ).toEqual([]);
    expect(interruptedAlerts(late, 'review.needed', at(32), DEFAULT_WATCH)).toEqual([]);
  });

  it('a stall report once scoring is past its deadline, when something else is decided now', () => {
    const scoring = stateAfter([[0, seen(0, false)]]);
    expect(interruptedAlerts(scoring, 'attempt.scored', at(23.9), settings)).toEqual([]);
    expect(interruptedAlerts(scoring, 'review.needed', at(24), settings)).toEqual([
      { eventType: 'scoring.stalled', waitedHours: 24 },
    ]);
    const stalled = stateAfter([
      [0, seen(0, false)],
      [24, seen(0, false)],
    ]);
    expect(interruptedAlerts(stalled, 'attempt.scored', at(30), settings)).toEqual([]);
  });

  it('nothing for a first look or a closed attempt', () => {
    expect(interruptedAlerts(undefined, 'attempt.scored', at(30), settings)).toEqual([]);
    const closed = stateAfter([
      [0, seen(1, false)],
      [1, seen(0, true)],
    ]);
    expect(interruptedAlerts(closed, 'attempt.scored', at(30), settings)).toEqual([]);
  });
});
