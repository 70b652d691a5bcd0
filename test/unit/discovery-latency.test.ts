/**
 * The sweep's twin (bench/discovery-latency.ts) walks as runSweep does: by page numbers, resuming
 * one page early, its horizon counted from the run's start. The bench holds it to the real code
 * completion by completion; these pin the two behaviours that made them differ before.
 */
import { describe, expect, it } from '@jest/globals';
import { latencyModel, passTime, simulateWalks, type Walk } from '../../bench/discovery-latency.js';

const DAY = 86_400;
const RUN = 300;
const model = latencyModel(1_000);
const { heads, fulls } = simulateWalks(model, 3);
/** The indexes of a walk's pages that begin a run (the page before came in an earlier run). */
const runStarts = (walk: Walk) =>
  walk.times.map((_t, i) => i).filter((i) => i > 1 && (walk.times[i] as number) - (walk.times[i - 1] as number) > 60);

describe('the twin of the sweep walk', () => {
  it('resumes a walk on the page it last fetched, which brings nothing new', () => {
    const walk = fulls[0] as Walk;
    const starts = runStarts(walk);
    expect(starts.length).toBeGreaterThan(1);
    for (const i of starts) expect(walk.bounds[i]).toBe(walk.bounds[i - 1]);
    // Within a run each page reaches further.
    expect(walk.bounds[(starts[0] as number) + 1]).toBeLessThan(walk.bounds[starts[0] as number] as number);
  });

  it('ends a walk at its horizon counted from the run, and looks at nothing past it', () => {
    for (const [walk, days] of [
      [fulls[0] as Walk, model.horizonDays],
      [heads[0] as Walk, model.headDays],
    ] as const) {
      const last = walk.times.at(-1) as number;
      const cut = Math.floor(last / RUN) * RUN - days * DAY;
      expect(walk.bounds.at(-1)).toBe(cut);
      expect(passTime(walk, cut - 1)).toBeUndefined();
      expect(passTime(walk, cut)).toBe(last);
    }
  });

  it('fetches as many pages a day as the real sweep at 1,000 a day (sweep-latency-real.ts)', () => {
    expect(Math.round(simulateWalks(model, 1.5).pagesPerDay)).toBe(29_328);
  });
});
