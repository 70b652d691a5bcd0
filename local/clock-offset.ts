/**
 * A process whose clock runs `LOCAL_CLOCK_OFFSET_MS` ahead of (or behind) the machine's: each
 * local Lambda container gets its own, as each execution environment in AWS reads its own clock.
 * Loaded before anything else in the process (`--import`), so every module reads the shifted time.
 */
const offset = Number(process.env.LOCAL_CLOCK_OFFSET_MS ?? 0);
if (offset !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + offset);
      else super(...(args as [number]));
    }
    static override now() {
      return realNow() + offset;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  const realPerformanceNow = performance.now.bind(performance);
  Object.defineProperty(performance, 'now', { value: () => realPerformanceNow() + offset, configurable: true });
}
