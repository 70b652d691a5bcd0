/**
 * The re-check paths of one check, on in-memory dependencies: a re-check that comes early, one
 * the state no longer names, one that is due, and the redelivery of the message that looked.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import type { StoredRecord } from '#lib/domain/attempt-store.js';
import { type CheckMessage, parseCheckMessage } from '#lib/domain/check-message.js';
import { lookAfterRelease } from '#lib/domain/claims/claim.js';
import { NotFoundError } from '#lib/domain/errors.js';
import { type AttemptState, DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { type CheckDeps, checkReference } from '../../functions/check/check-reference.js';
import { createRecordHandler } from '../../functions/check/record-handler.js';
import { listedAssignment, seedVariant } from '../../local/ia-fixtures.js';
import { sqsRecord } from '../../local/lambda.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const ID = 'att-watched';

let stored: StoredRecord | undefined;
let missingIds: Set<string>;
let remembered: Array<{ key: string; until: string }>;
let stateReads: number;
let iaCalls: number;
let scheduled: Array<{ message: CheckMessage; delaySeconds: number; forRecord: string }>;
let published: string[];
/** What IA serves for an assignment (404 when unset) and the attempt's fields. */
let assignment: unknown;
let attemptFields: Record<string, unknown>;
let clock: Date;
/** What each IA call was given: the ETag asked with, and whether it carried an abort signal. */
let asked: Array<{ id: string; etag?: string; signal: boolean }>;
/** What a conditional GET answers: 304 unless set. */
let changed: boolean;

const deps = (): CheckDeps => ({
  ia: {
    getAttempt: async (id, options) => {
      iaCalls += 1;
      asked.push({ id, signal: options?.signal !== undefined });
      if (missingIds.has(id)) throw new NotFoundError(`attempt ${id} not found (404)`);
      return {
        value: parseAttempt(seedVariant(ID, attemptFields)),
        etag: '"v2"',
      };
    },
    getAttemptIfChanged: async (id, etag, options) => {
      iaCalls += 1;
      asked.push({ id, etag, signal: options?.signal !== undefined });
      if (missingIds.has(id)) throw new NotFoundError(`attempt ${id} not found (404)`);
      return changed ? { value: parseAttempt(seedVariant(ID, attemptFields)), etag: '"v3"' } : 'not-modified';
    },
    getAssignment: async (id) => {
      iaCalls += 1;
      if (!assignment) throw new NotFoundError(`assignment ${id} not found (404)`);
      return { value: parseAssignment(assignment) };
    },
    listAssignments: async () => {
      throw new Error('not used');
    },
  },
  states: {
    get: async () => {
      stateReads += 1;
      return stored;
    },
    put: async (state) => {
      stored = { ...state, version: state.version + 1 };
    },
    getMany: async () => new Map(),
    rememberMissing: async (key, until) => {
      remembered.push({ key, until: until.toISOString() });
      stored = { attemptId: key, missingUntil: until.toISOString() };
    },
  },
  publishOnce: async (alert) => {
    published.push(alert.eventType);
    return 'published';
  },
  schedule: (message, delaySeconds, forRecord) => scheduled.push({ message, delaySeconds, forRecord }),
  now: () => clock,
  render: { includeCandidateEmail: false },
  watch: DEFAULT_WATCH,
  minRecheckIntervalSeconds: 300,
  notFoundMemorySeconds: 600,
  count: () => undefined,
});

const hoursFromNow = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000).toISOString();

/** An attempt alerted an hour ago, watched with the re-check `recheckId`. */
const watched = (recheckId: string): AttemptState => ({
  attemptId: ID,
  firstSeenAt: hoursFromNow(-1),
  lastCheckedAt: hoursFromNow(-1),
  lastDecision: 'review.needed',
  etag: '"v1"',
  rechecks: 0,
  reviewNeededAt: hoursFromNow(-1),
  remindersSent: 0,
  snapshot: {
    id: ID,
    scoringCompleted: false,
    pendingReviewCount: 2,
    assessment: { id: 'asm', name: 'Assessment' },
    reviewItems: [],
  },
  recheckId,
  nextCheckAt: NOW.toISOString(),
  version: 2,
});

beforeEach(() => {
  stored = undefined;
  missingIds = new Set();
  remembered = [];
  stateReads = 0;
  iaCalls = 0;
  scheduled = [];
  published = [];
  assignment = undefined;
  attemptFields = { pending_review_count: 2, scoring_completed: false };
  clock = NOW;
  asked = [];
  changed = false;
});

describe('re-checks', () => {
  it('an early re-check waits again, same id and due time, without reading state or calling IA', async () => {
    stored = watched('m-0:att-watched');
    const notBefore = hoursFromNow(3);
    const { outcomes } = await checkReference(
      { attemptId: ID, recheckId: 'm-0:att-watched', notBefore },
      'm-1',
      deps(),
    );
    expect(outcomes[0]?.action).toBe('waiting');
    expect(scheduled).toEqual([
      { message: { attemptId: ID, recheckId: 'm-0:att-watched', notBefore }, delaySeconds: 900, forRecord: 'm-1' },
    ]);
    expect([stateReads, iaCalls]).toEqual([0, 0]);
  });

  it('a due re-check the state no longer names is dropped, without IA', async () => {
    stored = watched('m-9:att-watched');
    const { outcomes } = await checkReference(
      { attemptId: ID, recheckId: 'm-0:att-watched', notBefore: NOW.toISOString() },
      'm-1',
      deps(),
    );
    expect(outcomes[0]?.action).toBe('stale-recheck');
    expect([iaCalls, scheduled.length]).toEqual([0, 0]);
  });

  it('a due re-check looks (conditional GET), saves the next re-check under its own id and schedules it', async () => {
    stored = watched('m-0:att-watched');
    const { outcomes } = await checkReference(
      { attemptId: ID, recheckId: 'm-0:att-watched', notBefore: NOW.toISOString() },
      'm-1',
      deps(),
    );
    expect(outcomes[0]).toMatchObject({ action: 'checked', published: [] });
    expect(iaCalls).toBe(1);
    expect(stored?.recheckId).toBe('m-1:att-watched');
    expect(scheduled).toEqual([
      {
        message: { attemptId: ID, recheckId: 'm-1:att-watched', notBefore: hoursFromNow(1) },
        delaySeconds: 900,
        forRecord: 'm-1',
      },
    ]);
  });

  it('the redelivery of the message that looked only sends its schedule again', async () => {
    stored = { ...watched('m-1:att-watched'), nextCheckAt: hoursFromNow(1) };
    const { outcomes } = await checkReference(
      { attemptId: ID, recheckId: 'm-0:att-watched', notBefore: hoursFromNow(-0.01) },
      'm-1',
      deps(),
    );
    expect(outcomes[0]?.action).toBe('resumed');
    expect(iaCalls).toBe(0);
    expect(scheduled.map((s) => s.message.recheckId)).toEqual(['m-1:att-watched']);
  });
});

describe('a 404 is remembered', () => {
  it('for a never-seen attempt: the repeat is a NotFoundError without an IA call, until it expires', async () => {
    missingIds.add(ID);
    await expect(checkReference({ attemptId: ID }, 'm-1', deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(remembered).toEqual([{ key: ID, until: hoursFromNow(600 / 3600) }]);
    const repeat = checkReference({ attemptId: ID }, 'm-2', deps());
    await expect(repeat).rejects.toThrow(/not asked again before .*redrive to ask now/);
    expect(iaCalls).toBe(1);
    stored = { attemptId: ID, missingUntil: hoursFromNow(-0.01) };
    await expect(checkReference({ attemptId: ID }, 'm-3', deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(iaCalls).toBe(2);
  });

  it('a redriven message asks IA again, and a found attempt replaces the record with real state', async () => {
    stored = { attemptId: ID, missingUntil: hoursFromNow(1) };
    const { outcomes } = await checkReference({ attemptId: ID }, 'm-1', deps(), { redriven: true });
    expect(outcomes[0]).toMatchObject({ action: 'checked', published: ['review.needed'] });
    expect(iaCalls).toBe(1);
    expect(stored).toMatchObject({ attemptId: ID, lastDecision: 'review.needed' });
  });

  it('for an assignment too, under its own key', async () => {
    await expect(checkReference({ assignmentId: 'asg-1' }, 'm-1', deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(remembered.map((r) => r.key)).toEqual(['assignment#asg-1']);
    await expect(checkReference({ assignmentId: 'asg-1' }, 'm-2', deps())).rejects.toThrow(/not asked again/);
    expect(iaCalls).toBe(1);
  });
});

describe('a watched attempt IA no longer has', () => {
  it('leaves the awaiting index and is dead-lettered; a redrive that finds it again puts it back', async () => {
    stored = { ...watched('m-0:att-watched'), awaiting: 'review', awaitingSince: hoursFromNow(-1) };
    missingIds.add(ID);
    const recheck = { attemptId: ID, recheckId: 'm-0:att-watched', notBefore: NOW.toISOString() };
    await expect(checkReference(recheck, 'm-1', deps())).rejects.toThrow(NotFoundError);
    expect(stored).toMatchObject({ recheckId: 'm-0:att-watched', reviewNeededAt: hoursFromNow(-1), version: 3 });
    expect(stored && 'awaiting' in stored).toBe(false);
    expect(scheduled).toEqual([]);

    missingIds.clear();
    const { outcomes } = await checkReference(recheck, 'm-1', deps(), { redriven: true });
    expect(outcomes[0]?.action).toBe('checked');
    expect(stored).toMatchObject({ awaiting: 'review', awaitingSince: hoursFromNow(-1) });
  });

  it('that waited for nothing is left as it was', async () => {
    stored = watched('m-0:att-watched');
    missingIds.add(ID);
    await expect(
      checkReference({ attemptId: ID, recheckId: 'm-0:att-watched', notBefore: NOW.toISOString() }, 'm-1', deps()),
    ).rejects.toThrow(NotFoundError);
    expect(stored?.version).toBe(2);
  });
});

describe('only completed attempts are watched', () => {
  it('by assignment: an attempt still being taken is not-completed, with no state and no re-check', async () => {
    assignment = listedAssignment('asg-1', NOW, [
      { id: 'att-done', pendingReviewCount: 1, scoringCompleted: false },
      { id: 'att-taking', inProgress: true, scoringCompleted: false },
    ]);
    const { outcomes } = await checkReference({ assignmentId: 'asg-1' }, 'm-1', deps());
    expect(outcomes.map((o) => [o.attemptId, o.action])).toEqual([
      ['att-done', 'checked'],
      ['att-taking', 'not-completed'],
    ]);
    expect(stored).toMatchObject({ attemptId: 'att-done' });
    expect(scheduled.map((s) => s.message.attemptId)).toEqual(['att-done']);
  });

  it('by attempt id: no state, no re-check, and a day later no scoring.stalled', async () => {
    attemptFields = { completed_at: null, pending_review_count: 0, scoring_completed: false };
    for (const hours of [0, 25]) {
      clock = new Date(NOW.getTime() + hours * 3_600_000);
      const { outcomes } = await checkReference({ attemptId: ID }, `m-${hours}`, deps());
      expect(outcomes[0]?.action).toBe('not-completed');
    }
    expect([stored, scheduled, published]).toEqual([undefined, [], []]);
  });
});

describe('an attempt of an assignment that cannot be checked', () => {
  it('is dead-lettered as a request of its own: its account, source and event id kept, counted in its account', async () => {
    const good = listedAssignment('asg-1', NOW, [{ id: 'att-good', pendingReviewCount: 1, scoringCompleted: false }]);
    const [seed] = good.assignment.attempts as Array<Record<string, unknown>>;
    assignment = {
      assignment: {
        ...good.assignment,
        attempts: [seed, { ...seed, id: 'att-broken', pending_review_count: 'many' }],
      },
    };
    const deadLetters: Array<{ body: string; attemptId?: string }> = [];
    const counted: Array<[string, string | undefined]> = [];
    const count = (account: string | undefined) => (metric: string) => void counted.push([metric, account]);
    const handle = createRecordHandler({
      ...deps(),
      forAccount: (name) => ({ ...deps(), count: count(name) }),
      count: count(undefined),
      deadLetter: async (body, reason) =>
        void deadLetters.push({ body, ...(reason.attemptId ? { attemptId: reason.attemptId } : {}) }),
      delay: async () => undefined,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      minRemainingMs: 0,
      putOff: () => undefined,
    });
    const body = JSON.stringify({ assignmentId: 'asg-1', account: 'agency-b', source: 'greenhouse', eventId: 'e-1' });
    await handle(sqsRecord({ body }), { remainingMs: () => 60_000 });
    expect(published).toEqual(['review.needed']);
    expect(deadLetters).toEqual([
      {
        body: JSON.stringify({ attemptId: 'att-broken', account: 'agency-b', source: 'greenhouse', eventId: 'e-1' }),
        attemptId: 'att-broken',
      },
    ]);
    expect(counted).toContainEqual(['RecordsDeadLettered', 'agency-b']);
    expect(counted.filter(([metric]) => metric === 'RecordsDeadLettered')).toHaveLength(1);
  });
});

describe('a new trigger for an attempt already watched', () => {
  it('is answered from state while the attempt is closed: no IA call, nothing saved', async () => {
    stored = { ...watched('m-0:att-watched'), closedAt: hoursFromNow(-0.5) };
    const { outcomes } = await checkReference({ attemptId: ID, source: 'greenhouse' }, 'm-1', deps());
    expect(outcomes).toEqual([{ attemptId: ID, action: 'already-closed', published: [], suppressed: [] }]);
    expect([iaCalls, scheduled.length, stored?.version]).toEqual([0, 0, 2]);
  });

  it('is answered from state within the minimum interval since the last look, and looks from then on', async () => {
    stored = { ...watched('m-0:att-watched'), lastCheckedAt: hoursFromNow(-299 / 3600) };
    expect((await checkReference({ attemptId: ID }, 'm-1', deps())).outcomes[0]?.action).toBe('recently-checked');
    expect(iaCalls).toBe(0);
    stored = { ...watched('m-0:att-watched'), lastCheckedAt: hoursFromNow(-300 / 3600) };
    expect((await checkReference({ attemptId: ID }, 'm-2', deps())).outcomes[0]?.action).toBe('checked');
    expect(iaCalls).toBe(1);
  });

  it('asks IA without the ETag when a look would alert on time alone, since a 304 may be stale', async () => {
    // Watched a day, scoring pending; IA scored it a minute ago but still answers the old ETag 304.
    const pending = {
      ...watched('m-0:att-watched'),
      firstSeenAt: hoursFromNow(-25),
      lastCheckedAt: hoursFromNow(-1),
      lastDecision: 'scoring.pending' as const,
      snapshot: { ...watched('').snapshot, pendingReviewCount: 0 },
    };
    const { reviewNeededAt: _r, ...unreviewed } = pending;
    stored = unreviewed;
    attemptFields = { pending_review_count: 0, scoring_completed: true };
    const scored = await checkReference({ attemptId: ID }, 'm-1', deps());
    expect(asked).toEqual([{ id: ID, signal: false }]);
    expect([scored.outcomes[0]?.action, published]).toEqual(['checked', ['attempt.scored']]);
    // Still unscored when asked whole: then it is reported, on the one call.
    stored = unreviewed;
    [asked, published, attemptFields] = [[], [], { pending_review_count: 0, scoring_completed: false }];
    await checkReference({ attemptId: ID }, 'm-2', deps());
    expect([asked, published]).toEqual([[{ id: ID, signal: false }], ['scoring.stalled']]);
    // Before the deadline a 304 is taken as it is.
    stored = { ...unreviewed, firstSeenAt: hoursFromNow(-2) };
    [asked, published] = [[], []];
    await checkReference({ attemptId: ID }, 'm-3', deps());
    expect([asked, published]).toEqual([[{ id: ID, etag: '"v1"', signal: false }], []]);
  });

  it('does not remind from a 304 when the reviews were done a minute ago', async () => {
    // The first reminder is due (review.needed a day and a minute ago); the reviews are done, scoring runs.
    const due = { ...watched('m-0:att-watched'), reviewNeededAt: hoursFromNow(-24 - 1 / 60) };
    stored = due;
    attemptFields = { pending_review_count: 0, scoring_completed: false };
    const look = await checkReference({ attemptId: ID }, 'm-1', deps());
    expect([asked, published, look.outcomes[0]?.action]).toEqual([[{ id: ID, signal: false }], [], 'checked']);
    // Reviews still pending when asked whole: the reminder goes out.
    stored = due;
    [asked, published, attemptFields] = [[], [], { pending_review_count: 2, scoring_completed: false }];
    await checkReference({ attemptId: ID }, 'm-2', deps());
    expect(published).toEqual(['review.overdue']);
    // Not yet due: the conditional GET as before.
    stored = watched('m-0:att-watched');
    [asked, published] = [[], []];
    await checkReference({ attemptId: ID }, 'm-3', deps());
    expect([asked, published]).toEqual([[{ id: ID, etag: '"v1"', signal: false }], []]);
  });

  it('looks at once after a claim is let go, however recent the last look (it saw the claim)', async () => {
    stored = { ...watched('m-0:att-watched'), lastCheckedAt: hoursFromNow(-10 / 3600) };
    const message = lookAfterRelease({ attemptId: ID });
    expect(message).toEqual({ attemptId: ID, source: 'claim-release', afterRelease: true });
    expect(parseCheckMessage(JSON.stringify(message))).toEqual(message);
    expect((await checkReference(message, 'm-1', deps())).outcomes[0]?.action).toBe('checked');
    expect(iaCalls).toBe(1);
  });

  it('asks IA with the stored ETag: a 304 keeps the snapshot, a 200 replaces it and its ETag', async () => {
    stored = watched('m-0:att-watched');
    const first = await checkReference({ attemptId: ID, source: 'lever' }, 'm-1', deps());
    expect(asked).toEqual([{ id: ID, etag: '"v1"', signal: false }]);
    expect(first.outcomes[0]).toEqual({
      attemptId: ID,
      action: 'checked',
      published: [],
      suppressed: [],
      lifecycle: 'watching',
      nextCheckAt: hoursFromNow(1),
    });
    expect(stored).toMatchObject({ etag: '"v1"', snapshot: { pendingReviewCount: 2 } });
    // The next look comes back through the trigger's source.
    expect(scheduled.map((s) => s.message)).toEqual([
      { attemptId: ID, recheckId: 'm-1:att-watched', notBefore: hoursFromNow(1), source: 'lever' },
    ]);
    changed = true;
    attemptFields = { pending_review_count: 1, scoring_completed: false };
    clock = new Date(NOW.getTime() + 3_600_000);
    await checkReference({ attemptId: ID, recheckId: 'm-1:att-watched', notBefore: hoursFromNow(1) }, 'm-2', deps());
    expect(stored).toMatchObject({ etag: '"v3"', snapshot: { pendingReviewCount: 1 } });
  });

  it('passes the invocation’s abort signal to IA', async () => {
    const controller = new AbortController();
    await checkReference({ attemptId: ID }, 'm-1', deps(), { signal: controller.signal });
    stored = { ...watched('m-0:att-watched'), lastCheckedAt: hoursFromNow(-1) };
    await checkReference({ attemptId: ID }, 'm-2', deps(), { signal: controller.signal });
    expect(asked.map((a) => a.signal)).toEqual([true, true]);
  });

  it('a re-check due within a second is looked at now, not put off again', async () => {
    stored = watched('m-0:att-watched');
    const notBefore = new Date(NOW.getTime() + 1000).toISOString();
    const { outcomes } = await checkReference(
      { attemptId: ID, recheckId: 'm-0:att-watched', notBefore },
      'm-1',
      deps(),
    );
    expect(outcomes[0]?.action).toBe('checked');
    expect(iaCalls).toBe(1);
  });
});

describe('without a memory for 404s', () => {
  it('nothing is remembered: the next trigger asks IA again', async () => {
    missingIds.add(ID);
    const forget = { ...deps(), notFoundMemorySeconds: 0 };
    await expect(checkReference({ attemptId: ID }, 'm-1', forget)).rejects.toBeInstanceOf(NotFoundError);
    await expect(checkReference({ attemptId: ID }, 'm-2', forget)).rejects.toBeInstanceOf(NotFoundError);
    expect([remembered, iaCalls]).toEqual([[], 2]);
  });

  it('a redriven assignment asks IA again despite a remembered 404', async () => {
    stored = { attemptId: 'assignment#asg-1', missingUntil: hoursFromNow(1) };
    await expect(checkReference({ assignmentId: 'asg-1' }, 'm-1', deps(), { redriven: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(iaCalls).toBe(1);
  });
});

describe('one check, to the letter', () => {
  it('says what it answered from memory, naming the attempt or the assignment', async () => {
    stored = { attemptId: ID, missingUntil: hoursFromNow(1) };
    await expect(checkReference({ attemptId: ID }, 'm-1', deps())).rejects.toThrow(`attempt ${ID} not found`);
    stored = { attemptId: 'assignment#asg-1', missingUntil: hoursFromNow(1) };
    await expect(checkReference({ assignmentId: 'asg-1' }, 'm-2', deps())).rejects.toThrow(
      'assignment asg-1 not found',
    );
    expect(iaCalls).toBe(0);
  });

  it('asks IA again the moment a remembered 404 runs out', async () => {
    stored = { attemptId: ID, missingUntil: NOW.toISOString() };
    await checkReference({ attemptId: ID }, 'm-1', deps());
    expect(iaCalls).toBe(1);
  });

  it('an attempt its assignment names is looked at whatever 404 was remembered for its id', async () => {
    assignment = listedAssignment('asg-1', NOW, [{ id: 'att-done', pendingReviewCount: 1, scoringCompleted: false }]);
    const keyed = deps();
    const missing = { attemptId: 'att-done', missingUntil: hoursFromNow(1) };
    keyed.states.get = async (key) => (key === 'att-done' ? missing : undefined);
    const { outcomes } = await checkReference({ assignmentId: 'asg-1' }, 'm-1', keyed);
    expect(outcomes.map((o) => o.action)).toEqual(['checked']);
  });

  it('reports what it waits for, what it resumed and what is not completed, exactly', async () => {
    stored = watched('m-0:att-watched');
    const notBefore = hoursFromNow(3);
    expect(
      (await checkReference({ attemptId: ID, recheckId: 'm-0:att-watched', notBefore }, 'm-1', deps())).outcomes,
    ).toEqual([{ attemptId: ID, action: 'waiting', published: [], suppressed: [], nextCheckAt: notBefore }]);
    stored = { ...watched('m-2:att-watched'), nextCheckAt: hoursFromNow(1) };
    expect(
      (
        await checkReference(
          { attemptId: ID, recheckId: 'm-0:att-watched', notBefore: NOW.toISOString() },
          'm-2',
          deps(),
        )
      ).outcomes,
    ).toEqual([{ attemptId: ID, action: 'resumed', published: [], suppressed: [], nextCheckAt: hoursFromNow(1) }]);
    stored = undefined;
    attemptFields = { completed_at: null, pending_review_count: 0, scoring_completed: false };
    expect((await checkReference({ attemptId: ID }, 'm-3', deps())).outcomes).toEqual([
      { attemptId: ID, action: 'not-completed', published: [], suppressed: [], lifecycle: 'not-completed' },
    ]);
    assignment = listedAssignment('asg-1', NOW, [{ id: 'att-taking', inProgress: true }]);
    expect((await checkReference({ assignmentId: 'asg-1' }, 'm-4', deps())).outcomes).toEqual([
      { attemptId: 'att-taking', action: 'not-completed', published: [], suppressed: [] },
    ]);
  });

  it('a re-check of an attempt with no state at all is stale; a trigger that carries a time is no re-check', async () => {
    expect(
      (
        await checkReference(
          { attemptId: ID, recheckId: 'm-0:att-watched', notBefore: NOW.toISOString() },
          'm-1',
          deps(),
        )
      ).outcomes[0]?.action,
    ).toBe('stale-recheck');
    const trigger = await checkReference({ attemptId: ID, notBefore: hoursFromNow(3) } as never, 'm-2', deps());
    expect(trigger.outcomes[0]?.action).toBe('checked');
  });

  it('keeps the ETag IA sent with a first look', async () => {
    await checkReference({ attemptId: ID }, 'm-1', deps());
    expect(stored && 'etag' in stored ? stored.etag : undefined).toBe('"v2"');
  });

  it('an early re-check waits again with the source it came from', async () => {
    const notBefore = hoursFromNow(3);
    await checkReference({ attemptId: ID, recheckId: 'r-1', notBefore, source: 'greenhouse' }, 'm-1', deps());
    expect(scheduled.map((s) => s.message)).toEqual([
      { attemptId: ID, recheckId: 'r-1', notBefore, source: 'greenhouse' },
    ]);
  });

  it('keeps no ETag IA did not send', async () => {
    const untagged = deps();
    untagged.ia.getAttempt = async (id) => ({ value: parseAttempt(seedVariant(id, attemptFields)) });
    await checkReference({ attemptId: ID }, 'm-1', untagged);
    expect(stored && 'etag' in stored).toBe(false);
  });

  it('passes the abort signal to the assignment’s request too', async () => {
    let signalled = false;
    const withSignal = deps();
    withSignal.ia.getAssignment = async (_id, options) => {
      signalled = options?.signal !== undefined;
      return { value: parseAssignment(listedAssignment('asg-1', NOW, [])) };
    };
    await checkReference({ assignmentId: 'asg-1' }, 'm-1', withSignal, { signal: new AbortController().signal });
    expect(signalled).toBe(true);
  });
});
