/**
 * "I'm on it": a person claims an attempt whose reviews wait, from Slack, an email link or the
 * CLI. A claim stops the escalation, names its holder in reminders, `pending` and the digest, and
 * the closing `review.completed` says who held it and how long the review took from the claim.
 * One holder at a time: a second claim is told who holds it; a release lets go. Pure: the store
 * applies the answer with a conditional write (adapters/attempt-state.ts).
 */
import type { CheckMessage } from '../check-message.js';
import type { Decision } from '../decision.js';
import { safeText } from '../safe-text.js';

export interface Claim {
  /** Who holds it, as they gave their name (made safe where it entered). */
  by: string;
  at: string;
  /** Where the claim came from: `slack`, `email`, `cli`. */
  via: ClaimChannel;
}

export const CLAIM_CHANNELS = ['slack', 'email', 'cli'] as const;
export type ClaimChannel = (typeof CLAIM_CHANNELS)[number];

/** A person's name or handle: one line, nothing linkable, short enough for a Slack button's reply. */
export const CLAIMANT_LIMIT = 80;

export class InvalidClaimantError extends Error {
  constructor() {
    super('a claim needs the name of who claims it (letters or digits, at most 80 characters)');
    this.name = 'InvalidClaimantError';
  }
}

/** The claimant's name made safe; an empty one (or only what safety strips) is refused. */
export const claimant = (raw: string): string => {
  const name = safeText(raw, CLAIMANT_LIMIT);
  if (!/[\p{L}\p{N}]/u.test(name)) throw new InvalidClaimantError();
  return name;
};

/** What a claim reads and writes of an attempt's watch state (lifecycle.ts's AttemptState). */
export interface Claimable {
  lastDecision: Decision;
  reviewNeededAt?: string;
  closedAt?: string;
  claim?: Claim;
}

/**
 * Everything a claim reads or writes of the state table, and all the claiming roles may touch (an
 * IAM condition, so adapters/claim-store.ts reads and writes no other). `attemptId` is the key:
 * IAM's attribute list must name it.
 */
export const CLAIM_ATTRIBUTES = [
  'attemptId',
  'version',
  'lastDecision',
  'reviewNeededAt',
  'closedAt',
  'claim',
  'missingUntil',
] as const;

export type ClaimAnswer<AttemptState extends Claimable> =
  | { result: 'claimed'; state: AttemptState }
  /** Already claimed by this person: nothing changes (a double click, a retried request). */
  | { result: 'already-yours'; claim: Claim }
  | { result: 'held'; claim: Claim }
  /** Nothing waits for a review: closed, scored, or never asked for one. */
  | { result: 'not-waiting'; state: AttemptState };

/** Whether reviews wait on this attempt now: what a claim is about. */
export const reviewWaits = (state: Claimable): boolean =>
  state.lastDecision === 'review.needed' && state.reviewNeededAt !== undefined && state.closedAt === undefined;

export const claim = <AttemptState extends Claimable>(
  state: AttemptState,
  by: string,
  via: ClaimChannel,
  now: Date,
): ClaimAnswer<AttemptState> => {
  if (!reviewWaits(state)) return { result: 'not-waiting', state };
  if (state.claim)
    return state.claim.by === by
      ? { result: 'already-yours', claim: state.claim }
      : { result: 'held', claim: state.claim };
  return { result: 'claimed', state: { ...state, claim: { by, at: now.toISOString(), via } } };
};

export type ReleaseAnswer<AttemptState extends Claimable> =
  | { result: 'released'; state: AttemptState; claim: Claim }
  | { result: 'not-claimed' }
  /** Someone else holds it: a release names whose claim it ends (`--force`), never by accident. */
  | { result: 'held'; claim: Claim };

export const release = <AttemptState extends Claimable>(
  state: AttemptState,
  by: string,
  force = false,
): ReleaseAnswer<AttemptState> => {
  const held = state.claim;
  if (!held) return { result: 'not-claimed' };
  if (held.by !== by && !force) return { result: 'held', claim: held };
  const { claim: _claim, ...rest } = state;
  return { result: 'released', state: rest as AttemptState, claim: held };
};

/**
 * The look a release asks for. While claimed, no look was due for escalation (the sweep's page memos
 * and the attempt's own re-check wait for the next reminder, up to a day), so escalation already due
 * would wait that long; a check of the attempt now sends it, and changes nothing if nothing is due.
 */
export const lookAfterRelease = (subject: { attemptId: string; account?: string }): CheckMessage => ({
  attemptId: subject.attemptId,
  ...(subject.account ? { account: subject.account } : {}),
  source: 'claim-release',
  afterRelease: true,
});

/** Whole minutes from the claim to `now` (the review's time, as `review.completed` reports it). */
export const minutesSinceClaim = (held: Claim, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - Date.parse(held.at)) / 60_000));

/** Read, decide, write under the state's version: a look saving meanwhile makes us read again. */
const CLAIM_WRITE_ATTEMPTS = 5;

export type StoredClaimAnswer<AttemptState extends Claimable> =
  | ClaimAnswer<AttemptState>
  | ReleaseAnswer<AttemptState>
  /** No state under that id: never seen by check or the sweep (or an IA 404 remembered). */
  | { result: 'unknown' };

/**
 * Claims (or releases) through the state store, exactly once: the write is conditional on the
 * version read, as check's and the sweep's are, so a claim racing a look or another claim either
 * lands on the newest state or is decided again on it; the loser of two claims is told who won.
 */
export const applyClaim = async <AttemptState extends Claimable & { version: number }>(
  store: {
    get(id: string): Promise<AttemptState | { missingUntil: string } | undefined>;
    put(state: AttemptState): Promise<void>;
  },
  attemptId: string,
  decide: (state: AttemptState) => ClaimAnswer<AttemptState> | ReleaseAnswer<AttemptState>,
  isConflict: (error: unknown) => boolean,
): Promise<StoredClaimAnswer<AttemptState>> => {
  for (let attempt = 1; ; attempt++) {
    const stored = await store.get(attemptId);
    if (stored === undefined || 'missingUntil' in stored) return { result: 'unknown' };
    const answer = decide(stored);
    if (answer.result !== 'claimed' && answer.result !== 'released') return answer;
    try {
      await store.put(answer.state);
      return answer;
    } catch (error) {
      if (!isConflict(error) || attempt === CLAIM_WRITE_ATTEMPTS) throw error;
    }
  }
};
