import { describe, expect, it } from '@jest/globals';
import { RateLimitedError } from '#lib/domain/errors.js';
import { type Clock, createPacer, createSharedPacer, keyPacer, type SlotStore } from '#lib/domain/pacing.js';

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
const slowSchedule = (writeMs: (write: number) => number, options: { maxWaitMs?: number } = {}) => {
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
    ...options,
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

  it('does not latch after one slow write: the lead is not a backlog, and what it learnt fades', async () => {
    // The sweep's limit (two slots and a bit); one booking write takes 3.7 s, the rest 10 ms.
    const { pace, advance } = slowSchedule((write) => (write === 2 ? 3_700 : 10), { maxWaitMs: 2_050 });
    await pace();
    advance(5_000);
    await pace(); // the slow one
    const refused: unknown[] = [];
    for (let run = 0; run < 10; run++) {
      advance(300_000); // the next sweep run, in the same warm container
      await pace().catch((error: unknown) => refused.push(error));
    }
    expect(refused).toEqual([]);
  });

  it('still refuses a real backlog: booked further ahead by others than it may wait', async () => {
    const { clock } = fakeClock();
    const store: SlotStore = { read: async () => clock.now() + 5_000, swap: async () => true };
    const pace = createSharedPacer(store, { key: 'k', intervalMs: 1000, maxWaitMs: 2_050, clock });
    await expect(pace()).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('gives up a slot its timer woke too late for: two executions never start closer than the limit', async () => {
    // One schedule, two executions; the first's first timer fires 60 ms late (a busy event loop).
    const { clock, advance } = fakeClock();
    let stored: number | undefined;
    const store: SlotStore = {
      read: async () => stored,
      swap: async (_key, expected, next) => {
        if (expected !== stored) return false;
        stored = next;
        return true;
      },
    };
    const starts: number[] = [];
    const execution = (lateBy: number) => {
      let sleeps = 0;
      const pace = createSharedPacer(store, {
        key: 'k',
        intervalMs: 1050,
        // Late now and then: its first timer.
        clock: { now: clock.now, sleep: async (ms) => void advance(ms + (sleeps++ === 0 ? lateBy : 0)) },
      });
      return async () => {
        await pace();
        starts.push(clock.now());
      };
    };
    const [late, punctual] = [execution(60), execution(0)];
    await late();
    await punctual();
    await late();
    await punctual();
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(1000);
  });
});

/**
 * A schedule in memory whose reads and booking writes are counted; `refuse` makes every write lose,
 * `writing` runs as each write starts (a write that takes time).
 */
const countedStore = (refuse = false, writing: () => void = () => undefined) => {
  let stored: number | undefined;
  const calls = { reads: 0, swaps: 0 };
  const store: SlotStore = {
    read: async () => {
      calls.reads += 1;
      return stored;
    },
    swap: async (_key, expected, next) => {
      calls.swaps += 1;
      writing();
      if (refuse || expected !== stored) return false;
      stored = next;
      return true;
    },
  };
  const set = (at: number) => {
    stored = at;
  };
  return { store, calls, slot: () => stored, set };
};

describe('shared pacer, exactly', () => {
  /** A schedule whose booking writes take the time `costs` says, in turn (then none). */
  const timedStore = (clock: ReturnType<typeof fakeClock>, costs: number[]) =>
    countedStore(false, () => clock.advance(costs.shift() ?? 0));

  it('learns how long its writes take and books that far ahead, the lesson halving every minute', async () => {
    const clock = fakeClock();
    const { store, calls } = timedStore(clock, [2_000]);
    const pace = createSharedPacer(store, { key: 'k', intervalMs: 1000, clock: clock.clock });
    // The write took 2 s: the slot it booked (20 ms on) is gone; the next, booked a whole interval
    // ahead (twice 0.3 of 2 s, at most an interval), after reading where the schedule stands.
    await pace();
    expect(calls).toEqual({ reads: 2, swaps: 2 });
    expect(clock.sleeps).toEqual([1000]);
    // It learnt 0.7 × 0.3 × 2 s = 420 ms of write; a minute on, half of it: it books 2 × 210 ms ahead.
    clock.advance(60_000);
    await pace();
    expect(clock.sleeps.at(-1)).toBe(420);
    // Long after, only the fixed lead.
    clock.advance(3_600_000);
    await pace();
    expect(clock.sleeps.at(-1)).toBe(20);
  });

  it('sleeps not at all for a slot its write reached exactly on time', async () => {
    const clock = fakeClock();
    const { store } = timedStore(clock, [20]);
    await createSharedPacer(store, { key: 'k', intervalMs: 1000, clock: clock.clock })();
    expect(clock.sleeps).toEqual([]);
  });

  it("says when to come back from the time it is, not from the clock's zero", async () => {
    const clock = fakeClock();
    clock.advance(5_000);
    const { store, set } = countedStore();
    set(25_001);
    const error = await createSharedPacer(store, { key: 'k', intervalMs: 1000, clock: clock.clock })().catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(21);
    expect((error as Error).message).toContain('the rate budget is booked ahead; come back later');
  });

  it('an idle schedule books its lead (20 ms) ahead and the next slot an interval after', async () => {
    const { clock, sleeps } = fakeClock();
    const { store, slot } = countedStore();
    await createSharedPacer(store, { key: 'k', intervalMs: 1000, clock })();
    expect(sleeps).toEqual([20]);
    expect(slot()).toBe(1020);
  });

  it('reads the schedule only when it may have moved: after its own booking it knows the head', async () => {
    const { clock, advance } = fakeClock();
    const { store, calls, set } = countedStore();
    const pace = createSharedPacer(store, { key: 'k', intervalMs: 1000, clock });
    await pace();
    advance(1500);
    await pace();
    expect(calls).toEqual({ reads: 1, swaps: 2 });
    // Another execution booked meanwhile: the write loses, the schedule is read again.
    set(9_000);
    await pace();
    expect(calls).toEqual({ reads: 2, swaps: 4 });
  });

  it('waits for a backlog up to maxWaitMs (10 s unless set), and says when to come back past it', async () => {
    const { clock } = fakeClock();
    const { store, set } = countedStore();
    const pace = createSharedPacer(store, { key: 'k', intervalMs: 1000, clock });
    set(10_000);
    await expect(pace()).resolves.toBeUndefined();
    set(20_001);
    const error = await pace().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(11);
  });

  it('gives up after 25 lost bookings in a row', async () => {
    const { clock } = fakeClock();
    const { store, calls } = countedStore(true);
    await expect(createSharedPacer(store, { key: 'k', intervalMs: 1000, clock })()).rejects.toThrow(
      'too much contention',
    );
    expect(calls.swaps).toBe(25);
  });

  it.each([
    [1000, 20, true],
    [1000, 21, false],
    [100, 4, true],
    [100, 5, false],
  ])('at an interval of %i ms a timer %i ms late keeps its slot: %s', async (intervalMs, lateBy, kept) => {
    const { clock, advance } = fakeClock();
    const { store, calls } = countedStore();
    let sleeps = 0;
    const pace = createSharedPacer(store, {
      key: 'k',
      intervalMs,
      clock: { now: clock.now, sleep: async (ms) => void advance(ms + (sleeps++ === 0 ? lateBy : 0)) },
    });
    await pace();
    expect(calls.swaps).toBe(kept ? 1 : 2);
  });
});

describe('keyPacer', () => {
  it('books on the shared schedule when there is one, else paces this process alone', async () => {
    const { clock, sleeps } = fakeClock();
    const { store, calls } = countedStore();
    await keyPacer({ intervalMs: 1000, shared: { store, key: 'k' }, clock })();
    expect(calls.swaps).toBe(1);
    const alone = keyPacer({ intervalMs: 1000, clock });
    await alone();
    await alone();
    expect(sleeps).toEqual([20, 1000]);
  });
});

describe('pacing, away from the clock’s zero', () => {
  it('overlapping callers wait for their own slots whatever the time', async () => {
    const { clock, sleeps, advance } = fakeClock();
    advance(5_000);
    const pace = createPacer(1000, clock);
    await Promise.all([pace(), pace(), pace()]);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('keyPacer passes its wait limit on to the shared schedule', async () => {
    const { clock } = fakeClock();
    const { store, set } = countedStore();
    set(1_000);
    await expect(
      keyPacer({ intervalMs: 1000, shared: { store, key: 'k', maxWaitMs: 500 }, clock })(),
    ).rejects.toBeInstanceOf(RateLimitedError);
    await expect(keyPacer({ intervalMs: 1000, shared: { store, key: 'k' }, clock })()).resolves.toBeUndefined();
  });
});
