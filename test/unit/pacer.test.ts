import { describe, expect, it } from '@jest/globals';
import { type Clock, createPacer, createSharedPacer, type SlotStore } from '#lib/domain/pacing.js';

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

/** A shared schedule on a fake clock whose booking writes take `writeMs(n)` for the n-th write. */
const slowSchedule = (writeMs: (write: number) => number) => {
  const { clock, advance } = fakeClock();
  let stored: number | undefined;
  let writes = 0;
  const store: SlotStore = {
    read: async () => stored,
    swap: async (_key, expected, next) => {
      writes += 1;
      advance(writeMs(writes));
      if (expected !== stored) return false;
      stored = next;
      return true;
    },
  };
  const pace = createSharedPacer(store, {
    key: 'k',
    intervalMs: 1000,
    clock: { ...clock, sleep: async (ms) => void advance(ms) },
  });
  return { pace, clock, advance, writes: () => writes };
};

describe('shared pacer', () => {
  it('gives up a slot its booking reached too late and books the next: calls never start closer than the interval allows', async () => {
    // The first booking write takes 300 ms (a busy table): its slot has passed when it returns.
    const { pace, clock } = slowSchedule((write) => (write === 1 ? 300 : 0));
    const starts: number[] = [];
    await pace();
    starts.push(clock.now());
    await pace();
    starts.push(clock.now());
    // The late first slot (20 ms) went unused: the call took the next (1020), the one after 2020.
    expect(starts).toEqual([1020, 2020]);
  });

  it('books further ahead when its writes are slow, so slots are not given up one after another', async () => {
    // Every booking write takes 100 ms, five times the default lead.
    const { pace, clock, advance, writes } = slowSchedule(() => 100);
    const starts: number[] = [];
    for (let call = 0; call < 6; call++) {
      await pace();
      starts.push(clock.now());
      advance(1500); // an idle schedule each time: the case where the lead matters
    }
    const gaps = starts.slice(1).map((start, i) => start - (starts[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
    // Early on a slot or two is given up while the pacer learns; then one write per call.
    expect(writes()).toBeLessThanOrEqual(6 + 3);
  });
});
