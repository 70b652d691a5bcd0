/**
 * `npm run bench`: builds the production bundles with the CDK app's esbuild settings and
 * measures, in one run, side by side with a hello-world bundle: cold start (fresh Node process,
 * import + one event, median of COLD_RUNS), warm CPU per event (check at batch sizes 1 and 10),
 * peak RSS and live heap under the V8 limits Lambda sets for the configured memory, a memory
 * sweep, bundle size; the IA budget of the last load test and of the watch; the AWS cost per
 * million attempts from the calls, capacity units and log bytes measured. AWS answers instantly
 * (bench/instant-aws.ts) and IA is the fake server with no rate limit, so the figures are about
 * our code. Writes bench/results.json and bench/cold-start.svg, prints tables.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { marshall } from '@aws-sdk/util-dynamodb';
import { build } from 'esbuild';
import { STATE_RETENTION_SECONDS } from '#lib/adapters/attempt-state.js';
import { CURSOR_KEY } from '#lib/adapters/sweep-cursor.js';
import { buildAlert } from '#lib/domain/alert.js';
import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAttempt } from '#lib/domain/attempt-schema.js';
import { ALERT_DEDUPE_DAYS, SWEEP_DEFAULTS } from '#lib/domain/defaults.js';
import { DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { MAX_PAGE_MEMOS } from '#lib/domain/sweep-cursor.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import type { CheckEnvironment } from '../functions/check/environment.js';
import type { DigestEnvironment } from '../functions/digest/environment.js';
import type { IngestEnvironment } from '../functions/ingest/environment.js';
import type { LifecycleEnvironment } from '../functions/lib/runtime/environment.js';
import type { NotifySlackEnvironment } from '../functions/notify-slack/environment.js';
import type { SweepEnvironment } from '../functions/sweep/environment.js';
import { esbuildOptions } from '../infra/esbuild-options.js';
import { PROP_RULES } from '../infra/review-alerts-props.js';
import { DIGEST_MEMORY_MB } from '../infra/units/digest-unit.js';
import { INGEST_MEMORY_MB } from '../infra/units/ingest-unit.js';
import { NOTIFY_MEMORY_MB } from '../infra/units/notify-slack-unit.js';
import { SWEEP_MEMORY_MB } from '../infra/units/sweep-unit.js';
import { FakeIaServer } from '../local/fake-ia-server.js';
import { FakeSlackServer } from '../local/fake-slack-server.js';
import { listedAssignment, seedVariant } from '../local/ia-fixtures.js';
import { sqsRecord } from '../local/lambda.js';
import {
  COMPLETION_DELAY,
  type DelayMix,
  discoveryLatency,
  FRONT_LOADED_DELAY,
  latencyModel,
} from './discovery-latency.js';
import { itemSize, startInstantAws } from './instant-aws.js';
import { frontierBudget, latencyFrontier } from './latency-frontier.js';
import { memoReadShare } from './memo-reads.js';
import { alertRates, FAILURE_STREAMS, metricStreamShares, streamMonths } from './metric-hours.js';
import { ALTERNATIVES, monthlyBill, PRICES, pipesMonthlyUsd, STANDING, zapierMonthlyUsd } from './monthly-bill.js';
import { barChart } from './svg.js';
import { LIST_MODEL, SCENARIOS, sweepLoad, type WatchCost, watchCost } from './watch-budget.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}bench/out/`;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 11);
const WARM_EVENTS = Number(process.env.BENCH_WARM_EVENTS ?? 1000);
/** BENCH_PROFILE=dir: every run writes a V8 CPU profile there (diagnostics; bundles are left unminified). */
const PROFILE_DIR = process.env.BENCH_PROFILE;
const FUNCTIONS = ['check', 'ingest', 'notify-slack', 'sweep', 'digest'] as const;
type Fn = (typeof FUNCTIONS)[number] | 'hello-world';

// ---------- bundles: the CDK app's esbuild settings ----------
const entry = (fn: Fn) =>
  fn === 'hello-world' ? `${root}bench/hello/handler.ts` : `${root}functions/${fn}/handler.ts`;
const bundlePath = (fn: Fn) => `${out}${fn}/index.mjs`;
for (const fn of ['hello-world', ...FUNCTIONS] as Fn[]) {
  mkdirSync(`${out}${fn}`, { recursive: true });
  await build({
    // As deployed by default: X-Ray off.
    ...esbuildOptions(false),
    entryPoints: [entry(fn)],
    outfile: bundlePath(fn),
    // BENCH_PROFILE keeps names readable in the CPU profiles; the figures then are not the production ones.
    ...(PROFILE_DIR ? { minify: false } : {}),
    logLevel: 'warning',
  });
}
const bundleKb = Object.fromEntries(FUNCTIONS.map((fn) => [fn, Math.round(statSync(bundlePath(fn)).size / 1024)]));

// ---------- the fakes ----------
const apiKey = 'bench-ia-key';
const webhookSecret = `whsec_${Buffer.from('bench-webhook-secret-of-32-bytes').toString('base64')}`;
const slack = new FakeSlackServer();
const slackBase = await slack.start();
// A watched attempt waiting for its next look: its state names the re-check that arrives.
const WAITING = 'waiting-';
const aws = await startInstantAws(
  { 'ia-key': apiKey, 'webhook-secret': webhookSecret, 'slack-url': `${slackBase}/services/T/B/bench` },
  (table, key) =>
    table === 'state' && key.attemptId?.S?.startsWith(WAITING)
      ? { attemptId: key.attemptId, recheckId: { S: `r-${key.attemptId.S}` }, version: { N: '3' } }
      : undefined,
);
// The list the sweep walks: 300 assignments of the last days, each with a completed attempt, 60 % waiting on a human.
const LISTED = 300;
const listed = Object.fromEntries(
  Array.from({ length: LISTED }, (_, i) => [
    `bench-asg-${i}`,
    listedAssignment(`bench-asg-${i}`, new Date(Date.now() - (i + 1) * 600_000), [
      { id: `bench-listed-${i}`, pendingReviewCount: i % 5 < 3 ? 1 : 0, scoringCompleted: i % 5 >= 3 },
    ]),
  ]),
);
const ia = new FakeIaServer({
  apiKeys: [apiKey],
  ratePerSecond: Infinity,
  assignments: listed,
  anyAttempt: (id) => seedVariant(id, { pending_review_count: 2, scoring_completed: false }),
});
const iaUrl = await ia.start();
// The sweep's cold start is its start-up: an empty list (one page) apart from a first walk of the 300 (`sweepFirstRunMs`).
const emptyIa = new FakeIaServer({ apiKeys: [apiKey], ratePerSecond: Infinity, assignments: {} });
const emptyIaUrl = await emptyIa.start();
const queueUrl = (name: string) => `${aws.endpoint}/123456789012/${name}`;
const channelArn = 'arn:aws:sqs:us-east-1:123456789012:slack-bench';

const common = {
  PATH: process.env.PATH ?? '',
  AWS_ENDPOINT_URL: aws.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // The deployed level: its log lines are part of the CPU and of the CloudWatch Logs bill.
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_NAMESPACE: 'IaReviewAlerts',
};
/** What check and the sweep share: the same resources, the fake IA, pacing out of the way. */
const lifecycle = {
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
  CHECKS_QUEUE_URL: queueUrl('checks'),
  IA_API_KEY_SECRET: 'ia-key',
  IA_API_BASE_URL: iaUrl,
  IA_RATE_PER_SECOND: '100000',
  STATE_TABLE_NAME: 'state',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
  RATE_LIMIT_TABLE_NAME: 'rate',
} satisfies LifecycleEnvironment;
const environments: Record<Fn, Record<string, string>> = {
  'hello-world': common,
  check: {
    ...common,
    POWERTOOLS_SERVICE_NAME: 'ia-review-alerts-check',
    ...({ ...lifecycle, DEAD_LETTER_QUEUE_URL: queueUrl('checks-dlq') } satisfies CheckEnvironment),
  },
  ingest: {
    ...common,
    POWERTOOLS_SERVICE_NAME: 'ia-review-alerts-ingest',
    ...({
      SOURCES: JSON.stringify([
        { name: 'bench', kind: 'standard-webhooks', secretName: 'webhook-secret', attemptIdPath: 'data.attemptId' },
      ]),
      CHECKS_QUEUE_URL: queueUrl('checks'),
      DEDUPE_TABLE_NAME: 'dedupe',
      STATE_TABLE_NAME: 'state',
    } satisfies IngestEnvironment),
  },
  'notify-slack': {
    ...common,
    POWERTOOLS_SERVICE_NAME: 'ia-review-alerts-notify-slack',
    ...({
      SLACK_CHANNELS: JSON.stringify([
        {
          name: 'bench',
          queueArn: channelArn,
          queueUrl: queueUrl('slack-bench'),
          secretName: 'slack-url',
          webhookOrigin: new URL(slackBase).origin,
        },
      ]),
      DEAD_LETTER_QUEUE_URL: queueUrl('notify-dlq'),
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
      RATE_LIMIT_TABLE_NAME: 'rate',
      // Slack's 1 message/s pacing would make the warm run measure sleep; the cost is CPU and calls.
      SLACK_MIN_INTERVAL_MS: '1',
    } satisfies NotifySlackEnvironment),
  },
  sweep: {
    ...common,
    POWERTOOLS_SERVICE_NAME: 'ia-review-alerts-sweep',
    ...(lifecycle satisfies SweepEnvironment),
  },
  digest: {
    ...common,
    POWERTOOLS_SERVICE_NAME: 'ia-review-alerts-digest',
    ...({
      ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
      STATE_TABLE_NAME: 'state',
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
    } satisfies DigestEnvironment),
  },
};

// ---------- events, as each function receives them ----------
let sequence = 0;
const checkEvent = (batch: number) => ({
  Records: Array.from({ length: batch }, () =>
    sqsRecord({ body: JSON.stringify({ attemptId: `bench-${++sequence}` }) }),
  ),
});
/** A re-check that arrives before its time: one 15-minute hop of a long wait, no IA call. */
const waitingEvent = (batch: number) => ({
  Records: Array.from({ length: batch }, () => {
    const attemptId = `${WAITING}${++sequence}`;
    const notBefore = new Date(Date.now() + 2 * 86_400_000).toISOString();
    return sqsRecord({ body: JSON.stringify({ attemptId, recheckId: `r-${attemptId}`, notBefore }) });
  }),
});
const ingestEvent = () => {
  const signed = signRequest(
    'standard-webhooks',
    JSON.stringify({ type: 'completed', data: { attemptId: `bench-${++sequence}` } }),
    webhookSecret,
  );
  return {
    version: '2.0',
    routeKey: 'POST /events/{source}',
    rawPath: '/events/bench',
    headers: signed.headers,
    pathParameters: { source: 'bench' },
    requestContext: { requestId: `r${sequence}`, http: { method: 'POST', path: '/events/bench' } },
    body: signed.body,
    isBase64Encoded: false,
  };
};
const seedAlert = buildAlert(
  'review.needed',
  normaliseAttempt(parseAttempt(seedVariant('bench', { pending_review_count: 2 }))),
  {
    now: new Date(),
    settings: { includeCandidateEmail: false },
  },
);
const notifyEvent = () => ({
  Records: [{ ...sqsRecord({ body: JSON.stringify({ ...seedAlert, attemptId: `bench-${++sequence}` }) }, channelArn) }],
});
/** A scheduled run: the sweep takes EventBridge's event (unused), the digest Scheduler's input. */
const scheduledEvent = (fn: Fn) => (fn === 'digest' ? { scheduledAt: new Date().toISOString() } : {});
const eventsFor = (fn: Fn, count: number, batch = 1): unknown[] =>
  Array.from({ length: count }, () =>
    fn === 'check'
      ? checkEvent(batch)
      : fn === 'ingest'
        ? ingestEvent()
        : fn === 'notify-slack'
          ? notifyEvent()
          : scheduledEvent(fn),
  );

interface RunResult {
  wallMs: number;
  loadMs: number;
  handleMs: number;
  cpuMs: number;
  maxRssMb: number;
  liveHeapMb: number;
  invocations: number;
  failures: number;
  statusCodes: number[];
  logBytes: number;
  /** AWS calls this run made, by action, and the DynamoDB capacity units they used. */
  calls: Record<string, number>;
}

/** Configured memory per function, as the CDK app sets it. */
const MEMORY_MB: Record<Fn, number> = {
  'hello-world': 128,
  check: PROP_RULES.checkMemoryMb.default as number,
  ingest: INGEST_MEMORY_MB,
  'notify-slack': NOTIFY_MEMORY_MB,
  sweep: SWEEP_MEMORY_MB,
  digest: DIGEST_MEMORY_MB,
};

/**
 * The V8 limits the Lambda Node.js runtime's bootstrap derives from the configured memory: a
 * tenth for the young generation (semi-spaces of half that), the rest for the old one. Without
 * them V8 on a 24 GiB machine grows its heap lazily and the RSS describes the machine.
 */
const lambdaHeapFlags = (memoryMb: number) => {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
};

/** One fresh Node process (this project's Node 24), as a new execution environment. */
const runProcess = (
  fn: Fn,
  events: unknown[],
  mode: 'cold' | 'warm',
  memoryMb = MEMORY_MB[fn],
  env: Record<string, string> = environments[fn],
): Promise<RunResult> => {
  const file = `${out}${fn}/events-${mode}.json`;
  writeFileSync(file, JSON.stringify(events));
  const callsBefore = new Map(aws.calls);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const profile = PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${fn}-${mode}-${Date.now()}.cpuprofile`]
      : [];
    // --expose-gc only for warm runs: the live-heap figure needs it, a cold start must not pay for it.
    const flags = [...lambdaHeapFlags(memoryMb), ...(mode === 'warm' ? ['--expose-gc'] : []), ...profile];
    const child = spawn(process.execPath, [...flags, `${root}bench/invoke.mjs`, bundlePath(fn), file, mode], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const line = stdout.split('\n').find((l) => l.startsWith('{"loadMs"'));
      if (code !== 0 || !line)
        return reject(new Error(`${fn} ${mode} run failed (exit ${code}): ${stdout.slice(-500)}`));
      // Everything else the function printed is what CloudWatch Logs would ingest (logs and EMF metrics).
      const logBytes = Buffer.byteLength(stdout) - Buffer.byteLength(line);
      const calls = Object.fromEntries(
        [...aws.calls].map(([action, n]) => [action, n - (callsBefore.get(action) ?? 0)]).filter(([, n]) => n),
      );
      resolve({ wallMs, logBytes, calls, ...(JSON.parse(line) as Omit<RunResult, 'wallMs' | 'logBytes' | 'calls'>) });
    });
  });
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

// ---------- cold starts, interleaved so machine noise hits every function alike ----------
const cold = new Map<Fn, RunResult[]>();
const sweepFirstRuns: RunResult[] = [];
const emptyList = { ...environments.sweep, IA_API_BASE_URL: emptyIaUrl };
const coldRun = async (fn: Fn, env?: Record<string, string>) => {
  const result = await runProcess(fn, eventsFor(fn, 1), 'cold', MEMORY_MB[fn], env);
  if (result.failures > 0 || result.statusCodes.some((s) => s >= 400))
    throw new Error(`${fn} failed its cold-start event`);
  return result;
};
for (let run = 0; run < COLD_RUNS; run++) {
  for (const fn of ['hello-world', ...FUNCTIONS] as Fn[]) {
    const result = await coldRun(fn, fn === 'sweep' ? emptyList : undefined);
    cold.set(fn, [...(cold.get(fn) ?? []), result]);
  }
  sweepFirstRuns.push(await coldRun('sweep'));
}
/** A cold sweep whose first run walks the 300-assignment list: its start-up plus that walk. */
const sweepFirstRunMs = round(median(sweepFirstRuns.map((r) => r.wallMs)), 1);
const coldMs = Object.fromEntries(
  [...cold].map(([fn, runs]) => [fn, round(median(runs.map((r) => r.wallMs)), 1)]),
) as Record<Fn, number>;
// Where a cold start goes: spawning Node (≈ hello-world), importing the bundle, the first event.
const coldPhasesMs = Object.fromEntries(
  [...cold].map(([fn, runs]) => [
    fn,
    { import: round(median(runs.map((r) => r.loadMs)), 1), firstEvent: round(median(runs.map((r) => r.handleMs)), 1) },
  ]),
);
const coldStartRatio = Object.fromEntries(FUNCTIONS.map((fn) => [fn, round(coldMs[fn] / coldMs['hello-world'])]));

// ---------- warm cost: one process handling many events ----------
const warmCheck = {
  batch1: await runProcess('check', eventsFor('check', WARM_EVENTS, 1), 'warm'),
  batch10: await runProcess('check', eventsFor('check', WARM_EVENTS / 10, 10), 'warm'),
};
// The watch between looks: re-checks that arrive before their time and wait again.
const warmWaiting = await runProcess(
  'check',
  Array.from({ length: WARM_EVENTS / 10 }, () => waitingEvent(10)),
  'warm',
);
const warmIngest = await runProcess('ingest', eventsFor('ingest', 300), 'warm');
const warmNotify = await runProcess('notify-slack', eventsFor('notify-slack', 300), 'warm');
// Scheduled functions: a run of each, many times in one process (the sweep walks the 300-item list every run).
const SCHEDULED_RUNS = 30;
const warmSweep = await runProcess('sweep', eventsFor('sweep', SCHEDULED_RUNS), 'warm');
const warmDigest = await runProcess('digest', eventsFor('digest', SCHEDULED_RUNS), 'warm');
interface PerEvent {
  cpuMs: number;
  wallMs: number;
  logBytes: number;
  calls(action: string): number;
}
const perEvent = (r: RunResult, events: number): PerEvent => ({
  cpuMs: r.cpuMs / events,
  wallMs: r.handleMs / events,
  logBytes: r.logBytes / events,
  calls: (action) => (r.calls[action] ?? 0) / events,
});
const checkBatch1 = perEvent(warmCheck.batch1, WARM_EVENTS);
const checkBatch10 = perEvent(warmCheck.batch10, WARM_EVENTS);
const ingestPer = perEvent(warmIngest, 300);
const notifyPer = perEvent(warmNotify, 300);
const waitingPer = perEvent(warmWaiting, WARM_EVENTS);
if (warmCheck.batch10.failures > 0 || warmCheck.batch1.failures > 0 || warmWaiting.failures > 0)
  throw new Error('warm check runs reported failures');

const coldRssMb = Object.fromEntries(
  [...cold].map(([fn, runs]) => [fn, round(median(runs.map((r) => r.maxRssMb)), 1)]),
) as Record<Fn, number>;
const liveHeapMbAfterWarm = {
  check: round(Math.max(warmCheck.batch1.liveHeapMb, warmCheck.batch10.liveHeapMb), 1),
  ingest: round(warmIngest.liveHeapMb, 1),
  'notify-slack': round(warmNotify.liveHeapMb, 1),
  sweep: round(warmSweep.liveHeapMb, 1),
  digest: round(warmDigest.liveHeapMb, 1),
};
const warmRunsOf: Record<(typeof FUNCTIONS)[number], RunResult[]> = {
  check: [warmCheck.batch1, warmCheck.batch10],
  ingest: [warmIngest],
  'notify-slack': [warmNotify],
  sweep: [warmSweep],
  digest: [warmDigest],
};
const peakRssMb = Object.fromEntries(
  FUNCTIONS.map((fn) => {
    return [fn, round(Math.max(...[...(cold.get(fn) ?? []), ...warmRunsOf[fn]].map((r) => r.maxRssMb)), 1)];
  }),
);

// ---------- the IA budget, from the last `npm run load` ----------
const loadFile = `${root}load-results.json`;
const loads = existsSync(loadFile)
  ? (JSON.parse(readFileSync(loadFile, 'utf8')) as Record<string, Record<string, number>>)
  : {};
const load = loads.webhooks;
// An attempt's whole watch, per timeline, with the default settings and the sweep's walk (LIST_MODEL).
const watchBudget = Object.fromEntries(
  Object.entries(SCENARIOS).map(([name, timeline]) => [name, watchCost(timeline, DEFAULT_WATCH)]),
);
const sweepModel = { ...LIST_MODEL, ...sweepLoad(LIST_MODEL) };
// Sweep-only discovery (no event names the attempt): completion → seen by the walk, head first, with the defaults.
const VOLUMES = [1_000, 10_000, 30_000];
const sweepLatency = Object.fromEntries(
  VOLUMES.map((perDay) => [String(perDay), discoveryLatency(latencyModel(perDay))]),
);
// The walk as it was before: no head, no rest between walks of the whole horizon.
const sweepLatencyWithoutHead = Object.fromEntries(
  VOLUMES.map((perDay) => [String(perDay), discoveryLatency(latencyModel(perDay, 0, 0))]),
);
/**
 * The real code's latency at 1,000 a day (sweep-latency-real.ts: the sweep function on the
 * simulation's clock and cloud, a day and a half), in a process of its own, and how far the twin
 * above is from it: the twin stands for the real code at 10,000 and 30,000 a day only where it is
 * within 5 % of it here.
 */
const realSweepSeed = (mix: 'today' | 'front-loaded', seed: number, budgetShare: number) =>
  new Promise<{
    p50: number;
    p90: number;
    p99: number;
    samples: number;
    listCallsPerAttempt: number;
    eventualStateReadsPerPage: number;
    completedPerPage: number;
    sweepRunSeconds: number;
    sweepSecondsPerPage: number;
    stateReadShare: number;
    consistentStateReadsPerAttempt: number;
    wallSeconds: number;
    twinOnThisList: { p50: number; p90: number; p99: number; samples: number; apart: number };
  }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        `${root}bench/sweep-latency-real.ts`,
        '--per-day',
        '1000',
        '--warm-days',
        '0.5',
        '--days',
        '1',
        '--mix',
        mix,
        '--seed',
        String(seed),
        '--budget-share',
        String(budgetShare),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    // Powertools' warnings about empty metrics, from the function on the virtual clock: shown only on failure.
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() as string))
        : reject(new Error(`sweep-latency-real exited ${code}: ${err.slice(-2_000)}`)),
    );
  });
/**
 * One seeded day holds ~770 completions, ~77 of them older than the head: the p90, where those meet
 * the head's, moves by minutes between seeds (5.4 / 5.0 / 5.0 on seeds 1–3). The twin is held to
 * the mean of three days; each seed's figures are kept beside it (`seeds`).
 */
const REAL_SEEDS = [1, 2, 3];
/** The mean of each figure over the seeds (counts of completions summed). */
const meanOf = <T extends Record<string, number>>(seeds: T[]) =>
  Object.fromEntries(
    Object.keys(seeds[0] as T).map((key) => {
      const sum = seeds.reduce((total, s) => total + (s[key] as number), 0);
      return [key, key === 'samples' || key === 'apart' ? sum : round(sum / seeds.length, 3)];
    }),
  ) as T;
const realSweep = async (
  mix: 'today' | 'front-loaded',
  seedsRun: number[] = REAL_SEEDS,
  budgetShare: number = SWEEP_DEFAULTS.budgetShare,
) => {
  const seeds = await Promise.all(seedsRun.map((seed) => realSweepSeed(mix, seed, budgetShare)));
  return {
    ...meanOf(seeds.map(({ twinOnThisList: _twin, ...figures }) => figures)),
    twinOnTheseLists: meanOf(seeds.map((s) => s.twinOnThisList)),
    seeds,
  };
};
/**
 * At 1,000 a day the default budget walks the 5-day head within one run, so the runs above never
 * resume a head walk; at 10,000 a day every run does. The same day at `sweepBudgetShare` 0.05
 * (3.5 list calls per attempt, about what 10,000 a day gets) spreads the head over seven runs.
 */
const SLOW_HEAD_SHARE = 0.05;
const realSweepLatency = await realSweep('today');
const [realSweepLatencyFrontLoaded, realSweepSlowHead] = await Promise.all([
  realSweep('front-loaded'),
  realSweep('today', [1], SLOW_HEAD_SHARE),
]);
const twinOff = (twin: number, real: number) => Math.round((twin / real - 1) * 1000) / 1000;
/**
 * How far the twin is from the real code: on the seeds' own completions (`off`, what holds it to
 * 5 %: the model alone differs) and, for the record, its steady state of 20,000 draws against the
 * three days' (`unpaired`: that adds three days' sampling noise, ±10 % at p90).
 */
const twinCheckOf = (twin: ReturnType<typeof discoveryLatency>, real: Awaited<ReturnType<typeof realSweep>>) => {
  const paired = real.twinOnTheseLists;
  const off = {
    p50: twinOff(paired.p50, real.p50),
    p90: twinOff(paired.p90, real.p90),
    p99: twinOff(paired.p99, real.p99),
    listCallsPerAttempt: twinOff(twin.listCallsPerAttempt, real.listCallsPerAttempt),
  };
  const unpaired = {
    p50: twinOff(twin.p50, real.p50),
    p90: twinOff(twin.p90, real.p90),
    p99: twinOff(twin.p99, real.p99),
  };
  // Percentiles can agree while completions do not: at most 5 % of them may be seen apart too.
  const within5Percent = Object.values(off).every((x) => Math.abs(x) <= 0.05) && paired.apart <= 0.05 * paired.samples;
  return { off, unpaired, within5Percent };
};
const todayTwinCheck = twinCheckOf(sweepLatency['1000'] as ReturnType<typeof discoveryLatency>, realSweepLatency);
/** One line of the printout: the real code's figures beside the twin's on the same completions. */
const realAgainstTwin = (
  what: string,
  real: Awaited<ReturnType<typeof realSweep>>,
  check: ReturnType<typeof twinCheckOf>,
) =>
  `${what}: ${real.p50} / ${real.p90} / ${real.p99} min (p90 by seed ${real.seeds.map((s) => s.p90).join(' / ')}), ${real.listCallsPerAttempt} list calls per attempt (${real.samples} completions); the twin on the same completions ${real.twinOnTheseLists.p50} / ${real.twinOnTheseLists.p90} / ${real.twinOnTheseLists.p99} (${real.twinOnTheseLists.apart} of them more than 30 s apart); twin ÷ real − 1: ${JSON.stringify(check.off)} → ${check.within5Percent ? 'within' : 'NOT within'} 5 % (its steady state ÷ real − 1: ${JSON.stringify(check.unpaired)})\n`;
const slowHeadTwinCheck = twinCheckOf(
  discoveryLatency({ ...latencyModel(1_000), budgetShare: SLOW_HEAD_SHARE }),
  realSweepSlowHead,
);
/** The issue's second mix: the same shares by day, the first day front-loaded (discovery-latency.ts). */
const sweepLatencyFrontLoaded = Object.fromEntries(
  VOLUMES.map((perDay) => [String(perDay), discoveryLatency({ ...latencyModel(perDay), delays: FRONT_LOADED_DELAY })]),
);
const frontLoadedTwinCheck = twinCheckOf(
  sweepLatencyFrontLoaded['1000'] as ReturnType<typeof discoveryLatency>,
  realSweepLatencyFrontLoaded,
);
/** What an owner chooses from: `sweepBudgetShare` at 10,000 a day → list calls per attempt and the latency percentiles. */
const BUDGET_SHARES = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const sweepLatencyByBudgetShare = Object.fromEntries(
  BUDGET_SHARES.map((budgetShare) => {
    const { p50, p90, p99, listCallsPerAttempt } = discoveryLatency({ ...latencyModel(10_000), budgetShare });
    return [String(budgetShare), { p50, p90, p99, listCallsPerAttempt }];
  }),
);
/** The price of "p90 ≤ 15 min and p99 ≤ 2 h" at 10,000 a day, for any schedule at all. */
const FAST_TARGET = { p90: 15, p99: 120 };
const fastTargetListCallsPerAttempt =
  Math.round(
    (frontierBudget(
      { assignmentsPerDay: 10_000, per: LIST_MODEL.per, horizonDays: SWEEP_DEFAULTS.horizonDays },
      FAST_TARGET,
    ) /
      10_000) *
      100,
  ) / 100;
const percentiles = (table: Record<string, ReturnType<typeof discoveryLatency>>) =>
  Object.fromEntries(
    Object.entries(table).map(([perDay, { p50, p90, p99, listCallsPerAttempt }]) => [
      perDay,
      { p50, p90, p99, listCallsPerAttempt },
    ]),
  );
// The best any schedule of page reads does with the same list reads a day (latency-frontier.ts), and how far the sweep is from it.
const frontierOf = (table: Record<string, ReturnType<typeof discoveryLatency>>, delays: DelayMix) =>
  Object.fromEntries(
    Object.entries(table).map(([perDay, latency]) => {
      const frontier = latencyFrontier(
        {
          assignmentsPerDay: Number(perDay),
          per: LIST_MODEL.per,
          horizonDays: SWEEP_DEFAULTS.horizonDays,
          listCallsPerDay: latency.listCallsPerDay,
          delays,
        },
        latency.p99,
      );
      const ratio = (ours: number, best: number) => Math.round((ours / best) * 100) / 100;
      return [
        perDay,
        {
          ...frontier,
          ratio: {
            p50: ratio(latency.p50, frontier.sameP99.p50),
            p90: ratio(latency.p90, frontier.sameP99.p90),
            p99: ratio(latency.p99, frontier.alone.p99),
          },
        },
      ];
    }),
  );
const sweepLatencyFrontier = frontierOf(sweepLatency, COMPLETION_DELAY);
const sweepLatencyFrontLoadedFrontier = frontierOf(sweepLatencyFrontLoaded, FRONT_LOADED_DELAY);

// ---------- cost per million attempts ----------
// us-east-1 list prices, November 2026; assumptions are in the same object so the estimate can be checked.
const prices = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  snsPublish: 0.5 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  secretsManagerCall: 0.05 / 1e4,
  logsIngestedGb: 0.5,
};
const assumptions = {
  iaLatencyMs: 250,
  actionableShare: 0.6,
  slackChannels: 1,
  // The event source's 5 s batching window at the key's 1 attempt/s; Slack posts arrive one by one.
  checkRecordsPerInvocation: 5,
  notifyRecordsPerInvocation: 1,
  secretsCallsPerAttempt: 0.05,
  note: "First check of an attempt: webhook → ingest → check → publish (→ one Slack post when actionable), with the AWS calls, DynamoDB capacity units and log bytes each function made per event in the warm runs. Lambda time: waiting plus CPU time stretched by 1,769 MB / memory (Lambda gives one vCPU at 1,769 MB), plus the IA latency for check. Not included here (the monthly bill adds them): email delivery ($2 per 100k per recipient), the watch after the first check, the event sources' idle polling. Not included anywhere: a backlog (each check then also waits up to 1 s for its IA slot).",
};
const gbSeconds = (memoryMb: number, ms: number) => (memoryMb / 1024) * (ms / 1000);
const VCPU_MB = 1769;
const lambdaCost = (p: PerEvent, memoryMb: number, recordsPerInvocation: number, extraWaitMs = 0) =>
  gbSeconds(memoryMb, Math.max(0, p.wallMs - p.cpuMs) + p.cpuMs * Math.max(1, VCPU_MB / memoryMb) + extraWaitMs) *
    prices.lambdaArmGbSecond +
  prices.lambdaRequest / recordsPerInvocation;
const slackShare = assumptions.actionableShare * assumptions.slackChannels;
// What one attempt costs in each function: check and ingest once, notify-slack per actionable alert and channel.
const perAttemptOf = (measure: (p: PerEvent) => number) =>
  measure(checkBatch10) + measure(ingestPer) + slackShare * measure(notifyPer);
const sqsSends = (p: PerEvent) =>
  p.calls('SendMessage') + p.calls('SendMessageBatch') + p.calls('ChangeMessageVisibility') + p.calls('DeleteMessage');
/** SQS requests of one `check` record: its own sends plus its share of the event source's receive and delete. */
const sqsByCheck = (p: PerEvent) => (sqsSends(p) + 2 / assumptions.checkRecordsPerInvocation) * prices.sqsRequest;
const perAttempt = {
  lambda:
    lambdaCost(checkBatch10, MEMORY_MB.check, assumptions.checkRecordsPerInvocation, assumptions.iaLatencyMs) +
    lambdaCost(ingestPer, MEMORY_MB.ingest, 1) +
    slackShare * lambdaCost(notifyPer, MEMORY_MB['notify-slack'], assumptions.notifyRecordsPerInvocation),
  dynamodb:
    perAttemptOf((p) => p.calls('dynamodb.writeUnits')) * prices.dynamoWriteUnit +
    perAttemptOf((p) => p.calls('dynamodb.readUnits')) * prices.dynamoReadUnit,
  // Our sends, plus the event sources' receive and delete per batch, plus SNS's delivery into each Slack buffer.
  sqs:
    sqsByCheck(checkBatch10) +
    (sqsSends(ingestPer) + slackShare * (sqsSends(notifyPer) + 1 + 2 / assumptions.notifyRecordsPerInvocation)) *
      prices.sqsRequest,
  sns: perAttemptOf((p) => p.calls('Publish')) * prices.snsPublish,
  apiGateway: prices.httpApiRequest,
  secretsManager: assumptions.secretsCallsPerAttempt * prices.secretsManagerCall,
  logs: (perAttemptOf((p) => p.logBytes) / 1e9) * prices.logsIngestedGb,
};

// ---------- memory sizes: the same warm work under each size's V8 limits ----------
// The smallest size whose peak RSS leaves headroom wins; bigger sizes buy CPU the functions do not wait on.
const SWEEP_MB = [128, 256, 512];
const SWEEP_EVENTS = 300;
const memorySweep: Record<string, Record<number, { peakRssMb: number; lambdaUsdPerMillionEvents: number }>> = {};
for (const fn of FUNCTIONS) {
  memorySweep[fn] = {};
  for (const memoryMb of SWEEP_MB) {
    const scheduled = fn === 'sweep' || fn === 'digest';
    const count = scheduled ? SCHEDULED_RUNS : SWEEP_EVENTS;
    const events = fn === 'check' ? eventsFor(fn, SWEEP_EVENTS / 10, 10) : eventsFor(fn, count);
    const run = await runProcess(fn, events, 'warm', memoryMb);
    const p = perEvent(run, count);
    const cost =
      fn === 'check'
        ? lambdaCost(p, memoryMb, assumptions.checkRecordsPerInvocation, assumptions.iaLatencyMs)
        : lambdaCost(p, memoryMb, fn === 'ingest' || scheduled ? 1 : assumptions.notifyRecordsPerInvocation);
    memorySweep[fn][memoryMb] = { peakRssMb: round(run.maxRssMb, 1), lambdaUsdPerMillionEvents: round(cost * 1e6, 3) };
  }
}

// ---------- the watch after the first check, per attempt timeline ----------
// A look costs what a first check costs without its alert; a 15-minute pass of a waiting re-check
// what the waiting run measured; an alert later in the watch its idempotency writes and publish.
const lookCost =
  lambdaCost(checkBatch10, MEMORY_MB.check, assumptions.checkRecordsPerInvocation, assumptions.iaLatencyMs) +
  (checkBatch10.calls('dynamodb.writeUnits') - 2) * prices.dynamoWriteUnit +
  checkBatch10.calls('dynamodb.readUnits') * prices.dynamoReadUnit +
  sqsByCheck(checkBatch10);
const passCost =
  lambdaCost(waitingPer, MEMORY_MB.check, assumptions.checkRecordsPerInvocation) +
  waitingPer.calls('dynamodb.readUnits') * prices.dynamoReadUnit +
  sqsByCheck(waitingPer);
const laterAlertCost = 2 * prices.dynamoWriteUnit + prices.snsPublish;
// A look by the list: the attempt's state in the page's batch read, eventually consistent (half a
// unit; its Lambda share is not measured).
const listLookCost = prices.dynamoReadUnit / 2;
const watchUsdPerMillionAttempts = Object.fromEntries(
  Object.entries(watchBudget).map(([name, cost]) => [
    name,
    round(
      (cost.ownLooks * lookCost +
        cost.listLooks * listLookCost +
        cost.queuePasses * passCost +
        cost.laterAlerts * laterAlertCost) *
        1e6,
      2,
    ),
  ]),
);

const costBreakdownPerMillion = Object.fromEntries(Object.entries(perAttempt).map(([k, v]) => [k, round(v * 1e6, 3)]));
const costPerMillionUsd = round(Object.values(perAttempt).reduce((a, b) => a + b, 0) * 1e6, 2);

// ---------- the monthly bill, idle and at 1,000 and 10,000 attempts a day ----------
const RUN_SECONDS = Math.floor(SWEEP_DEFAULTS.intervalMinutes * 60 * 0.9) - 5;
/** Pages a day the sweep walks at a volume, and how long a run then lasts (a page per paced slot). */
const sweepPagesPerDay = (attemptsPerDay: number) =>
  attemptsPerDay === 0
    ? 1440 / SWEEP_DEFAULTS.intervalMinutes
    : discoveryLatency(latencyModel(attemptsPerDay), 2_000).listCallsPerDay;
/**
 * A busy run's billed seconds per page it fetches: the key's paced slot (the walk goes at the key's
 * rate, then the run ends) and the page's looks, measured by the real sweep at 1,000 a day.
 */
const PAGE_SECONDS = realSweepLatency.sweepSecondsPerPage;
/**
 * How a deployment's attempts end, over the watch's timelines: 40 % scored with nothing to review
 * (actionableShare 0.6), most reviews done within a day, a few never. An assumption, in the output.
 */
const WATCH_MIX: Record<string, number> = {
  'scored automatically after 2 min': 0.4,
  'reviewed after 4 h': 0.3,
  'reviewed after 24 h': 0.2,
  'reviewed after 3 days': 0.07,
  'never reviewed': 0.02,
  'scoring never finishes': 0.01,
};
/**
 * Of the sweep's looks at completed attempts, the share that read a state: the memo of quiet looks
 * spares the rest (memo-reads.ts, on the twin's walks, over WATCH_MIX's ends), its container
 * recycled every CONTAINER_HOURS (Lambda: "every few hours", no figure given). Held to the real
 * code at 1,000 a day in the same run, whose list's attempts are all scored with nothing to review.
 */
const CONTAINER_HOURS = 2;
const ENDS = Object.entries(WATCH_MIX).map(([name, share]) => {
  const timeline = SCENARIOS[name];
  if (timeline?.reviewDoneAfterHours !== undefined)
    return { share, reviewDoneAfterHours: timeline.reviewDoneAfterHours };
  // Scoring that never finishes is looked at hourly, as a review that never comes.
  return timeline?.scoringDoneAfterMinutes === null ? { share, reviewDoneAfterHours: null } : { share };
});
const memoReads = Object.fromEntries(
  VOLUMES.map((perDay) => [String(perDay), memoReadShare(latencyModel(perDay), ENDS, CONTAINER_HOURS)]),
);
const memoTwinAt1000 = memoReadShare(latencyModel(1_000), [{ share: 1 }], CONTAINER_HOURS);
const memoTwinOff = twinOff(memoTwinAt1000.readShare, realSweepLatency.stateReadShare);
/** Completed attempts a busy list page holds (90 % of its 100 assignments), of which the share above is read. */
const COMPLETED_PER_PAGE = 90;
const statesReadPerPage = (perDay: number) =>
  perDay === 0
    ? 0
    : COMPLETED_PER_PAGE *
      (memoReads[String(perDay)] ?? memoReadShare(latencyModel(perDay), ENDS, CONTAINER_HOURS)).readShare;
const mixed = (of: (cost: (typeof watchBudget)[string]) => number) =>
  Object.entries(WATCH_MIX).reduce(
    (sum, [name, share]) => sum + share * of(watchBudget[name] as (typeof watchBudget)[string]),
    0,
  );
// The list's looks are the pages' state reads, already in the sweep's line.
const watchUsdPerAttempt = mixed(
  (cost) => cost.ownLooks * lookCost + cost.queuePasses * passCost + cost.laterAlerts * laterAlertCost,
);
/**
 * Custom metric streams by the hour (metric-hours.ts): the watch's alerts over WATCH_MIX, the first
 * look's published by check (a trigger names the attempt) but for MISSED_BY_TRIGGERS of them, which
 * the sweep finds first (an assumption: a trigger that drops one completion in a hundred); check's
 * 304s, one per attempt scored within minutes (its quick look a minute in) and four per attempt
 * whose scoring never finishes (its quick looks before the sweep takes over).
 */
const MISSED_BY_TRIGGERS = 0.01;
const rates = alertRates(
  Object.entries(WATCH_MIX).map(([name, share]) => ({ share, ...(watchBudget[name] as WatchCost) })),
  MISSED_BY_TRIGGERS,
);
const metricStreamsAt = (attemptsPerDay: number) =>
  metricStreamShares(attemptsPerDay, rates, {
    digestsPerMonth: STANDING.digestsPerMonth,
    ownNotModifiedRate:
      (WATCH_MIX['scored automatically after 2 min'] ?? 0) + 4 * (WATCH_MIX['scoring never finishes'] ?? 0),
  });
const AT = '2026-11-30T12:00:00.000Z';
/** An item's size as DynamoDB counts it, from its wire form (what instant-aws sizes the bench's writes by). */
const wireSize = (item: Record<string, unknown>): number => itemSize(JSON.parse(JSON.stringify(marshall(item))));
/**
 * The sweep cursor item at a volume: a memo for each page of the horizon up to MAX_PAGE_MEMOS, each
 * with an ETag the length of a hex digest's (IA's format is not documented) and both times.
 */
const cursorItemBytes = (attemptsPerDay: number) => {
  const pagesInHorizon = Math.ceil((attemptsPerDay * SWEEP_DEFAULTS.horizonDays) / LIST_MODEL.per);
  const memos = Math.max(1, Math.min(MAX_PAGE_MEMOS, pagesInHorizon));
  const walk = { walkStartedAt: AT, nextPage: 7, per: LIST_MODEL.per };
  const pages = Object.fromEntries(
    Array.from({ length: memos }, (_, i) => [
      `${LIST_MODEL.per}:${i + 1}`,
      { etag: `W/"${'0'.repeat(32)}"`, oldest: AT, dueAt: AT },
    ]),
  );
  return wireSize({
    attemptId: CURSOR_KEY,
    ...walk,
    head: walk,
    lastHeadWalkEndedAt: AT,
    lastFullWalkStartedAt: AT,
    lastFullWalkEndedAt: AT,
    leaseUntil: AT,
    leaseOwner: '2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef',
    pages,
  });
};
/** An alert's exactly-once record as Powertools writes it: hashed key, expiry, status, the nonce it returned. */
const alertKeyBytes = wireSize({
  id: `ia-review-alerts#${'A'.repeat(24)}`,
  expiration: 1_770_901_230,
  status: 'COMPLETED',
  data: JSON.stringify({ nonce: '01234567-89ab-cdef-0123-456789abcdef' }),
});
/**
 * What the tables hold at a volume, with DynamoDB's 100 bytes a item: each attempt's state for the
 * 60 days after its last write (plus about a day of watch), sized as the largest item the bench
 * wrote; each alert's key and its Slack post's for the dedupe window.
 */
const storedGb = (attemptsPerDay: number) => {
  const stateDays = STATE_RETENTION_SECONDS / 86_400 + 1;
  const keysPerAttempt = mixed((cost) => cost.alerts.length) * (1 + assumptions.slackChannels);
  return (
    (attemptsPerDay *
      (stateDays * (aws.largestItemBytes() + 100) + keysPerAttempt * ALERT_DEDUPE_DAYS * (alertKeyBytes + 100))) /
    1e9
  );
};
const billFor = (attemptsPerDay: number, year = 1, pagesPerDay = sweepPagesPerDay(attemptsPerDay)) =>
  monthlyBill({
    year,
    attemptsPerDay,
    perAttemptUsd: Object.fromEntries(
      Object.entries(costBreakdownPerMillion).map(([item, usd]) => [item, usd / 1e6]),
    ) as Parameters<typeof monthlyBill>[0]['perAttemptUsd'],
    // Idle, the list is empty: one page a run. Busy, the walk's pages (discovery-latency.ts), each PAGE_SECONDS.
    sweepPagesPerDay: pagesPerDay,
    sweepIdleRunSeconds: 1,
    sweepBusyRunSeconds: Math.min(
      RUN_SECONDS,
      Math.ceil((pagesPerDay / (1440 / SWEEP_DEFAULTS.intervalMinutes)) * PAGE_SECONDS),
    ),
    sweepMemoryMb: MEMORY_MB.sweep,
    intervalMinutes: SWEEP_DEFAULTS.intervalMinutes,
    statesReadPerPage: statesReadPerPage(attemptsPerDay),
    // Measured by the real sweep at 1,000 a day with no trigger (every look the sweep's); its list
    // model has no reviews, so reminders and review closings (a re-read each) are not in it.
    consistentReadsPerAttempt: realSweepLatency.consistentStateReadsPerAttempt,
    cursorItemBytes: cursorItemBytes(attemptsPerDay),
    storedGb: storedGb(attemptsPerDay),
    metricStreamMonths: streamMonths(metricStreamsAt(attemptsPerDay)),
    watchUsdPerAttempt,
  });
const monthlyUsd = { idle: billFor(0), '1000': billFor(1_000), '10000': billFor(10_000) };
/** Totals in the deployment's years 1–3 (KMS bills the keys' first two rotations), before free tiers. */
const totalsByYear = (perDay: number) => [1, 2, 3].map((year) => billFor(perDay, year).total);
const monthlyUsdByYear = { idle: totalsByYear(0), '1000': totalsByYear(1_000), '10000': totalsByYear(10_000) };
const alertsPerMonth = (perDay: number) => Math.round(perDay * 30.42 * STANDING.actionableShare);
const alternatives = Object.fromEntries(
  [1_000, 10_000].map((perDay) => [
    String(perDay),
    { zapierUsd: zapierMonthlyUsd(alertsPerMonth(perDay)), eventBridgePipesUsd: pipesMonthlyUsd(perDay * 30.42) },
  ]),
);

const results = {
  measuredAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  coldStartRuns: COLD_RUNS,
  coldStartMs: coldMs,
  coldStartRatio,
  sweepFirstRunMs,
  coldPhasesMs,
  cpuMsPerEvent: round(checkBatch10.cpuMs, 3),
  cpuMsPerEventByBatchSize: { 1: round(checkBatch1.cpuMs, 3), 10: round(checkBatch10.cpuMs, 3) },
  warmWallMsPerEvent: {
    check: round(checkBatch10.wallMs, 3),
    ingest: round(ingestPer.wallMs, 3),
    'notify-slack': round(notifyPer.wallMs, 3),
  },
  peakRssMb,
  coldStartRssMb: coldRssMb,
  liveHeapMbAfterWarm,
  memoryMb: MEMORY_MB,
  memorySweep,
  bundleKb,
  iaBudget: {
    ...(load
      ? {
          iaCallsPerDistinctAttempt: load.iaCallsPerDistinctAttempt,
          achievedRateVsLimit: load.achievedRateVsLimit,
          http429: load.http429,
          source: 'load-results.json (npm run load)',
        }
      : { note: 'no webhook run in load-results.json: run `npm run load` first' }),
    ...(loads.discovery ? { discovery: loads.discovery } : {}),
    watchModel: sweepModel,
    watchCallsPerAttempt: watchBudget,
  },
  // Lambda cost of one invocation at the deployed memory, as measured warm (a sweep run at volume
  // lasts its walking time instead: the monthly bill counts that).
  costPerInvocationUsd: Object.fromEntries(
    FUNCTIONS.map((fn) => [fn, (memorySweep[fn]?.[MEMORY_MB[fn]]?.lambdaUsdPerMillionEvents ?? 0) / 1e6]),
  ),
  monthlyUsd,
  monthlyUsdByYear,
  monthlyBill: {
    note: 'One deployment with the defaults, one webhook source, one Slack channel, one alert email (monthly-bill.ts), in its first year (monthlyUsdByYear: years 1–3): items are what the account pays before free tiers, freeTierUsd what the always-free tiers would take off if nothing else uses them. watch: the looks, waiting passes and later alerts after the first check, over watchMix; dynamodbStorage: storage and point-in-time recovery of storedGb.',
    prices: PRICES,
    standing: STANDING,
    watchMix: WATCH_MIX,
    watchUsdPerAttempt: round(watchUsdPerAttempt, 8),
    cursorItemBytes: { idle: cursorItemBytes(0), '1000': cursorItemBytes(1_000), '10000': cursorItemBytes(10_000) },
    storedGb: { idle: 0, '1000': round(storedGb(1_000), 3), '10000': round(storedGb(10_000), 3) },
    stateReads: {
      note: 'The sweep reads the states of a page’s completed attempts (COMPLETED_PER_PAGE) but those its container’s memo of quiet looks spares (bench/memo-reads.ts on the twin’s walks, the container recycled every containerHours); held to the real code at 1,000 a day in the same run (sweepLatencyRealCode: stateReadShare), whose list holds only attempts scored with nothing to review: twinAt1000 is the twin on that list, twinOff (twin ÷ real) − 1.',
      containerHours: CONTAINER_HOURS,
      completedPerPage: COMPLETED_PER_PAGE,
      byAttemptsPerDay: memoReads,
      twinAt1000: memoTwinAt1000,
      realAt1000: {
        stateReadShare: realSweepLatency.stateReadShare,
        completedPerPage: realSweepLatency.completedPerPage,
        eventualStateReadsPerPage: realSweepLatency.eventualStateReadsPerPage,
      },
      twinOff: memoTwinOff,
    },
    metricStreams: {
      note: 'Custom metric streams with the share of hours each is published in (bench/metric-hours.ts), billed by the hour; alertRates: alerts per attempt by the function that publishes them, over watchMix, with missedByTriggers of the first looks the sweep’s. Failure streams (a 429, a refused key or webhook, a Slack channel gone) publish nothing in a month without one.',
      missedByTriggers: MISSED_BY_TRIGGERS,
      alertRates: Object.fromEntries(
        Object.entries(rates).map(([fn, byType]) => [
          fn,
          Object.fromEntries(Object.entries(byType).map(([type, rate]) => [type, round(rate, 4)])),
        ]),
      ),
      failureStreams: FAILURE_STREAMS,
      ...Object.fromEntries(
        [0, 1_000, 10_000].map((perDay) => {
          const streams = metricStreamsAt(perDay);
          return [
            perDay === 0 ? 'idle' : String(perDay),
            {
              metricMonths: round(streamMonths(streams), 2),
              streams: streams.map((s) => ({ ...s, hours: round(s.hours, 3) })),
            },
          ];
        }),
      ),
    },
    alternatives: { ...ALTERNATIVES, byAttemptsPerDay: alternatives },
  },
  sweepLatencyMinutes: percentiles(sweepLatency),
  sweepLatencyFrontier,
  sweepLatencyRealCode: {
    note: 'The sweep function itself on the simulation clock and in-memory cloud at 1,000 a day (bench/sweep-latency-real.ts), the mean of three seeded days (each under seeds); twinOnTheseLists: the twin (discovery-latency.ts) on the same days, walking from the same start over the same completions; twinOff: (twin ÷ real) − 1 for each figure on those (list calls: the twin’s steady state); twinOffUnpaired: the twin’s steady state (20,000 draws) against the three days, sampling noise included. The twin gives the figures at 10,000 and 30,000 a day; validated only if twinWithin5Percent.',
    '1000': realSweepLatency,
    twinOff: todayTwinCheck.off,
    twinOffUnpaired: todayTwinCheck.unpaired,
    twinWithin5Percent: todayTwinCheck.within5Percent,
    headAcrossRuns: {
      note: 'The same at sweepBudgetShare 0.05, seed 1: the head walk takes several runs, as at 10,000 a day.',
      budgetShare: SLOW_HEAD_SHARE,
      '1000': realSweepSlowHead,
      twinOff: slowHeadTwinCheck.off,
      twinWithin5Percent: slowHeadTwinCheck.within5Percent,
    },
  },
  sweepLatencyFrontLoaded: {
    note: 'The same as sweepLatencyMinutes, sweepLatencyFrontier and sweepLatencyRealCode with the first day front-loaded (completionDelay: half of the first day within two hours of the invitation).',
    completionDelay: FRONT_LOADED_DELAY,
    minutes: percentiles(sweepLatencyFrontLoaded),
    frontier: sweepLatencyFrontLoadedFrontier,
    realCode: {
      '1000': realSweepLatencyFrontLoaded,
      twinOff: frontLoadedTwinCheck.off,
      twinOffUnpaired: frontLoadedTwinCheck.unpaired,
      twinWithin5Percent: frontLoadedTwinCheck.within5Percent,
    },
  },
  sweepLatencyByBudgetShare,
  fastTargetAt10000: { ...FAST_TARGET, frontierListCallsPerAttempt: fastTargetListCallsPerAttempt },
  sweepLatency: {
    note: 'Sweep-only discovery (no event names the attempt): minutes from completion until the walk sees it, with the default settings (bench/discovery-latency.ts). unseenShare: completions whose assignment left the horizon first (events only).',
    completionDelay: COMPLETION_DELAY,
    model: latencyModel(10_000),
    byAssignmentsPerDay: sweepLatency,
    withoutHeadWalk: sweepLatencyWithoutHead,
  },
  awsCallsPerEvent: Object.fromEntries(
    (
      [
        ['check', checkBatch10],
        ['ingest', ingestPer],
        ['notify-slack', notifyPer],
      ] as Array<[string, PerEvent]>
    ).map(([fn, p]) => [
      fn,
      Object.fromEntries(
        Object.keys(
          fn === 'check' ? warmCheck.batch10.calls : fn === 'ingest' ? warmIngest.calls : warmNotify.calls,
        ).map((action) => [action, round(p.calls(action), 2)]),
      ),
    ]),
  ),
  logBytesPerEvent: {
    check: Math.round(checkBatch10.logBytes),
    ingest: Math.round(ingestPer.logBytes),
    'notify-slack': Math.round(notifyPer.logBytes),
  },
  largestDynamoItemBytes: aws.largestItemBytes(),
  costPerMillionUsd,
  costBreakdownPerMillionUsd: costBreakdownPerMillion,
  watchCostPerMillionAttemptsUsd: {
    ...watchUsdPerMillionAttempts,
    perLookUsd: lookCost,
    perQueuePassUsd: passCost,
    note: 'On top of costPerMillionUsd (the first check). Every look is an IA call; between looks a re-check passes through check every 15 minutes (the SQS delay limit).',
  },
  waitingPassPerEvent: {
    cpuMs: round(waitingPer.cpuMs, 3),
    calls: Object.fromEntries(Object.keys(warmWaiting.calls).map((a) => [a, round(waitingPer.calls(a), 2)])),
  },
  prices,
  assumptions,
};
writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);

const COLORS = { start: '#aaaaaa', import: '#4682b4', firstEvent: '#e6963c' };
writeFileSync(
  `${root}bench/cold-start.svg`,
  barChart(
    `Cold start, median of ${COLD_RUNS} fresh Node ${process.version.split('.')[0]?.slice(1)} processes`,
    (['hello-world', ...FUNCTIONS] as Fn[]).map((fn) => {
      const phases = coldPhasesMs[fn] ?? { import: 0, firstEvent: 0 };
      return {
        label: fn,
        value: coldMs[fn],
        segments: [
          { value: Math.max(0, coldMs[fn] - phases.import - phases.firstEvent), color: COLORS.start },
          { value: phases.import, color: COLORS.import },
          { value: phases.firstEvent, color: COLORS.firstEvent },
        ],
        ...(fn === 'hello-world' ? {} : { note: `(${coldStartRatio[fn]}x)` }),
      };
    }),
    'ms',
    {
      marker: { value: coldMs['hello-world'] * 4, label: 'target 4x' },
      legend: [
        { label: 'Node start', color: COLORS.start },
        { label: 'import', color: COLORS.import },
        { label: 'first event', color: COLORS.firstEvent },
      ],
    },
  ),
);

const targets: Array<[string, string, boolean]> = [
  ...FUNCTIONS.map((fn): [string, string, boolean] => [
    `coldStartRatio.${fn}`,
    String(coldStartRatio[fn]),
    (coldStartRatio[fn] ?? 99) <= 4,
  ]),
  ...FUNCTIONS.map((fn): [string, string, boolean] => [
    `peakRssMb.${fn}`,
    String(peakRssMb[fn]),
    (peakRssMb[fn] ?? 999) <= 100,
  ]),
  ['cpuMsPerEvent (batch 10)', String(results.cpuMsPerEvent), results.cpuMsPerEvent <= 2],
  ['cpuMsPerEvent (batch 1)', String(results.cpuMsPerEventByBatchSize[1]), results.cpuMsPerEventByBatchSize[1] <= 2],
  ...(load
    ? ([
        [
          'iaCallsPerDistinctAttempt',
          String(load.iaCallsPerDistinctAttempt),
          (load.iaCallsPerDistinctAttempt ?? 9) <= 1.1,
        ],
        ['achievedRateVsLimit', String(load.achievedRateVsLimit), (load.achievedRateVsLimit ?? 0) >= 0.9],
      ] as Array<[string, string, boolean]>)
    : []),
  ['costPerMillionUsd', String(costPerMillionUsd), costPerMillionUsd <= 5],
];
process.stdout.write(
  `\nbench on ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGb} GiB, Node ${process.version}\n\n`,
);
process.stdout.write('function       cold ms   ratio   peak RSS MB   live heap MB   bundle KB\n');
for (const fn of ['hello-world', ...FUNCTIONS] as Fn[]) {
  process.stdout.write(
    `${fn.padEnd(14)} ${String(coldMs[fn]).padEnd(9)} ${String(fn === 'hello-world' ? 1 : coldStartRatio[fn]).padEnd(7)} ${String(fn === 'hello-world' ? '-' : peakRssMb[fn]).padEnd(13)} ${String(fn === 'hello-world' ? '-' : liveHeapMbAfterWarm[fn]).padEnd(14)} ${fn === 'hello-world' ? '-' : bundleKb[fn]}\n`,
  );
}
process.stdout.write(
  `(the sweep's cold start walks an empty list; a cold sweep whose first run walks the 300 assignments: ${sweepFirstRunMs} ms)\n`,
);
process.stdout.write('\ntarget                          value      met\n');
for (const [name, value, met] of targets)
  process.stdout.write(`${name.padEnd(31)} ${value.padEnd(10)} ${met ? 'yes' : 'NO'}\n`);
process.stdout.write(
  `\nthe watch through the list: ${JSON.stringify(LIST_MODEL)}\n  → ${sweepModel.pagesInHorizon} pages in the horizon, a walk every ${sweepModel.walkMinutes} min, ${sweepModel.sweepCallsPerAttempt} sweep calls per attempt\n`,
);
process.stdout.write(
  `\nsweep-only discovery latency, minutes from completion (completion delays: ${COMPLETION_DELAY.map((b) => `${Math.round(b.share * 100)} % within ${b.fromDays}-${b.toDays} d`).join(', ')})\nassignments/day   p50     p90     p99     (without the head walk: p50 / p90 / p99)   list calls/attempt\n`,
);
for (const perDay of VOLUMES) {
  const head = sweepLatency[String(perDay)] as ReturnType<typeof discoveryLatency>;
  const flat = sweepLatencyWithoutHead[String(perDay)] as ReturnType<typeof discoveryLatency>;
  process.stdout.write(
    `${String(perDay).padEnd(17)} ${String(head.p50).padEnd(7)} ${String(head.p90).padEnd(7)} ${String(head.p99).padEnd(7)} (${flat.p50} / ${flat.p90} / ${flat.p99})${' '.repeat(20)} ${head.listCallsPerAttempt}\n`,
  );
}
process.stdout.write('sweepBudgetShare at 10,000/day   list calls/attempt   p50 / p90 / p99\n');
for (const [share, l] of Object.entries(sweepLatencyByBudgetShare))
  process.stdout.write(
    `${share.padEnd(32)} ${String(l.listCallsPerAttempt).padEnd(20)} ${l.p50} / ${l.p90} / ${l.p99}\n`,
  );
process.stdout.write(
  `the sweep's state reads, a share of its looks at completed attempts (containers recycled every ${CONTAINER_HOURS} h): ${VOLUMES.map((perDay) => `${perDay}/day ${memoReads[String(perDay)]?.readShare}`).join(', ')}; the real code at 1,000/day ${realSweepLatency.stateReadShare} (${realSweepLatency.eventualStateReadsPerPage} of ${realSweepLatency.completedPerPage} a page), the twin ${memoTwinAt1000.readShare} (${memoTwinOff >= 0 ? '+' : ''}${Math.round(memoTwinOff * 1000) / 10} %)\n`,
);
process.stdout.write(
  realAgainstTwin(
    `the real code at 1,000/day, the mean of seeds ${REAL_SEEDS.join(', ')}`,
    realSweepLatency,
    todayTwinCheck,
  ),
);
process.stdout.write(
  `p90 ≤ ${FAST_TARGET.p90} min and p99 ≤ ${FAST_TARGET.p99} min at 10,000/day need ${fastTargetListCallsPerAttempt} list calls per attempt on the frontier\n`,
);
process.stdout.write(
  'the frontier at the same list calls (latency-frontier.ts)\nassignments/day   one schedule keeping our p99: p50 / p90   each alone: p50 / p90 / p99   ours ÷ frontier: p50 / p90 / p99\n',
);
for (const [perDay, f] of Object.entries(sweepLatencyFrontier))
  process.stdout.write(
    `${perDay.padEnd(17)} ${`${f.sameP99.p50} / ${f.sameP99.p90}`.padEnd(41)} ${`${f.alone.p50} / ${f.alone.p90} / ${f.alone.p99}`.padEnd(29)} ${f.ratio.p50} / ${f.ratio.p90} / ${f.ratio.p99}\n`,
  );
process.stdout.write(
  `with the first day front-loaded (${FRONT_LOADED_DELAY.map((b) => `${Math.round(b.share * 100)} % within ${round(b.fromDays, 3)}-${round(b.toDays, 3)} d`).join(', ')})\nassignments/day   p50 / p90 / p99   list calls/attempt   ours ÷ frontier: p50 / p90 / p99\n`,
);
for (const perDay of VOLUMES) {
  const l = sweepLatencyFrontLoaded[String(perDay)] as ReturnType<typeof discoveryLatency>;
  const f = sweepLatencyFrontLoadedFrontier[String(perDay)];
  process.stdout.write(
    `${String(perDay).padEnd(17)} ${`${l.p50} / ${l.p90} / ${l.p99}`.padEnd(17)} ${String(l.listCallsPerAttempt).padEnd(20)} ${f?.ratio.p50} / ${f?.ratio.p90} / ${f?.ratio.p99}\n`,
  );
}
process.stdout.write(
  realAgainstTwin(
    `the real code at 1,000/day, front-loaded, the mean of seeds ${REAL_SEEDS.join(', ')}`,
    realSweepLatencyFrontLoaded,
    frontLoadedTwinCheck,
  ),
);
process.stdout.write(
  realAgainstTwin(
    `the real code at 1,000/day with sweepBudgetShare ${SLOW_HEAD_SHARE} (the head over several runs), seed 1`,
    realSweepSlowHead,
    slowHeadTwinCheck,
  ),
);
process.stdout.write(
  "an attempt's whole watch (default settings)   IA calls (own + walk share)   attempts/day the key carries   list looks   15-min passes   AWS $ per M attempts\n",
);
for (const [name, cost] of Object.entries(watchBudget)) {
  process.stdout.write(
    `${name.padEnd(45)} ${`${cost.iaCalls} (${cost.ownLooks} + ${sweepModel.sweepCallsPerAttempt})`.padEnd(29)} ${String(cost.attemptsPerDayAtOneRps).padEnd(30)} ${String(cost.listLooks).padEnd(12)} ${String(cost.queuePasses).padEnd(15)} ${watchUsdPerMillionAttempts[name]}\n`,
  );
}
process.stdout.write(`\nmemory    ${FUNCTIONS.map((fn) => `${fn} peak RSS / Lambda $ per M`.padEnd(38)).join('')}\n`);
for (const memoryMb of SWEEP_MB) {
  process.stdout.write(
    `${`${memoryMb} MB`.padEnd(9)} ${FUNCTIONS.map((fn) => `${memorySweep[fn]?.[memoryMb]?.peakRssMb} MB / $${memorySweep[fn]?.[memoryMb]?.lambdaUsdPerMillionEvents}${memoryMb === MEMORY_MB[fn] ? ' (configured)' : ''}`.padEnd(38)).join('')}\n`,
  );
}
process.stdout.write(
  `\ncost per million attempts: $${costPerMillionUsd} (${JSON.stringify(costBreakdownPerMillion)})\n`,
);
process.stdout.write('\nmonthly bill (defaults; before free tiers)     idle      1,000/day   10,000/day\n');
for (const item of Object.keys(monthlyUsd.idle.items)) {
  const of = (bill: ReturnType<typeof monthlyBill>) => `$${bill.items[item]}`;
  process.stdout.write(
    `${item.padEnd(45)} ${of(monthlyUsd.idle).padEnd(9)} ${of(monthlyUsd['1000']).padEnd(11)} ${of(monthlyUsd['10000'])}\n`,
  );
}
process.stdout.write(
  `${'total'.padEnd(45)} $${monthlyUsd.idle.total.toString().padEnd(8)} $${monthlyUsd['1000'].total.toString().padEnd(10)} $${monthlyUsd['10000'].total}\n`,
);
for (const year of [2, 3])
  process.stdout.write(
    `${`total in year ${year}`.padEnd(45)} $${String(monthlyUsdByYear.idle[year - 1]).padEnd(8)} $${String(monthlyUsdByYear['1000'][year - 1]).padEnd(10)} $${monthlyUsdByYear['10000'][year - 1]}\n`,
  );
process.stdout.write('written: bench/results.json, bench/cold-start.svg\n');
await ia.stop();
await emptyIa.stop();
await slack.stop();
aws.server.close();
process.exit(0);
