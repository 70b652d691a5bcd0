import { describe, expect, it } from '@jest/globals';
import type { ListedAttempt } from '#lib/domain/assignment-walk.js';
import { MAX_MEMO_AGE_MS, quietMemo } from '#lib/domain/quiet-memo.js';

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

  it('holds a walk of many attempts, bounded: one that lost its slot is only read again', () => {
    const memo = quietMemo();
    const many = Array.from({ length: 50_000 }, (_, i) => listed(`att-${i}`));
    for (const one of many) memo.remember(one, T0, undefined);
    // It grows while filling, starting again empty each time: what a walk passed last is held.
    const kept = (some: typeof many) => some.filter((one) => memo.recall(one, at(1)) !== undefined).length;
    expect(kept(many.slice(-5_000))).toBeGreaterThan(4_500);
    expect(kept(many)).toBeLessThan(many.length);
    // What it says of each is its own: none stands for another attempt.
    for (const one of many.slice(0, 2_000))
      expect(memo.recall({ ...one, attempt: { ...one.attempt, pendingReviewCount: 2 } }, at(1))).toBeUndefined();
  });
});
