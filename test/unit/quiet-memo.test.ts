import { describe, expect, it } from '@jest/globals';
import type { ListedAttempt } from '#lib/domain/assignment-walk.js';
import { DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { lookAgainBy, MAX_MEMO_AGE_MS, MAX_SLOTS, quietMemo, rememberable } from '#lib/domain/quiet-memo.js';

const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

const listed = (
  id: string,
  over: Partial<ListedAttempt['attempt']> = {},
  listedUntil = '2026-12-01T09:00:00.000Z',
) => ({
  attempt: {
    id,
    scoringCompleted: true,
    pendingReviewCount: 1,
    assessment: { name: 'Typing' },
    reviewItems: [],
    ...over,
  },
  assignmentId: `asg-${id}`,
  listedUntil,
});

describe('the quiet looks a sweep container remembers', () => {
  it('stands for the look until its next look is due, and no longer', () => {
    const memo = quietMemo();
    memo.remember(listed('att-1'), T0, at(HOUR).toISOString());
    expect(memo.recall(listed('att-1'), at(HOUR - 1))).toEqual({ nextLookAt: at(HOUR).toISOString() });
    expect(memo.recall(listed('att-1'), at(HOUR))).toBeUndefined();
    // Nothing due at all: it stands while the attempt is listed the same way (up to the age limit).
    memo.remember(listed('att-2'), T0, undefined);
    expect(memo.recall(listed('att-2'), at(23 * HOUR))).toEqual({});
  });

  it('does not stand for an attempt listed in any other way', () => {
    const memo = quietMemo();
    memo.remember(listed('att-1'), T0, undefined);
    expect(memo.recall(listed('att-1', { pendingReviewCount: 0 }), at(1))).toBeUndefined();
    expect(memo.recall(listed('att-1', { candidate: { name: 'Renamed' } }), at(1))).toBeUndefined();
    expect(memo.recall(listed('att-1', {}, '2026-12-02T09:00:00.000Z'), at(1))).toBeUndefined();
    expect(memo.recall(listed('att-9'), at(1))).toBeUndefined();
    // The newest look is what it remembers.
    memo.remember(listed('att-1', { pendingReviewCount: 0 }), at(2), undefined);
    expect(memo.recall(listed('att-1'), at(3))).toBeUndefined();
    expect(memo.recall(listed('att-1', { pendingReviewCount: 0 }), at(3))).toEqual({});
  });

  it('is read again after a day, whatever it says, and not before it was made (a clock set back)', () => {
    const memo = quietMemo();
    memo.remember(listed('att-1'), T0, undefined);
    expect(memo.recall(listed('att-1'), at(MAX_MEMO_AGE_MS - 1))).toEqual({});
    expect(memo.recall(listed('att-1'), at(MAX_MEMO_AGE_MS))).toBeUndefined();
    expect(memo.recall(listed('att-1'), at(-1))).toBeUndefined();
  });

  it('remembers nothing of a look whose next time cannot be read', () => {
    const memo = quietMemo();
    memo.remember(listed('att-1'), T0, 'not a time');
    expect(memo.recall(listed('att-1'), at(1))).toBeUndefined();
  });

  it('grows with a walk of many attempts and keeps them', () => {
    const memo = quietMemo();
    const many = Array.from({ length: 50_000 }, (_, i) => listed(`att-${i}`));
    for (const one of many) memo.remember(one, T0, undefined);
    // All but a handful: two ids with one 32-bit hash share a slot (each then read again).
    expect(many.filter((one) => memo.recall(one, at(1)) === undefined).length).toBeLessThanOrEqual(5);
    // What it says of each is its own: none stands for another attempt.
    for (const one of many.slice(0, 2_000))
      expect(memo.recall({ ...one, attempt: { ...one.attempt, pendingReviewCount: 2 } }, at(1))).toBeUndefined();
  });

  it('is bounded whatever IA lists: past its size the oldest memos give way', () => {
    const memo = quietMemo();
    const count = MAX_SLOTS + 100_000;
    const one = (i: number) => listed(`att-${i}`);
    for (let i = 0; i < count; i++) memo.remember(one(i), at(i * 100), undefined);
    const now = at(count * 100);
    const kept = (from: number, to: number) => {
      let n = 0;
      for (let i = from; i < to; i++) if (memo.recall(one(i), now)) n += 1;
      return n;
    };
    // The newest are held; of the oldest, most gave way (and are read again).
    expect(kept(count - 20_000, count)).toBeGreaterThan(19_000);
    expect(kept(0, 20_000)).toBeLessThan(10_000);
  });
  it('forgets an attempt: nothing stands for it until it is remembered again', () => {
    const memo = quietMemo();
    memo.remember(listed('att-1'), T0, undefined);
    memo.remember(listed('att-2'), T0, undefined);
    memo.forget(listed('att-1'));
    expect(memo.recall(listed('att-1'), at(1))).toBeUndefined();
    expect(memo.recall(listed('att-2'), at(1))).toEqual({});
    memo.remember(listed('att-1'), at(2), undefined);
    expect(memo.recall(listed('att-1'), at(3))).toEqual({});
  });
});

describe('what a quiet look may leave to the memo', () => {
  it('is looked at again by its next look, and a day before it leaves the list at the latest', () => {
    const leaves = '2026-12-01T09:00:00.000Z';
    const lastDay = '2026-11-30T09:00:00.000Z';
    expect(lookAgainBy(listed('att-1', {}, leaves), '2026-11-03T09:00:00.000Z')).toBe('2026-11-03T09:00:00.000Z');
    // The look of that last day schedules the re-checks that watch it once the walk no longer reaches it.
    expect(lookAgainBy(listed('att-1', {}, leaves), '2026-11-30T10:00:00.000Z')).toBe(lastDay);
    expect(lookAgainBy(listed('att-1', {}, leaves), undefined)).toBe(lastDay);
  });

  it('is not a claimed attempt whose escalation may still go out: its release changes no listing', () => {
    const watch = { ...DEFAULT_WATCH, escalateAfterSeconds: 30 * 3600 };
    const claimed = {
      attemptId: 'att-1',
      firstSeenAt: T0.toISOString(),
      lastCheckedAt: T0.toISOString(),
      lastDecision: 'review.needed' as const,
      rechecks: 0,
      remindersSent: 0,
      snapshot: listed('att-1').attempt,
      version: 1,
      reviewNeededAt: T0.toISOString(),
      claim: { by: 'Ada', at: T0.toISOString(), via: 'email' as const },
    };
    expect(rememberable(claimed, watch)).toBe(false);
    expect(rememberable({ ...claimed, escalatedAt: T0.toISOString() }, watch)).toBe(true);
    expect(rememberable(claimed, DEFAULT_WATCH)).toBe(true);
    const { claim: _claim, ...unclaimed } = claimed;
    expect(rememberable(unclaimed, watch)).toBe(true);
    expect(rememberable(undefined, watch)).toBe(true);
  });
});
