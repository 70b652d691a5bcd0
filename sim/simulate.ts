/**
 * One simulation run: build the world for a seed, run it, check the invariants, report. The same
 * seed replays the same run exactly (one seeded source, virtual time, no real I/O).
 */

import { checkConservation, checkEscapes, checkLiveness, checkPublished, checkRate, type Violation } from './oracle.js';
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
    largestMessageBytes: number;
    wallSeconds: number;
  };
  /** The short trace of the first violation: the lines that name its attempt, or the last ones. */
  trace: string[];
}

export const simulate = async (options: SimOptions): Promise<SimReport> => {
  const started = performance.now();
  const world = buildWorld(options);
  let steps = 0;
  const violations: Violation[] = [];
  const published = { count: 0 };
  await world.run(() => {
    steps += 1;
    // Safety is checked as it happens, so the step of a violation is known.
    if (world.topic.published.length !== published.count) {
      published.count = world.topic.published.length;
      const before = violations.length;
      checkPublished(
        { ...world, topic: { ...world.topic, published: world.topic.published } } as typeof world,
        violations,
      );
      // checkPublished looks at all of them: keep only what is new.
      violations.splice(0, before);
    }
  });
  const final: Violation[] = [];
  checkPublished(world, final);
  checkLiveness(world, final);
  checkRate(world, final);
  checkConservation(world, final);
  checkEscapes(world, final);
  final.sort((a, b) => a.at - b.at);
  const first = final.find((v) => v.attemptId !== undefined) ?? final[0];
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
    steps,
    violations: final,
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
      largestMessageBytes: Math.max(0, ...world.topic.published.map((p) => p.bytes)),
      wallSeconds: (performance.now() - started) / 1000,
    },
    trace,
  };
};

/** A violation as a person reads it: seed, invariant, time, attempt, detail. */
export const describeViolation = (report: SimReport, v: Violation) =>
  `seed ${report.seed}: ${v.invariant} — at ${new Date(v.at).toISOString()}${v.attemptId ? ` (${v.attemptId})` : ''}: ${v.detail}`;

const mentions = (line: string, id: string) => new RegExp(`${id}(?![0-9A-Za-z_-])`).test(line);
