/**
 * One check request, end to end: for each attempt it names, read the watch state, ask IA (with
 * the stored ETag), let the lifecycle decide, publish due alerts exactly once, save the state,
 * schedule the next look. Dependencies come in as arguments; the handler only wires them.
 *
 * Crash safety: the next re-check's id is derived from this SQS message's id, so a redelivery
 * of this very message recognises its own earlier work and only re-sends the schedule, while any
 * other copy of an older re-check finds a different id in the state and is dropped.
 */

import type { Alert } from '#lib/domain/alert.js';
import { applyObservation, type ObservationDeps, scheduleRecheck } from '#lib/domain/apply-observation.js';
import { type Attempt, isCompleted, normaliseAttempt } from '#lib/domain/attempt.js';
import { assignmentKey, isMissing, type StoredRecord } from '#lib/domain/attempt-store.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { NotFoundError } from '#lib/domain/errors.js';
import { type EvaluationFailure, evaluateReference } from '#lib/domain/evaluate.js';
import { type IaClient, NOT_MODIFIED } from '#lib/domain/ia.js';
import { type AttemptState, alertsDueByTime, goneFromIa, type Observation } from '#lib/domain/lifecycle.js';

export interface CheckDeps extends ObservationDeps {
  ia: IaClient;
  now(): Date;
  /** A new trigger for an attempt checked this recently is answered from state, without IA. */
  minRecheckIntervalSeconds: number;
  /** How long a 404 for a never-seen id is remembered (dead-lettered again without asking IA). */
  notFoundMemorySeconds: number;
  count(metric: string, value?: number, dimensions?: Record<string, string>): void;
}

export type CheckAction =
  | 'checked'
  | 'not-completed'
  | 'recently-checked'
  | 'already-closed'
  | 'stale-recheck'
  | 'waiting'
  | 'resumed';

export interface CheckOutcome {
  attemptId: string;
  action: CheckAction;
  published: Alert['eventType'][];
  suppressed: Alert['eventType'][];
  nextCheckAt?: string;
  lifecycle?: string;
}

export interface CheckResult {
  outcomes: CheckOutcome[];
  failures: EvaluationFailure[];
}

export interface CheckOptions {
  signal?: AbortSignal;
  /** Moved back from the DLQ by `redrive` after a fix: a remembered 404 is asked again. */
  redriven?: boolean;
}

interface Context extends CheckOptions {
  message: CheckMessage;
  messageId: string;
  deps: CheckDeps;
  now: Date;
}

/** A 404 remembered for this id is answered as one (the record is dead-lettered), without IA. */
const refuseIfKnownMissing = (ctx: Context, record: StoredRecord | undefined, what: string) => {
  if (isMissing(record) && !ctx.redriven && Date.parse(record.missingUntil) > ctx.now.getTime()) {
    ctx.deps.count('RememberedNotFound');
    throw new NotFoundError(
      `${what} not found (IA answered 404; not asked again before ${record.missingUntil}, or redrive to ask now)`,
    );
  }
};

/** A fresh 404 is remembered for the next trigger of the same id, then passed on. */
const rememberingMissing = async <T>(ctx: Context, key: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof NotFoundError && ctx.deps.notFoundMemorySeconds > 0) {
      await ctx.deps.states.rememberMissing(key, new Date(ctx.now.getTime() + ctx.deps.notFoundMemorySeconds * 1000));
    }
    throw error;
  }
};

/** A 404 for an attempt we watch takes it out of the awaiting index (goneFromIa), then is passed on. */
const leavingIndexWhenGone = async <T>(ctx: Context, previous: AttemptState, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof NotFoundError && previous.awaiting) await ctx.deps.states.put(goneFromIa(previous, ctx.now));
    throw error;
  }
};

const observe = async (ctx: Context, attemptId: string, previous: AttemptState | undefined): Promise<Observation> => {
  const options = ctx.signal ? { signal: ctx.signal } : {};
  ctx.deps.count('IaCalls');
  // A 304 may be stale for a while after IA changed the attempt: a look that would alert on time
  // alone (a reminder, escalation, the stall report) asks without the ETag, so that reviews done or
  // scoring finished a minute ago are seen (seed 3480: a false stall, then attempt.scored 6 h late).
  if (previous?.etag && alertsDueByTime(previous, ctx.now, ctx.deps.watch).length === 0) {
    const fetched = await ctx.deps.ia.getAttemptIfChanged(attemptId, previous.etag, options);
    if (fetched === NOT_MODIFIED) return 'not-modified';
    return { attempt: normaliseAttempt(fetched.value), ...(fetched.etag ? { etag: fetched.etag } : {}) };
  }
  const { value, etag } = await ctx.deps.ia.getAttempt(attemptId, options);
  return { attempt: normaliseAttempt(value), ...(etag ? { etag } : {}) };
};

const checkAttempt = async (ctx: Context, attemptId: string, fromAssignment?: Attempt): Promise<CheckOutcome> => {
  const { deps, message, now } = ctx;
  const outcome = (action: CheckAction, extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
    attemptId,
    action,
    published: [],
    suppressed: [],
    ...extra,
  });
  const schedule = (recheckId: string, notBefore: string) =>
    scheduleRecheck(deps, {
      attemptId,
      recheckId,
      notBefore,
      now,
      forRecord: ctx.messageId,
      ...(message.source ? { source: message.source } : {}),
    });
  if (message.recheckId !== undefined && message.notBefore && Date.parse(message.notBefore) - now.getTime() > 1000) {
    // A long wait passes through here every 15 minutes (SQS's delay limit): it only waits again,
    // without reading state. A stale copy is recognised, and dropped, when it is due.
    schedule(message.recheckId, message.notBefore);
    return outcome('waiting', { nextCheckAt: message.notBefore });
  }
  const stored = await deps.states.get(attemptId);
  if (!fromAssignment) refuseIfKnownMissing(ctx, stored, `attempt ${attemptId}`);
  const previous = isMissing(stored) ? undefined : stored;
  const myRecheckId = `${ctx.messageId}:${attemptId}`;

  if (previous?.recheckId === myRecheckId && previous.nextCheckAt) {
    // This message was processed before but maybe not acknowledged: only the schedule may be missing.
    schedule(myRecheckId, previous.nextCheckAt);
    return outcome('resumed', { nextCheckAt: previous.nextCheckAt });
  }
  if (message.recheckId !== undefined) {
    if (previous?.recheckId !== message.recheckId) return outcome('stale-recheck');
  } else if (previous && !fromAssignment) {
    if (previous.closedAt) return outcome('already-closed');
    const sinceLastCheck = (now.getTime() - Date.parse(previous.lastCheckedAt)) / 1000;
    // After a release, the look of moments ago saw the claim: escalation due since then waits for this one.
    if (sinceLastCheck < deps.minRecheckIntervalSeconds && !message.afterRelease) return outcome('recently-checked');
  }

  const observed: Observation = fromAssignment
    ? { attempt: fromAssignment }
    : previous
      ? await leavingIndexWhenGone(ctx, previous, () => observe(ctx, attemptId, previous))
      : await rememberingMissing(ctx, attemptId, () => observe(ctx, attemptId, previous));
  const { published, suppressed, lifecycle, nextCheckAt } = await applyObservation(deps, {
    attemptId,
    previous,
    observed,
    now,
    recheckId: myRecheckId,
    forRecord: ctx.messageId,
    ...(message.source ? { source: message.source } : {}),
  });
  if (lifecycle === 'not-completed') return outcome('not-completed', { lifecycle });
  return outcome('checked', { published, suppressed, lifecycle, ...(nextCheckAt ? { nextCheckAt } : {}) });
};

export const checkReference = async (
  message: CheckMessage,
  messageId: string,
  deps: CheckDeps,
  options: CheckOptions = {},
): Promise<CheckResult> => {
  const ctx: Context = { message, messageId, deps, now: deps.now(), ...options };
  if (message.attemptId !== undefined) return { outcomes: [await checkAttempt(ctx, message.attemptId)], failures: [] };
  const assignmentId = message.assignmentId as string;
  // An assignment embeds its attempts: one IA call covers them all.
  const key = assignmentKey(assignmentId);
  refuseIfKnownMissing(ctx, await deps.states.get(key), `assignment ${assignmentId}`);
  const { evaluations, failures } = await rememberingMissing(ctx, key, () => {
    deps.count('IaCalls');
    return evaluateReference(message, deps.ia, options.signal ? { signal: options.signal } : {});
  });
  const outcomes: CheckOutcome[] = [];
  for (const { attempt } of evaluations)
    outcomes.push(
      isCompleted(attempt)
        ? await checkAttempt(ctx, attempt.id, attempt)
        : { attemptId: attempt.id, action: 'not-completed', published: [], suppressed: [] },
    );
  return { outcomes, failures };
};
