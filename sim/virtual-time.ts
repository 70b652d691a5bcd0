/**
 * Virtual time and a deterministic event loop. Everything the simulated pipeline awaits is either
 * in memory (settles in microtasks) or a timer on this clock; the loop runs the earliest timer,
 * lets every microtask settle, and moves on. No real timer is ever armed, so a simulated week
 * takes seconds and a seed replays the same interleaving.
 *
 * `install()` makes the clock the process's: setTimeout, setInterval, setImmediate, Date and
 * performance.now (also as `node:timers` exports them), so the functions' own code — middy's
 * timeout, ky's timeouts and retries, the SDK's backoff, Powertools' expiries — runs on it
 * unchanged. Code running inside an execution context (a Lambda container) reads the clock with
 * that context's offset, and its timers obey the context: deferred while it is frozen between
 * invocations, dropped once it is dead, late now and then.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { Clock } from '#lib/domain/pacing.js';

export interface ExecutionContext {
  /** How far this context's clock is ahead of true time. */
  readonly clockOffsetMs: number;
  /** Runs a timer's task now, later (frozen) or never (dead). */
  gate(task: () => void): void;
  /** Extra delay for a timer set in this context (a busy event loop). */
  lateness?(): number;
}

/** The context the running code belongs to; none for the harness and the world around it. */
export const executionContexts = new AsyncLocalStorage<ExecutionContext>();

interface Timer {
  at: number;
  seq: number;
  run: () => void;
  cancelled?: boolean;
}

const realSetImmediate = globalThis.setImmediate;
const RealDate = Date;

/** Real I/O in flight: the first call of some library loads modules from disk. */
const REAL_IO = /^(FSReq|FileHandle|CloseReq|StatWatcher)/;
const ioInFlight = () => process.getActiveResourcesInfo().some((resource) => REAL_IO.test(resource));

/**
 * Runs once every queued microtask has settled, and any real I/O that began (a module loaded on
 * first use) has finished: time moves on only then, so a replay does not depend on the disk.
 */
const settle = async () => {
  do await new Promise<void>((resolve) => realSetImmediate(resolve));
  while (ioInFlight());
};

/** What the timer functions hand back: enough of Node's Timeout for the code that holds one. */
class Handle {
  constructor(readonly timer: Timer) {}
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  hasRef() {
    return true;
  }
  refresh() {
    return this;
  }
  close() {
    this.timer.cancelled = true;
    return this;
  }
  [Symbol.toPrimitive]() {
    return this.timer.seq;
  }
}

export class VirtualTime implements Clock {
  private heap: Timer[] = [];
  private seq = 0;
  private current: number;
  private readonly startedAt: number;
  /** Errors thrown by spawned tasks that nothing caught: the oracle reports them. */
  readonly escaped: Array<{ at: number; task: string; error: unknown }> = [];

  constructor(start: number) {
    this.current = start;
    this.startedAt = start;
  }

  /** True time. */
  now(): number {
    return this.current;
  }

  /** The time as the running code's context reads it. */
  localNow(): number {
    return this.current + (executionContexts.getStore()?.clockOffsetMs ?? 0);
  }

  date(): Date {
    return new RealDate(this.current);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.push(this.current + Math.max(0, ms), resolve));
  }

  /** Starts `task` at `at` (not before now), outside any context; it runs concurrently with everything else. */
  spawn(at: number, name: string, task: () => Promise<unknown> | unknown): void {
    this.push(Math.max(at, this.current), () => {
      executionContexts.exit(() => {
        Promise.resolve()
          .then(task)
          .catch((error: unknown) => this.escaped.push({ at: this.current, task: name, error }));
      });
    });
  }

  /** Runs timers in time order until `until` (or none is left). */
  async runUntil(until: number, onTick?: () => void): Promise<void> {
    while (this.heap.length > 0 && (this.heap[0] as Timer).at <= until) {
      const timer = this.pop();
      if (timer.cancelled) continue;
      this.current = Math.max(this.current, timer.at);
      timer.run();
      await settle();
      onTick?.();
    }
    this.current = Math.max(this.current, until);
  }

  /** A timer as the running context sets it: its lateness, its gate, its context when it runs. */
  private contextTimer(delayMs: number, task: () => void): Timer {
    const context = executionContexts.getStore();
    const at = this.current + Math.max(0, delayMs) + (context?.lateness?.() ?? 0);
    const run = context ? () => context.gate(() => executionContexts.run(context, task)) : task;
    return this.push(at, run);
  }

  /** Makes this clock the process's clock (timers, Date, performance.now). */
  install(): void {
    const time = this;
    const setTimeout = (task: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      new Handle(time.contextTimer(Number(ms) || 0, () => task(...args)));
    const setInterval = (task: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const every = Math.max(1, Number(ms) || 0);
      const handle = new Handle({ at: 0, seq: -1, run: () => undefined });
      const arm = () => {
        const timer = time.contextTimer(every, () => {
          if (handle.timer.cancelled) return;
          arm();
          task(...args);
        });
        timer.cancelled = handle.timer.cancelled;
        (handle as { timer: Timer }).timer = timer;
      };
      arm();
      return handle;
    };
    const clear = (handle: unknown) => {
      if (handle instanceof Handle) handle.close();
    };
    const setImmediate = (task: (...args: unknown[]) => void, ...args: unknown[]) =>
      new Handle(time.contextTimer(0, () => task(...args)));
    const replacements = {
      setTimeout,
      clearTimeout: clear,
      setInterval,
      clearInterval: clear,
      setImmediate,
      clearImmediate: clear,
    };
    Object.assign(globalThis, replacements);
    // Modules that import them from node:timers (middy does) see the same.
    const require = createRequire(import.meta.url);
    Object.assign(require('node:timers'), replacements);
    require('node:module').syncBuiltinESMExports();

    class SimDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(time.localNow());
        else super(...(args as [number]));
      }
      static override now() {
        return time.localNow();
      }
    }
    globalThis.Date = SimDate as DateConstructor;
    Object.defineProperty(globalThis.performance, 'now', {
      value: () => time.localNow() - time.startedAt,
      configurable: true,
    });
  }

  private push(at: number, run: () => void): Timer {
    const heap = this.heap;
    const timer = { at, seq: this.seq++, run };
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
    return timer;
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
