/**
 * The simulation's process: Powertools without EMF metrics or X-Ray, set before any function
 * module is loaded, since Powertools reads these when it is first imported. In dev mode its
 * Logger and Metrics write through the global console, which the simulation takes over: the
 * functions' log records (a check's outcome for each attempt, say) go to the harness, which
 * reads what it needs (`logSink`); nothing reaches the terminal.
 */
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_DEV: 'true',
});

/** Where the functions' log lines go; none until the harness listens. */
export const logSink: { write?: (line: string) => void } = {};

const take = (line?: unknown) => {
  if (typeof line === 'string') logSink.write?.(line);
};
console.info = take;
console.warn = take;
console.error = take;
console.log = take;
console.debug = take;
