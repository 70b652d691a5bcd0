/**
 * One check request, end to end: evaluate the reference, then publish each attempt's alert or
 * schedule its re-check. Dependencies come in as arguments; the handler only wires them.
 */
import { buildAlert, type Alert } from '#lib/alert.js';
import type { CheckMessage } from '#lib/check-message.js';
import type { RenderSettings } from '#lib/config.js';
import { evaluateReference, type EvaluationFailure } from '#lib/evaluate.js';
import type { IaClient } from '#lib/ia-client.js';
import { planRecheck, type RecheckSettings } from '#lib/recheck.js';

export interface CheckDeps {
  ia: IaClient;
  publish(alert: Alert): Promise<void>;
  requeue(message: CheckMessage, delaySeconds: number): Promise<void>;
  now(): Date;
  render: RenderSettings;
  recheck: RecheckSettings;
}

export type CheckOutcome =
  | { attemptId: string; action: 'published'; eventType: Alert['eventType'] }
  | { attemptId: string; action: 'requeued'; delaySeconds: number };

export interface CheckResult {
  outcomes: CheckOutcome[];
  failures: EvaluationFailure[];
}

export const checkReference = async (
  message: CheckMessage,
  deps: CheckDeps,
  signal?: AbortSignal,
): Promise<CheckResult> => {
  const { evaluations, failures } = await evaluateReference(message, deps.ia, signal ? { signal } : {});
  const now = deps.now();
  const outcomes: CheckOutcome[] = [];
  for (const { attempt, decision } of evaluations) {
    const context = { now, settings: deps.render, ...(message.source ? { source: message.source } : {}) };
    if (decision !== 'scoring.pending') {
      await deps.publish(buildAlert(decision, attempt, context));
      outcomes.push({ attemptId: attempt.id, action: 'published', eventType: decision });
      continue;
    }
    const plan = planRecheck(attempt.id, message, now, deps.recheck);
    if (plan.kind === 'stalled') {
      await deps.publish(buildAlert('scoring.stalled', attempt, { ...context, waitedHours: plan.waitedHours }));
      outcomes.push({ attemptId: attempt.id, action: 'published', eventType: 'scoring.stalled' });
    } else {
      await deps.requeue(plan.message, plan.delaySeconds);
      outcomes.push({ attemptId: attempt.id, action: 'requeued', delaySeconds: plan.delaySeconds });
    }
  }
  return { outcomes, failures };
};
