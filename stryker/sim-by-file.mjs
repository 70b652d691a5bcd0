// @ts-check
/**
 * `node stryker/sim-by-file.mjs [--fresh] [--concurrency=N] [--at=<commit>] [file …]`: the
 * simulation-alone score of the decision core, one source file at a time, so that a run of many
 * hours can stop anywhere and carry on in another session (or in a worktree of an older commit
 * while this one moves on). Each file runs through `stryker run stryker.sim.config.mjs` with its
 * own incremental file and JSON report under `reports/mutation/sim/` (git-ignored), and leaves a
 * summary (committed): its mutants counted by status, the survivors with their place and
 * replacement, how long it took.
 *
 * A score holds for one version of everything it depends on: the product (`functions/`, which the
 * simulation runs whole, not only the mutated file), the simulation, and the Stryker settings. The
 * summaries of one version live together in `docs/mutation-sim/<version>/`, beside a
 * `version.json` naming its trees; a change to any of them starts a new folder, and the scores of
 * the old one stay what they were measured on. A file already scored for this version is skipped
 * (unless `--fresh`, or named). At the end, and whenever run, the version's summaries are added
 * up: killed (or timed out) over all mutants but those that did not compile. `--at=<commit>` only
 * adds up that commit's version (the scores a worktree of it is making).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, normalize } from 'node:path';
import { MUTATE } from '../stryker.config.mjs';

const REPORTS = 'reports/mutation/sim';
const SUMMARIES = 'docs/mutation-sim';
/** What a mutant's fate depends on (this script only orders the runs). */
const SCORED_WITH = [
  'functions',
  'sim',
  'stryker.config.mjs',
  'stryker.sim.config.mjs',
  'stryker/sim-reach.mjs',
  'stryker/log-calls-ignorer.mjs',
];
const args = process.argv.slice(2);
const option = (/** @type {string} */ name) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
const fresh = args.includes('--fresh');
/** Beside other work (a seed campaign) one core may be all there is. */
const concurrency = option('concurrency');
const at = option('at');
const named = args.filter((arg) => !arg.startsWith('--')).map((arg) => normalize(arg));

const git = (/** @type {string[]} */ ...gitArgs) => execFileSync('git', gitArgs, { encoding: 'utf8' }).trim();
const treesAt = (/** @type {string} */ commit) =>
  Object.fromEntries(SCORED_WITH.map((path) => [path, git('rev-parse', `${commit}:${path}`)]));
const commit = git('rev-parse', at ?? 'HEAD');
const trees = treesAt(commit);
const version = createHash('sha256').update(JSON.stringify(trees)).digest('hex').slice(0, 12);
const folder = `${SUMMARIES}/${version}`;

/** MUTATE's entries are files, or `dir/*.ts`. */
const expand = (/** @type {string} */ pattern) =>
  pattern.endsWith('/*.ts')
    ? readdirSync(dirname(pattern))
        .filter((name) => name.endsWith('.ts'))
        .map((name) => `${dirname(pattern)}/${name}`)
    : [pattern];
const flat = (/** @type {string} */ file) => file.replaceAll('/', '__');
const reportOf = (/** @type {string} */ file) => `${REPORTS}/${flat(file)}.json`;
/** The mutants the dry run's simulation reached (stryker/sim-reach.mjs), by this run's ids. */
const reachOf = (/** @type {string} */ file) => `${process.cwd()}/${REPORTS}/${flat(file)}.reach.json`;
const summaryOf = (/** @type {string} */ file) => `${folder}/${flat(file)}.json`;

/** @type {{ commit: string, files: string[], trees: Record<string, string> } | undefined} */
let known = existsSync(`${folder}/version.json`)
  ? JSON.parse(readFileSync(`${folder}/version.json`, 'utf8'))
  : undefined;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNCOUNTED = new Set(['CompileError', 'RuntimeError', 'Ignored']);

/** @typedef {{ id: string, status: string, mutatorName: string, replacement?: string, location: { start: { line: number, column: number } } }} Mutant */
const summarise = (/** @type {string} */ file, /** @type {number} */ seconds) => {
  const report = JSON.parse(readFileSync(reportOf(file), 'utf8'));
  /** @type {Set<string>} */
  const reached = new Set(JSON.parse(readFileSync(reachOf(file), 'utf8')));
  /** @type {Mutant[]} */
  const mutants = Object.values(report.files).flatMap((/** @type {{ mutants: Mutant[] }} */ f) => f.mutants);
  /** @type {Record<string, number>} */
  const byStatus = {};
  for (const { status } of mutants) byStatus[status] = (byStatus[status] ?? 0) + 1;
  const counted = mutants.filter((m) => !UNCOUNTED.has(m.status));
  return {
    file,
    ranOn: new Date().toISOString(),
    seconds: Math.round(seconds),
    killed: counted.filter((m) => DETECTED.has(m.status)).length,
    counted: counted.length,
    neverReached: counted.filter((m) => !reached.has(m.id)).length,
    byStatus,
    survivors: counted
      .filter((m) => !DETECTED.has(m.status))
      .map(
        (m) =>
          `${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → ${m.replacement ?? ''}${reached.has(m.id) ? '' : ' (never reached)'}`,
      ),
  };
};

if (at === undefined) {
  // A score must stand for the committed trees it is filed under.
  const dirty = git('status', '--porcelain', '--', ...SCORED_WITH);
  if (dirty) throw new Error(`uncommitted changes to what the score depends on:\n${dirty}`);
  const files = MUTATE.flatMap(expand).sort();
  const unknown = named.filter((file) => !files.includes(file));
  if (unknown.length > 0)
    throw new Error(`not among the mutated files (stryker.config.mjs MUTATE): ${unknown.join(', ')}`);
  mkdirSync(REPORTS, { recursive: true });
  mkdirSync(folder, { recursive: true });
  known ??= { commit, files, trees };
  writeFileSync(`${folder}/version.json`, `${JSON.stringify(known, null, 2)}\n`);
  for (const file of named.length > 0 ? named : files) {
    if (!fresh && named.length === 0 && existsSync(summaryOf(file))) continue;
    // Without coverage, Stryker's incremental mode reuses every unchanged mutant's result whatever
    // the test did: only a run of this very version (one interrupted) may carry on from it.
    const stamp = `${reportOf(file)}.version`;
    const resumable = !fresh && existsSync(stamp) && readFileSync(stamp, 'utf8') === version;
    writeFileSync(stamp, version);
    process.stdout.write(`mutate:sim ${file} for version ${version}${resumable ? ' (carrying on)' : ''}\n`);
    const options = [...(resumable ? [] : ['--force']), ...(concurrency ? ['--concurrency', concurrency] : [])];
    // What this run's dry run reaches, by this run's mutant ids: not an earlier run's.
    rmSync(reachOf(file), { force: true });
    const started = performance.now();
    execFileSync('npx', ['stryker', 'run', 'stryker.sim.config.mjs', ...options], {
      stdio: 'inherit',
      env: {
        ...process.env,
        STRYKER_SIM_FILE: file,
        STRYKER_SIM_REPORT: reportOf(file),
        STRYKER_SIM_REACH: reachOf(file),
      },
    });
    const summary = summarise(file, (performance.now() - started) / 1000);
    writeFileSync(summaryOf(file), `${JSON.stringify(summary, null, 2)}\n`);
  }
}

let killed = 0;
let counted = 0;
let done = 0;
const files = known?.files ?? [];
process.stdout.write(
  known
    ? `version ${version} (first scored at ${known.commit.slice(0, 7)}):\n`
    : `nothing scored yet for version ${version}\n`,
);
for (const file of files) {
  if (!existsSync(summaryOf(file))) {
    process.stdout.write(`  ${file}: not run yet\n`);
    continue;
  }
  const summary = JSON.parse(readFileSync(summaryOf(file), 'utf8'));
  killed += summary.killed;
  counted += summary.counted;
  done += 1;
  process.stdout.write(`  ${file}: ${summary.killed} of ${summary.counted}\n`);
}
const score = counted === 0 ? undefined : (100 * killed) / counted;
process.stdout.write(
  `simulation alone: ${score === undefined ? '—' : score.toFixed(2)} % (${killed} of ${counted} mutants, ${done} of ${files.length} files)\n`,
);
// The threshold (issue 27: 60 %) holds for the whole, once every file is scored.
if (done === files.length && score !== undefined && score < 60) process.exitCode = 1;
