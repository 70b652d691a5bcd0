/**
 * One look at an attempt and what follows it, with its dependencies as plain functions: which
 * alerts go out with what context, what is saved (and when nothing is), which re-check is
 * scheduled, when and under which id.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Alert } from '#lib/domain/alert.js';
import { applyObservation, type Looked, type ObservationDeps, quietLook } from '#lib/domain/apply-observation.js';
import type { Attempt, ReviewItem } from '#lib/domain/attempt.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { type AttemptState, DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { fixtureAttempt } from '../support/attempts.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR);
const attempt = (fields: Partial<Attempt> = {}): Attempt => fixtureAttempt({ scoringCompleted: true, ...fields });
const ID = attempt().id;

let saved: AttemptState[];
let alerts: Alert[];
let scheduled: Array<{ message: CheckMessage; delaySeconds: number; forRecord: string }>;
let duplicate: Set<string>;
const deps = (): ObservationDeps => ({
  states: {
    get: async () => undefined,
    put: async (state: AttemptState) => void saved.push(state),
  } as unknown as ObservationDeps['states'],
  publishOnce: async (alert) => {
    if (duplicate.has(alert.eventType)) return 'duplicate';
    alerts.push(alert);
    return 'published';
  },
  schedule: (message, delaySeconds, forRecord) => void scheduled.push({ message, delaySeconds, forRecord }),
  render: { includeCandidateEmail: false },
  watch: DEFAULT_WATCH,
});

beforeEach(() => {
  saved = [];
  alerts = [];
  scheduled = [];
  duplicate = new Set();
});

const look = (fields: Partial<Looked> = {}): Looked => ({
  attemptId: ID,
  previous: undefined,
  observed: { attempt: attempt() },
  now: NOW,
  recheckId: 'rc-new',
  forRecord: 'record-1',
  ...fields,
});

/** The state after a first look that found reviews waiting. */
const firstLook = async () => {
  await applyObservation(deps(), look({ source: 'greenhouse' }));
  const state = saved.at(-1) as AttemptState;
  saved = [];
  alerts = [];
  scheduled = [];
  return state;
};

describe('a first look', () => {
  it('leaves an attempt still being taken alone: nothing published, saved or scheduled', async () => {
    const applied = await applyObservation(
      deps(),
      look({ observed: { attempt: attempt({ completedAt: undefined }) } }),
    );
    expect(applied).toEqual({ published: [], suppressed: [], lifecycle: 'not-completed', saved: false });
    expect([saved, alerts, scheduled]).toEqual([[], [], []]);
  });

  it('publishes review.needed with the source, saves, and schedules its own re-check an hour on', async () => {
    const applied = await applyObservation(deps(), look({ source: 'greenhouse' }));
    expect(applied).toEqual({
      published: ['review.needed'],
      suppressed: [],
      lifecycle: 'alerted',
      saved: true,
      nextCheckAt: at(1).toISOString(),
      nextLookAt: at(1).toISOString(),
    });
    expect(alerts.map((a) => [a.eventType, a.source, a.reminder, a.waitedHours])).toEqual([
      ['review.needed', 'greenhouse', undefined, undefined],
    ]);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ attemptId: ID, recheckId: 'rc-new', nextCheckAt: at(1).toISOString() });
    expect(scheduled).toEqual([
      {
        message: { attemptId: ID, recheckId: 'rc-new', notBefore: at(1).toISOString(), source: 'greenhouse' },
        // SQS delays 15 minutes at most: the message waits out the rest by its notBefore.
        delaySeconds: 900,
        forRecord: 'record-1',
      },
    ]);
  });

  it('names no source when the look had none', async () => {
    await applyObservation(deps(), look());
    expect(alerts[0]?.source).toBeUndefined();
    expect(scheduled[0]?.message).toEqual({ attemptId: ID, recheckId: 'rc-new', notBefore: at(1).toISOString() });
  });

  it('counts an alert another function already sent as suppressed, and still saves', async () => {
    duplicate.add('review.needed');
    const applied = await applyObservation(deps(), look({ skipUnchanged: true }));
    expect(applied).toMatchObject({ published: [], suppressed: ['review.needed'], saved: true });
  });

  it('schedules nothing for an attempt scored with nothing to review: it is closed', async () => {
    const applied = await applyObservation(
      deps(),
      look({ observed: { attempt: attempt({ pendingReviewCount: 0, reviewItems: [] }) } }),
    );
    expect(applied).toMatchObject({ published: ['attempt.scored'], lifecycle: 'closed', saved: true });
    expect(applied.nextCheckAt).toBeUndefined();
    expect(applied.nextLookAt).toBeUndefined();
    expect(scheduled).toEqual([]);
    expect(saved[0]?.recheckId).toBeUndefined();
  });
});

describe('a later look', () => {
  it('names who claimed the reviews in a reminder, and how long they took in review.completed', async () => {
    const claim = { by: 'Ana', at: at(1).toISOString(), via: 'email' as const };
    const previous = { ...(await firstLook()), claim };
    await applyObservation(deps(), look({ previous, now: at(24), recheckId: 'rc-2' }));
    expect(alerts.map((a) => [a.eventType, a.claimedBy, a.claimedAt, a.minutesFromClaim])).toEqual([
      ['review.overdue', 'Ana', claim.at, undefined],
    ]);
    alerts = [];
    const scored = { attempt: attempt({ pendingReviewCount: 0, scoringCompleted: true }) };
    await applyObservation(deps(), look({ previous, observed: scored, now: at(3) }));
    expect(alerts.map((a) => [a.eventType, a.claimedBy, a.minutesFromClaim])).toEqual([
      ['review.completed', 'Ana', 120],
    ]);
  });

  it('sends reminder 1 a day on, with its number and the hours waited', async () => {
    const previous = await firstLook();
    await applyObservation(deps(), look({ previous, now: at(24), recheckId: 'rc-2' }));
    expect(alerts.map((a) => [a.eventType, a.reminder, a.waitedHours])).toEqual([['review.overdue', 1, 24]]);
  });

  it('saves nothing and schedules nothing when the sweep saw nothing new and a re-check is due', async () => {
    const previous = await firstLook();
    const applied = await applyObservation(
      deps(),
      look({ previous, now: new Date(NOW.getTime() + 60_000), recheckId: 'rc-sweep', skipUnchanged: true }),
    );
    expect(applied).toMatchObject({ published: [], suppressed: [], saved: false, nextCheckAt: previous.nextCheckAt });
    expect([saved, scheduled]).toEqual([[], []]);
  });

  it('saves when anything but the time of the look changed, even for the sweep', async () => {
    const previous = await firstLook();
    const applied = await applyObservation(
      deps(),
      look({
        previous,
        observed: { attempt: attempt({ pendingReviewCount: 1 }) },
        now: new Date(NOW.getTime() + 60_000),
        skipUnchanged: true,
      }),
    );
    expect(applied.saved).toBe(true);
    expect(saved[0]?.snapshot.pendingReviewCount).toBe(1);
    // The re-check already scheduled stays: no second one.
    expect(saved[0]).toMatchObject({ recheckId: 'rc-new', nextCheckAt: previous.nextCheckAt });
    expect(scheduled).toEqual([]);
  });

  it('schedules a new re-check when the one on record is already past', async () => {
    const previous = await firstLook();
    const later = at(2);
    const applied = await applyObservation(
      deps(),
      look({ previous, now: later, recheckId: 'rc-3', skipUnchanged: true }),
    );
    expect(applied.nextCheckAt).toBe(at(3).toISOString());
    expect(scheduled.map((s) => [s.message.recheckId, s.delaySeconds])).toEqual([['rc-3', 900]]);
    expect(saved[0]).toMatchObject({ recheckId: 'rc-3', nextCheckAt: at(3).toISOString() });
  });

  it('a triggered look (not the sweep) always takes the re-check over under its own id', async () => {
    const previous = await firstLook();
    await applyObservation(deps(), look({ previous, now: new Date(NOW.getTime() + 60_000), recheckId: 'rc-trigger' }));
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(['rc-trigger']);
    expect(saved[0]?.recheckId).toBe('rc-trigger');
  });

  it('delays a re-check due within 15 minutes by exactly that long', async () => {
    const pending = attempt({ scoringCompleted: false, pendingReviewCount: 0, reviewItems: [] });
    await applyObservation(deps(), look({ observed: { attempt: pending } }));
    expect(scheduled.map((s) => s.delaySeconds)).toEqual([60]);
  });

  it('replaces a re-check on record that is later than the look wants', async () => {
    const previous = { ...(await firstLook()), nextCheckAt: at(5).toISOString() };
    const pending = attempt({ scoringCompleted: false, pendingReviewCount: 0, reviewItems: [] });
    const applied = await applyObservation(
      deps(),
      look({ previous, observed: { attempt: pending }, now: at(0.5), recheckId: 'rc-sooner', skipUnchanged: true }),
    );
    expect(applied.nextCheckAt).toBe(at(1.5).toISOString());
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(['rc-sooner']);
  });
});

describe('a later look, at its edges', () => {
  /** The same object with its keys in reverse order at every depth, as a store may give it back. */
  const reversed = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reversed)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reversed(v)]),
          )
        : value;

  it('the sweep saves nothing when only the order of the stored keys differs, at any depth', async () => {
    const previous = reversed(await firstLook()) as AttemptState;
    const applied = await applyObservation(
      deps(),
      look({ previous, now: new Date(NOW.getTime() + 60_000), recheckId: 'rc-sweep', skipUnchanged: true }),
    );
    expect(applied.saved).toBe(false);
    expect(saved).toEqual([]);
  });

  it('the sweep takes a key holding undefined as absent, and saves a state that differs deep in its snapshot', async () => {
    const previous = await firstLook();
    const sweepLook = (state: AttemptState) =>
      applyObservation(
        deps(),
        look({ previous: state, now: new Date(NOW.getTime() + 60_000), recheckId: 'rc-sweep', skipUnchanged: true }),
      );
    expect((await sweepLook({ ...previous, closedAt: undefined, stalledAt: undefined })).saved).toBe(false);
    const [first, ...rest] = previous.snapshot.reviewItems;
    expect(first).toBeDefined();
    // The stored snapshot's first review item says other than IA's now: saved, with IA's.
    const behind = {
      ...previous,
      snapshot: { ...previous.snapshot, reviewItems: [{ ...(first as ReviewItem), prompt: 'before' }, ...rest] },
    };
    expect((await sweepLook(behind)).saved).toBe(true);
    // A field IA shows now that the stored snapshot lacks, or the other way round, or an item more: saved too.
    const { durationSeconds: _left, ...older } = previous.snapshot;
    expect(previous.snapshot.durationSeconds).toBeDefined();
    expect((await sweepLook({ ...previous, snapshot: older })).saved).toBe(true);
    expect((await sweepLook({ ...previous, snapshot: { ...previous.snapshot, extra: 1 } as Attempt })).saved).toBe(
      true,
    );
    const more = [...previous.snapshot.reviewItems, first as ReviewItem];
    expect((await sweepLook({ ...previous, snapshot: { ...previous.snapshot, reviewItems: more } })).saved).toBe(true);
    // Undefined inside the snapshot is absent too; the look-only fields are left out at the top only.
    // A field of another shape (a list as a map, null, a number as text): saved.
    const reshaped = (field: Record<string, unknown>) => ({
      ...previous,
      snapshot: { ...previous.snapshot, ...field } as Attempt,
    });
    const asMap = Object.fromEntries(previous.snapshot.reviewItems.map((item, i) => [String(i), item]));
    for (const field of [
      { reviewItems: asMap },
      { level: null },
      { durationSeconds: String(previous.snapshot.durationSeconds) },
    ])
      expect((await sweepLook(reshaped(field))).saved).toBe(true);
    const blank = { ...previous.snapshot, extra: undefined } as Attempt;
    expect((await sweepLook({ ...previous, snapshot: blank })).saved).toBe(false);
    expect((await sweepLook({ ...previous, snapshot: { ...previous.snapshot, version: 7 } as Attempt })).saved).toBe(
      true,
    );
  });

  it("the sweep's first look at an attempt still scoring saves it, with nothing to send", async () => {
    const pending = attempt({ scoringCompleted: false, pendingReviewCount: 0, reviewItems: [] });
    const applied = await applyObservation(
      deps(),
      look({ observed: { attempt: pending }, recheckId: 'rc-sweep', skipUnchanged: true }),
    );
    expect(applied).toMatchObject({ published: [], suppressed: [], saved: true });
    expect(saved.map((s) => s.lastDecision)).toEqual(['scoring.pending']);
  });

  it('refuses a 304 for an attempt never seen, by name', async () => {
    await expect(applyObservation(deps(), look({ observed: 'not-modified' }))).rejects.toThrow(
      'a 304 needs a previous state',
    );
  });

  it("a triggered look at a closed attempt saves the time of the look; the sweep's saves nothing", async () => {
    const observed = { attempt: attempt({ pendingReviewCount: 0, reviewItems: [] }) };
    await applyObservation(deps(), look({ observed }));
    const closed = saved.at(-1) as AttemptState;
    expect(closed.closedAt).toBe(NOW.toISOString());
    saved = [];
    const later = at(2);
    const applied = await applyObservation(deps(), look({ previous: closed, observed, now: later }));
    expect(applied.saved).toBe(true);
    expect(saved.map((s) => [s.lastCheckedAt, s.closedAt])).toEqual([[later.toISOString(), NOW.toISOString()]]);
    saved = [];
    expect(
      (await applyObservation(deps(), look({ previous: closed, observed, now: later, skipUnchanged: true }))).saved,
    ).toBe(false);
  });

  it('a triggered look saves even when nothing changed: the time of the look counts for it', async () => {
    const previous = await firstLook();
    const applied = await applyObservation(deps(), look({ previous, now: new Date(NOW.getTime() + 60_000) }));
    expect(applied.saved).toBe(true);
    expect(saved[0]?.lastCheckedAt).toBe(new Date(NOW.getTime() + 60_000).toISOString());
  });

  it('a watched attempt IA shows as not completed any more is still looked at', async () => {
    const previous = await firstLook();
    const applied = await applyObservation(
      deps(),
      look({ previous, observed: { attempt: attempt({ completedAt: undefined }) }, now: at(2) }),
    );
    expect(applied.lifecycle).not.toBe('not-completed');
    expect(applied.saved).toBe(true);
  });

  it.each([
    ['due exactly now', 0, false],
    ['due exactly when this look wants one', 1, true],
  ])('the sweep keeps the re-check on record only while it is ahead: %s', async (_, dueInHours, kept) => {
    const previous = { ...(await firstLook()), nextCheckAt: at(1 + dueInHours).toISOString() };
    await applyObservation(deps(), look({ previous, now: at(1), recheckId: 'rc-sweep', skipUnchanged: true }));
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(kept ? [] : ['rc-sweep']);
  });

  it('the sweep schedules its own when the state names no re-check', async () => {
    const { recheckId: _none, ...previous } = { ...(await firstLook()), nextCheckAt: at(1.5).toISOString() };
    await applyObservation(deps(), look({ previous, now: at(1), recheckId: 'rc-sweep', skipUnchanged: true }));
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(['rc-sweep']);
  });
});

describe('a review.needed published by a look that died before saving it', () => {
  /** The alert keys: when each alert was published, by its event type. */
  const keyed = (sent: Record<string, Date>, done = true, exact = true) => {
    const asked: string[] = [];
    const withKeys: ObservationDeps = {
      ...deps(),
      alertedAt: async (alert) => {
        asked.push(alert.eventType);
        const at = sent[alert.eventType];
        return at && { at, done, exact };
      },
    };
    return { withKeys, asked };
  };
  const scored = { attempt: attempt({ pendingReviewCount: 0, scoringCompleted: true }) };

  it('closes the attempt with review.completed, not attempt.scored, when its key says it went out', async () => {
    const { withKeys, asked } = keyed({ 'review.needed': at(-2) });
    // Never saved at all, or saved by a later look that saw the reviews already done.
    const pending = { ...(await firstLook()), reviewNeededAt: undefined, lastDecision: 'scoring.pending' as const };
    for (const previous of [undefined, pending]) {
      alerts = [];
      saved = [];
      duplicate = new Set(['review.needed']);
      const applied = await applyObservation(withKeys, look({ previous, observed: scored }));
      // The lost review.needed goes through its exactly-once publish again, first: only what it
      // had not done yet (its alert bus event) follows.
      expect([applied.suppressed, applied.published]).toEqual([['review.needed'], ['review.completed']]);
      expect(saved.at(-1)).toMatchObject({ reviewNeededAt: at(-2).toISOString(), closedAt: NOW.toISOString() });
    }
    expect(asked).toEqual(['review.needed', 'review.needed']);
  });

  it('closes with review.completed, sending nothing more, when the look that held its key died: it may have gone out', async () => {
    const { withKeys } = keyed({ 'review.needed': at(-2) }, false);
    const applied = await applyObservation(withKeys, look({ observed: scored }));
    expect(alerts.map((a) => a.eventType)).toEqual(['review.completed']);
    expect([applied.published, applied.suppressed]).toEqual([['review.completed'], []]);
    expect(saved.at(-1)).toMatchObject({ reviewNeededAt: at(-2).toISOString() });
  });

  it('closes with attempt.scored when no review.needed went out', async () => {
    const { withKeys } = keyed({});
    expect((await applyObservation(withKeys, look({ observed: scored }))).published).toEqual(['attempt.scored']);
    expect(saved.at(-1)?.reviewNeededAt).toBeUndefined();
  });

  it('asks its key only on a read of IA without a saved review.needed, not on a 304', async () => {
    const { withKeys, asked } = keyed({ 'review.needed': at(-2) });
    const waiting = await firstLook();
    // A review.needed already saved (waiting, and closing); a 304.
    await applyObservation(withKeys, look({ previous: waiting, now: at(2) }));
    await applyObservation(withKeys, look({ previous: waiting, observed: scored }));
    await applyObservation(
      withKeys,
      look({ previous: { ...waiting, reviewNeededAt: undefined }, observed: 'not-modified' }),
    );
    expect(asked).toEqual([]);
  });

  it('with the reviews still waiting, does not send it again, and times the reminders from when it went out', async () => {
    // It went out 25 hours ago; its look died before saving; the message was dead-lettered and
    // redriven now (seed 4055).
    const { withKeys, asked } = keyed({ 'review.needed': at(-25) });
    duplicate = new Set(['review.needed']);
    const applied = await applyObservation(withKeys, look({ source: 'greenhouse' }));
    expect(asked).toEqual(['review.needed']);
    // Through its exactly-once publish again (its alert bus event may be missing), then reminder 1, due an hour ago.
    expect([applied.suppressed, applied.published]).toEqual([['review.needed'], ['review.overdue']]);
    expect(alerts.map((a) => [a.eventType, a.reminder, a.waitedHours])).toEqual([['review.overdue', 1, 25]]);
    expect(saved.at(-1)).toMatchObject({ reviewNeededAt: at(-25).toISOString(), remindersSent: 1 });
  });

  it('recalls it over a state saved while scoring was pending before it went out (or at the same moment)', async () => {
    const { withKeys } = keyed({ 'review.needed': at(-2) });
    const pending = {
      ...(await firstLook()),
      firstSeenAt: at(-2).toISOString(),
      reviewNeededAt: undefined,
      lastDecision: 'scoring.pending' as const,
    };
    duplicate = new Set(['review.needed']);
    const applied = await applyObservation(withKeys, look({ previous: pending }));
    expect([applied.suppressed, applied.published]).toEqual([['review.needed'], []]);
    expect(saved.at(-1)).toMatchObject({ reviewNeededAt: at(-2).toISOString(), remindersSent: 0 });
  });

  it.each([
    ['its key does not say exactly when (written before its record held the time)', -25, false, undefined],
    ['its key is as old as a watch lasts (kept longer than its state)', -14 * 24, true, undefined],
    ['its key is older than this state', -25, true, -2],
  ])(
    'with the reviews still waiting, counts it as sent now when %s',
    async (_, sentHoursAgo, exact, firstSeenHoursAgo) => {
      const { withKeys } = keyed({ 'review.needed': at(sentHoursAgo) }, true, exact);
      const previous =
        firstSeenHoursAgo === undefined
          ? undefined
          : {
              ...(await firstLook()),
              firstSeenAt: at(firstSeenHoursAgo).toISOString(),
              reviewNeededAt: undefined,
              lastDecision: 'scoring.pending' as const,
            };
      duplicate = new Set(['review.needed']);
      const applied = await applyObservation(withKeys, look({ previous }));
      expect([applied.suppressed, applied.published]).toEqual([['review.needed'], []]);
      expect(saved.at(-1)).toMatchObject({ reviewNeededAt: NOW.toISOString(), remindersSent: 0 });
    },
  );

  it('with the reviews still waiting, sends it when its key says it may not have gone out (the look that held it died)', async () => {
    const { withKeys } = keyed({ 'review.needed': at(-25) }, false);
    const applied = await applyObservation(withKeys, look());
    expect(applied.published).toEqual(['review.needed']);
    expect(saved.at(-1)).toMatchObject({ reviewNeededAt: NOW.toISOString(), remindersSent: 0 });
  });
});

describe('a review.needed lost before a look that finds scoring still running', () => {
  const stillScoring = { attempt: attempt({ pendingReviewCount: 0, scoringCompleted: false }) };
  /** Saved while scoring ran, a day ago; a look then sent review.needed and died before saving. */
  const scoringState = async () => {
    await applyObservation(deps(), look({ observed: stillScoring, now: at(-24) }));
    const state = saved.at(-1) as AttemptState;
    saved = [];
    scheduled = [];
    return state;
  };
  const keys = (
    taken: { done: boolean; at?: Date; exact?: boolean } | undefined,
    asked: string[] = [],
  ): ObservationDeps => ({
    ...deps(),
    alertedAt: async (alert) => {
      asked.push(alert.eventType);
      return alert.eventType === 'review.needed' && taken
        ? { at: taken.at ?? at(-5), done: taken.done, exact: taken.exact ?? true }
        : undefined;
    },
  });

  it('reports nothing, records the review and finishes its publish when its key says it went out (seed 4020)', async () => {
    // Sent before the first state was saved (the look that sent it saved nothing), or after.
    for (const sentAt of [at(-25), at(-5)]) {
      const previous = await scoringState();
      duplicate = new Set(['review.needed']);
      const applied = await applyObservation(
        keys({ done: true, at: sentAt }),
        look({ previous, observed: stillScoring }),
      );
      expect([applied.suppressed, applied.published]).toEqual([['review.needed'], []]);
      expect(saved.at(-1)).toMatchObject({ reviewNeededAt: sentAt.toISOString(), lastDecision: 'scoring.pending' });
      expect(saved.at(-1)?.stalledAt).toBeUndefined();
    }
  });

  it('reports nothing when it may have gone out (its look died holding the key), sends nothing again, and records it as now', async () => {
    const previous = await scoringState();
    // A key held in progress says only when it expires: its time is reckoned, and may be far off.
    const applied = await applyObservation(
      keys({ done: false, at: at(-700), exact: false }),
      look({ previous, observed: stillScoring }),
    );
    expect([applied.published, applied.suppressed, alerts]).toEqual([[], [], []]);
    expect(saved.at(-1)).toMatchObject({ reviewNeededAt: NOW.toISOString() });
  });

  it('finishes its publish on the first saved look, which finds scoring still running (seed 4173)', async () => {
    // A sweep's first look sent it to the topic and died before the bus; by the next look the
    // reviews were done and scoring still ran: no stall due for a day, nothing to close yet.
    duplicate = new Set(['review.needed']);
    const applied = await applyObservation(keys({ done: true, at: at(-1) }), look({ observed: stillScoring }));
    expect([applied.suppressed, applied.published]).toEqual([['review.needed'], []]);
    expect(saved.at(-1)).toMatchObject({ reviewNeededAt: at(-1).toISOString(), lastDecision: 'scoring.pending' });
    // Recalled, the attempt waits to close with review.completed, asked once.
    const asked: string[] = [];
    const closing = await applyObservation(
      keys({ done: true, at: at(-1) }, asked),
      look({ previous: saved.at(-1), observed: { attempt: attempt({ pendingReviewCount: 0 }) }, now: at(1) }),
    );
    expect([asked, closing.published]).toEqual([[], ['review.completed']]);
  });

  it('leaves one that may have gone out (its key held) be, before the deadline: its holder may yet let it go', async () => {
    const previous = await scoringState();
    const applied = await applyObservation(
      keys({ done: false, at: at(-1), exact: false }),
      look({ previous, observed: stillScoring, now: at(-1) }),
    );
    expect([applied.published, applied.suppressed, alerts]).toEqual([[], [], []]);
    expect(saved.at(-1)?.reviewNeededAt).toBeUndefined();
    // A first look, no state saved yet, the same.
    await applyObservation(keys({ done: false, at: at(-1), exact: false }), look({ observed: stillScoring }));
    expect(saved.at(-1)?.reviewNeededAt).toBeUndefined();
  });

  it('reports the stall when no review.needed went out, asking on every read with none saved but not on a 304', async () => {
    const previous = await scoringState();
    const asked: string[] = [];
    await applyObservation(keys(undefined, asked), look({ previous, observed: stillScoring, now: at(-1) }));
    expect([asked, alerts]).toEqual([['review.needed'], []]);
    const applied = await applyObservation(keys(undefined, asked), look({ previous, observed: stillScoring }));
    expect(asked).toEqual(['review.needed', 'review.needed']);
    expect(applied.published).toEqual(['scoring.stalled']);
    const stalled = saved.at(-1) as AttemptState;
    await applyObservation(keys(undefined, asked), look({ previous: stalled, observed: 'not-modified', now: at(2) }));
    expect(asked).toHaveLength(2);
    await applyObservation(keys(undefined, asked), look({ previous: stalled, observed: stillScoring, now: at(3) }));
    expect(asked).toHaveLength(3);
  });
});

describe('a reminder, escalation or stall report published by a look that died before saving it', () => {
  const withKeys = (sent: string[], done = true): ObservationDeps => ({
    ...deps(),
    alertedAt: async (alert) =>
      sent.includes(`${alert.eventType}${alert.reminder ?? ''}`)
        ? { at: new Date(NOW.getTime() - HOUR), done }
        : undefined,
  });
  const scored = { attempt: attempt({ pendingReviewCount: 0, scoringCompleted: true }) };

  it('is finished first when IA moved on: its exactly-once publish again, so its alert bus event follows', async () => {
    const previous = await firstLook();
    // Reminder 1 went out at 24 h; the look died; by 25 h the reviews are done and scored.
    const applied = await applyObservation(
      withKeys(['review.overdue1']),
      look({ previous, observed: scored, now: at(25) }),
    );
    expect(alerts.map((a) => [a.eventType, a.reminder])).toEqual([
      ['review.overdue', 1],
      ['review.completed', undefined],
    ]);
    expect(applied.published).toEqual(['review.overdue', 'review.completed']);
    // A reminder so finished is no escalation.
    expect(saved.at(-1)?.escalatedAt).toBeUndefined();
  });

  it('is not sent when the look that held its key died: it may never have gone out, and is not due now', async () => {
    const previous = await firstLook();
    await applyObservation(withKeys(['review.overdue1'], false), look({ previous, observed: scored, now: at(25) }));
    expect(alerts.map((a) => a.eventType)).toEqual(['review.completed']);
  });

  it('is not sent when its key says it never went out, nor asked about while it would be planned anyway', async () => {
    const previous = await firstLook();
    await applyObservation(withKeys([]), look({ previous, observed: scored, now: at(25) }));
    expect(alerts.map((a) => a.eventType)).toEqual(['review.completed']);
    alerts = [];
    const asked: string[] = [];
    const counting: ObservationDeps = {
      ...withKeys(['review.overdue1']),
      alertedAt: async (alert) => void asked.push(alert.eventType),
    };
    await applyObservation(counting, look({ previous, now: at(25) }));
    expect(asked).toEqual([]);
    expect(alerts.map((a) => a.eventType)).toEqual(['review.overdue']);
  });
});

describe('an escalation sent by a look that died before saving it, and claimed before the next look', () => {
  const escalateAfterSeconds = 4 * 3600;
  const claimedAt = (hours: number) => ({ by: 'Grace', at: at(hours).toISOString(), via: 'email' as const });
  /** The keys: the escalation went out at 4.5 h (done) or its look died holding the key. */
  const keys = (done: boolean | undefined, asked: string[] = []): ObservationDeps => ({
    ...deps(),
    watch: { ...DEFAULT_WATCH, escalateAfterSeconds },
    alertedAt: async (alert) => {
      asked.push(alert.eventType);
      return alert.eventType === 'review.escalated' && done !== undefined
        ? { at: at(4.5), done, exact: true }
        : undefined;
    },
  });
  const waitingState = async () => {
    await applyObservation(keys(undefined), look());
    const state = saved.at(-1) as AttemptState;
    saved = [];
    alerts = [];
    scheduled = [];
    return state;
  };

  it('finishes it (its exactly-once publish again, so the alert bus hears of it) and records it, asked once', async () => {
    const previous = { ...(await waitingState()), claim: claimedAt(5) };
    const asked: string[] = [];
    const applied = await applyObservation(keys(true, asked), look({ previous, now: at(6) }));
    expect(alerts.map((a) => a.eventType)).toEqual(['review.escalated']);
    expect(applied.published).toEqual(['review.escalated']);
    expect(asked).toEqual(['review.escalated']);
    const recorded = saved.at(-1) as AttemptState;
    expect(recorded.escalatedAt).toBe(at(4.5).toISOString());
    expect(recorded.claim).toEqual(previous.claim);
    alerts = [];
    asked.length = 0;
    await applyObservation(keys(true, asked), look({ previous: recorded, now: at(7) }));
    expect([asked, alerts]).toEqual([[], []]);
  });

  it('finishes it on a 304 too: IA unchanged is the usual case', async () => {
    const previous = { ...(await waitingState()), claim: claimedAt(5) };
    await applyObservation(keys(true), look({ previous, observed: 'not-modified', now: at(6) }));
    expect(alerts.map((a) => a.eventType)).toEqual(['review.escalated']);
    expect((saved.at(-1) as AttemptState).escalatedAt).toBe(at(4.5).toISOString());
  });

  it('sends nothing and records nothing when it may not have gone out, or never did: the claim stands', async () => {
    for (const done of [false, undefined]) {
      const previous = { ...(await waitingState()), claim: claimedAt(5) };
      const asked: string[] = [];
      await applyObservation(keys(done, asked), look({ previous, now: at(6) }));
      expect([done, alerts, asked]).toEqual([done, [], ['review.escalated']]);
      expect([done, (saved.at(-1) as AttemptState).escalatedAt]).toEqual([done, undefined]);
    }
  });

  it('is asked until a look saved 15 minutes after the claim (every look that read it unclaimed has ended)', async () => {
    const claim = claimedAt(5);
    const asked: string[] = [];
    let previous: AttemptState = { ...(await waitingState()), claim };
    const sweep = { skipUnchanged: true, recheckId: 'rc-sweep' };
    // A look 10 minutes after the claim asks and saves its time, even the sweep's that changes
    // nothing else; so does one 16 minutes after; after that, nothing is asked.
    for (const minutes of [10, 16, 30]) {
      saved = [];
      await applyObservation(keys(false, asked), look({ ...sweep, previous, now: at(5 + minutes / 60) }));
      if (minutes < 30) previous = saved.at(-1) as AttemptState;
      expect([minutes, saved.length, asked.length]).toEqual([
        minutes,
        minutes < 30 ? 1 : 0,
        minutes < 30 ? (minutes === 10 ? 1 : 2) : 2,
      ]);
    }
    // A claim a few minutes before it fell due counts too: ingest records the time it took first.
    asked.length = 0;
    await applyObservation(
      keys(true, asked),
      look({ previous: { ...(await waitingState()), claim: claimedAt(3.9) }, now: at(6) }),
    );
    expect(asked).toEqual(['review.escalated']);
  });

  it('records it as sent now when its key does not say exactly when', async () => {
    const previous = { ...(await waitingState()), claim: claimedAt(5) };
    const inexact: ObservationDeps = {
      ...keys(true),
      alertedAt: async (alert) =>
        alert.eventType === 'review.escalated' ? { at: at(-1000), done: true, exact: false } : undefined,
    };
    await applyObservation(inexact, look({ previous, now: at(6) }));
    expect(alerts.map((a) => a.eventType)).toEqual(['review.escalated']);
    expect((saved.at(-1) as AttemptState).escalatedAt).toBe(at(6).toISOString());
  });

  it('is not asked about when the claim came well before it fell due, or with escalation off', async () => {
    const previous = { ...(await waitingState()), claim: claimedAt(3.7) };
    const asked: string[] = [];
    await applyObservation(keys(true, asked), look({ previous, now: at(6) }));
    expect([asked, alerts]).toEqual([[], []]);
    const late = { ...previous, claim: claimedAt(5) };
    await applyObservation(
      { ...keys(true, asked), watch: { ...DEFAULT_WATCH, escalateAfterSeconds: 0 } },
      look({ previous: late, now: at(6) }),
    );
    expect([asked, alerts]).toEqual([[], []]);
  });

  it('makes the look not quiet, so the sweep reads again and asks', async () => {
    // Its re-check still ahead: otherwise the look schedules one and is not quiet anyway.
    const waiting = { ...(await waitingState()), nextCheckAt: at(6.5).toISOString() };
    const sweep = { skipUnchanged: true, recheckId: 'rc-sweep', now: at(6) };
    expect(quietLook(keys(true), look({ ...sweep, previous: { ...waiting, claim: claimedAt(5) } })).quiet).toBe(false);
    expect(quietLook(keys(true), look({ ...sweep, previous: { ...waiting, claim: claimedAt(3) } })).quiet).toBe(true);
    // From the due time less a look's span (3.75 h) on; not once escalated, nor with escalation off.
    expect(quietLook(keys(true), look({ ...sweep, previous: { ...waiting, claim: claimedAt(3.75) } })).quiet).toBe(
      false,
    );
    const escalated = { ...waiting, escalatedAt: at(4).toISOString(), claim: claimedAt(5) };
    expect(quietLook(keys(true), look({ ...sweep, previous: escalated })).quiet).toBe(true);
    const off = { ...deps(), watch: { ...DEFAULT_WATCH, escalateAfterSeconds: 0 } };
    expect(quietLook(off, look({ ...sweep, previous: { ...waiting, claim: claimedAt(5) } })).quiet).toBe(true);
  });
});

describe('a quiet look (the sweep decides on an eventually consistent read whether to read again)', () => {
  /** Whether the look did anything at all: published, asked an alert key, saved or scheduled. */
  const acted = async (looked: Looked) => {
    const asked: string[] = [];
    const withKeys: ObservationDeps = { ...deps(), alertedAt: async (alert) => void asked.push(alert.eventType) };
    const quiet = quietLook(withKeys, looked);
    const applied = await applyObservation(withKeys, looked);
    const did = alerts.length + saved.length + scheduled.length + asked.length > 0;
    alerts = [];
    saved = [];
    scheduled = [];
    return { quiet, did, applied };
  };

  it('is quiet exactly when the look does nothing, and names the same next look', async () => {
    const stillScoring = { attempt: attempt({ pendingReviewCount: 0, scoringCompleted: false }) };
    await applyObservation(deps(), look({ observed: stillScoring, now: at(-25) }));
    await applyObservation(deps(), look({ previous: saved.at(-1), observed: stillScoring }));
    const stalled = saved.at(-1) as AttemptState;
    expect(stalled.stalledAt).toBeDefined();
    saved = [];
    alerts = [];
    scheduled = [];
    const previous = await firstLook();
    const scored = { attempt: attempt({ pendingReviewCount: 0, scoringCompleted: true }) };
    const sweep = { skipUnchanged: true, recheckId: 'rc-sweep' };
    const cases: Array<[string, Looked, boolean]> = [
      ['a first look', look(sweep), false],
      ['still being taken', look({ ...sweep, observed: { attempt: attempt({ completedAt: undefined }) } }), true],
      ['nothing new a minute on', look({ ...sweep, previous, now: new Date(NOW.getTime() + 60_000) }), true],
      ['a reminder due', look({ ...sweep, previous, now: at(24) }), false],
      ['the reviews done', look({ ...sweep, previous, observed: scored, now: at(2) }), false],
      ['a triggered look', look({ previous, now: at(2) }), false],
      ['closing with no review.needed saved: its key is asked', look({ ...sweep, observed: scored }), false],
      ['its re-check past', look({ ...sweep, previous, now: at(2) }), false],
      [
        'scoring reported stalled, no review.needed saved: its key is asked',
        look({ ...sweep, previous: stalled, observed: stillScoring, now: at(1) }),
        false,
      ],
    ];
    for (const [name, looked, quiet] of cases) {
      const { quiet: said, did, applied } = await acted(looked);
      expect([name, said.quiet, did]).toEqual([name, quiet, !quiet]);
      if (said.quiet) expect([name, said.nextLookAt]).toEqual([name, applied.nextLookAt]);
    }
  });

  it('on a state one write behind, hides nothing due now, and names no later next look, but after a release', async () => {
    const escalating: ObservationDeps = { ...deps(), watch: { ...DEFAULT_WATCH, escalateAfterSeconds: 4 * 3600 } };
    const listedUntil = at(30 * 24).toISOString();
    const sweep = (previous: AttemptState, now: Date): Looked =>
      look({
        previous,
        now,
        skipUnchanged: true,
        recheckId: 'rc-sweep',
        observed: { attempt: attempt(), listedUntil },
      });
    await applyObservation(escalating, look({ observed: { attempt: attempt(), listedUntil } }));
    const waiting = saved.at(-1) as AttemptState;
    saved = [];
    alerts = [];
    const claim = { by: 'Ana', at: at(1).toISOString(), via: 'email' as const };
    // [the write a check or ingest made a moment before the sweep's read, the look's time]
    const writes: Array<[string, AttemptState, AttemptState, Date]> = [
      ['a claim recorded', waiting, { ...waiting, claim, version: waiting.version + 1 }, at(2)],
      ['a check that changed nothing due', waiting, { ...waiting, lastCheckedAt: at(2).toISOString() }, at(2)],
    ];
    for (const [name, older, newer, now] of writes) {
      const onOlder = quietLook(escalating, sweep(older, now));
      expect([name, onOlder.quiet]).toEqual([name, true]);
      const applied = await applyObservation(escalating, sweep(newer, now));
      expect([name, applied.published]).toEqual([name, []]);
      expect(Date.parse(applied.nextLookAt as string)).toBeGreaterThanOrEqual(Date.parse(onOlder.nextLookAt as string));
    }
    // The one exception: a release past escalateAfter makes the escalation due at once, which the
    // old state (still claimed) does not show. The release sends a check of its own for it.
    const claimed = { ...waiting, claim };
    const released = { ...waiting, version: waiting.version + 1 };
    expect(quietLook(escalating, sweep(claimed, at(5))).quiet).toBe(true);
    expect((await applyObservation(escalating, sweep(released, at(5)))).published).toEqual(['review.escalated']);
  });
});
