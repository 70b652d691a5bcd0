/** Attempts and states the unit tests build on: the API's own fixture, and a state awaiting review. */
import { type Attempt, normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import type { AttemptState } from '#lib/domain/lifecycle.js';
import { readFixture } from '../../local/ia-fixtures.js';

const assignment = parseAssignment(readFixture('assignment.json'));

/** The fixture's first attempt as IA returns it, with two reviews pending and scoring still open. */
export const fixtureAttempt = (fields: Partial<Attempt> = {}): Attempt => ({
  ...normaliseAttempt(parseAttempt(assignment.attempts[0]), assignment),
  pendingReviewCount: 2,
  scoringCompleted: false,
  ...fields,
});

/** A state awaiting review since `since`, its snapshot a minimal attempt. */
export const awaitingState = (
  id: string,
  since: string,
  fields: Partial<AttemptState> = {},
  snapshot: Partial<Attempt> = {},
): AttemptState => ({
  attemptId: id,
  firstSeenAt: since,
  lastCheckedAt: since,
  lastDecision: 'review.needed',
  rechecks: 0,
  remindersSent: 0,
  reviewNeededAt: since,
  awaiting: 'review',
  awaitingSince: since,
  version: 1,
  ...fields,
  snapshot: {
    id,
    scoringCompleted: false,
    pendingReviewCount: 1,
    assessment: { id: 'asm', name: 'Philosopher Assessment' },
    candidate: { name: `Candidate ${id}` },
    reviewItems: [],
    ...snapshot,
  } as Attempt,
});
