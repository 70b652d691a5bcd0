/**
 * `tsx bench/sweep-latency-real.ts --per-day 1000 [--warm-days 1] [--days 2] [--seed 1] [--mix front-loaded] [--container-hours 2] [--budget-share 0.5]`: the sweep's
 * discovery latency from the real code. The stack is synthesised and deployed onto the
 * simulation's in-memory cloud; the sweep function runs as Lambda runs it (its handler, its paced
 * IA client booking slots in the rate-limit table, its cursor, the state table, exactly-once
 * publishing), on the simulation's virtual clock, every 5 minutes; IA is a list model serving
 * `/assignments.json` with ETags, 30 days of history deep. No event names any attempt: the walk
 * alone finds them. Prints, as JSON, minutes from completion to the attempt's first alert for the
 * attempts completed after the warm-up, as `discovery-latency.ts` (the twin) computes them.
 *
 * A process of its own: the virtual clock becomes the process's clock.
 */
import '../sim/quiet.js';
import { parseArgs } from 'node:util';
import { SWEEP_DEFAULTS } from '#lib/domain/defaults.js';
import type { FunctionRuntime } from '#lib/runtime/function-runtime.js';
import { deploy } from '../local/deployment.js';
import { FUNCTION_FACTORIES } from '../local/function-factories.js';
import { synthesize } from '../local/synth.js';
import { MemoryCloud } from '../sim/aws/cloud.js';
import { memoryProvisioner } from '../sim/aws/provisioner.js';
import { FunctionService, invokeAsync } from '../sim/lambda.js';
import { Random } from '../sim/random.js';
import { VirtualTime } from '../sim/virtual-time.js';
import {
  COMPLETION_DELAY,
  delayBand,
  FRONT_LOADED_DELAY,
  firstSeen,
  latencyModel,
  quantiles,
  simulateWalks,
} from './discovery-latency.js';

const { values } = parseArgs({
  options: {
    'per-day': { type: 'string', default: '1000' },
    'warm-days': { type: 'string', default: '1' },
    days: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    /** `today` (COMPLETION_DELAY) or `front-loaded` (FRONT_LOADED_DELAY). */
    mix: { type: 'string', default: 'today' },
    /**
     * How long a container lives: Lambda recycles execution environments "every few hours", busy or
     * not, and publishes no figure. Each new one starts with an empty memo of quiet looks.
     */
    'container-hours': { type: 'string', default: '2' },
    /**
     * The deployment's `sweepBudgetShare`: a small one makes the head take several runs, which
     * 1,000 a day at the default never does (the twin is held to the real code there too).
     */
    'budget-share': { type: 'string', default: String(SWEEP_DEFAULTS.budgetShare) },
  },
});
const MIXES = { today: COMPLETION_DELAY, 'front-loaded': FRONT_LOADED_DELAY } as const;
const mix = MIXES[values.mix as keyof typeof MIXES];
if (!mix) throw new Error(`--mix must be one of ${Object.keys(MIXES).join(', ')}`);
const perDay = Number(values['per-day']);
const warmDays = Number(values['warm-days']);
const sampleDays = Number(values.days);
const DAY = 86_400_000;
const CONTAINER_LIFE_MS = Number(values['container-hours']) * 3_600_000;
const budgetShare = Number(values['budget-share']);
const START = Date.UTC(2026, 0, 1);
const API_KEY = 'bench-key';
const random = new Random(Number(values.seed));

// --- the list: one attempt per assignment, created evenly, completed after the mix's delays -----
const historyDays = SWEEP_DEFAULTS.horizonDays + 1;
const spacing = DAY / perDay;
const first = START - historyDays * DAY;
const end = START + (warmDays + sampleDays) * DAY;
const count = Math.floor((end - first) / spacing);
const createdAt = new Float64Array(count);
const completedAt = new Float64Array(count);
for (let i = 0; i < count; i++) {
  createdAt[i] = first + i * spacing;
  const band = delayBand(random.next(), mix);
  completedAt[i] = (createdAt[i] as number) + (band.fromDays + random.next() * (band.toDays - band.fromDays)) * DAY;
}

const time = new VirtualTime(START);
/** Newest created first: index of the newest assignment listed at `t`. */
const newestAt = (t: number) => Math.min(count - 1, Math.floor((t - first) / spacing));
const iso = (ms: number) => new Date(ms).toISOString();
const rawAssignment = (i: number, t: number) => {
  const done = (completedAt[i] as number) <= t;
  return {
    assignment: {
      id: `asg-${i}`,
      created_at: iso(createdAt[i] as number),
      user: { id: `u-${i}`, name: `Candidate ${i}` },
      role: { id: 'r-1', name: 'Analyst' },
      attempts: [
        {
          id: `att-${i}`,
          scoring_completed: done,
          pending_review_count: 0,
          completed_at: done ? iso(completedAt[i] as number) : null,
          assessment: { id: 'as-1', name: 'Numeracy' },
        },
      ],
    },
  };
};
let listCalls = 0;
/** The list calls after the warm-up: what the state reads then are counted per. */
let listCallsWarm = 0;
/** The completed attempts those pages listed (a 304 lists none): each a look. */
let completedListedWarm = 0;
const serve = (url: URL, ifNoneMatch: string | null): Response => {
  if (!url.pathname.endsWith('/assignments.json')) return new Response('{"error":"not found"}', { status: 404 });
  listCalls += 1;
  const t = time.now();
  if (t >= START + warmDays * DAY) listCallsWarm += 1;
  const page = Number(url.searchParams.get('page') ?? 1);
  const per = Number(url.searchParams.get('per') ?? 100);
  const newest = newestAt(t);
  const total = newest + 1;
  const from = newest - (page - 1) * per;
  const items: number[] = [];
  for (let i = from; i > from - per && i >= 0; i--) items.push(i);
  // What the page shows: its assignments and which of them are done.
  const etag = `"${from}-${items.filter((i) => (completedAt[i] as number) <= t).length}"`;
  if (ifNoneMatch === etag) return new Response(null, { status: 304, headers: { etag } });
  if (t >= START + warmDays * DAY) completedListedWarm += items.filter((i) => (completedAt[i] as number) <= t).length;
  const body = {
    meta: { total_count: total, count: items.length, pages: Math.ceil(total / per) },
    results: items.map((i) => rawAssignment(i, t)),
  };
  return new Response(JSON.stringify(body), { status: 200, headers: { etag, 'content-type': 'application/json' } });
};
const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const request = new Request(input, init);
  return serve(new URL(request.url), request.headers.get('if-none-match'));
}) as typeof globalThis.fetch;

// --- the stack on the in-memory cloud, the sweep function as Lambda runs it --------------------
const STACK = 'Bench';
const template = synthesize({ alertEmails: ['ops@example.com'], sweepBudgetShare: budgetShare }, STACK);
const cloud = new MemoryCloud({
  now: () => time.now(),
  later: (ms, task) => time.spawn(time.now() + ms, 'delivery', task),
});
const deployment = await deploy(template, memoryProvisioner(cloud), {
  stackName: STACK,
  secretValue: (logicalId) => (/IaApiKey/.test(logicalId) ? JSON.stringify({ apiKey: API_KEY }) : undefined),
});
time.install();
Math.random = () => random.next();
const definition = deployment.function('sweep');
/**
 * The state table's item reads after the warm-up (the history's first discoveries are behind it),
 * by consistency: what the bill prices (an eventual read is half a unit).
 */
const stateReads = { eventual: 0, consistent: 0 };
const stateTable = definition.env.STATE_TABLE_NAME as string;
const dynamodb = cloud.dynamodb.bind(cloud);
cloud.dynamodb = (operation, input) => {
  const tally = (items: number, consistent: unknown) => {
    if (time.now() >= START + warmDays * DAY) stateReads[consistent === true ? 'consistent' : 'eventual'] += items;
  };
  if (operation === 'GetItem' && input.TableName === stateTable) tally(1, input.ConsistentRead);
  if (operation === 'BatchGetItem') {
    const request = (input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>)[stateTable];
    if (request) tally(request.Keys.length, request.ConsistentRead);
  }
  return dynamodb(operation, input);
};
const factory = (await FUNCTION_FACTORIES.sweep()) as (runtime: FunctionRuntime) => (e: unknown, c: unknown) => unknown;
const sweep = new FunctionService({
  definition,
  time,
  cloud,
  faults: {
    call: () => ({}),
    clockOffsetMs: () => 0,
    lateness: () => 0,
    idleLifeMs: () => DAY,
    lifeMs: () => CONTAINER_LIFE_MS,
  },
  factory: factory as never,
  fetch,
  log: () => undefined,
});
const intervalMs = SWEEP_DEFAULTS.intervalMinutes * 60_000;
/** After the warm-up: how long each run lasted (what Lambda bills) and the pages it fetched. */
const runs = { seconds: 0, count: 0, listCallsAtStart: 0 };
for (let t = START; t < end; t += intervalMs)
  time.spawn(t, 'sweep', async () => {
    const warm = t >= START + warmDays * DAY;
    if (warm && runs.count === 0) runs.listCallsAtStart = listCalls;
    const from = time.now();
    await invokeAsync(sweep, { source: 'aws.events', 'detail-type': 'Scheduled Event' }, time);
    if (warm) {
      runs.seconds += (time.now() - from) / 1000;
      runs.count += 1;
    }
  });
// The process's clocks are virtual now: hrtime is not.
const wallStarted = process.hrtime.bigint();
await time.runUntil(end);
const wallSeconds = Number(process.hrtime.bigint() - wallStarted) / 1e9;

// --- latency: completion → the attempt's first alert, for completions after the warm-up ---------
const topic = cloud.topics.get(definition.env.ALERTS_TOPIC_ARN as string);
const firstAlert = new Map<string, number>();
for (const { at, message } of topic?.published ?? []) {
  const alert = JSON.parse((JSON.parse(message) as { default: string }).default) as { attemptId?: string };
  if (alert.attemptId && !firstAlert.has(alert.attemptId)) firstAlert.set(alert.attemptId, at);
}
const sampleFrom = START + warmDays * DAY;
const runDays = warmDays + sampleDays;
/**
 * The twin on this very list: its walks from the same start, over the same completions. One day's
 * percentiles move by minutes with which completions it drew (the p90 most: it falls where the few
 * older than the head meet the head's own); on the same draw that noise is the same for both, so
 * what differs is the model alone.
 */
const twinWalks = simulateWalks({ ...latencyModel(perDay), budgetShare }, runDays);
const latencies: number[] = [];
const paired: number[] = [];
let unseen = 0;
/** Completions the twin sees more than half a minute away from the real code (or only one of them sees). */
let apart = 0;
for (let i = 0; i < count; i++) {
  const done = completedAt[i] as number;
  // Completions late enough that the walk had a chance: a full walk's cycle before the end.
  if (done < sampleFrom || done > end - DAY / 4) continue;
  const alerted = firstAlert.get(`att-${i}`);
  const real = alerted === undefined ? undefined : (alerted - done) / 60_000;
  const twin = firstSeen(twinWalks, ((createdAt[i] as number) - START) / 1000, (done - START) / 1000);
  if (real === undefined) unseen += 1;
  else latencies.push(real);
  if (twin !== undefined) paired.push(twin);
  if (twin === undefined ? real !== undefined : real === undefined || Math.abs(twin - real) > 0.5) apart += 1;
}
latencies.sort((a, b) => a - b);
paired.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    assignmentsPerDay: perDay,
    ...quantiles(latencies),
    samples: latencies.length,
    unseen,
    listCallsPerDay: Math.round(listCalls / runDays),
    listCallsPerAttempt: Math.round((listCalls / runDays / perDay) * 100) / 100,
    // Per list page, the states read eventually consistent; per attempt, those read again consistently.
    eventualStateReadsPerPage: Math.round((stateReads.eventual / Math.max(1, listCallsWarm)) * 10) / 10,
    // Of the looks at completed attempts, the share that read a state (the memo of quiet looks spares the rest).
    completedPerPage: Math.round((completedListedWarm / Math.max(1, listCallsWarm)) * 10) / 10,
    stateReadShare: Math.round((stateReads.eventual / Math.max(1, completedListedWarm)) * 1000) / 1000,
    consistentStateReadsPerAttempt: Math.round((stateReads.consistent / (sampleDays * perDay)) * 100) / 100,
    // A run's billed time, and per page it fetched (the key's paced slot and the page's looks).
    sweepRunSeconds: Math.round((runs.seconds / Math.max(1, runs.count)) * 10) / 10,
    sweepSecondsPerPage: Math.round((runs.seconds / Math.max(1, listCalls - runs.listCallsAtStart)) * 1000) / 1000,
    containerHours: CONTAINER_LIFE_MS / 3_600_000,
    simulatedDays: runDays,
    wallSeconds: Math.round(wallSeconds),
    twinOnThisList: { ...quantiles(paired), samples: paired.length, apart },
  })}\n`,
);
process.exit(0);
