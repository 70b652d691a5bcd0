import { describe, expect, it } from '@jest/globals';
import { type Clock, createPacer } from '#lib/domain/pacing.js';

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
});
