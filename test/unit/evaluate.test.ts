/** Fetch, normalise, decide, as check and the CLI share it: by attempt id, or by assignment with its broken attempts apart. */
import { describe, expect, it } from '@jest/globals';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import { MalformedResponseError } from '#lib/domain/errors.js';
import { evaluateReference } from '#lib/domain/evaluate.js';
import type { IaClient, RequestOptions } from '#lib/domain/ia.js';
import { listedAssignment, seedVariant } from '../../local/ia-fixtures.js';

const NOW = new Date('2026-11-26T12:00:00Z');

const iaServing = (attempts: unknown[]) => {
  const asked: Array<{ what: string; id: string; options?: RequestOptions }> = [];
  const ia: IaClient = {
    getAttempt: async (id, options) => {
      asked.push({ what: 'attempt', id, ...(options ? { options } : {}) });
      return { value: parseAttempt(seedVariant(id, { pending_review_count: 2, scoring_completed: false })) };
    },
    getAttemptIfChanged: () => Promise.reject(new Error('not used')),
    getAssignment: async (id, options) => {
      asked.push({ what: 'assignment', id, ...(options ? { options } : {}) });
      const { assignment } = listedAssignment(id, NOW, [{ id: 'att-ok', pendingReviewCount: 0 }]);
      return { value: parseAssignment({ assignment: { ...assignment, attempts } }) };
    },
    listAssignments: () => Promise.reject(new Error('not used')),
  };
  return { ia, asked };
};

describe('evaluateReference', () => {
  it('by attempt id: one GET, with the caller’s options, and its decision', async () => {
    const { ia, asked } = iaServing([]);
    const signal = new AbortController().signal;
    const { evaluations, failures } = await evaluateReference({ attemptId: 'att-1' }, ia, { signal });
    expect(evaluations.map((e) => [e.attempt.id, e.decision])).toEqual([['att-1', 'review.needed']]);
    expect(failures).toEqual([]);
    expect(asked).toEqual([{ what: 'attempt', id: 'att-1', options: { signal } }]);
  });

  it('by assignment: every usable attempt decided, each broken one a failure of its own, named when it has an id', async () => {
    const good = (
      listedAssignment('asg-1', NOW, [{ id: 'att-ok', pendingReviewCount: 0 }]).assignment.attempts as unknown[]
    )[0] as Record<string, unknown>;
    const broken = { ...good, pending_review_count: 'many' };
    const { ia, asked } = iaServing([
      good,
      { ...broken, id: 'att-text' },
      { ...broken, id: 42 },
      { ...broken, id: undefined },
      null,
    ]);
    const { evaluations, failures } = await evaluateReference({ assignmentId: 'asg-1' }, ia);
    expect(evaluations.map((e) => [e.attempt.id, e.decision])).toEqual([['att-ok', 'attempt.scored']]);
    expect(failures.map((f) => f.attemptId)).toEqual(['att-text', '42', undefined, undefined]);
    for (const failure of failures) {
      expect(failure.error).toBeInstanceOf(MalformedResponseError);
      if (failure.attemptId === undefined) expect('attemptId' in failure).toBe(false);
    }
    expect(asked).toEqual([{ what: 'assignment', id: 'asg-1' }]);
  });

  it('refuses a reference that names neither', async () => {
    await expect(evaluateReference({}, iaServing([]).ia)).rejects.toThrow(
      new TypeError('reference needs attemptId or assignmentId'),
    );
  });
});
