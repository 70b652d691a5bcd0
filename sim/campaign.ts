/**
 * `npm run campaign -- [--seeds 200] [--first 1000] [--days 31] [--jobs 2] [--out reports/campaign.json]
 * [--sweep normal|slow|off] [--max-volume N] [--only N,N,…|regressions] [--resume] [--list]`:
 * many seeds of the simulation, each in its own process, across volumes, IA account counts, fault
 * rates and sweep modes (a matrix drawn from the seed), with the invariants checked in every one.
 * Prints each seed as it ends and a summary; exit 1 when any seed broke an invariant (its line
 * says how to replay it). Long by design: a script, not a test. The report is written after every
 * seed, so `--resume` carries on a campaign cut short, on the same code, where it stopped.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Random } from './random.js';
import type { SimReport } from './simulate.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    first: { type: 'string', default: '1000' },
    days: { type: 'string', default: '31' },
    jobs: { type: 'string', default: '2' },
    out: { type: 'string', default: 'reports/campaign.json' },
    /** Only the runs of this sweep mode (normal, slow, off). */
    sweep: { type: 'string' },
    /** Only runs at or under this many assignments a day (a quicker pass). */
    'max-volume': { type: 'string', default: '400' },
    /** Print the runs the seeds draw, and stop. */
    list: { type: 'boolean', default: false },
    /** Only these seeds (comma-separated), whatever `--first` and `--seeds` say: `--only regressions` for every seed that once failed. */
    only: { type: 'string' },
    /** Carry on the campaign in `--out`: skip the seeds it holds, if it ran on this code. */
    resume: { type: 'boolean', default: false },
  },
});

/**
 * What each seed runs. The sweep every 5 minutes is what a simulated month costs most (≈ 6.5 s of
 * this machine's CPU a simulated day, whatever the volume), so a tenth of the seeds run it and the
 * rest run it hourly or not at all (triggers alone), where volume is what costs (≈ 0.5 s a simulated
 * day plus 0.04 s per assignment): most seeds at everyday volumes, some busy, a few at the top of the
 * range. The volume is the deployment's, shared by its IA accounts.
 */
export const campaignRun = (seed: number, days: number) => {
  const rng = new Random(seed * 2_654_435_761);
  const sweep = rng.pick(['normal', 'slow', 'slow', 'slow', 'slow', 'slow', 'off', 'off', 'off', 'off'] as const);
  const r = rng.next();
  const assignmentsPerDay =
    sweep === 'normal'
      ? rng.int(12, 16)
      : r < 0.85
        ? rng.int(12, 30)
        : r < 0.96
          ? rng.int(31, 120)
          : r < 0.985
            ? rng.int(121, 250)
            : 400;
  const accounts = sweep === 'normal' ? rng.pick([1, 1, 1, 2]) : rng.pick([1, 1, 2, 3]);
  return {
    seed,
    days,
    assignmentsPerDay,
    accounts,
    perAccount: Math.round((assignmentsPerDay / accounts) * 100) / 100,
    // Up to twice the base rates. At four times (1.6 % of AWS calls refused, 0.8 % of writes dying)
    // a check can fail four or five times running, and its backoff (30 s, doubling) alone passes
    // the 15 minutes a trigger is promised: seeds 1004 and 1135 (3 accounts, sweep off).
    faultScale: rng.pick([0.5, 1, 1, 2, 2]),
    sweep,
  };
};

/**
 * CPU seconds a run costs here, roughly (a month at 400 a day costs more: the watches pile up for
 * 14 days). The campaign runs the cheapest first, so a run cut short has covered the most seeds.
 */
const cost = (run: ReturnType<typeof campaignRun>) =>
  3 + run.days * ((run.sweep === 'normal' ? 6 : 0.5) + 0.04 * run.assignmentsPerDay);

type Run = ReturnType<typeof campaignRun>;

const root = fileURLToPath(new URL('..', import.meta.url));
/**
 * A month at the top volumes holds more than Node's default heap (≈ 4 GB here); a larger young
 * generation spends less of the run collecting the SDK's short-lived objects.
 */
const HEAP = ['--max-old-space-size=12288', '--max-semi-space-size=64'];

const simulate = async (run: Run): Promise<{ run: Run; report?: SimReport; error?: string; seconds: number }> => {
  const started = Date.now();
  const args = [
    '--seed',
    run.seed,
    '--days',
    run.days,
    '--assignments-per-day',
    run.perAccount,
    '--accounts',
    run.accounts,
    '--fault-scale',
    run.faultScale,
    '--sweep',
    run.sweep,
    '--json',
  ].map(String);
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...HEAP, '--import', 'tsx', 'sim/main.ts', ...args],
      {
        cwd: root,
        maxBuffer: 256 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout) throw new Error(error.stderr?.split('\n').slice(-5).join(' ') ?? 'no output');
      return { stdout: error.stdout };
    });
    const report = JSON.parse(stdout) as SimReport;
    // A run cut short (its process killed, its files changed under it) says nothing: it ran, it
    // did not pass (two such seeds once counted as passed, 1 s each, with no statistics).
    if (!Array.isArray(report?.violations) || report.stats?.iaRequests === undefined)
      throw new Error(`no report of a whole run: ${stdout.slice(0, 200)}`);
    return { run, report, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return { run, error: (error as Error).message, seconds: (Date.now() - started) / 1000 };
  }
};

/** Campaign seeds that once broke an invariant, each fixed in the product or the oracle (docs/performance.md says what each found). */
export const REGRESSION_SEEDS = [
  1004, 1023, 1049, 1053, 1116, 1135, 1210, 1212, 1331, 1436, 1657, 2161, 2392, 2458, 2573, 2604, 2628, 2688, 3480,
  3923, 4013, 4019, 4020, 4035, 4049, 4052, 4055, 4148, 4173,
];

const first = Number(values.first);
const count = Number(values.seeds);
const seeds =
  values.only === undefined
    ? Array.from({ length: count }, (_, i) => first + i)
    : values.only === 'regressions'
      ? REGRESSION_SEEDS
      : values.only.split(',').map(Number);
const runs = seeds
  .map((seed) => campaignRun(seed, Number(values.days)))
  .filter((run) => run.assignmentsPerDay <= Number(values['max-volume']))
  .filter((run) => values.sweep === undefined || run.sweep === values.sweep)
  .sort((a, b) => cost(a) - cost(b));
if (values.list) {
  for (const run of runs) process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
}
/**
 * What the seeds' outcome depends on: the tree of everything the simulation loads (its own code,
 * the functions, the stack it synthesises, the local harness and CLI it drives) and the package and
 * compiler settings. Documentation commits leave it alone, so a campaign resumes across them;
 * uncommitted changes there have no name, so a campaign on them cannot resume.
 */
const CODE = [
  'functions',
  'sim',
  'infra',
  'local',
  'cli',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'cdk.json',
];
const codeVersion = () => {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    if (git('status', '--porcelain', '--', ...CODE) !== '') return 'uncommitted';
    return git('rev-parse', ...CODE.map((path) => `HEAD:${path}`)).replace(/\n/g, ' ');
  } catch {
    return 'unknown'; // not a git checkout: the campaign runs, and cannot resume
  }
};

type Result = Awaited<ReturnType<typeof simulate>>;
/** A seed's result as the report keeps it: enough to count it and replay it. */
const kept = (r: Result) => ({
  run: r.run,
  seconds: r.seconds,
  ...(r.error ? { error: r.error } : {}),
  violations: r.report?.violations.length ?? 0,
  firstViolations: r.report?.violations.slice(0, 5) ?? [],
  stats: r.report?.stats,
});
type Kept = ReturnType<typeof kept>;

const code = codeVersion();
/** The same run: a resumed campaign keeps only results of the runs it would make itself. */
const key = (run: Run) => JSON.stringify(run);
const previous = (() => {
  if (!values.resume || !existsSync(values.out)) return { results: [] as Kept[], wallSeconds: 0 };
  const report = JSON.parse(readFileSync(values.out, 'utf8')) as {
    code?: string;
    results?: Kept[];
    wallSeconds?: number;
  };
  if (['uncommitted', 'unknown'].includes(code) || report.code !== code || !report.results) {
    process.stderr.write(
      `${values.out} was not run on this code (${CODE.join(', ')} as committed now); nothing to resume\n`,
    );
    process.exit(2);
  }
  // A seed that failed to run (a crash of its process, not a violation) runs again.
  const wanted = new Set(runs.map(key));
  return {
    results: report.results.filter((r) => wanted.has(key(r.run)) && !r.error),
    wallSeconds: report.wallSeconds ?? 0,
  };
})();
const done = new Set(previous.results.map((r) => key(r.run)));
const todo = runs.filter((run) => !done.has(key(run)));

const started = Date.now();
const results: Kept[] = [...previous.results];
const wallSeconds = () => previous.wallSeconds + Math.round((Date.now() - started) / 1000);
const save = (summary?: object) => {
  mkdirSync(dirname(values.out), { recursive: true });
  // Whole or not at all: a campaign killed while writing leaves the last report to resume from.
  writeFileSync(
    `${values.out}.tmp`,
    `${JSON.stringify({ code, wallSeconds: wallSeconds(), summary, results }, null, 2)}\n`,
  );
  renameSync(`${values.out}.tmp`, values.out);
};
const total = runs.length;
let next = 0;
let stopped = false;
const worker = async () => {
  while (next < todo.length && !stopped) {
    // Each seed loads the working tree afresh: code changed under a running campaign stops it, so
    // no seed runs on other code under this report's name.
    if (codeVersion() !== code) {
      process.stderr.write(`the code changed under the campaign (${CODE.join(', ')}); stopped\n`);
      stopped = true;
      return;
    }
    const run = todo[next++] as Run;
    const result = kept(await simulate(run));
    results.push(result);
    save();
    process.stdout.write(
      `${String(results.length).padStart(4)}/${total} seed ${run.seed}: ${run.days} d, ${run.assignmentsPerDay}/d, ${run.accounts} account(s), faults ×${run.faultScale}, sweep ${run.sweep}: ` +
        (result.error
          ? `FAILED TO RUN: ${result.error}`
          : `${result.violations} violation(s), ${result.stats?.iaRequests} IA requests, ${result.stats?.crashes} crashes, ${result.seconds.toFixed(0)} s`) +
        (result.violations > 0 || result.error
          ? `\n      replay: npm run simulate -- --seed ${run.seed} --days ${run.days} --assignments-per-day ${run.perAccount} --accounts ${run.accounts} --fault-scale ${run.faultScale} --sweep ${run.sweep}\n      ${result.firstViolations
              .slice(0, 3)
              .map((v) => `${v.invariant}: ${v.detail}`)
              .join('\n      ')}`
          : '') +
        '\n',
    );
  }
};
if (done.size > 0) process.stdout.write(`resuming: ${done.size} of ${total} seeds done (${previous.wallSeconds} s)\n`);
await Promise.all(Array.from({ length: Number(values.jobs) }, worker));
const failed = results.filter((r) => r.error || r.violations > 0);
const summary = {
  seeds: results.length,
  days: Number(values.days),
  simulatedDays: results.length * Number(values.days),
  wallSeconds: wallSeconds(),
  // Each seed's wall time, summed: one core's worth per seed only when nothing else ran beside it.
  seedSeconds: Math.round(results.reduce((sum, r) => sum + r.seconds, 0)),
  volumes: [...new Set(results.map((r) => r.run.assignmentsPerDay))].sort((a, b) => a - b),
  accounts: [...new Set(results.map((r) => r.run.accounts))].sort(),
  faultScales: [...new Set(results.map((r) => r.run.faultScale))].sort(),
  sweepModes: [...new Set(results.map((r) => r.run.sweep))].sort(),
  violations: results.reduce((sum, r) => sum + r.violations, 0),
  failedToRun: results.filter((r) => r.error).length,
  iaRequests: results.reduce((sum, r) => sum + (r.stats?.iaRequests ?? 0), 0),
  crashes: results.reduce((sum, r) => sum + (r.stats?.crashes ?? 0), 0),
  failing: failed.map((r) => ({ ...r.run, violations: r.firstViolations, error: r.error })),
};
save(summary);
process.stdout.write(`\n${JSON.stringify(summary, null, 2)}\n`);
process.exitCode = stopped ? 2 : failed.length > 0 ? 1 : 0;
