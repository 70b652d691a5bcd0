/**
 * What decides a review is needed. The names double as the `eventType` published to SNS.
 *
 * Pending reviews win over everything: IA reports `progress: "complete"` with reviews still
 * pending, and `scoring_completed` stays false while graders have work, so a pending count is
 * the only reliable signal that a human must act.
 */
export const DECISIONS = ['review.needed', 'scoring.pending', 'attempt.scored'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface DecisionInput {
  pendingReviewCount: number;
  scoringCompleted: boolean;
}

export const decide = ({ pendingReviewCount, scoringCompleted }: DecisionInput): Decision => {
  if (pendingReviewCount > 0) return 'review.needed';
  return scoringCompleted ? 'attempt.scored' : 'scoring.pending';
};
