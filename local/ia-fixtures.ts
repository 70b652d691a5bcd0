/**
 * The IA API's own example payloads (copied unchanged from the shared fixtures) and variants of
 * the seed attempt for every decision. Variants change only the fields a decision reads.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtureDir = fileURLToPath(new URL('./fixtures/ia/', import.meta.url));

export const readFixture = (name: string): unknown => JSON.parse(readFileSync(`${fixtureDir}${name}`, 'utf8'));
export const readFixtureText = (name: string): string => readFileSync(`${fixtureDir}${name}`, 'utf8');

export const SEED_ATTEMPT_ID = 'khbgltqixvvyoxeb';
export const SEED_ASSIGNMENT_ID = 'yw4gmpjjtkgkdxjkuoghsa';
export const SEED_ASSESSMENT_ID = 'pjpmahbioyqufxos';

type Json = Record<string, unknown>;

const seedAttempt = () => (readFixture('attempt-seed.json') as { attempt: Json }).attempt;

/** A copy of the seed with another id and the given top-level fields, still wrapped in `attempt`. */
export const seedVariant = (id: string | number, fields: Json = {}): { attempt: Json } => ({
  attempt: { ...seedAttempt(), id, ...fields },
});

export const VARIANTS = {
  reviewNeeded: 'att-review-needed',
  reviewNeededScored: 'att-review-needed-scored',
  scoringPending: 'att-scoring-pending',
  scored: 'att-scored',
  publicLibrary: 'att-public-library',
} as const;

const VARIANT_FIELDS: Record<keyof typeof VARIANTS, Json> = {
  reviewNeeded: { pending_review_count: 2, scoring_completed: false, score: 1 },
  reviewNeededScored: { pending_review_count: 1 },
  scoringPending: { scoring_completed: false },
  scored: {},
  publicLibrary: { pending_review_count: 1, scoring_completed: false },
};

let counter = 0;
/** A fresh attempt id with a variant's fields, registered on the server: tests do not share watch state. */
export const freshAttempt = (
  server: { setAttempt(id: string, body: unknown): void },
  variant: keyof typeof VARIANTS,
): string => {
  counter += 1;
  const id = `${VARIANTS[variant]}-${process.pid}-${counter}`;
  server.setAttempt(id, seedVariant(id, VARIANT_FIELDS[variant]));
  return id;
};

/** Every attempt the fake IA server serves by default, keyed by id. */
export const defaultAttempts = (): Record<string, unknown> => {
  const publicLibrary = seedVariant(VARIANTS.publicLibrary, VARIANT_FIELDS.publicLibrary);
  delete publicLibrary.attempt.step_progressions;
  return {
    [SEED_ATTEMPT_ID]: readFixture('attempt-seed.json'),
    [VARIANTS.reviewNeeded]: seedVariant(VARIANTS.reviewNeeded, VARIANT_FIELDS.reviewNeeded),
    [VARIANTS.reviewNeededScored]: seedVariant(VARIANTS.reviewNeededScored, VARIANT_FIELDS.reviewNeededScored),
    [VARIANTS.scoringPending]: seedVariant(VARIANTS.scoringPending, VARIANT_FIELDS.scoringPending),
    [VARIANTS.scored]: seedVariant(VARIANTS.scored, VARIANT_FIELDS.scored),
    [VARIANTS.publicLibrary]: publicLibrary,
  };
};

/** An attempt no event names: only the sweep of the assignment list finds it (`npm start`, the README). */
export const UNANNOUNCED = { assignmentId: 'asg-nobody-told-us', attemptId: 'att-nobody-told-us' } as const;

export const defaultAssignments = (now = new Date()): Record<string, unknown> => ({
  [SEED_ASSIGNMENT_ID]: readFixture('assignment.json'),
  [UNANNOUNCED.assignmentId]: listedAssignment(UNANNOUNCED.assignmentId, new Date(now.getTime() - 2 * 3_600_000), [
    { id: UNANNOUNCED.attemptId, pendingReviewCount: 1, scoringCompleted: false },
  ]),
});

export interface ListedAttemptSpec {
  id: string;
  pendingReviewCount?: number;
  scoringCompleted?: boolean;
  /** Not finished yet: no `completed_at`. */
  inProgress?: boolean;
}

/**
 * An assignment as the list serves it: the API's own assignment example with another id,
 * creation time and attempts (copies of its seed attempt with the decision fields changed).
 */
export const listedAssignment = (id: string, createdAt: Date, attempts: ListedAttemptSpec[]): { assignment: Json } => {
  const base = (readFixture('assignment.json') as { assignment: Json & { attempts: Json[] } }).assignment;
  const seed = base.attempts[0] as Json;
  return {
    assignment: {
      ...base,
      id,
      created_at: createdAt.toISOString(),
      attempts: attempts.map((spec) => ({
        ...seed,
        id: spec.id,
        pending_review_count: spec.pendingReviewCount ?? 0,
        scoring_completed: spec.scoringCompleted ?? true,
        ...(spec.inProgress ? { completed_at: null } : {}),
      })),
    },
  };
};
