// @ts-check
/**
 * The same files as `npm run mutate`, scored with the simulation alone as the test: the oracle's
 * own strength, not the unit tests'. `npm run mutate:sim` runs every file at once; `node
 * stryker/sim-by-file.mjs` runs them a file at a time, so that its hours can span sessions.
 * Stryker's command runner runs the
 * command once per mutant (the mutant is chosen by an environment variable every process of the
 * run inherits); `--fail-fast` ends a run at its first violation, so a killed mutant costs
 * seconds. Long: a script, not part of npm test.
 */
import base from './stryker.config.mjs';

/** One file at a time, from stryker/sim-by-file.mjs: its own incremental file and report. */
const file = process.env.STRYKER_SIM_FILE;
const report = process.env.STRYKER_SIM_REPORT;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  testRunner: 'command',
  // stryker/sim-reach.mjs stands in for coverage analysis, which the command runner lacks: a mutant
  // the dry run's simulation never reached survives at once instead of costing a whole run.
  // Two runs, the cheaper first: sixteen days of two IA accounts with the sweep off, where the
  // checks' own re-checks carry every promise and the watch runs to its end (reminders to the last,
  // the watch's end); then four days of one account with the sweep every five minutes (the walk,
  // its memo, the default account). Each stops at its first violation.
  commandRunner: {
    command: [
      '--seed 5 --days 16 --assignments-per-day 6 --accounts 2 --sweep off',
      '--seed 5 --days 4 --assignments-per-day 24',
    ]
      .map((run) => `node --import tsx --import ./stryker/sim-reach.mjs sim/main.ts ${run} --fail-fast`)
      .join(' && '),
  },
  coverageAnalysis: 'off',
  // Static mutants run too: the simulation loads every module, so it reaches them all.
  ignoreStatic: false,
  jest: undefined,
  testRunnerNodeArgs: [],
  plugins: ['./stryker/log-calls-ignorer.mjs'],
  ...(file ? { mutate: [file] } : {}),
  incrementalFile: report
    ? report.replace(/\.json$/, '.incremental.json')
    : 'reports/mutation/stryker-sim-incremental.json',
  reporters: report ? ['json', 'clear-text', 'progress'] : base.reporters,
  htmlReporter: { fileName: 'reports/mutation/mutation-sim.html' },
  jsonReporter: { fileName: report ?? 'reports/mutation/mutation-sim.json' },
  // A file alone may score under 60 % where the whole does not: it is the sum that must hold.
  thresholds: { high: 80, low: 60, break: file ? null : 60 },
  timeoutMS: 300_000,
};
