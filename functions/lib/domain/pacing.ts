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
  maxWaitMs?: number;
  /**
   * How far ahead an idle schedule books, at least: the booking write takes time, and the call
   * must start at its slot, not after it, or the next execution's slot would come too soon. The
   * pacer books further ahead when its writes take longer (twice their recent time).
   */
  leadMs?: number;
  /**
   * A slot this late when its booking returns is given up and another booked: a late start
   * would come closer than the interval to the next slot's call (seen under load: slow booking
   * writes, two calls of one key inside IA's one-second window). @default 4 % of the interval
   */
  lateMs?: number;
  clock?: Clock;
}

const MAX_CONTENTION_RETRIES = 25;

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
  const lateMs = options.lateMs ?? Math.floor(options.intervalMs * 0.04);
  // The slot this process last booked: usually still the schedule's head, which saves the read.
  let lastKnown: number | undefined;
  // How long booking writes take lately (a moving average): an idle schedule books that far ahead.
  let writeMs = 0;
  return async () => {
    for (let attempt = 0; attempt < MAX_CONTENTION_RETRIES; attempt++) {
      const current = attempt === 0 && lastKnown !== undefined ? lastKnown : await store.read(options.key);
      const now = clock.now();
      const slot = Math.max(now + Math.max(leadMs, Math.ceil(2 * writeMs)), current ?? 0);
      if (slot - now > maxWaitMs) {
        lastKnown = current;
        throw new RateLimitedError(Math.ceil((slot - now) / 1000), 'the rate budget is booked ahead; come back later');
      }
      const next = slot + options.intervalMs;
      const writing = clock.now();
      const booked = await store.swap(options.key, current, next);
      writeMs = 0.7 * writeMs + 0.3 * (clock.now() - writing);
      if (!booked) {
        lastKnown = undefined;
        continue;
      }
      lastKnown = next;
      const wait = slot - clock.now();
      if (wait < -lateMs) continue; // booked too late to keep the spacing: the slot goes unused
      if (wait > 0) await clock.sleep(wait);
      return;
    }
    throw new UpstreamError('could not reserve a rate slot: too much contention');
  };
};
