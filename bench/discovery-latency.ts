/**
 * Sweep-only discovery latency: how long after its completion an attempt nobody announced is
 * seen by the sweep (and alerted, in the same look), with the walk as `runSweep` does it — every
 * run walks the recent head first with up to `headShare` of its pages, then goes on with the walk of
 * the whole horizon; each walk resumes where it stopped; a walk that reaches its horizon starts over
 * in the next run (the whole horizon's no sooner than `fullWalkEveryMinutes` after the last one began).
 *
 * The model works in creation time: the list is newest-created first, so page p fetched at time t
 * reaches back to creation time t - p × `per / assignments per second`; a walk's boundary (the
 * oldest assignment it has been through) moves back with each page that reaches further, and an
 * assignment is looked at when a walk's boundary passes its creation time. A walk resumes one page
 * early, and what arrived while it waited pushes the rest down: those pages bring less or nothing
 * new, as they do to the real walk. Pages are fetched one per paced slot of the key, up to the run's budget share of its slots. Completion delays (creation → completion) follow
 * `COMPLETION_DELAY` (or the model's `delays`); completions are sampled over a week after 40 days of walking (steady state).
 */

import { SWEEP_DEFAULTS, sweepPagesPerRun } from '#lib/domain/defaults.js';
import { LIST_MODEL } from './watch-budget.js';

/** How long after its invitation an attempt completes: shares of completions, each uniform in its band. */
export type DelayMix = ReadonlyArray<{ readonly share: number; readonly fromDays: number; readonly toDays: number }>;

export const COMPLETION_DELAY = [
  { share: 0.6, fromDays: 0, toDays: 1 },
  { share: 0.3, fromDays: 1, toDays: 5 },
  { share: 0.1, fromDays: 5, toDays: 30 },
] as const;

/**
 * The same shares by day with the first day front-loaded: half of its completions within two hours
 * of the invitation (a candidate who starts at once), where the list's newest page is.
 */
export const FRONT_LOADED_DELAY = [
  { share: 0.3, fromDays: 0, toDays: 1 / 12 },
  { share: 0.3, fromDays: 1 / 12, toDays: 1 },
  { share: 0.3, fromDays: 1, toDays: 5 },
  { share: 0.1, fromDays: 5, toDays: 30 },
] as const;

export interface LatencyModel {
  assignmentsPerDay: number;
  per: number;
  intervalMinutes: number;
  ratePerSecond: number;
  budgetShare: number;
  horizonDays: number;
  headDays: number;
  headShare: number;
  /** A new walk of the whole horizon starts at most this often (0: as soon as the last one ends). */
  fullWalkEveryMinutes?: number;
  /** @default COMPLETION_DELAY */
  delays?: DelayMix;
}

const DAY = 86_400;

/** The model of the deployed defaults at a volume (the head and the rest between whole walks overridable). */
export const latencyModel = (
  assignmentsPerDay: number,
  headDays: number = SWEEP_DEFAULTS.headDays,
  fullWalkEveryMinutes: number = SWEEP_DEFAULTS.fullWalkEveryMinutes,
): LatencyModel => ({
  assignmentsPerDay,
  per: LIST_MODEL.per,
  intervalMinutes: SWEEP_DEFAULTS.intervalMinutes,
  ratePerSecond: LIST_MODEL.ratePerSecond,
  budgetShare: SWEEP_DEFAULTS.budgetShare,
  horizonDays: SWEEP_DEFAULTS.horizonDays,
  headDays,
  headShare: SWEEP_DEFAULTS.headShare,
  fullWalkEveryMinutes,
});

export interface Walk {
  /** When the walk began: the start of the run that began it (what the cursor keeps). */
  startedAt: number;
  /** When each page was fetched (s), and the walk's boundary after it (creation time, s). */
  times: number[];
  bounds: number[];
  /** The page the walk fetches next. */
  page: number;
}

/** Seeded, so the figures are the same on every run. */
export const seededRandom = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

export const simulateWalks = (m: LatencyModel, days: number) => {
  const perSecond = m.assignmentsPerDay / DAY;
  const pageSpan = m.per / perSecond;
  // A run walks at the key's paced rate until it has fetched its share of the run's slots.
  const pageSeconds = 1.05 / m.ratePerSecond;
  const runSeconds = Math.floor(m.intervalMinutes * 60 * 0.9) - 5;
  const pagesPerRun = sweepPagesPerRun(runSeconds, m.budgetShare, m.ratePerSecond);
  const headPages = Math.max(1, Math.floor(pagesPerRun * m.headShare));
  const heads: Walk[] = [];
  const fulls: Walk[] = [];
  const headWalks = m.headDays > 0 && m.headDays < m.horizonDays;
  let head: Walk | undefined;
  let full: Walk | undefined;
  let pages = 0;
  for (let start = 0; start < days * DAY; start += m.intervalMinutes * 60) {
    let t = start;
    const pagesBefore = pages;
    // The walk goes by page numbers, as runSweep does: page p at time t lists creation times down
    // to t - p × pageSpan, so the assignments that arrived while a walk waited push what it had yet
    // to see further down, and a page of what it has seen already brings nothing new. A page
    // reaching past the horizon (counted from the run's start, as the real walk counts it) ends the
    // walk; what lies past it is not looked at.
    const cut = (horizonDays: number) => start - horizonDays * DAY;
    // A walk resumes one page early (runSweep's `resume`: items may have moved while it waited); a
    // run that fetches nothing of it leaves it where it was.
    const walkOn = (walk: Walk, horizonDays: number, until: number, maxPages: number) => {
      let resuming = walk.times.length > 0;
      while (t < until && pages - pagesBefore < maxPages) {
        if (walk.times.length === 0) {
          walk.times.push(t);
          walk.bounds.push(t);
        }
        if (resuming && walk.page > 1) walk.page -= 1;
        resuming = false;
        const reaches = t - walk.page * pageSpan;
        walk.times.push(t);
        walk.bounds.push(Math.min(walk.bounds.at(-1) as number, Math.max(reaches, cut(horizonDays))));
        walk.page += 1;
        pages += 1;
        t += pageSeconds;
        if (reaches < cut(horizonDays)) return true;
      }
      return false;
    };
    const begin = (walks: Walk[]) => {
      const walk: Walk = { startedAt: start, times: [], bounds: [], page: 1 };
      walks.push(walk);
      return walk;
    };
    if (headWalks) {
      head ??= begin(heads);
      if (walkOn(head, m.headDays, start + runSeconds * m.headShare, headPages)) head = undefined;
    }
    const rested = fulls.length > 0 && start - (fulls.at(-1)?.startedAt ?? 0) < (m.fullWalkEveryMinutes ?? 0) * 60;
    if (!full && rested) continue;
    full ??= begin(fulls);
    if (walkOn(full, m.horizonDays, start + runSeconds, pagesPerRun)) full = undefined;
  }
  return { heads, fulls, pagesPerDay: pages / days };
};

/** When the walk passes creation time `created`, if it does: the first page whose boundary is at or past it. */
export const passTime = (walk: Walk, created: number): number | undefined => {
  const last = walk.bounds.length - 1;
  if ((walk.bounds[0] as number) < created || (walk.bounds[last] as number) > created) return undefined;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((walk.bounds[mid] as number) <= created) hi = mid;
    else lo = mid + 1;
  }
  return walk.times[lo];
};

/** When a walk first passes creation time `created` at or after `after`, if it does. */
const passes = (walks: Walk[], created: number, after: number): number | undefined => {
  for (const walk of walks) {
    if ((walk.times.at(-1) as number) < after) continue;
    const at = passTime(walk, created);
    if (at !== undefined && at >= after) return at;
  }
  return undefined;
};

/**
 * Minutes from completion until a head or whole walk first passes the attempt's creation time
 * (seconds on the walks' clock), or undefined if none does.
 */
export const firstSeen = (walks: { heads: Walk[]; fulls: Walk[] }, created: number, completed: number) => {
  const seen = [passes(walks.heads, created, completed), passes(walks.fulls, created, completed)].filter(
    (at): at is number => at !== undefined,
  );
  return seen.length === 0 ? undefined : (Math.min(...seen) - completed) / 60;
};

/** The delay band a uniform draw falls in. */
export const delayBand = (roll: number, mix: DelayMix = COMPLETION_DELAY) => byShare(roll, mix);

/** The item a uniform draw falls in, each taking its `share` of [0, 1) in order. */
export const byShare = <T extends { readonly share: number }>(roll: number, items: readonly T[]): T => {
  let below = 0;
  for (const item of items) {
    below += item.share;
    if (roll < below) return item;
  }
  return items[items.length - 1] as T;
};

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

/** p50, p90 and p99 of sorted minutes, to a tenth (zeros when there are none). */
export const quantiles = (sorted: number[]) => {
  const tenth = (p: number) => (sorted.length === 0 ? 0 : Math.round(percentile(sorted, p) * 10) / 10);
  return { p50: tenth(50), p90: tenth(90), p99: tenth(99) };
};

export const discoveryLatency = (m: LatencyModel, samples = 20_000) => {
  const warmDays = 40;
  const walks = simulateWalks(m, warmDays + 40);
  const next = seededRandom(20_261_130);
  const latencies: number[] = [];
  let unseen = 0;
  for (let i = 0; i < samples; i++) {
    const band = delayBand(next(), m.delays);
    const delay = (band.fromDays + next() * (band.toDays - band.fromDays)) * DAY;
    const completed = (warmDays + next() * 7) * DAY;
    const created = completed - delay;
    const seen = firstSeen(walks, created, completed);
    if (seen === undefined) unseen += 1;
    else latencies.push(seen);
  }
  latencies.sort((a, b) => a - b);
  return {
    ...quantiles(latencies),
    /** Completions the sweep never sees: their assignment left the horizon first (events only). */
    unseenShare: Math.round((unseen / samples) * 10_000) / 10_000,
    listCallsPerDay: Math.round(walks.pagesPerDay),
    listCallsPerAttempt: Math.round((walks.pagesPerDay / m.assignmentsPerDay) * 100) / 100,
  };
};
