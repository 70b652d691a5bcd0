/**
 * The simulated Indeed Assessments: a model, not a script. Assignments are created at a rate;
 * each attempt starts, completes after a while (or never), needs human reviews (or not) that
 * graders finish one by one after a while (or never), and finishes scoring quickly, slowly or
 * never; some candidates take the assessment again (a second attempt on the same assignment).
 * The list moves under the walk (new assignments at the head, items hidden for a while and back,
 * or deleted, short pages, the `per` clamp changing, ETags on some pages and not others) and lags
 * what an attempt's own GET says; a cache now and then answers 304 for what changed a minute ago.
 * The API fails the way the real one may: 429, 5xx, timeouts, outages of minutes to hours, and
 * spells where it refuses the key (401, 403). Payloads start from the API's own example
 * assignment (fixtures), quirks included; names and step titles are hostile text.
 */

import { createHash } from 'node:crypto';
import type { Clock } from '#lib/domain/pacing.js';
import { readFixture } from '../local/ia-fixtures.js';
import type { Random } from './random.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

export interface SimAttempt {
  id: string;
  assignmentId: string;
  startedAt: number;
  /** Undefined: the candidate never finishes. */
  completeAt?: number;
  /** Answers or recordings waiting for a human when the attempt completes. */
  reviews: number;
  /** When each of them is graded (undefined: never), one by one. */
  reviewDoneAts: Array<number | undefined>;
  /** When the graders are done with all of them (undefined: never). */
  reviewDoneAt?: number;
  /** When scoring is final (undefined: never); after the reviews when there are any. */
  scoringDoneAt?: number;
  /** Many review items with long, non-ASCII prompts: the largest alert IA can cause. */
  heavy: boolean;
}

export interface SimAssignment {
  id: string;
  createdAt: number;
  candidate: string;
  attempts: SimAttempt[];
  hiddenFrom?: number;
  hiddenUntil?: number;
  deletedAt?: number;
}

export interface Outage {
  start: number;
  end: number;
  /** IA down (5xx), not answering, or refusing the key. */
  kind: 'unavailable' | 'timeout' | 'unauthorized';
}

/** How far the list lags an attempt's own GET, at most. */
export const LIST_LAG_MS = 2 * MINUTE;
/** How old the content a cache answers 304 for may be. */
export const STALE_304_MS = MINUTE;

/** Names as candidates (and attackers) type them. */
const NAMES = [
  'Ana Lima',
  'Zoë Ødegård',
  'José “Pepe” Ñúñez – 🚀',
  'ｈｔｔｐｓ：／／evil.example',
  '_https://evil.example_',
  '1https://evil.example/x',
  'abcdefghijklmnopqrstuvwxyz://evil.example',
  'www.evil.example',
  '﹤!channel﹥ please',
  '<!here> *bold* [click](https://evil.example)',
  '"Quoted" \\ back\\slash & co',
  'Robert\u202e\u0000; DROP TABLE',
];

const seed = () => readFixture('assignment.json') as { assignment: Record<string, unknown> & { attempts: unknown[] } };

export interface IaModelOptions {
  assignmentsPerDay: number;
  /** The account's API key: a request with another is refused (401). */
  apiKey: string;
  /** The sim's last instant: nothing is created after it. */
  end: number;
}

interface Answer<T> {
  status: number;
  value?: T;
  /** Served with an ETag (a hash of the body). */
  tagged?: boolean;
  /** What the trace says about the answer (the attempts on a page). */
  about?: string;
}

export interface IaRequest {
  at: number;
  caller: string;
  path: string;
  status: number;
}

export class IaModel {
  readonly assignments: SimAssignment[] = [];
  private readonly assignmentsById = new Map<string, SimAssignment>();
  readonly attempts = new Map<string, SimAttempt>();
  readonly outages: Outage[] = [];
  readonly requests: IaRequest[] = [];
  /** What IA serves per page at most (its undocumented clamp), over time. */
  private clamps: Array<{ from: number; per: number }> = [];
  private etagModes: Array<{ from: number; mode: 'all' | 'odd' | 'none' }> = [];
  private lastAccepted = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private attemptSeq = 0;
  private readonly fixture = seed().assignment;
  private readonly apiKey: string;
  /** How far behind this account's list shows attempts. */
  private readonly listLagMs: number;
  /** Every instant something IA serves changes, sorted: a page's content depends on how many have passed. */
  private readonly changes: number[] = [];
  /** List pages already rendered, by page, size and the changes passed: the same answer, not built again. */
  private readonly pages = new Map<string, { text: string; etag?: string; about: string }>();

  constructor(
    private readonly rng: Random,
    private readonly faults: Random,
    private readonly clock: Clock,
    start: number,
    private readonly options: IaModelOptions,
    private readonly trace: (line: string) => void = () => undefined,
  ) {
    this.apiKey = options.apiKey;
    this.clamps.push({ from: 0, per: 100 });
    this.etagModes.push({ from: 0, mode: 'all' });
    // The world's future, drawn up front so faults do not depend on the pipeline's choices.
    for (let t = start + rng.exponential(1.5 * DAY); t < options.end; t += rng.exponential(1.5 * DAY)) {
      const long = rng.chance(0.3);
      const duration = long ? rng.between(HOUR, 8 * HOUR) : rng.between(2 * MINUTE, 40 * MINUTE);
      this.outages.push({ start: t, end: t + duration, kind: rng.chance(0.5) ? 'unavailable' : 'timeout' });
    }
    // Now and then IA refuses the key for a few minutes (its auth service, a key being rotated).
    for (let t = start + rng.exponential(4 * DAY); t < options.end; t += rng.exponential(4 * DAY))
      this.outages.push({ start: t, end: t + rng.between(2 * MINUTE, 30 * MINUTE), kind: 'unauthorized' });
    this.outages.sort((a, b) => a.start - b.start);
    this.listLagMs = rng.between(0, LIST_LAG_MS);
    for (let t = start; t < options.end; t += rng.exponential(2 * DAY))
      this.clamps.push({ from: t, per: rng.pick([100, 100, 50, 25, 20]) });
    for (let t = start; t < options.end; t += rng.exponential(3 * DAY))
      this.etagModes.push({ from: t, mode: rng.pick(['all', 'all', 'odd', 'none'] as const) });
    this.changed(...this.clamps.map((c) => c.from), ...this.etagModes.map((m) => m.from));
  }

  /** One attempt starting at `startedAt`, its candidate's and graders' future drawn. */
  private drawAttempt(assignmentId: string, startedAt: number): SimAttempt {
    const rng = this.rng;
    this.attemptSeq += 1;
    const completes = rng.chance(0.75);
    const completeAt = completes ? startedAt + rng.between(10 * MINUTE, 2 * HOUR) : undefined;
    const reviews = rng.chance(0.5) ? rng.int(1, 3) : 0;
    const reviewDoneAts: Array<number | undefined> = [];
    let scoringDoneAt: number | undefined;
    if (completeAt !== undefined) {
      if (reviews > 0) {
        // Graders, one answer at a time: most within a day or two, some after days (reminders), some never.
        const slow = rng.chance(0.3);
        let at = completeAt;
        for (let i = 0; i < reviews; i++) {
          if (!rng.chance(0.95)) {
            reviewDoneAts.push(undefined);
            continue;
          }
          at += rng.exponential((slow ? 3 * DAY : 12 * HOUR) / reviews);
          reviewDoneAts.push(at);
        }
        const allDone = reviewDoneAts.every((x) => x !== undefined);
        if (allDone && rng.chance(0.95))
          scoringDoneAt = Math.max(...(reviewDoneAts as number[])) + rng.exponential(20 * MINUTE);
      } else {
        const r = rng.next();
        if (r < 0.8) scoringDoneAt = completeAt + rng.exponential(5 * MINUTE);
        else if (r < 0.95) scoringDoneAt = completeAt + rng.exponential(30 * HOUR);
      }
    }
    const allDone = reviews > 0 && reviewDoneAts.every((x) => x !== undefined);
    const attempt: SimAttempt = {
      id: `att-${this.attemptSeq}`,
      assignmentId,
      startedAt,
      ...(completeAt === undefined ? {} : { completeAt }),
      reviews,
      reviewDoneAts,
      ...(allDone ? { reviewDoneAt: Math.max(...(reviewDoneAts as number[])) } : {}),
      ...(scoringDoneAt === undefined ? {} : { scoringDoneAt }),
      heavy: reviews > 0 && rng.chance(0.04),
    };
    this.attempts.set(attempt.id, attempt);
    this.changed(attempt.startedAt, attempt.completeAt, ...reviewDoneAts, attempt.scoringDoneAt);
    return attempt;
  }

  /** Creates an assignment now, with its candidate's future drawn. */
  createAssignment(now: number): SimAssignment {
    const rng = this.rng;
    this.seq += 1;
    const id = `asg-${this.seq}`;
    const first = this.drawAttempt(id, now + rng.exponential(6 * HOUR));
    const assignment: SimAssignment = { id, createdAt: now, candidate: rng.pick(NAMES), attempts: [first] };
    // Some take it again: a second attempt on the same assignment, days later.
    if (first.completeAt !== undefined && rng.chance(0.12))
      assignment.attempts.push(this.drawAttempt(id, first.completeAt + rng.between(HOUR, 3 * DAY)));
    if (rng.chance(0.05)) {
      const from = now + rng.exponential(DAY);
      Object.assign(assignment, { hiddenFrom: from, hiddenUntil: from + rng.exponential(6 * HOUR) });
    }
    if (rng.chance(0.01)) assignment.deletedAt = now + rng.exponential(3 * DAY);
    this.assignments.push(assignment);
    this.assignmentsById.set(id, assignment);
    this.changed(now, assignment.hiddenFrom, assignment.hiddenUntil, assignment.deletedAt);
    return assignment;
  }

  /** Records instants at which what IA serves changes. */
  private changed(...times: Array<number | undefined>) {
    for (const at of times) {
      if (at === undefined) continue;
      this.changes.splice(this.changesUpTo(at), 0, at);
    }
  }

  /** How many changes happened at or before `t`. */
  private changesUpTo(t: number): number {
    let [low, high] = [0, this.changes.length];
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.changes[middle] as number) <= t) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // --- truth -----------------------------------------------------------------------------------

  static completed(a: SimAttempt, t: number): boolean {
    return a.completeAt !== undefined && t >= a.completeAt;
  }

  /** Reviews still waiting at `t`: they go down one by one as graders finish. */
  static pending(a: SimAttempt, t: number): number {
    if (!IaModel.completed(a, t)) return 0;
    return a.reviewDoneAts.filter((done) => done === undefined || t < done).length;
  }

  static scored(a: SimAttempt, t: number): boolean {
    return IaModel.completed(a, t) && a.scoringDoneAt !== undefined && t >= a.scoringDoneAt;
  }

  outageAt(t: number): Outage | undefined {
    return this.outages.find((o) => o.start <= t && t < o.end);
  }

  // --- payloads --------------------------------------------------------------------------------

  private rawAttempt(a: SimAttempt, t: number) {
    const base = this.fixture.attempts[0] as Record<string, unknown>;
    const iso = (ms: number) => new Date(ms).toISOString();
    const completed = IaModel.completed(a, t);
    // At the label limit, in the characters that cost most once escaped in every rendering.
    const prompt = (i: number) => `${i} ${'"\\🎥“'.repeat(125)} ﹤!channel﹥ https://evil.example/`;
    return {
      ...base,
      id: a.id,
      started_at: t >= a.startedAt ? iso(a.startedAt) : null,
      completed_at: completed ? iso(a.completeAt as number) : null,
      pending_review_count: IaModel.pending(a, t),
      scoring_completed: IaModel.scored(a, t),
      updated_at: iso(
        Math.max(
          a.startedAt,
          ...[a.completeAt, ...a.reviewDoneAts, a.scoringDoneAt].filter((x): x is number => x !== undefined && x <= t),
        ),
      ),
      ...(a.heavy
        ? {
            step_progressions: [
              {
                step: { name: 'Ｖｉｄｅｏ interview — “long” step 🎬'.repeat(8) },
                answers: [],
                audio_recordings: [],
                video_recordings: Array.from({ length: 60 }, (_, i) => ({ video_prompt: { name: prompt(i) } })),
              },
            ],
          }
        : {}),
    };
  }

  /** An assignment as IA serves it; its attempts as of `attemptsAt` (the list lags their own GET). */
  private rawAssignment(s: SimAssignment, t: number, attemptsAt = t) {
    return {
      ...this.fixture,
      id: s.id,
      created_at: new Date(s.createdAt).toISOString(),
      user: { ...(this.fixture.user as object), name: s.candidate },
      attempts: s.attempts.filter((a) => attemptsAt >= a.startedAt).map((a) => this.rawAttempt(a, attemptsAt)),
    };
  }

  private listed(s: SimAssignment, t: number) {
    return s.createdAt <= t && !(s.deletedAt !== undefined && t >= s.deletedAt);
  }

  private hidden(s: SimAssignment, t: number) {
    return s.hiddenFrom !== undefined && t >= s.hiddenFrom && t < (s.hiddenUntil as number);
  }

  /** How many assignments IA serves per page at `t` (its clamp). */
  servedPerPage(t: number, requested: number): number {
    return Math.min(requested, this.latest(this.clamps, t).per);
  }

  private latest<T extends { from: number }>(list: T[], t: number): T {
    let found = list[0] as T;
    for (const item of list) if (item.from <= t) found = item;
    return found;
  }

  assignment(id: string): SimAssignment | undefined {
    return this.assignmentsById.get(id);
  }

  /** Newest created first; stable for ties. Hidden items still count (IA paginates, then hides). */
  listView(t: number): SimAssignment[] {
    return this.assignments
      .filter((s) => this.listed(s, t))
      .sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1));
  }

  // --- the API ---------------------------------------------------------------------------------

  /** Who is calling: the function whose container runs the request, or the harness's caller. */
  caller = () => 'unknown';

  /**
   * One HTTP request as IA answers it: the key's limit, outages and random faults, then the
   * answer. A request that times out never answers; the client's own timeout aborts it.
   */
  async handle(request: Request): Promise<Response> {
    const t = this.clock.now();
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/v1/, '') + url.search;
    const caller = this.caller();
    const log = (status: number) => {
      this.requests.push({ at: t, caller, path, status });
      this.trace(`IA ${caller} ${path} ${status}`);
    };
    if (request.headers.get('authorization') !== `token ${this.apiKey}`) {
      log(401);
      return json(401, { error: 'unauthorized' });
    }
    const outage = this.outageAt(t);
    if (t - this.lastAccepted < 1000) {
      log(429);
      return json(429, { error: 'rate limited' }, { 'retry-after': '1' });
    }
    this.lastAccepted = t;
    if (outage?.kind === 'timeout' || (!outage && this.faults.chance(0.003))) {
      log(0);
      return new Promise((_, reject) =>
        request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    if (outage?.kind === 'unauthorized') {
      const status = this.faults.chance(0.5) ? 401 : 403;
      log(status);
      return json(status, { error: 'the key was refused' });
    }
    if (outage || this.faults.chance(0.005)) {
      log(503);
      return json(503, { error: 'unavailable' });
    }
    const rendered = this.render(url, t);
    if (!rendered) {
      log(404);
      return json(404, { error: 'not found' });
    }
    const { text, etag, about } = rendered;
    const ifNoneMatch = request.headers.get('if-none-match');
    // A cache in front of IA now and then answers for what the content was a minute ago.
    const stale =
      ifNoneMatch !== null && ifNoneMatch !== etag && this.faults.chance(0.2)
        ? this.render(url, t - STALE_304_MS)
        : undefined;
    if (etag && (ifNoneMatch === etag || (stale?.etag && ifNoneMatch === stale.etag))) {
      log(304);
      return new Response(null, { status: 304, headers: { etag: ifNoneMatch as string } });
    }
    log(200);
    if (about) this.trace(`  ${about}`);
    return new Response(text, {
      status: 200,
      headers: { 'content-type': 'application/json', ...(etag ? { etag } : {}) },
    });
  }

  /** The answer's body and ETag; a list page is rendered once for as long as nothing on it changes. */
  private render(url: URL, t: number): { text: string; etag?: string; about?: string } | undefined {
    const list = url.pathname.endsWith('/assignments.json');
    const key = `${url.search}@${this.changesUpTo(t)}@${this.changesUpTo(t - this.listLagMs)}`;
    const cached = list ? this.pages.get(key) : undefined;
    if (cached) return cached;
    const result = this.answer(url, t);
    if (result.status === 404) return undefined;
    const text = JSON.stringify(result.value);
    const rendered = {
      text,
      ...(result.tagged ? { etag: `W/"${createHash('md5').update(text).digest('hex').slice(0, 16)}"` } : {}),
      about: result.about ?? '',
    };
    if (list) {
      if (this.pages.size > 2_000) this.pages.clear();
      this.pages.set(key, rendered);
    }
    return rendered;
  }

  private answer(url: URL, t: number): Answer<unknown> {
    const attempt = /^\/attempts\/([^/]+)\.json$/.exec(url.pathname.replace(/^\/v1/, ''));
    if (attempt) return this.attemptAt(decodeURIComponent(attempt[1] as string), t);
    const assignment = /^\/assignments\/([^/]+)\.json$/.exec(url.pathname.replace(/^\/v1/, ''));
    if (assignment) {
      const s = this.assignment(decodeURIComponent(assignment[1] as string));
      return s && this.listed(s, t)
        ? { status: 200, value: { assignment: this.rawAssignment(s, t) } }
        : { status: 404 };
    }
    if (url.pathname.endsWith('/assignments.json')) {
      const page = Number(url.searchParams.get('page') ?? 1);
      const per = Number(url.searchParams.get('per') ?? 100);
      const served = this.servedPerPage(t, per);
      const view = this.listView(t);
      const pages = Math.max(1, Math.ceil(view.length / served));
      // IA paginates, then leaves hidden items out: a page with one comes up short.
      const items = view.slice((page - 1) * served, page * served).filter((s) => !this.hidden(s, t));
      const value = {
        meta: { total_count: String(view.length), count: items.length, pages },
        results: items.map((s) => ({ assignment: this.rawAssignment(s, t, t - this.listLagMs) })),
      };
      const mode = this.latest(this.etagModes, t).mode;
      const tagged = mode === 'all' || (mode === 'odd' && page % 2 === 1);
      const ids = items.flatMap((s) => s.attempts.map((a) => a.id));
      const about = `page ${page}: ${ids.length > 30 ? `${ids.slice(0, 30).join(' ')} … (${ids.length})` : ids.join(' ')}`;
      return { status: 200, value, about, tagged };
    }
    return { status: 404 };
  }

  private attemptAt(id: string, t: number): Answer<unknown> {
    const a = this.attempts.get(id);
    const parent = a && this.assignment(a.assignmentId);
    if (!a || !parent || t < a.startedAt || (parent.deletedAt !== undefined && t >= parent.deletedAt))
      return { status: 404 };
    const value = { attempt: this.rawAttempt(a, t) };
    return { status: 200, value, tagged: true };
  }

  /** When the next assignment is created, given the rate. */
  nextCreation(now: number): number {
    // Recruiters work weekdays, 08:00-18:00 UTC: the list is quiet at night and at weekends
    // (the rate averages `assignmentsPerDay` over a week; the quiet hours get a tenth of it).
    const busy = (t: number) => {
      const d = new Date(t);
      return d.getUTCDay() % 6 !== 0 && d.getUTCHours() >= 8 && d.getUTCHours() < 18;
    };
    const peak = (this.options.assignmentsPerDay * 7) / ((5 * 10) / 24 + 0.1 * (7 - (5 * 10) / 24));
    let t = now;
    do t += this.rng.exponential(DAY / peak);
    while (!busy(t) && !this.rng.chance(0.1));
    return t;
  }
}

export const TIME = { MINUTE, HOUR, DAY };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
