// @ts-check
/**
 * Preloaded (`node --import`) by the simulation-alone mutation run (stryker.sim.config.mjs): what
 * Stryker's jest runner does with `coverageAnalysis`, which its command runner cannot.
 *
 * The dry run (no active mutant) records which mutants the simulation reaches: the instrumented
 * code counts every one it passes in `globalThis.__stryker__.mutantCoverage`, whatever the runner.
 * A mutant run whose mutant the dry run never reached ends at once, as a survivor: the seeded
 * simulation on its virtual clock runs the same program up to the first mutated place it passes,
 * so a place it never passes changes nothing, and the runs it would cost (~30 s) say only
 * that. Without a record (none written yet) every mutant runs the simulation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const RECORD = process.env.STRYKER_SIM_REACH ?? 'sim-reach.json';
const active = process.env.__STRYKER_ACTIVE_MUTANT__;

if (active === undefined) {
  // The test command runs more than one simulation: what each reached is added to the record (a
  // new run starts without one: stryker/sim-by-file.mjs removes it, and a sandbox starts empty).
  process.on('exit', () => {
    /** @type {{ mutantCoverage?: { static: Record<string, number> } } | undefined} */
    const stryker = /** @type {any} */ (globalThis).__stryker__;
    /** @type {string[]} */
    const before = existsSync(RECORD) ? JSON.parse(readFileSync(RECORD, 'utf8')) : [];
    const reached = new Set([...before, ...Object.keys(stryker?.mutantCoverage?.static ?? {})]);
    writeFileSync(RECORD, `${JSON.stringify([...reached])}\n`);
  });
} else if (existsSync(RECORD) && !JSON.parse(readFileSync(RECORD, 'utf8')).includes(active)) {
  process.stdout.write(`mutant ${active} is never reached by the simulation: it survives\n`);
  process.exit(0);
}
