/**
 * The frontier of sweep-only discovery: the best p50, p90 and p99 that any schedule of page reads
 * reaches with a given number of list reads a day, each page of the horizon read at least once a
 * day. What the sweep's own schedule (discovery-latency.ts) is measured against.
 *
 * In creation time the list does not move: a read of a page at time t looks at the assignments
 * created in one page's span, at age t − created. An attempt that completes at age D is seen at the
 * first read of its creation time after D. If the creation times around age a are read r(a) times a
 * day, then whatever the schedule at most a share min(1, t · r(D)) of the completions at age D are
 * seen within t (a share of the time within t before a read), and reads evenly spaced reach it.
 * Reading age band k at rate r_k costs pages-per-day-of-age × width_k × r_k reads a day, so the
 * best share seen within t is a linear programme:
 *
 *   maximise Σ_k w_k z_k  subject to  z_k ≤ 1,  z_k ≤ t r_k,  Σ_k c_k r_k ≤ budget,  r_k ≥ 1/day
 *
 * with w_k the completions' share in band k (COMPLETION_DELAY, or the model's `delays`). It is a fractional knapsack: the
 * optimum raises the bands in order of completions per page (w_k / c_k) to r_k = 1/t until the
 * budget is spent, so it is solved exactly by that greedy; the frontier at quantile q is the
 * smallest t whose optimum reaches q (bisection). Each quantile is the best of its own schedule:
 * no one schedule beats the frontier at any of them.
 */
import { COMPLETION_DELAY, type DelayMix } from './discovery-latency.js';

export interface FrontierModel {
  assignmentsPerDay: number;
  per: number;
  horizonDays: number;
  /** List reads a day (the sweep's, at the same volume). */
  listCallsPerDay: number;
  /** @default COMPLETION_DELAY */
  delays?: DelayMix;
}

interface Band {
  /** Completions' share in the band. */
  weight: number;
  /** Reads a day to read the band's pages once a day. */
  cost: number;
}

const bandsOf = (m: FrontierModel): Band[] => {
  const pagesPerDayOfAge = m.assignmentsPerDay / m.per;
  return (m.delays ?? COMPLETION_DELAY)
    .filter((b) => b.fromDays < m.horizonDays)
    .map((b) => ({ weight: b.share, cost: pagesPerDayOfAge * (Math.min(b.toDays, m.horizonDays) - b.fromDays) }))
    .sort((a, b) => b.weight / b.cost - a.weight / a.cost);
};

/** The largest share of completions any schedule sees within `days` of completing (the LP's optimum). */
export const bestShareWithin = (m: FrontierModel, days: number): number => {
  const bands = bandsOf(m);
  // Every page once a day first: what is left of the budget raises the densest bands.
  let left = m.listCallsPerDay - (m.assignmentsPerDay * m.horizonDays) / m.per;
  if (left < 0)
    throw new RangeError(`${m.listCallsPerDay} reads a day cannot read each page of the horizon once a day`);
  let share = 0;
  for (const band of bands) {
    const wanted = Math.max(1 / days, 1);
    const extra = band.cost * (wanted - 1);
    const rate = extra <= left ? wanted : 1 + left / band.cost;
    left = Math.max(0, left - extra);
    share += band.weight * Math.min(1, days * rate);
  }
  return share;
};

/** Solves a 3 × 3 (or n × n) linear system by elimination; undefined when singular. */
const solve = (rows: number[][], rhs: number[]): number[] | undefined => {
  const n = rhs.length;
  const a = rows.map((row, i) => [...row, rhs[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    if (Math.abs(a[pivot]?.[col] ?? 0) < 1e-12) return undefined;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const p = a[col] as number[];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = a[r] as number[];
      const f = (row[col] as number) / (p[col] as number);
      for (let c = col; c <= n; c++) row[c] = (row[c] as number) - f * (p[c] as number);
    }
  }
  return a.map((row, i) => (row[n] as number) / (row[i] as number));
};

const choose = <T>(items: T[], k: number): T[][] =>
  k === 0 ? [[]] : items.flatMap((item, i) => choose(items.slice(i + 1), k - 1).map((rest) => [item, ...rest]));

export interface Floor {
  days: number;
  share: number;
}

/**
 * The largest share seen within `days` by a schedule that also sees each floor's share within its
 * days. Every share is concave and piecewise linear in the bands' rates, with breakpoints at
 * 1/days of each (a band read faster than 1/days gains nothing within days); in each cell between
 * breakpoints the programme is linear in the K rates, so its optimum is a vertex: K of the cell's
 * bounds, the budget and the floors, taken K at a time. Exact, for a few bands.
 */
export const bestShareWithinAlso = (m: FrontierModel, days: number, floors: Floor[]): number => {
  const bands = bandsOf(m);
  const cuts = [...new Set([1, 1 / days, ...floors.map((f) => 1 / f.days)].filter((x) => x >= 1))].sort(
    (a, b) => a - b,
  );
  const intervals = cuts.slice(0, -1).map((lo, i) => [lo, cuts[i + 1] as number] as const);
  if (intervals.length === 0) return 1;
  /** On an interval a band's share within t is either t · r (not yet full) or 1. */
  const linear = (t: number, [lo]: readonly [number, number], weight: number) =>
    lo * t >= 1 - 1e-12 ? { a: weight, b: 0 } : { a: 0, b: weight * t };
  let best = -1;
  const cells = bands.reduce<Array<Array<readonly [number, number]>>>(
    (acc) => acc.flatMap((cell) => intervals.map((interval) => [...cell, interval])),
    [[]],
  );
  for (const cell of cells) {
    const within = cell.map((interval, k) => linear(days, interval, (bands[k] as Band).weight));
    const floorsWithin = floors.map((floor) => ({
      share: floor.share,
      lines: cell.map((interval, k) => linear(floor.days, interval, (bands[k] as Band).weight)),
    }));
    const shareOf = (lines: Array<{ a: number; b: number }>, r: number[]) =>
      lines.reduce((sum, l, k) => sum + l.a + l.b * (r[k] as number), 0);
    // Each plane: coefficients · r = value.
    const planes: Array<{ coef: number[]; value: number }> = [
      ...cell.flatMap(([lo, hi], k) => [
        { coef: bands.map((_, j) => (j === k ? 1 : 0)), value: lo },
        { coef: bands.map((_, j) => (j === k ? 1 : 0)), value: hi },
      ]),
      { coef: bands.map((b) => b.cost), value: m.listCallsPerDay },
      ...floorsWithin.map(({ share, lines }) => ({
        coef: lines.map((l) => l.b),
        value: share - lines.reduce((sum, l) => sum + l.a, 0),
      })),
    ];
    for (const picked of choose(planes, bands.length)) {
      const r = solve(
        picked.map((p) => p.coef),
        picked.map((p) => p.value),
      );
      if (!r) continue;
      const ok =
        cell.every(([lo, hi], k) => (r[k] as number) >= lo - 1e-9 && (r[k] as number) <= hi + 1e-9) &&
        bands.reduce((sum, b, k) => sum + b.cost * (r[k] as number), 0) <= m.listCallsPerDay + 1e-6 &&
        floorsWithin.every(({ share, lines }) => shareOf(lines, r) >= share - 1e-9);
      if (ok) best = Math.max(best, shareOf(within, r));
    }
  }
  return best;
};

/** The smallest latency (minutes) by which some schedule sees a share `q` of the completions, keeping the floors. */
export const frontierMinutes = (m: FrontierModel, q: number, floors: Floor[] = []): number => {
  let lo = 0;
  let hi = m.horizonDays;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if ((floors.length > 0 ? bestShareWithinAlso(m, mid, floors) : bestShareWithin(m, mid)) >= q) hi = mid;
    else lo = mid;
  }
  return hi * 1440;
};

/**
 * The frontier at the sweep's budget: each quantile's own best (`alone`: no schedule does better at
 * it), and the one schedule that keeps the sweep's own p99 with the best p90, then the best p50
 * that keeps both (`sameP99`): what the sweep's schedule is compared with, since the best p50 alone
 * starves everything older.
 */
export const latencyFrontier = (m: FrontierModel, p99Minutes: number) => {
  const round = (minutes: number) => Math.round(minutes * 10) / 10;
  const p99 = { days: p99Minutes / 1440, share: 0.99 };
  const p90Minutes = frontierMinutes(m, 0.9, [p99]);
  return {
    alone: {
      p50: round(frontierMinutes(m, 0.5)),
      p90: round(frontierMinutes(m, 0.9)),
      p99: round(frontierMinutes(m, 0.99)),
    },
    sameP99: {
      p50: round(frontierMinutes(m, 0.5, [p99, { days: p90Minutes / 1440, share: 0.9 }])),
      p90: round(p90Minutes),
      p99: round(p99Minutes),
    },
    listCallsPerAttempt: Math.round((m.listCallsPerDay / m.assignmentsPerDay) * 100) / 100,
  };
};

/**
 * The fewest list reads a day with which some schedule reaches a p90 and a p99 (minutes): the price
 * of a latency target in IA calls, whatever the sweep's policy.
 */
export const frontierBudget = (
  m: Omit<FrontierModel, 'listCallsPerDay'>,
  target: { p90: number; p99: number },
): number => {
  const meets = (listCallsPerDay: number) =>
    frontierMinutes({ ...m, listCallsPerDay }, 0.9, [{ days: target.p99 / 1440, share: 0.99 }]) <= target.p90;
  let lo = (m.assignmentsPerDay * m.horizonDays) / m.per;
  let hi = lo;
  while (!meets(hi)) hi *= 2;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (meets(mid)) hi = mid;
    else lo = mid;
  }
  return Math.ceil(hi);
};
