/**
 * Fetch, normalise, decide: the read-only half of a check, shared by the `check` function and
 * the CLI so both reach the same decision the same way.
 */
import { type Attempt, normaliseAttempt } from './attempt.js';
import { parseAttempt } from './attempt-schema.js';
import { type Decision, decide } from './decision.js';
import { type AppError, isAppError } from './errors.js';
import type { IaClient, RequestOptions } from './ia.js';

export interface Reference {
  attemptId?: string;
  assignmentId?: string;
}

export interface Evaluation {
  attempt: Attempt;
  decision: Decision;
}

/** An attempt inside an assignment that could not be used; the others still are. */
export interface EvaluationFailure {
  attemptId?: string;
  error: AppError;
}

export interface EvaluationResult {
  evaluations: Evaluation[];
  failures: EvaluationFailure[];
}

const evaluation = (attempt: Attempt): Evaluation => ({ attempt, decision: decide(attempt) });

export const evaluateReference = async (
  reference: Reference,
  ia: IaClient,
  options?: RequestOptions,
): Promise<EvaluationResult> => {
  if (reference.attemptId !== undefined) {
    const { value } = await ia.getAttempt(reference.attemptId, options);
    return { evaluations: [evaluation(normaliseAttempt(value))], failures: [] };
  }
  if (reference.assignmentId === undefined) throw new TypeError('reference needs attemptId or assignmentId');
  // The assignment embeds full attempts: one IA call covers all of them.
  const { value: assignment } = await ia.getAssignment(reference.assignmentId, options);
  const result: EvaluationResult = { evaluations: [], failures: [] };
  for (const raw of assignment.attempts) {
    try {
      result.evaluations.push(evaluation(normaliseAttempt(parseAttempt(raw), assignment)));
    } catch (error) {
      if (!isAppError(error)) throw error;
      const id = (raw as { id?: unknown } | null)?.id;
      result.failures.push(
        typeof id === 'string' || typeof id === 'number' ? { attemptId: String(id), error } : { error },
      );
    }
  }
  return result;
};
