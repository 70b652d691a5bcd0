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
 * size is bounded whatever IA lists: a direct-mapped table of fingerprints (a slot per attempt id's
 * hash; a colliding attempt takes the slot), which doubles while it fills up to `MAX_SLOTS`.
 */
import { createHash } from 'node:crypto';
import type { ListedAttempt } from './assignment-walk.js';

export interface QuietMemo {
  /** The remembered quiet look at this attempt, listed this way, if it still stands at `now`. */
  recall(listed: ListedAttempt, now: Date): { nextLookAt?: string } | undefined;
  /** A look at it was quiet at `now`, with nothing due before `nextLookAt` (nothing at all: none). */
  remember(listed: ListedAttempt, now: Date, nextLookAt: string | undefined): void;
}

const FIRST_SLOTS = 2 ** 12;
/** 24 bytes a slot: 12.6 MB at most, room for the ~200,000 completed attempts of 10,000 a day. */
export const MAX_SLOTS = 2 ** 19;
/**
 * Nothing known changes a state without changing how the attempt is listed or carrying its own
 * re-check (a check that acts schedules its own; a claim released sends a check). Whatever else
 * might is read within this long all the same.
 */
export const MAX_MEMO_AGE_MS = 24 * 3_600_000;

/** FNV-1a over the id's UTF-16 code units: where its slot is. */
const slotHash = (id: string) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
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

export const quietMemo = (): QuietMemo => {
  let slots = FIRST_SLOTS;
  let used = 0;
  let prints = new Uint32Array(2 * slots);
  let until = new Float64Array(slots);
  // 0: an empty slot.
  let rememberedAt = new Float64Array(slots);
  const grow = () => {
    slots *= 2;
    used = 0;
    prints = new Uint32Array(2 * slots);
    until = new Float64Array(slots);
    rememberedAt = new Float64Array(slots);
  };
  return {
    recall(listed, now) {
      const slot = slotHash(listed.attempt.id) & (slots - 1);
      const at = rememberedAt[slot] as number;
      const t = now.getTime();
      if (at === 0 || t - at >= MAX_MEMO_AGE_MS || t < at || t >= (until[slot] as number)) return undefined;
      const [high, low] = fingerprint(listed);
      if (prints[2 * slot] !== high || prints[2 * slot + 1] !== low) return undefined;
      const due = until[slot] as number;
      return Number.isFinite(due) ? { nextLookAt: new Date(due).toISOString() } : {};
    },
    remember(listed, now, nextLookAt) {
      // Filling up: start again twice the size (what is lost is read once more).
      const due = nextLookAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(nextLookAt);
      if (Number.isNaN(due)) return;
      if (used >= slots / 2 && slots < MAX_SLOTS) grow();
      const slot = slotHash(listed.attempt.id) & (slots - 1);
      if (rememberedAt[slot] === 0) used += 1;
      const [high, low] = fingerprint(listed);
      prints[2 * slot] = high;
      prints[2 * slot + 1] = low;
      until[slot] = due;
      rememberedAt[slot] = now.getTime();
    },
  };
};
