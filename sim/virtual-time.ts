/**
 * Virtual time and a deterministic event loop. Everything the simulated pipeline awaits is either
 * an in-memory port (settles in microtasks) or `sleep` on this clock; the loop runs the earliest
 * timer, lets every microtask settle, and moves on. No real timer is ever armed, so a simulated
 * week takes seconds and a seed replays the same interleaving.
 */
import type { Clock } from '#lib/domain/pacing.js';

interface Timer {
  at: number;
  seq: number;
  run: () => void;
}

/** Runs once every queued microtask has settled (no real I/O happens inside the simulation). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualTime implements Clock {
  private heap: Timer[] = [];
  private seq = 0;
  private current: number;
  /** Errors thrown by spawned tasks that nothing caught: the oracle reports them. */
  readonly escaped: Array<{ at: number; task: string; error: unknown }> = [];

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  date(): Date {
    return new Date(this.current);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.push(this.current + Math.max(0, ms), resolve));
  }

  /** Starts `task` at `at` (not before now); it runs concurrently with everything else. */
  spawn(at: number, name: string, task: () => Promise<unknown> | unknown): void {
    this.push(Math.max(at, this.current), () => {
      Promise.resolve()
        .then(task)
        .catch((error: unknown) => this.escaped.push({ at: this.current, task: name, error }));
    });
  }

  /** Runs timers in time order until `until` (or none is left). */
  async runUntil(until: number, onTick?: () => void): Promise<void> {
    while (this.heap.length > 0 && (this.heap[0] as Timer).at <= until) {
      const timer = this.pop();
      this.current = Math.max(this.current, timer.at);
      timer.run();
      await settle();
      onTick?.();
    }
    this.current = Math.max(this.current, until);
  }

  private push(at: number, run: () => void) {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0] as Timer;
    const last = heap.pop() as Timer;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as Timer, heap[m] as Timer)) m = l;
        if (r < heap.length && before(heap[r] as Timer, heap[m] as Timer)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Timer, heap[i] as Timer];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: Timer, y: Timer) => x.at < y.at || (x.at === y.at && x.seq < y.seq);
