/**
 * The frontier the sweep's discovery latency is measured against (bench/latency-frontier.ts): the
 * linear programme's optimum, checked against cases worked by hand and against a brute-force search
 * of the same programme.
 */
import { describe, expect, it } from '@jest/globals';
import { COMPLETION_DELAY, FRONT_LOADED_DELAY } from '../../bench/discovery-latency.js';
import {
  bestShareWithin,
  bestShareWithinAlso,
  frontierBudget,
  frontierMinutes,
  latencyFrontier,
} from '../../bench/latency-frontier.js';

const AT_10K = { assignmentsPerDay: 10_000, per: 100, horizonDays: 30, listCallsPerDay: 36_394 };

describe('the latency frontier', () => {
  it('with the budget only reading each page once a day, a completion waits uniformly up to a day', () => {
    // 3,000 pages in the horizon, 3,000 reads a day: nothing left to raise any band.
    const once = { ...AT_10K, listCallsPerDay: 3_000 };
    expect(bestShareWithin(once, 0.25)).toBeCloseTo(0.25, 9);
    expect(frontierMinutes(once, 0.5)).toBeCloseTo(720, 3);
    expect(frontierMinutes(once, 0.99)).toBeCloseTo(0.99 * 1440, 3);
  });

  it('spends what is left on the newest pages first: a worked case', () => {
    // 100 pages per day of age. Within 30 minutes (1/48 day): the first day's pages need 48 reads a
    // day each (4,700 more than once), the next four days' 400 pages as many (18,800 more): 23,500
    // of the 33,394 left. The oldest 25 days take the remaining 9,894 over 2,500 pages: 4.9576 a day.
    const days = 1 / 48;
    const oldest = COMPLETION_DELAY[2].share * days * (1 + 9_894 / 2_500);
    expect(bestShareWithin(AT_10K, days)).toBeCloseTo(0.6 + 0.3 + oldest, 9);
  });

  it("takes another completion-delay mix: a front-loaded first day's two hours are read first", () => {
    // Within 30 minutes the newest 2 hours (about 8 pages, 30 % of completions) come first, then the
    // rest of the first day, as above: the share seen is the same (every band of the first five days
    // fits in the budget either way), and the best p50 alone comes earlier.
    const frontLoaded = { ...AT_10K, delays: FRONT_LOADED_DELAY };
    expect(bestShareWithin(frontLoaded, 1 / 48)).toBeCloseTo(bestShareWithin(AT_10K, 1 / 48), 9);
    expect(frontierMinutes(frontLoaded, 0.5)).toBeLessThan(frontierMinutes(AT_10K, 0.5));
  });

  it('refuses a budget that cannot read each page once a day', () => {
    expect(() => bestShareWithin({ ...AT_10K, listCallsPerDay: 2_999 }, 0.1)).toThrow(RangeError);
  });

  it('with a floor nobody needs, the constrained optimum is the unconstrained one', () => {
    for (const days of [5 / 1440, 30 / 1440, 0.2, 2])
      expect(bestShareWithinAlso(AT_10K, days, [{ days: 29, share: 0 }])).toBeCloseTo(bestShareWithin(AT_10K, days), 9);
  });

  it('finds the optimum a brute-force search of the same programme finds, or better', () => {
    // Rates of the three bands (100, 400 and 2,500 pages) on a grid, the oldest taking what the budget leaves.
    const days = 30 / 1440;
    const floor = { days: 244 / 1440, share: 0.99 };
    const weights = COMPLETION_DELAY.map((b) => b.share);
    const share = (t: number, rates: number[]) =>
      rates.reduce((sum, r, k) => sum + (weights[k] as number) * Math.min(1, t * r), 0);
    let best = 0;
    for (let r0 = 1; r0 <= 60; r0 += 0.25)
      for (let r1 = 1; r1 <= 60; r1 += 0.25) {
        const r2 = (AT_10K.listCallsPerDay - 100 * r0 - 400 * r1) / 2_500;
        if (r2 < 1) continue;
        const rates = [r0, r1, r2];
        if (share(floor.days, rates) >= floor.share) best = Math.max(best, share(days, rates));
      }
    const exact = bestShareWithinAlso(AT_10K, days, [floor]);
    expect(exact).toBeGreaterThanOrEqual(best - 1e-9);
    expect(exact - best).toBeLessThan(0.002);
  });

  it('orders its figures: each quantile alone at least as good as one schedule keeping the p99', () => {
    const frontier = latencyFrontier(AT_10K, 244.1);
    expect(frontier.alone.p50).toBeLessThanOrEqual(frontier.sameP99.p50);
    expect(frontier.alone.p90).toBeLessThanOrEqual(frontier.sameP99.p90);
    expect(frontier.alone.p99).toBeLessThanOrEqual(frontier.sameP99.p99);
    expect(frontier.sameP99.p50).toBeLessThan(frontier.sameP99.p90);
    expect(frontier.listCallsPerAttempt).toBe(3.64);
  });

  it('prices a latency target: the fewest list reads a day that reach it', () => {
    const { listCallsPerDay: _, ...model } = AT_10K;
    const target = { p90: 15, p99: 120 };
    const reads = frontierBudget(model, target);
    const p90With = (listCallsPerDay: number) =>
      frontierMinutes({ ...model, listCallsPerDay }, 0.9, [{ days: target.p99 / 1440, share: 0.99 }]);
    expect(p90With(reads)).toBeLessThanOrEqual(15);
    expect(p90With(reads * 0.99)).toBeGreaterThan(15);
  });
});
