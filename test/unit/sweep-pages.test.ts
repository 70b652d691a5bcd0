import { describe, expect, it } from '@jest/globals';
import { pacedIntervalMs, sweepPagesPerRun } from '#lib/domain/defaults.js';

describe('a sweep run’s pages', () => {
  it('are its share of the run’s paced slots', () => {
    // 265 s of slots 1,050 ms apart at 1 request/s: 252, half of them.
    expect(pacedIntervalMs(1)).toBe(1050);
    expect(sweepPagesPerRun(265, 0.5, 1)).toBe(126);
    expect(sweepPagesPerRun(265, 1, 1)).toBe(252);
    expect(sweepPagesPerRun(265, 0.5, 2)).toBe(252);
  });

  it('are at least four, however small the share: each walk resumes a page early and needs two to move', () => {
    expect(sweepPagesPerRun(265, 0.05, 0.1)).toBe(4);
    expect(sweepPagesPerRun(1, 0.05, 1)).toBe(4);
  });
});
