/**
 * Pacing a rate-limited key (IA's 1 request/s, a Slack webhook's ~1 post/s). Two shapes: an
 * in-process pacer, and a shared schedule every execution books on (the slot store is the port;
 * a DynamoDB item implements it). Independent per-process pacers only bound the average rate;
 * calls from two executions still collide, so everything deployed books on the shared schedule.
 */
import { RateLimitedError, UpstreamError } from './errors.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type Pacer = () => Promise<void>;

/**
 * Spaces calls at least `intervalMs` apart, in call order, even when callers overlap: each call
 * reserves the next free slot before it sleeps, so concurrent callers never share a slot.
 */
export const createPacer = (intervalMs: number, clock: Clock = systemClock): Pacer => {
  let nextSlot = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = clock.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + intervalMs;
    if (slot > now) await clock.sleep(slot - now);
  };
};

/** Where a key's schedule lives: the next free slot (epoch ms), changed only by compare-and-set. */
export interface SlotStore {
  read(key: string): Promise<number | undefined>;
  /** Writes `next` if the stored slot is still `expected` (absent when undefined); false otherwise. */
  swap(key: string, expected: number | undefined, next: number): Promise<boolean>;
}

export interface SharedPacerOptions {
  /** One schedule per API key (or webhook). */
  key: string;
  intervalMs: number;
  /** A backlog booked further ahead than this by other callers is not waited for. */
  maxWaitMs?: number;
  /**
   * How far ahead an idle schedule books, at least: the booking write takes time, and the call
   * must start at its slot, not after it, or the next execution's slot would come too soon. The
   * pacer books further ahead when its writes take longer (twice their recent time, at most one
   * interval); what it learnt fades within minutes once writes are quick again.
   */
  leadMs?: number;
  /**
   * A call this late for its slot — its booking write returned late, or its timer fired late on a
   * busy event loop — gives the slot up and books another: a late start would come closer than
   * the interval to the next slot's call. @default LATE_SHARE of the interval
   */
  lateMs?: number;
  clock?: Clock;
}

const MAX_CONTENTION_RETRIES = 25;
/** What the pacer learnt of slow writes halves every this long. */
const LEAD_HALF_LIFE_MS = 60_000;

/**
 * The pacing margin (PACE_MARGIN, 5 % of an interval: 50 ms at 1 request/s) is spent on two things
 * the pacer cannot see. A call starts at most LATE_SHARE of an interval after its slot (21 ms at
 * 1/s; later, it books again), which leaves CLOCK_SKEW_SHARE (29 ms at 1/s) for the clocks of
 * two executions booking on one schedule to disagree: slots are read off each execution's own clock.
 */
export const LATE_SHARE = 0.02;
export const CLOCK_SKEW_SHARE = 0.028;
/** Timers fire a millisecond or two late as a matter of course: lateness under this is not lateness. */
const MIN_LATE_MS = 4;

/**
 * The pacer for a key: its shared schedule when one is given (what every deployed function books
 * on), else this process alone — which keeps the rate only if nothing else uses the key.
 */
export const keyPacer = (options: {
  intervalMs: number;
  shared?: { store: SlotStore; key: string; maxWaitMs?: number };
  clock?: Clock;
}): Pacer =>
  options.shared
    ? createSharedPacer(options.shared.store, {
        key: options.shared.key,
        intervalMs: options.intervalMs,
        ...(options.shared.maxWaitMs === undefined ? {} : { maxWaitMs: options.shared.maxWaitMs }),
        ...(options.clock ? { clock: options.clock } : {}),
      })
    : createPacer(options.intervalMs, options.clock);

/**
 * Each call reserves the next free slot of the key's schedule with one conditional write, then
 * waits for it. A backlog longer than `maxWaitMs` is not slept through: the caller gets a
 * RateLimitedError and parks its work instead.
 */
export const createSharedPacer = (store: SlotStore, options: SharedPacerOptions): Pacer => {
  const clock = options.clock ?? systemClock;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const leadMs = options.leadMs ?? 20;
  const lateMs = options.lateMs ?? Math.max(Math.floor(options.intervalMs * LATE_SHARE), MIN_LATE_MS);
  // The slot this process last booked: usually still the schedule's head, which saves the read.
  let lastKnown: number | undefined;
  // How long booking writes take lately (a moving average that fades): an idle schedule books that far ahead.
  let writeMs = 0;
  let learntAt = 0;
  const recentWriteMs = (now: number) => writeMs * 0.5 ** (Math.max(0, now - learntAt) / LEAD_HALF_LIFE_MS);
  return async () => {
    for (let attempt = 0; attempt < MAX_CONTENTION_RETRIES; attempt++) {
      const current = attempt === 0 && lastKnown !== undefined ? lastKnown : await store.read(options.key);
      const now = clock.now();
      // Only what others booked is a backlog; this caller's own lead is not.
      if ((current ?? 0) - now > maxWaitMs) {
        lastKnown = current;
        throw new RateLimitedError(
          Math.ceil(((current as number) - now) / 1000),
          'the rate budget is booked ahead; come back later',
        );
      }
      const lead = Math.max(leadMs, Math.min(Math.ceil(2 * recentWriteMs(now)), options.intervalMs));
      const slot = Math.max(now + lead, current ?? 0);
      const next = slot + options.intervalMs;
      const writing = clock.now();
      const booked = await store.swap(options.key, current, next);
      const written = clock.now();
      writeMs = 0.7 * recentWriteMs(written) + 0.3 * (written - writing);
      learntAt = written;
      if (!booked) {
        lastKnown = undefined;
        continue;
      }
      lastKnown = next;
      const wait = slot - clock.now();
      if (wait > 0) await clock.sleep(wait);
      // Checked after the sleep too: a timer that fired late starts the call late all the same.
      if (clock.now() - slot > lateMs) continue; // the slot goes unused
      return;
    }
    throw new UpstreamError('could not reserve a rate slot: too much contention');
  };
};
