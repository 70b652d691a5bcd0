import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createPacer, intervalForShare, type Clock } from '#lib/pacer.js';
import { planRecheck, DEFAULT_RECHECK } from '#lib/recheck.js';

const fakeClock = () => {
  let now = 0;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { clock, sleeps, advance: (ms: number) => (now += ms) };
};

describe('pacer', () => {
  it('gives overlapping callers consecutive slots', async () => {
    const { clock, sleeps } = fakeClock();
    const pace = createPacer(1000, clock);
    await Promise.all([pace(), pace(), pace()]);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('does not wait when calls are already far enough apart', async () => {
    const { clock, sleeps, advance } = fakeClock();
    const pace = createPacer(500, clock);
    await pace();
    advance(800);
    await pace();
    expect(sleeps).toEqual([]);
  });

  it('splits the key rate between concurrent executions', () => {
    expect(intervalForShare(1, 2)).toBe(2000);
    expect(intervalForShare(10, 1)).toBe(100);
  });
});

describe('planRecheck', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  it('starts the clock on the first check and grows the delay', () => {
    const first = planRecheck('a1', { attemptId: 'a1' }, now, DEFAULT_RECHECK);
    expect(first).toEqual({
      kind: 'recheck',
      delaySeconds: 60,
      message: { attemptId: 'a1', firstSeenAt: now.toISOString(), rechecks: 1, source: 'recheck' },
    });
    const third = planRecheck('a1', { attemptId: 'a1', firstSeenAt: now.toISOString(), rechecks: 2 }, now, DEFAULT_RECHECK);
    expect(third).toMatchObject({ delaySeconds: 240 });
  });

  it('never delays beyond SQS limits and stalls at the deadline', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.integer({ min: 0, max: 48 * 3600 }), (rechecks, waited) => {
        const firstSeenAt = new Date(now.getTime() - waited * 1000).toISOString();
        const plan = planRecheck('a1', { attemptId: 'a1', firstSeenAt, rechecks }, now, DEFAULT_RECHECK);
        if (waited >= DEFAULT_RECHECK.deadlineSeconds) expect(plan.kind).toBe('stalled');
        else if (plan.kind === 'recheck') {
          expect(plan.delaySeconds).toBeGreaterThanOrEqual(0);
          expect(plan.delaySeconds).toBeLessThanOrEqual(900);
          expect(plan.message.firstSeenAt).toBe(firstSeenAt);
        } else throw new Error('stalled before the deadline');
      }),
    );
  });
});
