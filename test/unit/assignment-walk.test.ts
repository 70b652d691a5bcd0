/** The walk of the assignment list, on an in-memory list: horizon, boundary, clamp, 304s, junk; and page parsing. */
import { describe, expect, it } from '@jest/globals';
import { type PageOutcome, type WalkPosition, walkAssignments } from '#lib/domain/assignment-walk.js';
import { parseAssignmentPage } from '#lib/domain/attempt-schema.js';
import { MalformedResponseError } from '#lib/domain/errors.js';
import { type IaClient, NOT_MODIFIED } from '#lib/domain/ia.js';
import { DEFAULT_WATCH, needsOwnRecheck, nextStep } from '#lib/domain/lifecycle.js';
import { listedAssignment, readFixture } from '../../local/ia-fixtures.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

/** A list of `count` assignments an hour apart, newest first, served `clamp` per page. */
const listOf = (count: number, clamp = 100, shape: { shortPage?: number; totals?: boolean } = {}) => {
  const items = Array.from({ length: count }, (_, i) =>
    listedAssignment(`asg-${i}`, hoursAgo(i + 1), [{ id: `att-${i}`, pendingReviewCount: 1 }]),
  );
  const asked: Array<{ page: number; per: number; etag?: string }> = [];
  const ia: IaClient = {
    getAttempt: async () => Promise.reject(new Error('not used')),
    getAttemptIfChanged: async () => Promise.reject(new Error('not used')),
    getAssignment: async () => Promise.reject(new Error('not used')),
    listAssignments: async (page, per, options = {}) => {
      asked.push({ page, per, ...(options.etag ? { etag: options.etag } : {}) });
      if (options.etag === `"p${page}"`) return NOT_MODIFIED;
      const size = Math.min(per, clamp);
      const pages = Math.ceil(items.length / size);
      const served = items.slice((page - 1) * size, page * size);
      // IA hid one of this page's items after it paginated: a non-last page one item short.
      const results = page === shape.shortPage && page < pages ? served.slice(1) : served;
      return {
        value: parseAssignmentPage({
          meta: {
            ...(shape.totals === false ? {} : { total_count: items.length }),
            count: results.length,
            pages,
          },
          results,
        }),
        etag: `"p${page}"`,
      };
    },
  };
  const setClamp = (n: number) => {
    clamp = n;
  };
  return { ia, items, asked, setClamp };
};

const walk = async (
  ia: IaClient,
  position: WalkPosition,
  extra: Partial<Parameters<typeof walkAssignments>[2]> = {},
  stopAfter = Infinity,
) => {
  const pages: PageOutcome[] = [];
  const result = await walkAssignments(
    ia,
    position,
    { requestedPer: 10, horizonDays: 2, now: NOW, ...extra },
    async (outcome) => void pages.push(outcome),
    () => pages.length >= stopAfter,
  );
  const ids = pages.flatMap((p) => (p.kind === 'page' ? p.attempts.map((a) => a.attempt.id) : []));
  return { ...result, pages, ids };
};

describe('walkAssignments', () => {
  it.each([
    ['with the list totals', true],
    ['without totals', false],
  ])('does not take one short page in the middle for a new page size (%s)', async (_, totals) => {
    // Defect: page 2 one item short was read as per=9; every walk restarted there, forever.
    const { ia } = listOf(40, 10, { shortPage: 2, totals });
    const { end, ids } = await walk(ia, { page: 1, per: 10 });
    expect(end).toBe('end-of-list');
    expect(ids).toContain('att-39');
    expect(ids).toHaveLength(39); // the hidden item is the only one not seen
  });

  it('stops at the horizon, with each completed attempt once and when the list stops watching it', async () => {
    const { ia } = listOf(100);
    const { end, ids, pages } = await walk(ia, { page: 1, per: 10 });
    expect(end).toBe('horizon');
    expect(ids).toEqual(Array.from({ length: 48 }, (_, i) => `att-${i}`)); // created 1..48 hours ago, horizon 48 h
    expect(pages).toHaveLength(5);
    const first = pages[0];
    expect(first?.kind === 'page' && first.attempts[0]?.listedUntil).toBe(
      new Date(hoursAgo(1).getTime() + 2 * 86_400_000).toISOString(),
    );
  });

  it('resumed from a boundary, skips what it already went through even when the list moved', async () => {
    const list = listOf(30);
    const firstRun = await walk(list.ia, { page: 1, per: 10 }, {}, 1);
    expect(firstRun.position.boundary).toEqual({ createdAt: hoursAgo(10).toISOString(), ids: ['asg-9'] });
    // Five new assignments at the head: page 2 now starts with asg-5.
    list.items.unshift(
      ...Array.from({ length: 5 }, (_, i) => listedAssignment(`new-${i}`, NOW, [{ id: `new-att-${i}` }])),
    );
    const resumed = await walk(list.ia, { ...firstRun.position, page: 1 });
    expect(resumed.ids).toEqual(Array.from({ length: 20 }, (_, i) => `att-${i + 10}`));
    expect(resumed.end).toBe('end-of-list');
  });

  it('restarts when IA starts serving more per page mid-walk (the next page numbers would skip items)', async () => {
    const list = listOf(30, 5);
    const first = await walk(list.ia, { page: 1, per: 5 }, {}, 1);
    list.setClamp(10);
    const next = await walk(list.ia, first.position);
    expect(next.end).toBe('restart');
    expect(next.position).toEqual({ page: 1, per: 10 });
  });

  it('goes on when IA serves fewer per page mid-walk (items repeat, none is skipped), and starts the next walk there', async () => {
    const list = listOf(30, 10);
    const first = await walk(list.ia, { page: 1, per: 10 }, {}, 1);
    list.setClamp(5);
    const next = await walk(list.ia, first.position);
    expect(next.end).toBe('end-of-list');
    expect(new Set([...first.ids, ...next.ids]).size).toBe(30);
    expect(next.position.per).toBe(5);
  });

  it('adopts a clamped size on page 1 without a restart', async () => {
    const list = listOf(12, 5);
    const { end, ids, position } = await walk(list.ia, { page: 1, per: 10 });
    expect([end, ids.length, position.per]).toEqual(['end-of-list', 12, 5]);
  });

  it('sends the kept ETag; a 304 on the page the walk ended on ends it', async () => {
    const list = listOf(3);
    const memoFor = (_per: number, page: number) => (page === 1 ? { etag: '"p1"', ends: true } : undefined);
    const { end, pages } = await walk(list.ia, { page: 1, per: 10 }, { memoFor });
    expect(end).toBe('end-of-list');
    expect(pages).toEqual([{ kind: 'not-modified', page: 1 }]);
    expect(list.asked).toEqual([{ page: 1, per: 10, etag: '"p1"' }]);
  });

  it('skips attempts not completed and reports items it cannot use', async () => {
    const malformed: string[] = [];
    const ia = listOf(0).ia;
    ia.listAssignments = async () => ({
      value: parseAssignmentPage({
        meta: { total_count: '3', count: '3', pages: '1' },
        results: [
          listedAssignment('a1', hoursAgo(1), [{ id: 'done' }, { id: 'running', inProgress: true }]),
          { assignment: { id: '../evil' } },
          {
            assignment: {
              id: 'a3',
              created_at: hoursAgo(3).toISOString(),
              attempts: [{ id: 'no-decision-fields', completed_at: hoursAgo(3).toISOString() }],
            },
          },
        ],
      }),
    });
    const { ids } = await walk(ia, { page: 1, per: 10 }, { onMalformed: (what) => void malformed.push(what) });
    expect(ids).toEqual(['done']);
    expect(malformed).toEqual([
      'an attempt of assignment a3: invalid attempt: attempt.scoring_completed is required; attempt.pending_review_count is required',
      'an item of assignments page 1 without a usable id',
    ]);
    // Nobody to tell: the same walk, quietly.
    expect((await walk(ia, { page: 1, per: 10 })).ids).toEqual(['done']);
  });

  it('walks to the end when nobody asks it to stop', async () => {
    const seen: number[] = [];
    const { end } = await walkAssignments(
      listOf(25, 10).ia,
      { page: 1, per: 10 },
      { requestedPer: 10, horizonDays: 2, now: NOW },
      async (outcome) => void seen.push(outcome.page),
    );
    expect([end, seen]).toEqual(['end-of-list', [1, 2, 3]]);
  });
});

describe('walkAssignments: an item seen twice in one walk', () => {
  it('is looked at once when IA shrinks its page size mid-walk, even without a creation time to place it', async () => {
    const items = Array.from({ length: 6 }, (_, i) => {
      const { created_at: _created, ...assignment } = listedAssignment(`asg-${i}`, hoursAgo(i + 1), [
        { id: `att-${i}` },
      ]).assignment as Record<string, unknown>;
      return { assignment };
    });
    const ia: IaClient = {
      ...listOf(0).ia,
      // Three on page 1, then two a page: page 2 starts one item back, at asg-2.
      listAssignments: async (page) => {
        const from = page === 1 ? 0 : 2 * (page - 1);
        const results = items.slice(from, page === 1 ? 3 : from + 2);
        return { value: parseAssignmentPage({ meta: { total_count: 6, count: results.length, pages: 3 }, results }) };
      },
    };
    const { ids, pages } = await walk(ia, { page: 1, per: 3 });
    expect(ids).toEqual(['att-0', 'att-1', 'att-2', 'att-3', 'att-4', 'att-5']);
    expect(pages.map((p) => (p.kind === 'page' ? p.passedOver : undefined))).toEqual([0, 1, 0]);
  });
});

describe('walkAssignments: what each page reports', () => {
  const summary = (outcome: PageOutcome | undefined) => {
    if (outcome?.kind !== 'page') return outcome;
    const { attempts, ...rest } = outcome;
    return { ...rest, attempts: attempts.length };
  };

  it('a page inside the horizon, and the last one', async () => {
    const { pages, position } = await walk(listOf(12, 5).ia, { page: 1, per: 10 });
    expect(pages.map(summary)).toEqual([
      {
        kind: 'page',
        page: 1,
        attempts: 5,
        assignments: 5,
        unusable: 0,
        passedOver: 0,
        ends: false,
        horizon: false,
        oldestCreatedAt: hoursAgo(5).toISOString(),
        etag: '"p1"',
      },
      {
        kind: 'page',
        page: 2,
        attempts: 5,
        assignments: 5,
        unusable: 0,
        passedOver: 0,
        ends: false,
        horizon: false,
        oldestCreatedAt: hoursAgo(10).toISOString(),
        etag: '"p2"',
      },
      {
        kind: 'page',
        page: 3,
        attempts: 2,
        assignments: 2,
        unusable: 0,
        passedOver: 0,
        ends: true,
        horizon: false,
        oldestCreatedAt: hoursAgo(12).toISOString(),
        etag: '"p3"',
      },
    ]);
    expect(position).toEqual({ page: 4, per: 5, boundary: { createdAt: hoursAgo(12).toISOString(), ids: ['asg-11'] } });
  });

  it('the page that reaches the horizon: its older items are not looked at', async () => {
    const { pages } = await walk(listOf(100).ia, { page: 1, per: 10 });
    expect(summary(pages.at(-1))).toMatchObject({
      page: 5,
      attempts: 8,
      ends: true,
      horizon: true,
      oldestCreatedAt: hoursAgo(50).toISOString(),
    });
  });

  it('an empty list ends the walk on its first page', async () => {
    const { end, pages } = await walk(listOf(0).ia, { page: 1, per: 10 });
    expect(end).toBe('end-of-list');
    expect(summary(pages[0])).toEqual({
      kind: 'page',
      page: 1,
      attempts: 0,
      assignments: 0,
      unusable: 0,
      passedOver: 0,
      ends: true,
      horizon: false,
      etag: '"p1"',
    });
  });

  it('a 304 goes on to the next page, unless its memo says the page reaches the horizon or ends the list', async () => {
    const list = listOf(30);
    const positions: number[] = [];
    const go = (memo: { etag: string; oldest?: string; ends?: boolean }) =>
      walkAssignments(
        list.ia,
        { page: 1, per: 10 },
        { requestedPer: 10, horizonDays: 2, now: NOW, memoFor: (_per, page) => (page === 1 ? memo : undefined) },
        async (_outcome, after) => void positions.push(after.page),
        () => positions.length >= 2,
      );
    expect(await go({ etag: '"p1"', oldest: hoursAgo(10).toISOString() })).toMatchObject({ end: 'stopped' });
    expect(positions).toEqual([2, 3]);
    positions.length = 0;
    expect(await go({ etag: '"p1"', oldest: hoursAgo(49).toISOString() })).toEqual({
      end: 'horizon',
      position: { page: 2, per: 10 },
    });
    expect(positions).toEqual([2]);
    // A memo whose ETag IA no longer serves: the page is fetched whole.
    positions.length = 0;
    await go({ etag: '"stale"', ends: true });
    expect(list.asked.at(-2)).toEqual({ page: 1, per: 10, etag: '"stale"' });
  });

  it('items repeated in one walk (IA lowered its page size) are passed over, not looked at twice', async () => {
    const list = listOf(30, 10);
    const first = await walk(list.ia, { page: 1, per: 10 }, {}, 1);
    list.setClamp(5);
    // The next page at the smaller size repeats page 1's second half: behind the boundary.
    const next = await walk(list.ia, first.position, {}, 1);
    expect(summary(next.pages[0])).toMatchObject({ page: 2, attempts: 0, passedOver: 5 });
  });

  it('assignments created at the same instant: the boundary names each, and a resumed walk passes over only those', async () => {
    const at = hoursAgo(3);
    const items = ['asg-a', 'asg-b', 'asg-c'].map((id, i) => listedAssignment(id, at, [{ id: `att-${i}` }]));
    const ia: IaClient = {
      ...listOf(0).ia,
      listAssignments: async () => ({
        value: parseAssignmentPage({ meta: { total_count: 3, count: 3, pages: 1 }, results: items }),
      }),
    };
    const resumed = await walk(ia, { page: 1, per: 10, boundary: { createdAt: at.toISOString(), ids: ['asg-a'] } });
    expect(resumed.ids).toEqual(['att-1', 'att-2']);
    expect(resumed.position.boundary).toEqual({ createdAt: at.toISOString(), ids: ['asg-a', 'asg-b', 'asg-c'] });
    expect(summary(resumed.pages[0])).toMatchObject({ passedOver: 1 });
  });

  it('an assignment without a creation time is kept, watched for the listing days from now', async () => {
    const [seed] = listOf(1).items;
    const { created_at: _none, ...undated } = (seed as { assignment: Record<string, unknown> }).assignment;
    const asked: unknown[] = [];
    const ia: IaClient = {
      ...listOf(0).ia,
      listAssignments: async (_page, _per, options) => {
        asked.push(options);
        return {
          value: parseAssignmentPage({
            meta: { total_count: 1, count: 1, pages: 1 },
            results: [{ assignment: undated }],
          }),
        };
      },
    };
    const signal = new AbortController().signal;
    const { ids, pages, position } = await walk(ia, { page: 1, per: 10 }, { listedForDays: 30, request: { signal } });
    expect(ids).toEqual(['att-0']);
    expect(pages[0]?.kind === 'page' && pages[0].attempts[0]?.listedUntil).toBe(
      new Date(NOW.getTime() + 30 * 86_400_000).toISOString(),
    );
    expect(position.boundary).toBeUndefined();
    // What the caller asks of each request (its abort signal) reaches IA.
    expect(asked).toEqual([{ signal }]);
  });
});

describe('parseAssignmentPage', () => {
  it('reads the API’s own list example, counts as numbers or strings', () => {
    const page = parseAssignmentPage(readFixture('assignments-list.json'));
    expect(page).toMatchObject({ totalCount: 1, pages: 1, itemCount: 1, unusable: 0 });
    expect(page.assignments[0]?.id).toBe('yw4gmpjjtkgkdxjkuoghsa');
    expect(parseAssignmentPage({ meta: { total_count: '7', pages: 'lots' }, results: [] })).toMatchObject({
      totalCount: 7,
      itemCount: 0,
    });
  });

  it('rejects a body that is not a page', () => {
    expect(() => parseAssignmentPage({ assignments: [] })).toThrow(MalformedResponseError);
  });
});

describe('needsOwnRecheck', () => {
  const attempt = (pending: number, done: boolean) => ({
    id: 'a',
    scoringCompleted: done,
    pendingReviewCount: pending,
    assessment: {},
    reviewItems: [],
  });
  const until = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000).toISOString();

  it('is needed without a list, and while scoring runs its first quick looks', () => {
    expect(
      needsOwnRecheck(nextStep(undefined, { attempt: attempt(1, false) }, NOW, DEFAULT_WATCH), NOW, DEFAULT_WATCH),
    ).toBe(true);
    expect(
      needsOwnRecheck(
        nextStep(undefined, { attempt: attempt(0, false), listedUntil: until(100) }, NOW, DEFAULT_WATCH),
        NOW,
        DEFAULT_WATCH,
      ),
    ).toBe(true);
  });

  it('is not needed while the list looks; is again when the assignment leaves the horizon first', () => {
    expect(
      needsOwnRecheck(
        nextStep(undefined, { attempt: attempt(1, false), listedUntil: until(100) }, NOW, DEFAULT_WATCH),
        NOW,
        DEFAULT_WATCH,
      ),
    ).toBe(false);
    expect(
      needsOwnRecheck(
        nextStep(undefined, { attempt: attempt(1, false), listedUntil: until(0.5) }, NOW, DEFAULT_WATCH),
        NOW,
        DEFAULT_WATCH,
      ),
    ).toBe(true);
    expect(
      needsOwnRecheck(
        nextStep(undefined, { attempt: attempt(0, true), listedUntil: until(100) }, NOW, DEFAULT_WATCH),
        NOW,
        DEFAULT_WATCH,
      ),
    ).toBe(false);
  });
});

describe('needsOwnRecheck, at its edges', () => {
  const step = (observation: Parameters<typeof nextStep>[1], listedUntil?: Date) =>
    nextStep(
      undefined,
      observation === 'not-modified'
        ? observation
        : { ...observation, ...(listedUntil ? { listedUntil: listedUntil.toISOString() } : {}) },
      NOW,
      DEFAULT_WATCH,
    );
  const waiting = {
    attempt: { id: 'a', scoringCompleted: false, pendingReviewCount: 1, assessment: { id: 'x' }, reviewItems: [] },
  };

  it('needs its own when the next look falls exactly as the list stops watching', () => {
    const next = step(waiting, new Date(NOW.getTime() + 3_600_000));
    expect(next.recheckInSeconds).toBe(3600);
    expect(needsOwnRecheck(next, NOW, DEFAULT_WATCH)).toBe(true);
    expect(needsOwnRecheck(step(waiting, new Date(NOW.getTime() + 3_600_001)), NOW, DEFAULT_WATCH)).toBe(false);
  });

  it('leaves scoring to the list once its looks are as slow as the slowest quick look', () => {
    const scoring = step(
      { attempt: { ...waiting.attempt, pendingReviewCount: 0 } },
      new Date(NOW.getTime() + 30 * 86_400_000),
    );
    const slowest = { ...scoring, recheckInSeconds: DEFAULT_WATCH.maxDelaySeconds };
    expect(
      needsOwnRecheck({ ...scoring, recheckInSeconds: DEFAULT_WATCH.maxDelaySeconds - 1 }, NOW, DEFAULT_WATCH),
    ).toBe(true);
    expect(needsOwnRecheck(slowest, NOW, DEFAULT_WATCH)).toBe(false);
  });

  it('leaves a quick look for a reminder to the list too: only scoring gets quick looks of its own', () => {
    const reminderSoon = { ...step(waiting, new Date(NOW.getTime() + 30 * 86_400_000)), recheckInSeconds: 600 };
    expect(needsOwnRecheck(reminderSoon, NOW, DEFAULT_WATCH)).toBe(false);
  });
});

describe('walkAssignments: the page size IA serves, at its edges', () => {
  /** One page as IA answers it: `count` items, `pages` in all. */
  const serving = (served: (page: number) => { count: number; pages: number }) => {
    const ia: IaClient = {
      ...listOf(0).ia,
      listAssignments: async (page) => {
        const { count, pages } = served(page);
        const results = Array.from({ length: count }, (_, i) =>
          listedAssignment(`asg-${page}-${i}`, hoursAgo(page + i / 100), [{ id: `att-${page}-${i}` }]),
        );
        return { value: parseAssignmentPage({ meta: { total_count: count, count, pages }, results }) };
      },
    };
    return ia;
  };

  it('a short last page says nothing of the size: the next walk asks the same', async () => {
    const { position } = await walk(
      serving(() => ({ count: 3, pages: 1 })),
      { page: 1, per: 10 },
    );
    expect(position.per).toBe(10);
  });

  it('an empty page in the middle (IA hid its items) ends the walk without a size of 0', async () => {
    const { end, position, pages } = await walk(
      serving(() => ({ count: 0, pages: 3 })),
      { page: 1, per: 10 },
    );
    expect(end).toBe('end-of-list');
    expect(pages).toHaveLength(1);
    expect(position.per).toBe(10);
  });

  it('a larger size on page 1 is adopted without a restart', async () => {
    const { end, position } = await walk(
      serving((page) => ({ count: page < 2 ? 20 : 5, pages: 2 })),
      { page: 1, per: 10 },
    );
    expect(end).toBe('end-of-list');
    expect(position.per).toBe(20);
  });

  it('a 304 whose page is exactly as old as the horizon goes on', async () => {
    const list = listOf(30);
    const horizonStart = new Date(NOW.getTime() - 2 * 86_400_000).toISOString();
    const { pages } = await walk(
      list.ia,
      { page: 1, per: 10 },
      { memoFor: (_per, page) => (page === 1 ? { etag: '"p1"', oldest: horizonStart } : undefined) },
      2,
    );
    expect(pages.map((p) => p.kind)).toEqual(['not-modified', 'page']);
  });
});
