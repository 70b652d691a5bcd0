/**
 * `npm run simulate -- --seed N --days D [--assignments-per-day K] [--seeds M] [--accounts A] [--json]`: runs the
 * deterministic simulation and prints the invariants it broke (with a replayable seed and a short
 * trace) and how fast it ran (simulated attempt-days per second). Exit 1 when an invariant broke.
 */
import './quiet.js';
import { parseArgs } from 'node:util';
import { describeViolation, simulate } from './simulate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '1' },
    days: { type: 'string', default: '14' },
    'assignments-per-day': { type: 'string', default: '40' },
    accounts: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});
const first = Number(values.seed);
const count = Number(values.seeds);
let failed = false;
for (let seed = first; seed < first + count; seed++) {
  const report = await simulate({
    seed,
    days: Number(values.days),
    assignmentsPerDay: Number(values['assignments-per-day']),
    accounts: Number(values.accounts),
  });
  const { stats } = report;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...report, violations: report.violations.slice(0, 50) })}\n`);
  } else {
    process.stdout.write(
      `seed ${seed}: ${report.days} days, ${stats.accounts > 1 ? `${stats.accounts} IA accounts, ` : ''}${stats.assignments} assignments, ${stats.attemptsCompleted} completed, ` +
        `${stats.iaRequests} IA requests, ${stats.webhooks} webhooks, alerts ${JSON.stringify(stats.alerts)}, ` +
        `${stats.deadLetters} dead letters, largest message ${stats.largestMessageBytes} B; ` +
        `faults: ${stats.crashes} crashes, ${stats.outageHours} h of IA outage, ${stats.iaFailures} failed IA requests; ` +
        `${report.steps} steps in ${stats.wallSeconds.toFixed(1)} s = ` +
        `${(stats.attemptDays / stats.wallSeconds).toFixed(0)} attempt-days/s; ${report.violations.length} violation(s)\n`,
    );
    const byInvariant = new Map<string, number>();
    for (const v of report.violations) byInvariant.set(v.invariant, (byInvariant.get(v.invariant) ?? 0) + 1);
    for (const [invariant, n] of byInvariant) {
      const example = report.violations.find((v) => v.invariant === invariant);
      if (example) process.stdout.write(`  ${n} × ${describeViolation(report, example)}\n`);
    }
    if (report.trace.length > 0) process.stdout.write(`  trace:\n${report.trace.map((l) => `    ${l}`).join('\n')}\n`);
  }
  if (report.violations.length > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
