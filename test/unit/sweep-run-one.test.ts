/**
 * One sweep run at a time, on plain in-memory dependencies: what the run reports, the cursor and
 * page memos it saves, where it resumes, and how it ends (busy, yielded, failed, rested, restarted).
 * sweep-run.test.ts drives runs over days through the real adapters; this one pins each run exactly.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { parseAssignmentPage } from '#lib/domain/attempt-schema.js';
import type { StoredRecord } from '#lib/domain/attempt-store.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { RateLimitedError, StateConflictError, UnauthorizedError, UpstreamError } from '#lib/domain/errors.js';
import { type IaClient, NOT_MODIFIED } from '#lib/domain/ia.js';
import { type AttemptState, DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { type QuietMemo, quietMemo } from '#lib/domain/quiet-memo.js';
import type { SweepCursor } from '#lib/domain/sweep-cursor.js';
import { runSweep, type SweepSettings } from '../../functions/sweep/sweep-run.js';
import { listedAssignment } from '../../local/ia-fixtures.js';

const T0 = Date.parse('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let clock: number;
/** Assignments, newest first: `asg-i`, created `i` hours before T0 unless `ages` says otherwise. */
let items: Array<{ assignment: unknown }>;
/** IA's page size: what it serves, whatever is asked. */
let servedPer: number;
let listCalls: Array<{ page: number; per: number; etag?: string }>;
/** How long IA takes to answer for a page (a second unless set). */
let latencyMs: Map<number, number>;
/** Thrown by the list call for this page, once. */
let listFailures: Map<number, Error>;
let stored: Map<string, StoredRecord>;
/** Thrown by `put` for these attempt ids, in order, one per write. */
let putFailures: Map<string, Error[]>;
let published: Array<{ eventType: string; attemptId: string }>;
/** The source each published alert names. */
let sources: Array<string | undefined>;
let scheduled: Array<{ message: CheckMessage; delaySeconds: number; forRecord: string }>;
let flushes: number;
let held: boolean;
let saved: SweepCursor | undefined;
let released: SweepCursor[];
/** The state reads one at a time (a page's are read in one batch first), the leases asked for, the metrics. */
let singleReads: string[];
/** The batch reads, and whether each was eventually consistent. */
let batchReads: Array<{ ids: string[]; eventually: boolean }>;
/** What an eventually consistent batch read returns instead of the stored state (one a write behind). */
let staleBatch: Map<string, StoredRecord | undefined>;
let leases: Array<{ now: string; until: string }>;
let counted: Array<[string, number]>;
/** What the awaiting-review index holds, as the dashboard's figures read it. */
let waiting: { count: number; oldestSince?: string };
let awaitingFails: boolean;
/** The container's memo of quiet looks: a fresh one per run (a cold container) unless a test keeps one. */
let memo: QuietMemo | undefined;

const assignmentsFor = (count: number, ageOf: (i: number) => number = (i) => (i + 1) * HOUR) =>
  Array.from({ length: count }, (_, i) =>
    listedAssignment(`asg-${i}`, new Date(T0 - ageOf(i)), [
      { id: `att-${i}`, pendingReviewCount: 1, scoringCompleted: true },
    ]),
  );

beforeEach(() => {
  clock = T0;
  items = assignmentsFor(5);
  servedPer = 3;
  listCalls = [];
  latencyMs = new Map();
  listFailures = new Map();
  stored = new Map();
  putFailures = new Map();
  published = [];
  sources = [];
  scheduled = [];
  flushes = 0;
  held = false;
  saved = undefined;
  released = [];
  singleReads = [];
  batchReads = [];
  staleBatch = new Map();
  leases = [];
  counted = [];
  waiting = { count: 0 };
  awaitingFails = false;
  memo = undefined;
});
const metric = (name: string) => counted.filter(([m]) => m === name).map(([, v]) => v);

/** The page's ETag: its size, number and content. */
const pageEtag = (page: number) =>
  `"${servedPer}:${page}:${JSON.stringify(items.slice((page - 1) * servedPer, page * servedPer)).length}"`;

const ia: IaClient = {
  getAttempt: () => Promise.reject(new Error('not used')),
  getAttemptIfChanged: () => Promise.reject(new Error('not used')),
  getAssignment: () => Promise.reject(new Error('not used')),
  listAssignments: async (page, per, options = {}) => {
    listCalls.push({ page, per, ...(options.etag ? { etag: options.etag } : {}) });
    // IA's 1 request a second.
    clock += latencyMs.get(page) ?? 1000;
    const failure = listFailures.get(page);
    if (failure) {
      listFailures.delete(page);
      throw failure;
    }
    const results = items.slice((page - 1) * servedPer, page * servedPer);
    const body = {
      meta: { total_count: items.length, count: results.length, pages: Math.ceil(items.length / servedPer) },
      results,
    };
    const etag = pageEtag(page);
    if (options.etag === etag) return NOT_MODIFIED;
    return { value: parseAssignmentPage(body), etag };
  },
};

const settings = (over: Partial<SweepSettings> = {}): SweepSettings => ({
  horizonDays: 30,
  headDays: 30,
  headShare: 0.5,
  fullWalkEverySeconds: 0,
  pageSize: 3,
  runSeconds: 300,
  // The time budget stops these runs unless a test gives a page budget.
  pagesPerRun: 1_000,
  graceSeconds: 3600,
  ...over,
});

const run = (over: Partial<SweepSettings> = {}) =>
  runSweep({
    ia,
    states: {
      get: async (id) => {
        singleReads.push(id);
        return stored.get(id);
      },
      getMany: async (ids, read) => {
        batchReads.push({ ids, eventually: read?.eventually === true });
        const seen = (id: string) => (read?.eventually && staleBatch.has(id) ? staleBatch.get(id) : stored.get(id));
        return new Map(ids.flatMap((id) => [seen(id)].flatMap((s) => (s ? [[id, s] as const] : []))));
      },
      put: async (state: AttemptState) => {
        const failure = putFailures.get(state.attemptId)?.shift();
        if (failure) throw failure;
        const before = stored.get(state.attemptId);
        const version = before && 'version' in before ? before.version : 0;
        if (version !== state.version) throw new StateConflictError(`${state.attemptId} was written meanwhile`);
        stored.set(state.attemptId, { ...state, version: state.version + 1 });
      },
      rememberMissing: () => Promise.reject(new Error('not used')),
    },
    publishOnce: async (alert) => {
      published.push({ eventType: alert.eventType, attemptId: 'attemptId' in alert ? alert.attemptId : '' });
      sources.push('source' in alert ? alert.source : undefined);
      return 'published';
    },
    schedule: (message, delaySeconds, forRecord) => scheduled.push({ message, delaySeconds, forRecord }),
    flush: async () => {
      flushes += 1;
    },
    cursors: {
      acquire: async (now, leaseUntil) => {
        leases.push({ now: now.toISOString(), until: leaseUntil.toISOString() });
        return held ? undefined : (saved ?? { nextPage: 1 });
      },
      release: async (cursor) => {
        released.push(cursor);
        saved = cursor;
      },
    },
    memo: memo ?? quietMemo(),
    now: () => new Date(clock),
    render: { includeCandidateEmail: false },
    watch: DEFAULT_WATCH,
    settings: settings(over),
    count: (metric, value = 1) => void counted.push([metric, value]),
    awaiting: async () => {
      if (awaitingFails) throw new UpstreamError('DynamoDB unavailable', 503);
      return waiting;
    },
    log: { info: () => undefined, warn: () => undefined },
  });

describe('a run of the whole horizon', () => {
  it('looks at every completed attempt once, reports what it did, and saves a memo per page', async () => {
    const report = await run();
    expect(report).toEqual({
      status: 'full-walk',
      headWalked: false,
      pages: 2,
      attemptsSeen: 5,
      discovered: 5,
      missedByTriggers: 5,
      published: 5,
      lookFailures: 0,
    });
    expect(published.map((p) => p.attemptId)).toEqual(['att-0', 'att-1', 'att-2', 'att-3', 'att-4']);
    expect(new Set(published.map((p) => p.eventType))).toEqual(new Set(['review.needed']));
    expect(listCalls).toEqual([
      { page: 1, per: 3 },
      { page: 2, per: 3 },
    ]);
    // The re-checks it scheduled are sent: once after each page.
    expect(flushes).toBe(2);
    // The next look at a waiting review: the watch's interval after this one.
    const dueAt = iso(T0 + 1000 + DEFAULT_WATCH.watchIntervalSeconds * 1000);
    expect(released).toHaveLength(1);
    expect(saved).toEqual({
      nextPage: 1,
      per: 3,
      lastFullWalkStartedAt: iso(T0),
      lastFullWalkEndedAt: iso(T0 + 2000),
      pages: {
        '3:1': { etag: pageEtag(1), oldest: iso(T0 - 3 * HOUR), dueAt },
        '3:2': { etag: pageEtag(2), ends: true, oldest: iso(T0 - 5 * HOUR), dueAt: iso(T0 + 2000 + HOUR) },
      },
    });
  });

  it('asks with the kept ETags next time: 304s look at nothing, the memos stay', async () => {
    await run();
    const memos = saved?.pages;
    clock += 300_000;
    listCalls = [];
    const report = await run();
    expect(report).toMatchObject({ status: 'full-walk', pages: 2, attemptsSeen: 0, discovered: 0, published: 0 });
    expect(listCalls).toEqual([
      { page: 1, per: 3, etag: memos?.['3:1']?.etag },
      { page: 2, per: 3, etag: memos?.['3:2']?.etag },
    ]);
    expect(saved?.pages).toEqual(memos);
    expect(saved?.lastFullWalkStartedAt).toBe(iso(T0 + 2000 + 300_000));
  });

  it('does not trust a 304 once something on the page is due: the page is fetched whole and looked at', async () => {
    latencyMs.set(2, 60_000);
    await run();
    latencyMs.clear();
    clock = T0 + HOUR + 1500;
    listCalls = [];
    const report = await run();
    // Page 1 fell due a minute earlier than page 2: only it is fetched whole.
    expect(listCalls).toEqual([
      { page: 1, per: 3 },
      { page: 2, per: 3, etag: pageEtag(2) },
    ]);
    expect(report).toMatchObject({ attemptsSeen: 3, discovered: 0 });
    expect(saved?.pages?.['3:1']?.dueAt).toBe(iso(T0 + HOUR + 2500 + HOUR));
    // A day on, every page is due: the reminders go.
    clock = T0 + DAY + 2 * HOUR;
    published = [];
    expect((await run()).published).toBe(5);
    expect(published).toEqual([0, 1, 2, 3, 4].map((i) => ({ eventType: 'review.overdue', attemptId: `att-${i}` })));
  });

  it('a look that changed nothing is not saved again (the sweep looks often)', async () => {
    await run();
    const versions = [...stored.values()].map((s) => ('version' in s ? s.version : 0));
    clock += 600_000;
    saved = { ...saved, pages: {} } as SweepCursor;
    const report = await run();
    expect(report).toMatchObject({ attemptsSeen: 5, discovered: 0, published: 0 });
    expect([...stored.values()].map((s) => ('version' in s ? s.version : 0))).toEqual(versions);
  });

  it('stops at its page budget like at its deadline, and the next run resumes there', async () => {
    items = assignmentsFor(12);
    const first = await run({ pagesPerRun: 2 });
    expect(first).toMatchObject({ status: 'stopped', pages: 2, attemptsSeen: 6 });
    expect(saved).toMatchObject({ walkStartedAt: iso(T0), nextPage: 3 });
    expect(metric('SweepRunsIncomplete')).toEqual([1]);
    listCalls = [];
    const second = await run({ pagesPerRun: 3 });
    expect(listCalls.map((c) => c.page)).toEqual([2, 3, 4]);
    expect(second).toMatchObject({ status: 'full-walk', attemptsSeen: 6 });
  });

  it('stops at its deadline and saves where the walk got to; the next run resumes one page early', async () => {
    items = assignmentsFor(12);
    const first = await run({ runSeconds: 2 });
    expect(first).toMatchObject({ status: 'stopped', pages: 2, attemptsSeen: 6 });
    expect(saved).toMatchObject({
      walkStartedAt: iso(T0),
      nextPage: 3,
      per: 3,
      boundary: { createdAt: iso(T0 - 6 * HOUR), ids: ['asg-5'] },
    });
    expect(saved?.lastFullWalkStartedAt).toBeUndefined();
    listCalls = [];
    // Without page memos (a 304 would hide the point): the boundary alone keeps page 2 from a second look.
    saved = { ...saved, pages: {} } as SweepCursor;
    const second = await run({ runSeconds: 10 });
    expect(listCalls.map((c) => c.page)).toEqual([2, 3, 4]);
    // Page 2 again, whole or not: its items are behind the boundary, so only pages 3 and 4 are looked at.
    expect(second).toMatchObject({ status: 'full-walk', attemptsSeen: 6, discovered: 6 });
    expect(saved?.lastFullWalkStartedAt).toBe(iso(T0));
    expect(saved?.walkStartedAt).toBeUndefined();
    expect(saved?.boundary).toBeUndefined();
  });

  it('a cursor without a walk in progress starts at its page, not one early', async () => {
    items = assignmentsFor(12);
    saved = { nextPage: 3, per: 3 };
    await run({ runSeconds: 1 });
    expect(listCalls.map((c) => c.page)).toEqual([3]);
  });

  it('stops at the horizon: older assignments are not looked at, and the page keeps no memo that ends the list', async () => {
    items = assignmentsFor(5, (i) => (i < 4 ? (i + 1) * HOUR : 31 * DAY));
    const report = await run();
    expect(report).toMatchObject({ status: 'full-walk', pages: 2, attemptsSeen: 4 });
    expect(published.map((p) => p.attemptId)).not.toContain('att-4');
    expect(saved?.pages?.['3:2']).toEqual({ etag: pageEtag(2), oldest: iso(T0 - 31 * DAY), dueAt: expect.any(String) });
  });
});

describe('the head of the list', () => {
  it('is walked first, up to its share of the run, and resumes from its own cursor', async () => {
    // Three assignments a day for ten days: the head (2 days) is the first two pages.
    items = assignmentsFor(30, (i) => Math.floor(i / 3) * DAY + HOUR);
    const first = await run({ headDays: 2, runSeconds: 2, headShare: 0.5 });
    // One second for the head: one page, then the whole walk from its start.
    expect(first).toMatchObject({ status: 'stopped', headWalked: false, pages: 2 });
    expect(listCalls.map((c) => c.page)).toEqual([1, 1]);
    expect(saved?.head).toEqual({
      walkStartedAt: iso(T0),
      nextPage: 2,
      per: 3,
      boundary: { createdAt: iso(T0 - HOUR), ids: ['asg-0', 'asg-1', 'asg-2'] },
    });
    listCalls = [];
    const second = await run({ headDays: 2, runSeconds: 6, headShare: 0.5 });
    // The head resumes a page early and reaches its horizon on page 3; the whole walk goes on from page 2.
    expect(second.headWalked).toBe(true);
    expect(listCalls.map((c) => c.page)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(saved?.head).toBeUndefined();
    expect(saved?.lastHeadWalkEndedAt).toBe(iso(T0 + 2000 + 3000));
    expect(saved?.nextPage).toBe(4);
  });

  it('takes its share of the run’s page budget, the whole walk the rest, however quick IA is', async () => {
    items = assignmentsFor(30, (i) => Math.floor(i / 3) * DAY + HOUR);
    latencyMs = new Map(Array.from({ length: 10 }, (_, i) => [i + 1, 100]));
    const report = await run({ headDays: 3, runSeconds: 300, headShare: 0.6, pagesPerRun: 5 });
    // ⌊5 × 0.6⌋ = 3 pages for the head (its horizon is on page 4), 2 for the whole walk.
    expect(report).toMatchObject({ status: 'stopped', headWalked: false, pages: 5 });
    expect(listCalls.map((c) => c.page)).toEqual([1, 2, 3, 1, 2]);
    expect(saved?.head?.nextPage).toBe(4);
    expect(saved?.nextPage).toBe(3);
    // The run ends when its pages are spent, long before its time is.
    expect(clock - T0).toBe(500);
  });

  it('a page that reaches past the head is fetched whole again: the whole walk still has to look there', async () => {
    // Two assignments a day: page 2 holds one from a day ago and one from two days ago, past the head.
    items = assignmentsFor(9, (i) => Math.floor(i / 2) * DAY + HOUR);
    const report = await run({ headDays: 2, runSeconds: 10 });
    expect(report).toMatchObject({ status: 'full-walk', headWalked: true, discovered: 9 });
    // The head's page 1 is the whole walk's too (a 304); its page 2 is not.
    expect(listCalls).toEqual([
      { page: 1, per: 3 },
      { page: 2, per: 3 },
      { page: 1, per: 3, etag: pageEtag(1) },
      { page: 2, per: 3 },
      { page: 3, per: 3 },
    ]);
    expect(published.map((p) => p.attemptId).sort()).toEqual(items.map((_, i) => `att-${i}`).sort());
  });
});

describe('a run that rests', () => {
  it('walks only the head while the last whole walk is recent, and keeps no walk in progress', async () => {
    items = assignmentsFor(30, (i) => Math.floor(i / 3) * DAY + HOUR);
    saved = { nextPage: 1, per: 3, lastFullWalkStartedAt: iso(T0 - 600_000), lastFullWalkEndedAt: iso(T0 - 300_000) };
    const report = await run({ headDays: 2, fullWalkEverySeconds: 1800 });
    expect(report).toMatchObject({ status: 'rested', headWalked: true, pages: 3 });
    expect(saved.walkStartedAt).toBeUndefined();
    expect(saved.lastFullWalkStartedAt).toBe(iso(T0 - 600_000));
    expect(saved.lastHeadWalkEndedAt).toBe(iso(T0 + 3000));
  });

  it('walks the whole horizon again once the rest is over', async () => {
    saved = { nextPage: 1, per: 3, lastFullWalkStartedAt: iso(T0 - 1_800_000) };
    const report = await run({ headDays: 2, fullWalkEverySeconds: 1800 });
    expect(report.status).toBe('full-walk');
  });
});

describe('a run that cannot walk', () => {
  it('stops at once while another run holds the walk, and saves nothing', async () => {
    held = true;
    expect(await run()).toEqual({
      status: 'busy',
      missedByTriggers: 0,
      headWalked: false,
      pages: 0,
      attemptsSeen: 0,
      discovered: 0,
      published: 0,
      lookFailures: 0,
    });
    expect(listCalls).toEqual([]);
    expect(released).toEqual([]);
  });

  it('yields to triggered checks: the pages it walked stay walked, their re-checks sent', async () => {
    items = assignmentsFor(9);
    listFailures.set(2, new RateLimitedError(2, 'booked ahead'));
    const report = await run();
    expect(report).toMatchObject({ status: 'yielded', pages: 1, attemptsSeen: 3 });
    expect(report.failure).toBeUndefined();
    expect(saved).toMatchObject({ walkStartedAt: iso(T0), nextPage: 2 });
    expect(saved?.pages?.['3:1']).toBeDefined();
    expect(flushes).toBe(2);
  });

  it('fails with the reason on an IA error; the next run resumes where it stopped', async () => {
    items = assignmentsFor(9);
    listFailures.set(2, new UnauthorizedError(401, 'IA refused the API key (401)'));
    const report = await run();
    expect(report).toMatchObject({ status: 'failed', failure: 'unauthorized: IA refused the API key (401)' });
    expect(saved).toMatchObject({ nextPage: 2 });
    listCalls = [];
    expect((await run()).status).toBe('full-walk');
    expect(listCalls.map((c) => c.page)).toEqual([1, 2, 3]);
  });

  it('starts the walk over when IA serves a larger page than before', async () => {
    items = assignmentsFor(12);
    await run({ runSeconds: 2 });
    saved = {
      ...saved,
      lastFullWalkStartedAt: iso(T0 - DAY),
      lastFullWalkEndedAt: iso(T0 - DAY + 60_000),
      lastHeadWalkEndedAt: iso(T0 - HOUR),
    } as SweepCursor;
    servedPer = 4;
    const report = await run({ runSeconds: 1 });
    expect(report.status).toBe('stopped');
    expect(saved).toEqual({
      nextPage: 1,
      per: 4,
      walkStartedAt: iso(T0 + 3000),
      lastFullWalkStartedAt: iso(T0 - DAY),
      lastFullWalkEndedAt: iso(T0 - DAY + 60_000),
      lastHeadWalkEndedAt: iso(T0 - HOUR),
      pages: {},
    });
  });
});

describe('looks that fail', () => {
  it('a look that conflicts with a check is done again with fresh state', async () => {
    putFailures.set('att-1', [new StateConflictError('written meanwhile'), new StateConflictError('again')]);
    const report = await run();
    expect(report).toMatchObject({ attemptsSeen: 5, lookFailures: 0, published: 5 });
    expect(stored.has('att-1')).toBe(true);
  });

  it('a third conflict, or another failure, leaves the attempt to the next walk and the page without a memo', async () => {
    putFailures.set(
      'att-1',
      [1, 2, 3].map((n) => new StateConflictError(`conflict ${n}`)),
    );
    putFailures.set('att-4', [new UpstreamError('DynamoDB unavailable', 503)]);
    const report = await run();
    expect(report).toMatchObject({ status: 'full-walk', attemptsSeen: 5, lookFailures: 2 });
    expect(stored.has('att-1')).toBe(false);
    expect(stored.has('att-0')).toBe(true);
    expect(saved?.pages).toEqual({});
  });

  it('ten failed looks in a run mean something is down: the run fails', async () => {
    items = assignmentsFor(12);
    for (let i = 0; i < 12; i++) putFailures.set(`att-${i}`, [new UpstreamError('DynamoDB unavailable', 503)]);
    const report = await run();
    expect(report).toMatchObject({
      status: 'failed',
      lookFailures: 10,
      attemptsSeen: 10,
      failure: 'upstream_failure: DynamoDB unavailable',
    });
    // The walk stays where it was before the failing page.
    expect(saved).toMatchObject({ walkStartedAt: iso(T0), nextPage: 4 });
  });
});

describe('a run, to the letter', () => {
  it('takes the walk for its run and a minute more, and reports what waits for the dashboard', async () => {
    waiting = { count: 2, oldestSince: iso(T0 - 3 * HOUR - 1) };
    saved = { nextPage: 1, lastFullWalkStartedAt: iso(T0 - DAY) };
    await run({ runSeconds: 120 });
    expect(leases).toEqual([{ now: iso(T0), until: iso(T0 + 180_000) }]);
    expect(metric('AttemptsAwaitingReview')).toEqual([2]);
    expect(metric('OldestReviewWaitHours')).toEqual([3]);
    // How old the oldest look may be: since the start of the walk that just went all the way.
    expect(metric('SweepLagSeconds')).toEqual([2]);
    counted = [];
    waiting = { count: 0 };
    held = true;
    await run();
    expect(metric('AttemptsAwaitingReview')).toEqual([]);
  });

  it('counts a refused key apart from other failures', async () => {
    listFailures.set(1, new UnauthorizedError(403, 'IA refused the API key (403)'));
    await run();
    listFailures.set(1, new UpstreamError('IA answered 503', 503));
    await run();
    expect(metric('IaAuthFailures')).toEqual([1]);
    expect(metric('SweepFailures')).toEqual([1, 1]);
  });

  it('reads a page’s states in one batch, eventually consistent, and one alone, consistently, before a look that acts and again after a conflict', async () => {
    putFailures.set('att-2', [new StateConflictError('written meanwhile')]);
    await run();
    expect(batchReads.map((r) => r.eventually)).toEqual([true, true]);
    // Every attempt is new: each look publishes, so each reads its state alone first.
    expect(singleReads).toEqual(['att-0', 'att-1', 'att-2', 'att-2', 'att-3', 'att-4']);
    expect(metric('SweepStateRereads')).toEqual([1, 1, 1, 1, 1]);
    singleReads = [];
    saved = undefined;
    const before = published.length;
    await run();
    // Nothing changed: the batch alone (both pages fetched whole again, read eventually), no look acts.
    expect(batchReads.map((r) => r.eventually)).toEqual([true, true, true, true]);
    expect(singleReads).toEqual([]);
    expect(metric('SweepStateRereads')).toHaveLength(5);
    expect(published).toHaveLength(before);
  });

  it('counts a state no look can be made on as a failed look, and walks on', async () => {
    await run();
    // Every reminder sent, escalation off: the next look's time comes from firstSeenAt, here garbage.
    const broken = { ...(stored.get('att-1') as AttemptState), firstSeenAt: 'not a time', remindersSent: 3 };
    stored.set('att-1', broken);
    saved = undefined;
    clock += HOUR;
    const report = await run();
    expect(report).toMatchObject({ status: 'full-walk', lookFailures: 1, attemptsSeen: 5 });
    expect(metric('SweepLookFailures')).toEqual([1]);
  });

  it('holds against the triggers only the completions it discovers past the grace', async () => {
    items = assignmentsFor(2);
    const completedAgo = [60_000, 2 * HOUR];
    items.forEach((item, i) => {
      const [listed] = (item.assignment as { attempts: Array<Record<string, unknown>> }).attempts;
      if (listed) listed.completed_at = iso(T0 - (completedAgo[i] as number));
    });
    expect(await run()).toMatchObject({ discovered: 2, missedByTriggers: 1 });
  });

  it('sends nothing from a state an eventually consistent read shows a write behind', async () => {
    await run();
    expect(published.map((p) => p.attemptId)).toEqual(['att-0', 'att-1', 'att-2', 'att-3', 'att-4']);
    // The batch misses att-1's first write: on that view the look would publish review.needed.
    staleBatch.set('att-1', undefined);
    saved = undefined;
    clock += HOUR;
    const report = await run();
    expect(singleReads).toEqual(['att-0', 'att-1', 'att-2', 'att-3', 'att-4', 'att-1']);
    // Known all along: not a discovery, and nothing held against the triggers.
    expect(report).toMatchObject({ discovered: 0, missedByTriggers: 0, published: 0 });
    expect(published).toHaveLength(5);
    expect(stored.get('att-1')).toMatchObject({ version: 1 });
  });

  it('keeps no due time for a page whose attempts are all closed', async () => {
    items = items.map((_, i) =>
      listedAssignment(`asg-${i}`, new Date(T0 - (i + 1) * HOUR), [{ id: `att-${i}`, pendingReviewCount: 0 }]),
    );
    await run();
    expect(saved?.pages?.['3:1']).toEqual({ etag: pageEtag(1), oldest: iso(T0 - 3 * HOUR) });
  });

  it('resumes a walk on its first page at that page, and trusts no memo due this very moment', async () => {
    saved = {
      walkStartedAt: iso(T0 - 60_000),
      nextPage: 1,
      per: 3,
      pages: { '3:1': { etag: pageEtag(1), dueAt: iso(T0) } },
    };
    await run({ runSeconds: 1 });
    expect(listCalls).toEqual([{ page: 1, per: 3 }]);
  });

  it('goes on with a walk in progress however recent the last whole walk was', async () => {
    items = assignmentsFor(12);
    saved = { walkStartedAt: iso(T0 - 60_000), nextPage: 3, per: 3, lastFullWalkStartedAt: iso(T0 - 120_000) };
    const report = await run({ fullWalkEverySeconds: 1800 });
    expect(report.status).toBe('full-walk');
    expect(listCalls.map((c) => c.page)).toEqual([2, 3, 4]);
  });

  it('walks no head when it has no days', async () => {
    items = assignmentsFor(30, (i) => Math.floor(i / 3) * DAY + HOUR);
    const report = await run({ headDays: 0 });
    expect(report.headWalked).toBe(false);
    expect(listCalls.map((c) => c.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('keeps when the head last reached its horizon through the end of a whole walk', async () => {
    items = assignmentsFor(9, (i) => Math.floor(i / 3) * DAY + HOUR);
    const report = await run({ headDays: 1 });
    expect(report).toMatchObject({ status: 'full-walk', headWalked: true });
    expect(saved?.lastHeadWalkEndedAt).toBe(iso(T0 + 2000));
    expect(saved?.lastFullWalkEndedAt).toBe(iso(T0 + 5000));
  });

  it('keeps ETags for the first 300 pages only', async () => {
    items = assignmentsFor(903, (i) => (i + 1) * 60_000);
    saved = { walkStartedAt: iso(T0), nextPage: 301, per: 3 };
    await run({ runSeconds: 2 });
    expect(listCalls.map((c) => c.page)).toEqual([300, 301]);
    expect(Object.keys(saved?.pages ?? {})).toEqual(['3:300']);
  });
});

describe('a warm container: the quiet looks it remembers', () => {
  /** A run with the pages fetched whole (no ETags kept), `minutes` after the last. */
  const again = async (minutes: number) => {
    saved = undefined;
    batchReads = [];
    singleReads = [];
    counted = [];
    clock += minutes * 60_000;
    return run();
  };

  it('reads no state for an attempt listed as it was whose look was quiet, until its next look is due', async () => {
    memo = quietMemo();
    await run();
    // The looks that published are not remembered: the next walk reads their states, finds them quiet.
    await again(5);
    expect(batchReads.flatMap((r) => r.ids)).toHaveLength(5);
    expect(metric('SweepLooksRemembered')).toEqual([]);
    const report = await again(5);
    expect(batchReads).toEqual([]);
    expect(singleReads).toEqual([]);
    expect(metric('SweepLooksRemembered')).toEqual([3, 2]);
    expect(report).toMatchObject({ attemptsSeen: 5, discovered: 0, published: 0, lookFailures: 0 });
    // A remembered look's next look (the quiet one's, on page 1 of the run before) still keeps its
    // page's memo honest.
    const dueAt = iso(T0 + 2000 + 300_000 + 1000 + DEFAULT_WATCH.watchIntervalSeconds * 1000);
    expect(saved?.pages?.['3:1']).toMatchObject({ dueAt });
    // Past it, every state is read again (and found quiet again: nothing waited long enough yet).
    await again(DEFAULT_WATCH.watchIntervalSeconds / 60);
    expect(batchReads.flatMap((r) => r.ids)).toEqual(['att-0', 'att-1', 'att-2', 'att-3', 'att-4']);
    expect(published).toHaveLength(5);
  });

  it('reads the state again of an attempt listed differently, and acts on it', async () => {
    memo = quietMemo();
    await run();
    await again(5);
    // att-1's reviews are done: scored, nothing pending.
    items[1] = listedAssignment('asg-1', new Date(T0 - 2 * HOUR), [
      { id: 'att-1', pendingReviewCount: 0, scoringCompleted: true },
    ]);
    await again(5);
    expect(batchReads.flatMap((r) => r.ids)).toEqual(['att-1']);
    expect(singleReads).toEqual(['att-1']);
    expect(published.slice(5)).toEqual([{ eventType: 'review.completed', attemptId: 'att-1' }]);
  });

  it('forgets an attempt whose state a look read again: listed as before once more, it is read', async () => {
    memo = quietMemo();
    await run();
    await again(5);
    await again(5);
    expect(batchReads).toEqual([]);
    const waiting = items[1];
    // att-1 is listed otherwise for a walk (a look reads it and acts: its review is done), then as it was.
    items[1] = listedAssignment('asg-1', new Date(T0 - 2 * HOUR), [
      { id: 'att-1', pendingReviewCount: 0, scoringCompleted: true },
    ]);
    await again(5);
    expect(batchReads.flatMap((r) => r.ids)).toEqual(['att-1']);
    expect(published.at(-1)).toEqual({ eventType: 'review.completed', attemptId: 'att-1' });
    items[1] = waiting as (typeof items)[number];
    await again(5);
    expect(batchReads.flatMap((r) => r.ids)).toEqual(['att-1']);
  });

  it('is the container’s: a cold one reads every state', async () => {
    memo = quietMemo();
    await run();
    await again(5);
    memo = undefined;
    await again(5);
    expect(batchReads.flatMap((r) => r.ids)).toHaveLength(5);
  });
});

describe('a run, at its last edges', () => {
  /** Attempts still scoring: the look after the first comes sooner than a walk, so each gets its own. */
  const scoring = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      listedAssignment(`asg-${i}`, new Date(T0 - (i + 1) * HOUR), [
        { id: `att-${i}`, pendingReviewCount: 0, scoringCompleted: false },
      ]),
    );

  it('counts what it skipped as unusable, and goes on', async () => {
    items = [{ assignment: { created_at: iso(T0 - HOUR) } }, ...assignmentsFor(2)];
    expect(await run()).toMatchObject({ status: 'full-walk', attemptsSeen: 2 });
    expect(metric('SweepItemsMalformed')).toEqual([1]);
  });

  it('names the sweep as the source of what it publishes', async () => {
    await run();
    expect(sources).toEqual(['sweep', 'sweep', 'sweep', 'sweep', 'sweep']);
  });

  it('schedules its own quick looks under an id naming the walk: the whole walk by its start, the head by its own', async () => {
    items = scoring(3);
    await run({ headDays: 0 });
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(
      ['att-0', 'att-1', 'att-2'].map((id) => `sweep-${iso(T0)}:${id}`),
    );
    stored.clear();
    scheduled = [];
    saved = undefined;
    clock = T0;
    await run({ headDays: 2, headShare: 0.5 });
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(
      ['att-0', 'att-1', 'att-2'].map((id) => `sweep-head-${iso(T0)}:${id}`),
    );
  });

  it('drops the memo of a page fetched whole again when a look on it failed', async () => {
    await run();
    expect(saved?.pages?.['3:1']).toBeDefined();
    // A day on every page is due, and one look on page 1 fails.
    clock = T0 + DAY + 2 * HOUR;
    putFailures.set('att-1', [new UpstreamError('DynamoDB unavailable', 503)]);
    await run();
    expect(Object.keys(saved?.pages ?? {})).toEqual(['3:2']);
  });

  it('counts a run stopped short and each 304, and no lag before any walk went all the way', async () => {
    items = assignmentsFor(12);
    await run({ runSeconds: 2 });
    expect(metric('SweepRunsIncomplete')).toEqual([1]);
    expect(metric('SweepLagSeconds')).toEqual([]);
    expect(metric('OldestReviewWaitHours')).toEqual([]);
    counted = [];
    saved = undefined;
    items = assignmentsFor(5);
    await run();
    clock += 300_000;
    counted = [];
    await run();
    expect(metric('SweepPagesNotModified')).toEqual([1, 1]);
    expect(metric('SweepRunsIncomplete')).toEqual([]);
  });

  it('reports its run when the awaiting index cannot be read, without its figures', async () => {
    awaitingFails = true;
    expect(await run()).toMatchObject({ status: 'full-walk', attemptsSeen: 5 });
    expect(metric('AttemptsAwaitingReview')).toEqual([]);
  });

  it('does not count the head walked when IA changed its page size under it: the head starts over', async () => {
    items = assignmentsFor(30, (i) => Math.floor(i / 3) * DAY + HOUR);
    await run({ headDays: 2, runSeconds: 4, headShare: 0.5 });
    expect(saved?.head).toMatchObject({ nextPage: 3, per: 3 });
    servedPer = 4;
    listCalls = [];
    const report = await run({ headDays: 2, runSeconds: 6, headShare: 0.5 });
    // Resumed on page 2 at 3 a page, served 4: the head goes no further and starts at the top next run.
    expect(listCalls[0]).toMatchObject({ page: 2, per: 3 });
    expect(saved?.head).toBeUndefined();
    expect(report.headWalked).toBe(false);
    expect(saved?.lastHeadWalkEndedAt).toBeUndefined();
    expect(metric('SweepHeadWalks')).toEqual([]);
  });
});
