/**
 * The sweep's port for its place in the walk: what is kept between runs, and the lease that keeps
 * two runs from walking at once. The state table implements it (adapters/sweep-cursor.ts).
 */
import type { Boundary } from './assignment-walk.js';

export interface PageMemo {
  etag: string;
  /** The list ended on this page (older memos: or the horizon of the walk of the whole horizon). */
  ends?: boolean;
  /** The oldest creation time on the page: a 304 then tells each walk whether it reaches its horizon. */
  oldest?: string;
  /** The earliest time something on the page may be due (a reminder): a 304 is not trusted after it. */
  dueAt?: string;
}

/** Where a walk is: its start, and the next page at the page size IA serves. */
export interface WalkCursor {
  walkStartedAt?: string;
  nextPage: number;
  per?: number;
  boundary?: Boundary;
}

export interface SweepCursor extends WalkCursor {
  /** The walk of the recent head of the list, which starts over whenever it reaches its horizon. */
  head?: WalkCursor;
  lastHeadWalkEndedAt?: string;
  lastFullWalkStartedAt?: string;
  lastFullWalkEndedAt?: string;
  /** Page ETags, by `<per>:<page>`, for the first pages only (the item stays small). */
  pages?: Record<string, PageMemo>;
}

export interface CursorStore {
  /** The cursor, with the lease taken until `leaseUntil`; undefined while another run holds it. */
  acquire(now: Date, leaseUntil: Date): Promise<SweepCursor | undefined>;
  /** Saves the cursor and gives the lease back. */
  release(cursor: SweepCursor): Promise<void>;
}

/** ETags are kept for this many pages; pages further down are fetched whole. */
export const MAX_PAGE_MEMOS = 300;
