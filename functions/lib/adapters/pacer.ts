/**
 * Spaces calls at least `intervalMs` apart, in call order, even when callers overlap: each call
 * reserves the next free slot before it sleeps, so concurrent callers never share a slot.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type Pacer = () => Promise<void>;

export const createPacer = (intervalMs: number, clock: Clock = systemClock): Pacer => {
  let nextSlot = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = clock.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + intervalMs;
    if (slot > now) await clock.sleep(slot - now);
  };
};
