/**
 * `npm run simulate -- --seed N --days D [--assignments-per-day K] [--seeds M] [--accounts A]
 * [--fault-scale F] [--sweep normal|slow|off] [--alert-bus on|off] [--json] [--fail-fast]
 * [--trace-from ISO --trace-to ISO [--trace-grep RE] [--trace-calls]]`: runs the
 * deterministic simulation and prints the invariants it broke (with a replayable seed and a short
 * trace), how often each invariant was evaluated, and how fast it ran (simulated attempt-days per
 * second). Exit 1 when an invariant broke or one that applies was never evaluated.
 */
import './quiet.js';
import { parseArgs } from 'node:util';
import type { SweepMode } from './pipeline.js';
import { describeViolation, simulate } from './simulate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '1' },
    days: { type: 'string', default: '14' },
    'assignments-per-day': { type: 'string', default: '40' },
    accounts: { type: 'string', default: '1' },
    'fault-scale': { type: 'string', default: '1' },
    sweep: { type: 'string', default: 'normal' },
    'alert-bus': { type: 'string' },
    json: { type: 'boolean', default: false },
    /** Print every line of the trace between these two ISO instants (`2026-01-12T06`), optionally only those matching `--trace-grep`. */
    'trace-from': { type: 'string' },
    'trace-to': { type: 'string' },
    'trace-grep': { type: 'string' },
    /** Trace every AWS call as well (long): which function wrote which key, and when. */
    'trace-calls': { type: 'boolean', default: false },
    /** Exit 1 at the first violation, without finishing the run (what a mutation run wants). */
    'fail-fast': { type: 'boolean', default: false },
  },
});
const first = Number(values.seed);
const count = Number(values.seeds);
let failed = false;
for (let seed = first; seed < first + count; seed++) {
  const report = await simulate(
    {
      seed,
      days: Number(values.days),
      assignmentsPerDay: Number(values['assignments-per-day']),
      accounts: Number(values.accounts),
      faultScale: Number(values['fault-scale']),
      sweep: values.sweep as SweepMode,
      ...(values['alert-bus'] === undefined ? {} : { alertBus: values['alert-bus'] === 'on' }),
      ...(values['trace-from'] === undefined
        ? {}
        : { keepTrace: [values['trace-from'], values['trace-to'] ?? '9999'] as [string, string] }),
      ...(values['trace-calls'] ? { traceCalls: true } : {}),
    },
    values['fail-fast']
      ? (v) => {
          process.stdout.write(`seed ${seed}: ${v.invariant}: ${v.detail}\n`);
          process.exit(1);
        }
      : undefined,
  );
  const { stats } = report;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...report, violations: report.violations.slice(0, 50) })}\n`);
  } else {
    process.stdout.write(
      `seed ${seed}: ${report.days} days, ${stats.accounts > 1 ? `${stats.accounts} IA accounts, ` : ''}${stats.assignments} assignments, ${stats.attemptsCompleted} completed, ` +
        `${stats.iaRequests} IA requests, ${stats.webhooks} webhooks, alerts ${JSON.stringify(stats.alerts)}, ` +
        `${stats.deadLetters} dead letters, largest message ${stats.largestMessageBytes} B; ` +
        `faults: ${stats.crashes} crashes, ${stats.staleReads} stale reads, ${stats.outageHours} h of IA outage, ${stats.iaFailures} failed IA requests; ` +
        `${report.steps} steps in ${stats.wallSeconds.toFixed(1)} s = ` +
        `${(stats.attemptDays / stats.wallSeconds).toFixed(0)} attempt-days/s; ${report.violations.length} violation(s)\n`,
    );
    const byInvariant = new Map<string, number>();
    for (const v of report.violations) byInvariant.set(v.invariant, (byInvariant.get(v.invariant) ?? 0) + 1);
    for (const [invariant, n] of byInvariant) {
      const example = report.violations.find((v) => v.invariant === invariant);
      if (example) process.stdout.write(`  ${n} × ${describeViolation(report, example)}\n`);
    }
    process.stdout.write(
      `  invariants evaluated: ${Object.entries(report.evaluated)
        .map(([name, n]) => `${name} ${n}`)
        .join('; ')}\n`,
    );
    if (report.trace.length > 0) process.stdout.write(`  trace:\n${report.trace.map((l) => `    ${l}`).join('\n')}\n`);
    const grep = values['trace-grep'] === undefined ? undefined : new RegExp(values['trace-grep']);
    for (const line of report.window) if (!grep || grep.test(line)) process.stdout.write(`    ${line}\n`);
  }
  if (report.violations.length > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
