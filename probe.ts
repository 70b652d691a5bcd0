import { discoveryLatency } from './bench/discovery-latency.ts';
const base = { per: 100, intervalMinutes: 5, ratePerSecond: 1, horizonDays: 30 };
for (const budgetShare of [0.5, 0.69]) for (const headDays of [4, 5, 6]) for (const headShare of [0.6, 0.75, 0.85]) {
  const r = discoveryLatency({ ...base, budgetShare, headDays, headShare, assignmentsPerDay: 10000 }, 8000);
  console.log(budgetShare, headDays, headShare, r.p50, r.p90, r.p99, r.listCallsPerAttempt);
}
