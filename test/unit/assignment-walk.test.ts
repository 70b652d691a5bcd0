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
    expect(malformed).toHaveLength(2);
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
