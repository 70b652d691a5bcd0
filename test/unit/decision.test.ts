import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DECISIONS, decide } from '#lib/domain/decision.js';

describe('decide', () => {
  it.each([
    [0, true, 'attempt.scored'],
    [0, false, 'scoring.pending'],
    [1, false, 'review.needed'],
    [1, true, 'review.needed'],
    [37, false, 'review.needed'],
  ] as const)('pending %i, scoring_completed %s → %s', (pendingReviewCount, scoringCompleted, expected) => {
    expect(decide({ pendingReviewCount, scoringCompleted })).toBe(expected);
  });

  it('is total and deterministic over every valid input', () => {
    fc.assert(
      fc.property(fc.nat(), fc.boolean(), (pendingReviewCount, scoringCompleted) => {
        const first = decide({ pendingReviewCount, scoringCompleted });
        expect(DECISIONS).toContain(first);
        expect(decide({ pendingReviewCount, scoringCompleted })).toBe(first);
      }),
    );
  });

  it('asks for a review exactly when something is pending', () => {
    fc.assert(
      fc.property(fc.nat(), fc.boolean(), (pendingReviewCount, scoringCompleted) => {
        expect(decide({ pendingReviewCount, scoringCompleted }) === 'review.needed').toBe(pendingReviewCount > 0);
      }),
    );
  });
});
