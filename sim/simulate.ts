/**
 * One simulation run: build the world for a seed, run it, check the invariants, report. The same
 * seed replays the same run exactly (one seeded source, virtual time, no real I/O).
 */

import {
  checkConservation,
  checkEscapes,
  checkLiveness,
  publishedChecker,
  rateChecker,
  type Violation,
} from './oracle.js';
import { buildWorld, type SimOptions } from './pipeline.js';

export interface SimReport {
  seed: number;
  days: number;
  assignmentsPerDay: number;
  steps: number;
  violations: Violation[];
  stats: {
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
    outageHours: number;
    iaFailures: number;
    largestMessageBytes: number;
    wallSeconds: number;
  };
  /** The short trace of the first violation: the lines that name its attempt, or the last ones. */
  trace: string[];
}

export const simulate = async (options: SimOptions): Promise<SimReport> => {
  const started = performance.now();
  const world = buildWorld(options);
  const violations: Violation[] = [];
  const checkPublished = publishedChecker();
  const checkRate = rateChecker();
  /** The virtual time of each step, to place a liveness deadline on a step. */
  const stepTimes: number[] = [];
  await world.run(() => {
    stepTimes.push(world.time.now());
    // Safety is checked as it happens: a violation carries the step that caused it.
    const before = violations.length;
    checkPublished(world, violations);
    checkRate(world, violations);
    for (const v of violations.slice(before)) v.step = stepTimes.length;
  });
  const late: Violation[] = [];
  checkLiveness(world, late);
  checkConservation(world, late);
  checkEscapes(world, late);
  for (const v of late) v.step = stepAt(stepTimes, v.at);
  violations.push(...late);
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
  for (const a of world.ia.attempts.values()) if (a.startedAt < end) attemptDays += (end - a.startedAt) / 86_400_000;
  return {
    seed: options.seed,
    days: options.days,
    assignmentsPerDay: options.assignmentsPerDay,
    steps: stepTimes.length,
    violations,
    stats: {
      assignments: world.ia.assignments.length,
      attemptsCompleted: [...world.ia.attempts.values()].filter(
        (a) => a.completeAt !== undefined && a.completeAt <= end,
      ).length,
      attemptDays: Math.round(attemptDays),
      alerts,
      iaRequests: world.ia.requests.length,
      webhooks: world.deliveries.length,
      deadLetters: world.dlq.messages.size,
      crashes: world.crashes.length,
      outageHours: Math.round(world.ia.outages.reduce((sum, o) => sum + (o.end - o.start), 0) / 360_000) / 10,
      iaFailures: world.ia.requests.filter((r) => r.status === 0 || r.status === 429 || r.status >= 500).length,
      largestMessageBytes: Math.max(0, ...world.topic.published.map((p) => p.bytes)),
      wallSeconds: (performance.now() - started) / 1000,
    },
    trace,
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
