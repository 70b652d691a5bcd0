/**
 * One scheduled run of the sweep: walk IA's assignment list, put every completed attempt it sees
 * through the same lifecycle a triggered check uses (state, exactly-once alerts, reminders,
 * completion) from the page's data, without a per-attempt GET, and save where it got to.
 *
 * Head first: the list is newest-created first and most attempts are completed within days of
 * their invitation, so a run first walks the recent head (`headDays`) with most of its time, then
 * goes on with the walk of the whole horizon with the rest. Each walk has its own cursor; the head's
 * starts over whenever it reaches its horizon, the full one when it reaches the whole horizon. A
 * run walks at the key's rate and stops at its page budget, its time budget or when triggered
 * checks need the key; the next run resumes both from the cursors.
 */

import { applyObservation, type Looked, type ObservationDeps, quietLook } from '#lib/domain/apply-observation.js';
import {
  type ListedAttempt,
  type PageOutcome,
  type WalkPosition,
  walkAssignments,
} from '#lib/domain/assignment-walk.js';
import { isMissing, type StoredRecord } from '#lib/domain/attempt-store.js';
import { describeError, RateLimitedError, StateConflictError, UnauthorizedError } from '#lib/domain/errors.js';
import type { IaClient } from '#lib/domain/ia.js';
import { lookAgainBy, type QuietMemo, rememberable } from '#lib/domain/quiet-memo.js';
import {
  type CursorStore,
  MAX_PAGE_MEMOS,
  type PageMemo,
  type SweepCursor,
  type WalkCursor,
} from '#lib/domain/sweep-cursor.js';
import { countsAgainstTriggers } from '#lib/domain/trigger-health.js';

export interface SweepSettings {
  horizonDays: number;
  /** The recent head of the list, walked first in every run (none when it covers the horizon). */
  headDays: number;
  /** The share of a run's time the head walk may take; the walk of the whole horizon gets the rest. */
  headShare: number;
  /**
   * A new walk of the whole horizon starts at most this often after the last one started: a small
   * list is not walked over and over (the head still is, every run). 0: as soon as one ends.
   */
  fullWalkEverySeconds: number;
  /** The page size to ask IA for. */
  pageSize: number;
  /** How long one run may walk: within its schedule interval, so runs do not overlap. */
  runSeconds: number;
  /**
   * How many pages one run may fetch: its share of the key (`sweepBudgetShare` of the run's paced
   * slots). The walk goes at the key's rate and stops there, so the function is not billed for
   * waiting between slots it would not take.
   */
  pagesPerRun: number;
  /** A completion found here counts against the account's triggers once this old (trigger-health.ts). */
  graceSeconds: number;
}

export interface SweepDeps extends ObservationDeps {
  ia: IaClient;
  cursors: CursorStore;
  /** The quiet looks this container remembers: an attempt listed as it was, with nothing due, reads no state. */
  memo: QuietMemo;
  now(): Date;
  /** Sends the re-checks the run scheduled (forRecord `sweep`). */
  flush(): Promise<void>;
  settings: SweepSettings;
  count(metric: string, value?: number, dimensions?: Record<string, string>): void;
  /** What waits for a review now, for the dashboard (once a run: the index's keys only). */
  awaiting(): Promise<{ count: number; oldestSince?: string }>;
  log: {
    info(message: string, extra: Record<string, unknown>): void;
    warn(message: string, extra: Record<string, unknown>): void;
  };
}

export interface SweepReport {
  /** `rested`: the last walk of the whole horizon is recent enough; only the head was walked. */
  status: 'busy' | 'full-walk' | 'stopped' | 'yielded' | 'failed' | 'rested';
  /** Whether the head walk reached its horizon in this run. */
  headWalked: boolean;
  pages: number;
  attemptsSeen: number;
  discovered: number;
  /** Of those, completions past the grace that no trigger had announced: held against the triggers. */
  missedByTriggers: number;
  published: number;
  lookFailures: number;
  failure?: string;
}

const SWEEP_RECORD = 'sweep';
const STATE_CONFLICT_RETRIES = 2;
const MAX_LOOK_FAILURES = 10;

const memoKey = (per: number, page: number) => `${per}:${page}`;

const earliest = (times: Array<string | undefined>) => times.filter((t): t is string => t !== undefined).sort()[0];

export const runSweep = async (deps: SweepDeps): Promise<SweepReport> => {
  const started = deps.now();
  const deadline = started.getTime() + deps.settings.runSeconds * 1000;
  const cursor = await deps.cursors.acquire(started, new Date(deadline + 60_000));
  const report: SweepReport = {
    status: 'stopped',
    headWalked: false,
    pages: 0,
    attemptsSeen: 0,
    discovered: 0,
    missedByTriggers: 0,
    published: 0,
    lookFailures: 0,
  };
  if (!cursor) {
    deps.log.info('another sweep run holds the walk; this one stops', {});
    return { ...report, status: 'busy' };
  }
  /** A walk resumes one page early: items moved back while it waited, none are skipped. */
  const resume = (walk: WalkCursor | undefined): WalkPosition => {
    const page = walk?.nextPage ?? 1;
    return {
      page: walk?.walkStartedAt && page > 1 ? page - 1 : page,
      per: walk?.per ?? deps.settings.pageSize,
      ...(walk?.boundary ? { boundary: walk.boundary } : {}),
    };
  };
  const walkStartedAt = cursor.walkStartedAt ?? started.toISOString();
  const position = resume(cursor);
  // This run's memos are saved however it ends: a page it fetched whole has a fresher ETag.
  const { pages: savedPages, head: savedHead, ...saved } = cursor;
  let pages: Record<string, PageMemo> = { ...savedPages };
  // Where each walk stopped stays saved until it fetches a page: a run that fetched nothing (it
  // yielded or failed at once) must not move the cursor back the page it resumes early.
  let next: Omit<SweepCursor, 'pages' | 'head'> = {
    ...saved,
    walkStartedAt,
    nextPage: cursor.nextPage ?? 1,
    per: position.per,
  };
  const headDays = Math.min(deps.settings.headDays, deps.settings.horizonDays);
  const headWalks = headDays > 0 && headDays < deps.settings.horizonDays;
  const headStartedAt = savedHead?.walkStartedAt ?? started.toISOString();
  let head: WalkCursor | undefined = headWalks
    ? { ...savedHead, walkStartedAt: headStartedAt, nextPage: savedHead?.nextPage ?? 1 }
    : undefined;

  const lookOf = (listed: ListedAttempt, previous: StoredRecord | undefined, now: Date, walk: string): Looked => ({
    attemptId: listed.attempt.id,
    previous: isMissing(previous) ? undefined : previous,
    observed: { attempt: listed.attempt, listedUntil: listed.listedUntil },
    now,
    source: 'sweep',
    recheckId: `sweep-${walk}:${listed.attempt.id}`,
    forRecord: SWEEP_RECORD,
    skipUnchanged: true,
  });

  const lookAt = async (listed: ListedAttempt, previous: StoredRecord | undefined, now: Date, walk: string) => {
    const look = lookOf(listed, previous, now, walk);
    const known = look.previous;
    const applied = await applyObservation(deps, look);
    if (!known) {
      report.discovered += 1;
      if (countsAgainstTriggers(listed.attempt.completedAt, now, deps.settings)) report.missedByTriggers += 1;
    }
    report.published += applied.published.length;
    for (const eventType of applied.published) deps.count('AlertsPublished', 1, { eventType });
    return applied.nextLookAt;
  };

  /** Looks at a page's attempts and keeps its memo; `moved` records where the walk got to. */
  const onPage =
    (walk: string, isHead: boolean, moved: (after: WalkPosition) => void) =>
    async (outcome: PageOutcome, after: WalkPosition) => {
      report.pages += 1;
      deps.count('SweepPages');
      const key = memoKey(after.per, outcome.page);
      if (outcome.kind === 'page') {
        const now = deps.now();
        // Read eventually consistent, at half the price: such a read may miss a recent write
        // (DynamoDB: usually within a second), so it is the stored state or an older one. Most
        // looks change nothing; a look that would act (publish, ask an alert's key, save, schedule
        // a re-check) reads the state again, consistently, and looks with that, so nothing is sent
        // or saved from an old state. A quiet look on an old state stands: what is due by the clock
        // is due on the older state too; a check's look arms alerts due hours later and the list
        // shows what it saw soon after (a changed page is fetched whole); a claim released sends a
        // check of its own for the escalation it may leave due. The same holds of a quiet look
        // remembered (quiet-memo.ts): the attempt listed exactly as then, nothing due yet, so its
        // state is not read at all.
        const remembered = new Map(
          outcome.attempts.flatMap((listed) => {
            const quiet = deps.memo.recall(listed, now);
            return quiet ? [[listed.attempt.id, quiet.nextLookAt] as const] : [];
          }),
        );
        if (remembered.size > 0) deps.count('SweepLooksRemembered', remembered.size);
        const unread = outcome.attempts.map((a) => a.attempt.id).filter((id) => !remembered.has(id));
        const states = unread.length > 0 ? await deps.states.getMany(unread, { eventually: true }) : new Map();
        const dueTimes: Array<string | undefined> = [];
        const failuresBefore = report.lookFailures;
        for (const listed of outcome.attempts) {
          report.attemptsSeen += 1;
          if (remembered.has(listed.attempt.id)) {
            dueTimes.push(remembered.get(listed.attempt.id));
            continue;
          }
          for (let attempt = 0; ; attempt++) {
            try {
              // A state no look can be made on fails here like a look, not the whole run.
              if (attempt === 0) {
                // This look reads the state: what the memo held of the attempt stands no longer.
                deps.memo.forget(listed);
                const state = states.get(listed.attempt.id);
                const quiet = quietLook(deps, lookOf(listed, state, now, walk));
                if (quiet.quiet) {
                  const until = lookAgainBy(listed, quiet.nextLookAt);
                  if (rememberable(state, deps.watch)) deps.memo.remember(listed, now, until);
                  dueTimes.push(until);
                  break;
                }
                // The looks read again, consistently: what the bill's re-reads per attempt stands on
                // (a counts field, not a metric; a retry after a conflict reads once more).
                deps.count('SweepStateRereads');
              }
              dueTimes.push(await lookAt(listed, await deps.states.get(listed.attempt.id), now, walk));
              break;
            } catch (error) {
              // A triggered check wrote the same attempt at the same moment: look again with its state.
              if (error instanceof StateConflictError && attempt < STATE_CONFLICT_RETRIES) continue;
              // One attempt that cannot be looked at now (a publish in progress elsewhere, SNS
              // throttling) waits for the next walk; many in a row mean something is down.
              const { code, message } = describeError(error);
              report.lookFailures += 1;
              deps.count('SweepLookFailures');
              deps.log.warn('sweep could not look at an attempt; the next walk will', {
                attemptId: listed.attempt.id,
                code,
                reason: message,
              });
              if (report.lookFailures >= MAX_LOOK_FAILURES) throw error;
              break;
            }
          }
        }
        await deps.flush();
        // A 304 for a memo stands for every attempt on the page: a page with one this run did not
        // look at (passed over, a look that failed, or past the head's horizon, which the walk of
        // the whole horizon still has to look at) is fetched whole next time.
        const lookedAtAll =
          outcome.passedOver === 0 && report.lookFailures === failuresBefore && !(outcome.horizon && isHead);
        if (outcome.etag && outcome.page <= MAX_PAGE_MEMOS && lookedAtAll) {
          const dueAt = earliest(dueTimes);
          const listEnds = outcome.ends && !outcome.horizon;
          pages[key] = {
            etag: outcome.etag,
            ...(listEnds ? { ends: true } : {}),
            ...(outcome.oldestCreatedAt ? { oldest: outcome.oldestCreatedAt } : {}),
            ...(dueAt ? { dueAt } : {}),
          };
        } else {
          delete pages[key];
        }
      } else {
        deps.count('SweepPagesNotModified');
      }
      moved(after);
    };

  const walkOptions = (horizonDays: number) => ({
    requestedPer: deps.settings.pageSize,
    horizonDays,
    // The walk of the whole horizon looks at every assignment until it leaves it, head or not.
    listedForDays: deps.settings.horizonDays,
    now: started,
    // A 304 says nothing changed on the page; it is not trusted once something there is due.
    memoFor: (per: number, page: number) => {
      const memo = pages[memoKey(per, page)];
      return memo && (!memo.dueAt || Date.parse(memo.dueAt) > deps.now().getTime()) ? memo : undefined;
    },
    onMalformed: (what: string) => {
      deps.count('SweepItemsMalformed');
      deps.log.warn('sweep skipped something it cannot use', { what });
    },
  });
  const at = (after: WalkPosition): WalkCursor => ({
    nextPage: after.page,
    per: after.per,
    ...(after.boundary ? { boundary: after.boundary } : {}),
  });

  const budgetSpent = () => report.pages >= deps.settings.pagesPerRun;
  /** The head of the list, with at most `headShare` of the run: starts over at its horizon. */
  const walkHead = async () => {
    if (!head) return;
    const headDeadline = started.getTime() + deps.settings.runSeconds * 1000 * deps.settings.headShare;
    const headPages = Math.max(1, Math.floor(deps.settings.pagesPerRun * deps.settings.headShare));
    const { end } = await walkAssignments(
      deps.ia,
      resume(savedHead),
      walkOptions(headDays),
      onPage(`head-${headStartedAt}`, true, (after) => {
        head = { ...head, ...at(after) };
      }),
      () => report.pages >= headPages || deps.now().getTime() >= headDeadline,
    );
    if (end === 'stopped') return;
    // At its horizon (or told the page size changed): the next run walks the head from the top.
    head = undefined;
    if (end !== 'restart') {
      report.headWalked = true;
      deps.count('SweepHeadWalks');
      next = { ...next, lastHeadWalkEndedAt: deps.now().toISOString() };
    }
  };

  /** The whole horizon, from where its walk stopped, until the run's deadline. */
  const walkWhole = async () => {
    const { end, position: last } = await walkAssignments(
      deps.ia,
      position,
      walkOptions(deps.settings.horizonDays),
      onPage(walkStartedAt, false, (after) => {
        next = { ...next, ...at(after) };
      }),
      () => budgetSpent() || deps.now().getTime() >= deadline,
    );
    if (end === 'restart') {
      deps.log.warn('IA serves another page size than before; the walk starts over', { per: last.per });
      pages = {};
      next = { nextPage: 1, per: last.per, walkStartedAt: deps.now().toISOString(), ...lastWalk(cursor, next) };
    } else if (end === 'horizon' || end === 'end-of-list') {
      const ended = deps.now();
      deps.count('SweepFullWalks');
      deps.count('SweepWalkSeconds', Math.round((ended.getTime() - Date.parse(walkStartedAt)) / 1000));
      next = {
        nextPage: 1,
        per: last.per,
        lastFullWalkStartedAt: walkStartedAt,
        lastFullWalkEndedAt: ended.toISOString(),
        ...(next.lastHeadWalkEndedAt ? { lastHeadWalkEndedAt: next.lastHeadWalkEndedAt } : {}),
      };
      report.status = 'full-walk';
    } else {
      report.status = 'stopped';
      deps.log.warn('sweep degraded: the horizon holds more than one run can walk; the next run resumes here', {
        nextPage: next.nextPage,
        walkStartedAt,
        horizonDays: deps.settings.horizonDays,
      });
      deps.count('SweepRunsIncomplete');
    }
  };

  // No walk of the whole horizon in progress, and the last one is recent: only the head is walked.
  const lastFullStart = cursor.lastFullWalkStartedAt ? Date.parse(cursor.lastFullWalkStartedAt) : undefined;
  const rests =
    !cursor.walkStartedAt &&
    lastFullStart !== undefined &&
    started.getTime() - lastFullStart < deps.settings.fullWalkEverySeconds * 1000;

  try {
    await walkHead();
    if (rests) {
      const { walkStartedAt: _none, ...resting } = next;
      next = resting;
      report.status = 'rested';
    } else {
      await walkWhole();
    }
  } catch (error) {
    // The looks that were saved before the failure keep their re-checks.
    await deps.flush().catch(() => undefined);
    if (error instanceof RateLimitedError) {
      // Triggered checks have booked the key ahead: they go first, the walk resumes next run.
      report.status = 'yielded';
      deps.count('SweepYielded');
      deps.log.info('sweep yields the IA budget to triggered checks', { nextPage: next.nextPage });
    } else {
      const { code, message } = describeError(error);
      report.status = 'failed';
      report.failure = `${code}: ${message}`;
      if (error instanceof UnauthorizedError) deps.count('IaAuthFailures');
      deps.count('SweepFailures');
      deps.log.warn('sweep run failed; the next run resumes where it stopped', {
        code,
        reason: message,
        nextPage: next.nextPage,
      });
    }
  }
  await deps.cursors.release({ ...next, pages, ...(head ? { head } : {}) });
  const lastStart = next.lastFullWalkStartedAt ?? cursor.lastFullWalkStartedAt;
  // How old the oldest look may be: since the start of the last walk that went all the way.
  if (lastStart) deps.count('SweepLagSeconds', Math.round((deps.now().getTime() - Date.parse(lastStart)) / 1000));
  deps.count('SweepAttemptsSeen', report.attemptsSeen);
  deps.count('AttemptsDiscoveredBySweep', report.discovered);
  const waiting = await deps.awaiting().catch(() => undefined);
  if (waiting) {
    deps.count('AttemptsAwaitingReview', waiting.count);
    if (waiting.oldestSince)
      deps.count(
        'OldestReviewWaitHours',
        Math.floor((deps.now().getTime() - Date.parse(waiting.oldestSince)) / 3_600_000),
      );
  }
  deps.log.info('sweep run ended', { ...report });
  return report;
};

const lastWalk = (cursor: SweepCursor, next: Omit<SweepCursor, 'pages' | 'head'>) => ({
  ...(cursor.lastFullWalkStartedAt ? { lastFullWalkStartedAt: cursor.lastFullWalkStartedAt } : {}),
  ...(cursor.lastFullWalkEndedAt ? { lastFullWalkEndedAt: cursor.lastFullWalkEndedAt } : {}),
  ...(next.lastHeadWalkEndedAt ? { lastHeadWalkEndedAt: next.lastHeadWalkEndedAt } : {}),
});
