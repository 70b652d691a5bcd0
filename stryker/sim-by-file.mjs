// @ts-check
/**
 * `node stryker/sim-by-file.mjs [--fresh] [file …]`: the simulation-alone score of the decision core,
 * one source file at a time, so that a run of many hours can stop anywhere and carry on in another
 * session. Each file runs through `stryker run stryker.sim.config.mjs` with its own incremental
 * file and JSON report under `reports/mutation/sim/`; a file whose report is there is not run
 * again (unless `--fresh`, or named). At the end, and whenever run, the scores of every file done
 * so far are added up: killed (or timed out) over all mutants but those that did not compile.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MUTATE } from '../stryker.config.mjs';

const OUT = 'reports/mutation/sim';
const args = process.argv.slice(2);
const fresh = args.includes('--fresh');
const named = args.filter((arg) => !arg.startsWith('--'));
/** MUTATE's entries are files, or `dir/*.ts`. */
const expand = (/** @type {string} */ pattern) =>
  pattern.endsWith('/*.ts')
    ? readdirSync(dirname(pattern))
        .filter((name) => name.endsWith('.ts'))
        .map((name) => `${dirname(pattern)}/${name}`)
    : [pattern];
const files = MUTATE.flatMap(expand).sort();
const reportOf = (/** @type {string} */ file) => `${OUT}/${file.replaceAll('/', '__')}.json`;

mkdirSync(OUT, { recursive: true });
for (const file of named.length > 0 ? named : files) {
  if (!fresh && named.length === 0 && existsSync(reportOf(file))) continue;
  process.stdout.write(`mutate:sim ${file}\n`);
  execFileSync('npx', ['stryker', 'run', 'stryker.sim.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, STRYKER_SIM_FILE: file, STRYKER_SIM_REPORT: reportOf(file) },
  });
}

/** Stryker's JSON report (mutation-testing-report-schema): each file's mutants with their status. */
const DETECTED = new Set(['Killed', 'Timeout']);
const UNCOUNTED = new Set(['CompileError', 'RuntimeError', 'Ignored']);
let detected = 0;
let counted = 0;
for (const file of files) {
  if (!existsSync(reportOf(file))) {
    process.stdout.write(`  ${file}: not run yet\n`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportOf(file), 'utf8'));
  const mutants = Object.values(report.files).flatMap(
    (/** @type {{ mutants: Array<{ status: string }> }} */ f) => f.mutants,
  );
  const mine = mutants.filter((m) => !UNCOUNTED.has(m.status));
  const killed = mine.filter((m) => DETECTED.has(m.status)).length;
  detected += killed;
  counted += mine.length;
  process.stdout.write(`  ${file}: ${killed} of ${mine.length}\n`);
}
process.stdout.write(
  `simulation alone: ${counted === 0 ? '—' : ((100 * detected) / counted).toFixed(2)} % (${detected} of ${counted} mutants, ${files.filter((f) => existsSync(reportOf(f))).length} of ${files.length} files)\n`,
);
