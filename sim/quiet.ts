/**
 * The simulation's process: Powertools quiet (no logs, no EMF metrics on stdout, no X-Ray), set
 * before any function module is loaded, since Powertools reads these when it is first imported.
 * In dev mode Metrics writes through the global console, whose warnings (an invocation without
 * metrics) say nothing here; the simulation reports through stdout itself.
 */
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_DEV: 'true',
});
console.warn = () => undefined;
