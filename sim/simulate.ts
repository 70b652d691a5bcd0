/**
 * One simulation run: build the world for a seed, run it, check the invariants, report. The same
 * seed replays the same run exactly (one seeded source, virtual time, no real I/O).
 */

import { Oracle, type Violation } from './oracle.js';
import { buildWorld, type SimOptions } from './pipeline.js';

/** Wall time, read before the simulation's clock takes over `performance.now`. */
const wallClock = performance.now.bind(performance);

export interface SimReport {
  seed: number;
  accounts: number;
  days: number;
  assignmentsPerDay: number;
  faultScale: number;
  sweep: string;
  alertBus: boolean;
  steps: number;
  violations: Violation[];
  /** How many times each invariant was evaluated. */
  evaluated: Record<string, number>;
  stats: {
    /** IA accounts, each its own model of IA. */
    accounts: number;
    assignments: number;
    attemptsCompleted: number;
    /** Simulated days each attempt was watched for, summed: the work the run stands for. */
    attemptDays: number;
    alerts: Record<string, number>;
    iaRequests: number;
    webhooks: number;
    deadLetters: number;
    /** Faults injected: processes killed before a write, IA outage hours, IA answers that were not 2xx/304/404. */
    crashes: number;
    /** Eventually consistent reads that missed a write of the last second. */
    staleReads: number;
    /** Alerts published again after their process died between SNS accepting and the key completing. */
    atLeastOnce: number;
    outageHours: number;
    iaFailures: number;
    largestMessageBytes: number;
    /** Each function's invocations, cold starts, timeouts, crashes and errors. */
    containers: Record<string, Record<string, number>>;
    wallSeconds: number;
  };
  /** The short trace of the first violation: the lines that name its attempt, or the last ones. */
  trace: string[];
  /** Every line between `keepTrace`'s two instants, when asked for. */
  window: string[];
}

export const simulate = async (
  options: SimOptions,
  /** Told of each violation as it is found (a mutation run stops at the first). */
  onViolation?: (violation: Violation) => void,
): Promise<SimReport> => {
  const started = wallClock();
  const world = await buildWorld(options);
  const oracle = new Oracle(world);
  const { violations } = oracle;
  /** The virtual time of each step, to place a liveness deadline on a step. */
  const stepTimes: number[] = [];
  await world.run(() => {
    world.refresh();
    stepTimes.push(world.time.now());
    // Safety is checked as it happens: a violation carries the step that caused it.
    const before = violations.length;
    oracle.step();
    for (const v of violations.slice(before)) {
      v.step = stepTimes.length;
      onViolation?.(v);
    }
  });
  const before = violations.length;
  oracle.finish();
  for (const v of violations.slice(before)) {
    v.step = stepAt(stepTimes, v.at);
    onViolation?.(v);
  }
  violations.sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  const first = violations.find((v) => v.attemptId !== undefined) ?? violations[0];
  const trace = first
    ? world.trace
        .filter((line) => line < new Date(first.at + 1).toISOString())
        .filter((line) => first.attemptId === undefined || mentions(line, first.attemptId))
        .slice(-15)
    : [];
  const alerts: Record<string, number> = {};
  for (const { notification } of world.topic.published)
    alerts[notification.eventType] = (alerts[notification.eventType] ?? 0) + 1;
  const end = world.time.now();
  let attemptDays = 0;
  const models = world.accounts.map((account) => account.ia);
  const attempts = models.flatMap((ia) => [...ia.attempts.values()]);
  const requests = models.flatMap((ia) => ia.requests);
  for (const a of attempts) if (a.startedAt < end) attemptDays += (end - a.startedAt) / 86_400_000;
  return {
    seed: options.seed,
    accounts: options.accounts ?? 1,
    days: options.days,
    assignmentsPerDay: options.assignmentsPerDay,
    faultScale: options.faultScale ?? 1,
    sweep: world.sweepMode,
    alertBus: world.alertBus,
    steps: stepTimes.length,
    violations,
    evaluated: oracle.evaluated,
    stats: {
      accounts: world.accounts.length,
      assignments: models.reduce((sum, ia) => sum + ia.assignments.length, 0),
      attemptsCompleted: attempts.filter((a) => a.completeAt !== undefined && a.completeAt <= end).length,
      attemptDays: Math.round(attemptDays),
      alerts,
      iaRequests: requests.length,
      webhooks: world.deliveries.length,
      deadLetters: world.dlq.messages.size,
      containers: Object.fromEntries([...world.services].map(([kind, service]) => [kind, service.stats])),
      crashes: world.crashes.length,
      staleReads: world.staleReads.served,
      atLeastOnce: world.atLeastOnce.length,
      outageHours:
        Math.round(models.flatMap((ia) => ia.outages).reduce((sum, o) => sum + (o.end - o.start), 0) / 360_000) / 10,
      iaFailures: requests.filter((r) => r.status === 0 || r.status === 429 || r.status >= 500).length,
      largestMessageBytes: Math.max(0, ...world.topic.published.map((p) => p.bytes)),
      wallSeconds: (wallClock() - started) / 1000,
    },
    trace,
    window: world.kept,
  };
};

/** A violation as a person reads it: seed, invariant, time, attempt, detail. */
export const describeViolation = (report: SimReport, v: Violation) =>
  `seed ${report.seed}, step ${v.step}: ${v.invariant} — at ${new Date(v.at).toISOString()}${v.attemptId ? ` (${v.attemptId})` : ''}: ${v.detail}`;

/** The first step at or after `at`. */
const stepAt = (times: number[], at: number) => {
  let [low, high] = [0, times.length];
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((times[middle] as number) < at) low = middle + 1;
    else high = middle;
  }
  return low + 1;
};

const mentions = (line: string, id: string) => new RegExp(`${id}(?![0-9A-Za-z_-])`).test(line);
