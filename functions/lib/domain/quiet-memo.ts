/**
 * What a warm sweep container remembers of the looks that did nothing. Most of what a walk passes
 * is listed as it was last time and has nothing due: a look at it reads the attempt's state only to
 * find that out again, and those reads were most of the sweep's bill (a page's ~90 completed
 * attempts, every page, every walk). A look that was quiet, at an attempt listed exactly the same
 * way since, stays quiet until its next due time: the memo stands for the state read, as a page's
 * ETag memo stands for every look on a page that answered 304 (sweep-run.ts says why a quiet look
 * on a state that is not the newest stands).
 *
 * It is the container's, not the table's: a cold container starts empty and reads as before. Its
 * size is bounded whatever IA lists: a table of fingerprints by attempt id's hash, which doubles
 * (keeping what it holds) while it fills, up to `MAX_SLOTS`; then a new memo takes the oldest slot
 * near its own, and the attempt that held it is read again.
 */
import { createHash } from 'node:crypto';
import type { ListedAttempt } from './assignment-walk.js';
import type { StoredRecord } from './attempt-store.js';
import { SETTLED_MAX_INTERVAL_SECONDS, type WatchSettings } from './lifecycle.js';

export interface QuietMemo {
  /** The remembered quiet look at this attempt, listed this way, if it still stands at `now`: its next look. */
  recall(listed: ListedAttempt, now: Date): { nextLookAt?: string } | undefined;
  /** A look at it was quiet at `now`, with nothing due before `until` (nothing at all: none). */
  remember(listed: ListedAttempt, now: Date, until: string | undefined): void;
  /** What it remembered of the attempt stands no longer (a look that reads its state). */
  forget(listed: ListedAttempt): void;
}

/**
 * When a quiet look must be made again, at the latest: its next look, and a day before the
 * attempt leaves the list, when a look schedules the re-checks of its own that watch it once the
 * walk no longer reaches it (`needsOwnRecheck`): no memo of a page or an attempt skips that look.
 */
export const lookAgainBy = (listed: ListedAttempt, nextLookAt: string | undefined): string | undefined => {
  const times = [nextLookAt, new Date(Date.parse(listed.listedUntil) - SETTLED_MAX_INTERVAL_SECONDS * 1000)]
    .map((t) => (t === undefined ? Number.NaN : new Date(t).getTime()))
    .filter((t) => !Number.isNaN(t));
  return times.length === 0 ? undefined : new Date(Math.min(...times)).toISOString();
};

/**
 * Whether a quiet look on this state may be remembered. Not while a claim holds back an
 * escalation: its release changes the state, not the listing, and can make the escalation due at
 * once; the check a release sends covers only an escalation already due, the walk the rest.
 */
export const rememberable = (state: StoredRecord | undefined, s: WatchSettings): boolean =>
  !(state && 'claim' in state && state.claim && s.escalateAfterSeconds > 0 && state.escalatedAt === undefined);

const FIRST_SLOTS = 2 ** 12;
/** 20 bytes a slot: 10.5 MB at most, room for the ~260,000 completed attempts of 12,000 a day. */
export const MAX_SLOTS = 2 ** 19;
/** How far from its home slot an attempt may be kept; past it, the oldest memo there gives way. */
const PROBES = 32;
/**
 * Nothing known changes a state without changing how the attempt is listed or carrying its own
 * re-check (a check that acts schedules its own; a claim released sends a check). Whatever else
 * might is read within this long all the same.
 */
export const MAX_MEMO_AGE_MS = 24 * 3_600_000;
/** A memo with nothing due: kept until it is too old. */
const NEVER = 0xffffffff;

/** FNV-1a over the id's UTF-16 code units, mixed: where its slot is, and which attempt holds it. */
const idHash = (id: string) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  // Murmur3's finaliser: ids that differ in their last characters (att-151, att-152) spread apart.
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
};

/** 64 bits of what the look sees of the attempt: its id, everything listed, how long it is listed. */
const fingerprint = (listed: ListedAttempt): [number, number] => {
  const digest = createHash('sha1')
    .update(listed.attempt.id)
    .update('\0')
    .update(listed.listedUntil)
    .update('\0')
    .update(JSON.stringify(listed.attempt))
    .digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4)];
};

/** Open addressing over typed arrays; times in whole seconds, due times rounded down, so never late. */
class Table {
  readonly ids: Uint32Array;
  readonly prints: Uint32Array;
  readonly until: Uint32Array;
  /** 0: an empty slot. */
  readonly at: Uint32Array;
  used = 0;
  constructor(readonly slots: number) {
    this.ids = new Uint32Array(slots);
    this.prints = new Uint32Array(2 * slots);
    this.until = new Uint32Array(slots);
    this.at = new Uint32Array(slots);
  }

  /** The attempt's slot, or else an empty one, or else the oldest in its window. */
  find(id: number): { slot: number; held: boolean } {
    const mask = this.slots - 1;
    let oldest = id & mask;
    for (let probe = 0; probe < PROBES; probe++) {
      const slot = (id + probe) & mask;
      if (this.at[slot] === 0) return { slot, held: false };
      if (this.ids[slot] === id) return { slot, held: true };
      if ((this.at[slot] as number) < (this.at[oldest] as number)) oldest = slot;
    }
    return { slot: oldest, held: false };
  }

  put(slot: number, id: number, high: number, low: number, until: number, at: number) {
    if (this.at[slot] === 0) this.used += 1;
    this.ids[slot] = id;
    this.prints[2 * slot] = high;
    this.prints[2 * slot + 1] = low;
    this.until[slot] = until;
    this.at[slot] = at;
  }

  /** Twice the size, every memo kept. */
  grown(): Table {
    const bigger = new Table(this.slots * 2);
    for (let slot = 0; slot < this.slots; slot++) {
      const at = this.at[slot] as number;
      if (at === 0) continue;
      const id = this.ids[slot] as number;
      const prints = [this.prints[2 * slot] as number, this.prints[2 * slot + 1] as number] as const;
      bigger.put(bigger.find(id).slot, id, prints[0], prints[1], this.until[slot] as number, at);
    }
    return bigger;
  }
}

export const quietMemo = (): QuietMemo => {
  let table = new Table(FIRST_SLOTS);
  return {
    recall(listed, now) {
      const id = idHash(listed.attempt.id);
      const { slot, held } = table.find(id);
      const seconds = now.getTime() / 1000;
      const at = table.at[slot] as number;
      const due = table.until[slot] as number;
      if (!held || seconds < at || seconds - at >= MAX_MEMO_AGE_MS / 1000 || seconds >= due) return undefined;
      const [high, low] = fingerprint(listed);
      if (table.prints[2 * slot] !== high || table.prints[2 * slot + 1] !== low) return undefined;
      return due === NEVER ? {} : { nextLookAt: new Date(due * 1000).toISOString() };
    },
    remember(listed, now, until) {
      if (table.used >= table.slots / 2 && table.slots < MAX_SLOTS) table = table.grown();
      const id = idHash(listed.attempt.id);
      const [high, low] = fingerprint(listed);
      // A time it cannot read is 0 in the table: already past, so nothing stands.
      const due = until === undefined ? NEVER : Math.min(NEVER - 1, Math.max(0, Math.floor(Date.parse(until) / 1000)));
      table.put(table.find(id).slot, id, high, low, due, Math.floor(now.getTime() / 1000));
    },
    forget(listed) {
      const { slot, held } = table.find(idHash(listed.attempt.id));
      // Kept taken, so the slots after it are still found; nothing is due before 0.
      if (held) table.until[slot] = 0;
    },
  };
};
