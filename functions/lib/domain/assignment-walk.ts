/**
 * Walking IA's assignment list (`GET /assignments.json?page=&per=`, newest created first, no
 * filters) down to the horizon, shared by the sweep function and the CLI's `sweep` command.
 *
 * The list moves while it is walked: every new assignment pushes the others one place back, so
 * a page fetched later repeats items already seen (never skips one). Items are therefore
 * recognised, not counted: by id within a walk, and across runs by the boundary, the oldest
 * assignment a resumed walk has already been through (everything at or above it is done, or new
 * and left to the next walk). IA's `per` clamp is undocumented: the page size actually served is
 * read from the pages, and a change of it restarts the walk, since page numbers then mean other
 * items.
 */
import { type Attempt, isCompleted, normaliseAttempt } from './attempt.js';
import { type AssignmentPage, parseAttempt, type RawAssignment } from './attempt-schema.js';
import { isAppError } from './errors.js';
import { type IaClient, NOT_MODIFIED, type RequestOptions } from './ia.js';

export interface Boundary {
  createdAt: string;
  /** Ids of the assignments created at exactly that time (several can share a timestamp). */
  ids: string[];
}

export interface WalkPosition {
  /** The next page to ask for, at page size `per`. */
  page: number;
  per: number;
  boundary?: Boundary;
}

export interface ListedAttempt {
  attempt: Attempt;
  assignmentId: string;
  /** When the assignment leaves the horizon (created + horizon): the list looks until then. */
  listedUntil: string;
}

export type PageOutcome =
  | {
      kind: 'page';
      page: number;
      attempts: ListedAttempt[];
      etag?: string;
      assignments: number;
      unusable: number;
      /**
       * Items on the page this walk did not look at (already seen in this walk, or behind the
       * boundary of a resumed one): their due times are not in this page's outcome.
       */
      passedOver: number;
      /** The walk ended on this page: the end of the list, or its horizon (`horizon`). */
      ends: boolean;
      /** The page reaches past the walk's horizon: the items there were not looked at. */
      horizon: boolean;
      /** The oldest creation time on the page: on a 304 later, whether the page reaches a horizon. */
      oldestCreatedAt?: string;
    }
  | { kind: 'not-modified'; page: number };

export interface WalkOptions {
  /** The page size to ask for; IA may serve fewer. */
  requestedPer: number;
  horizonDays: number;
  /** How long the sweep goes on looking at an assignment (its `listedUntil`). @default horizonDays */
  listedForDays?: number;
  now: Date;
  /**
   * The ETag kept for a page, if any (304 then means: nothing on it changed), whether the list
   * ended on that page, and the oldest creation time on it (whether it reaches this walk's horizon).
   */
  memoFor?: (per: number, page: number) => { etag: string; ends?: boolean; oldest?: string } | undefined;
  request?: RequestOptions;
  /** Items that are not usable attempts (no id, malformed): counted, skipped. */
  onMalformed?: (what: string) => void;
}

export type WalkEnd = 'horizon' | 'end-of-list' | 'stopped' | 'restart';

const DAY_MS = 86_400_000;

/** Completed attempts of one assignment, normalised with its candidate, role and link. */
const completedAttempts = (
  assignment: RawAssignment,
  listedUntil: string,
  onMalformed?: (what: string) => void,
): ListedAttempt[] =>
  assignment.attempts.flatMap((raw) => {
    try {
      const attempt = normaliseAttempt(parseAttempt(raw), assignment);
      return isCompleted(attempt) ? [{ attempt, assignmentId: assignment.id, listedUntil }] : [];
    } catch (error) {
      if (!isAppError(error)) throw error;
      onMalformed?.(`an attempt of assignment ${assignment.id}: ${error.message}`);
      return [];
    }
  });

/**
 * The page size IA serves, as a page that is not the last one shows it. IA numbers pages by the
 * size it serves, so only a change during a walk matters, and only one way: a larger size means
 * the next page numbers jump over items, so the walk starts over; a smaller one only repeats
 * items (recognised by id). A page can also come up short because IA hid or deleted one of its
 * items after paginating; that is a smaller count too, and the walk goes on.
 */
const shownPer = (page: AssignmentPage, number: number): number | undefined =>
  page.pages !== undefined && number < page.pages && page.itemCount > 0 ? page.itemCount : undefined;

/**
 * Walks from `position` until the horizon, the end of the list or `shouldStop()`; `onPage` gets
 * each page's completed attempts (each id once per walk) and may persist `position` after it.
 */
export const walkAssignments = async (
  ia: IaClient,
  position: WalkPosition,
  options: WalkOptions,
  onPage: (outcome: PageOutcome, position: WalkPosition) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<{ end: WalkEnd; position: WalkPosition }> => {
  const horizonStart = options.now.getTime() - options.horizonDays * DAY_MS;
  const seen = new Set<string>();
  let current = { ...position };
  /** The largest size shown in this walk: what the next walk starts from (a lowered clamp lowers it). */
  let largest: number | undefined;
  while (!shouldStop()) {
    const number = current.page;
    const memo = options.memoFor?.(current.per, number);
    const fetched = await ia.listAssignments(number, options.requestedPer, {
      ...options.request,
      ...(memo ? { etag: memo.etag } : {}),
    });
    if (fetched === NOT_MODIFIED) {
      current = { ...current, page: number + 1 };
      await onPage({ kind: 'not-modified', page: number }, current);
      if (memo?.ends) return { end: 'end-of-list', position: current };
      if (memo?.oldest && Date.parse(memo.oldest) < horizonStart) return { end: 'horizon', position: current };
      continue;
    }
    const page = fetched.value;
    const shown = shownPer(page, number);
    if (shown !== undefined && shown > current.per && number > 1) {
      // Page numbers now address items further down: start over at the top with the served size.
      return { end: 'restart', position: { page: 1, per: shown } };
    }
    if (shown !== undefined) largest = Math.max(largest ?? 0, shown);
    const per = Math.max(current.per, shown ?? 0);
    const attempts: ListedAttempt[] = [];
    let boundary = current.boundary;
    let reachedHorizon = false;
    let passedOver = 0;
    let oldest: number | undefined;
    for (const assignment of page.assignments) {
      const created = assignment.created_at ? Date.parse(assignment.created_at) : Number.NaN;
      if (!Number.isNaN(created)) oldest = Math.min(oldest ?? created, created);
    }
    for (const assignment of page.assignments) {
      const created = assignment.created_at ? Date.parse(assignment.created_at) : Number.NaN;
      if (created < horizonStart) {
        reachedHorizon = true;
        break;
      }
      if (seen.has(assignment.id)) {
        passedOver += 1;
        continue;
      }
      seen.add(assignment.id);
      if (assignment.created_at && boundary) {
        const edge = Date.parse(boundary.createdAt);
        if (created > edge || (created === edge && boundary.ids.includes(assignment.id))) {
          passedOver += 1;
          continue;
        }
      }
      // Without a creation time the assignment is kept in the horizon: better one look too many.
      const listedUntil = new Date(
        (Number.isNaN(created) ? options.now.getTime() : created) +
          (options.listedForDays ?? options.horizonDays) * DAY_MS,
      ).toISOString();
      attempts.push(...completedAttempts(assignment, listedUntil, options.onMalformed));
      if (assignment.created_at) {
        boundary =
          boundary && Date.parse(boundary.createdAt) === created
            ? { createdAt: boundary.createdAt, ids: [...boundary.ids, assignment.id] }
            : { createdAt: assignment.created_at, ids: [assignment.id] };
      }
    }
    for (let i = 0; i < page.unusable; i++)
      options.onMalformed?.(`an item of assignments page ${number} without a usable id`);
    const atEnd = page.itemCount === 0 || (page.pages !== undefined && number >= page.pages);
    current = { page: number + 1, per, ...(boundary ? { boundary } : {}) };
    await onPage(
      {
        kind: 'page',
        page: number,
        attempts,
        assignments: page.assignments.length,
        unusable: page.unusable,
        passedOver,
        ends: reachedHorizon || atEnd,
        horizon: reachedHorizon,
        ...(oldest === undefined ? {} : { oldestCreatedAt: new Date(oldest).toISOString() }),
        ...(fetched.etag ? { etag: fetched.etag } : {}),
      },
      current,
    );
    const finished = { ...current, per: largest ?? current.per };
    if (reachedHorizon) return { end: 'horizon', position: finished };
    if (atEnd) return { end: 'end-of-list', position: finished };
  }
  return { end: 'stopped', position: current };
};
