// @ts-check
/**
 * `npm run mutate`: mutation testing of the decision core (StrykerJS, its jest runner). Each mutant
 * runs only the unit tests that cover it; the score says how much of a change to these files the
 * tests notice. `npm run mutate:sim` scores the same files with the simulation alone as the test
 * (stryker.sim.config.mjs): the oracle's own strength. Survivors that cannot be killed are listed,
 * with their reason, in docs/how-it-works.md ("How strong the tests are").
 */
export const MUTATE = [
  'functions/lib/domain/lifecycle.ts',
  'functions/lib/domain/apply-observation.ts',
  'functions/lib/domain/decision.ts',
  'functions/lib/domain/evaluate.ts',
  'functions/lib/domain/pacing.ts',
  'functions/lib/domain/assignment-walk.ts',
  'functions/lib/domain/accounts.ts',
  'functions/lib/domain/record-disposition.ts',
  'functions/lib/domain/safe-text.ts',
  'functions/lib/domain/render/*.ts',
  'functions/sweep/sweep-run.ts',
  'functions/check/check-reference.ts',
];

// Mutants inside log and metric calls are left out (stryker/log-calls-ignorer.mjs says why);
// error messages that reach a dead letter's failureReason stay in.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: MUTATE,
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules', '--max-old-space-size=4096'],
  // Jest's ESM runtime keeps every run's module graph: a runner ran out of memory after ~150
  // mutants and crawled before it did. A fresh one every 40 costs a few seconds.
  maxTestRunnerReuse: 40,
  jest: {
    projectType: 'custom',
    // The unit tier without the simulation's seeds (their processes cannot see Stryker's active
    // mutant; npm run mutate:sim runs the simulation as the test instead).
    configFile: 'stryker/jest.config.mjs',
    // Only the test files that import the mutated file, through any chain of imports.
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants such as RETRY_POLICY or DEFAULT_WATCH) run every unit
  // test each: 175 of them were 64 % of a run's time. Their values are pinned by the unit tests that
  // assert the defaults and by the simulation (npm run mutate:sim), which runs them all.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorers: ['log-calls'],
  plugins: ['@stryker-mutator/jest-runner', './stryker/log-calls-ignorer.mjs'],
  concurrency: 2,
  timeoutMS: 30_000,
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
