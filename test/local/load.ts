/**
 * `npm run load`: 1,000 webhook events, 30 % of them duplicates, through the local pipeline
 * (HTTP → ingest → checks queue → concurrent check processes → SNS) against the fake IA with a
 * scaled-up rate limit. Writes load-results.json and prints the same figures as a table.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { dynamoStateStore, isMissing } from '#lib/attempt-state.js';
import { signRequest } from '#lib/webhooks/sign.js';
import { FakeIaServer } from '../support/fake-ia-server.js';
import { defaultAssignments, defaultAttempts, freshAttempt, type VARIANTS } from '../support/ia-fixtures.js';
import { startHttpApi, type HttpHandler } from '../support/local/http-api.js';
import { localSources } from '../support/local/sources.js';
import { drain } from '../support/local/sqs-poller.js';
import { motoEnvironment, startMoto } from '../support/moto.js';
import { awsClients, checkEnvironment, ingestEnvironment, provision } from '../support/provision.js';

const EVENTS = Number(process.env.LOAD_EVENTS ?? 1000);
const DUPLICATE_SHARE = 0.3;
// What this machine's emulated AWS (moto, one Python process) can keep busy; raise it on a bigger one.
const RATE = Number(process.env.LOAD_IA_RATE ?? 2);
const WORKERS = Number(process.env.LOAD_WORKERS ?? 2);
const WARM_UP_MS = 2_000;

const distinct = Math.round(EVENTS * (1 - DUPLICATE_SHARE));
const moto = await startMoto();
const apiKey = `load-${randomBytes(6).toString('hex')}`;
const ia = new FakeIaServer({ apiKeys: [apiKey], ratePerSecond: RATE, attempts: defaultAttempts(), assignments: defaultAssignments() });
const iaUrl = await ia.start();
const sources = localSources().filter((s) => s.name === 'webhooks');
const resources = await provision({ endpoint: moto.endpoint, prefix: 'load', apiKey, sources, visibilityTimeoutSeconds: 30 });
const environment = {
  ...motoEnvironment(moto.endpoint),
  ...checkEnvironment(resources, iaUrl),
  ...ingestEnvironment(resources),
  IA_RATE_PER_SECOND: String(RATE),
  // Re-checks of still-scoring attempts are the watch's job, not the events'; keep them out of the run.
  RECHECK_FIRST_DELAY_SECONDS: '900',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};
Object.assign(process.env, environment);
const { handler: ingest } = (await import('../../functions/ingest/handler.js')) as unknown as { handler: HttpHandler };
const api = await startHttpApi(ingest);
const { sqs, dynamodb } = awsClients(moto.endpoint);

// Attempts: most need review, some are scored, some still scoring, a few do not exist (→ DLQ).
const mix: Array<[keyof typeof VARIANTS | 'missing', number]> = [['reviewNeeded', 0.6], ['scored', 0.25], ['scoringPending', 0.1], ['missing', 0.05]];
const attempts = Array.from({ length: distinct }, (_, i) => {
  let r = (i + 0.5) / distinct;
  const kind = mix.find(([, share]) => (r -= share) < 0)?.[0] ?? 'scored';
  return kind === 'missing' ? `missing-${i}` : freshAttempt(ia, kind);
});

// Events: one per attempt, then duplicates: half exact redeliveries, half new events for the same attempt.
const secret = sources[0]?.secretValue as string;
const firsts = attempts.map((attemptId) => signRequest('standard-webhooks', JSON.stringify({ type: 'attempt.completed', data: { attemptId } }), secret));
const duplicates = Array.from({ length: EVENTS - distinct }, (_, i) => {
  const original = firsts[(i * 7) % firsts.length] as (typeof firsts)[number];
  return i % 2 === 0 ? original : signRequest('standard-webhooks', original.body, secret);
});
const events = [...firsts, ...duplicates].sort(() => Math.random() - 0.5);

const workers: ChildProcess[] = [];
const workerPath = fileURLToPath(new URL('./check-worker.ts', import.meta.url));
for (let i = 0; i < WORKERS; i++) {
  const child = fork(workerPath, { env: { ...process.env, ...environment }, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  workers.push(child);
}

const started = Date.now();
ia.reset();
let accepted = 0;
for (let i = 0; i < events.length; i += 25) {
  const answers = await Promise.all(
    events.slice(i, i + 25).map((event) =>
      fetch(`${api.url}/events/webhooks`, { method: 'POST', headers: event.headers, body: event.body }).then((r) => r.status),
    ),
  );
  accepted += answers.filter((status) => status === 202).length;
}

const queueBusy = async () => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: resources.checksQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
};
const deadline = Date.now() + 10 * 60_000;
while ((await queueBusy()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
const elapsedMs = Date.now() - started;
for (const worker of workers) worker.kill('SIGTERM');

const notifications = (await drain(sqs, resources.allAlertsInboxUrl)).map((m) => JSON.parse(m.Body ?? '{}') as { attemptId: string; eventType: string });
const dlq = (await drain(sqs, resources.deadLetterQueueUrl)).map((m) => JSON.parse(m.Body ?? '{}') as { attemptId?: string });
const perKey = new Map<string, number>();
for (const n of notifications) perKey.set(`${n.attemptId}:${n.eventType}`, (perKey.get(`${n.attemptId}:${n.eventType}`) ?? 0) + 1);
const duplicateNotifications = [...perKey.values()].reduce((sum, count) => sum + count - 1, 0);

const states = dynamoStateStore(dynamodb, resources.stateTableName);
const notified = new Set(notifications.map((n) => n.attemptId));
const deadLettered = new Set(dlq.map((d) => d.attemptId));
let lost = 0;
for (const attemptId of attempts) {
  if (notified.has(attemptId) || deadLettered.has(attemptId)) continue;
  const state = await states.get(attemptId);
  // A recorded "no action needed (yet)" decision: watched with a scheduled re-check, or closed.
  if (!(state && !isMissing(state) && (state.nextCheckAt || state.closedAt))) lost += 1;
}

const calls = ia.requests.filter((r) => r.authorized);
const iaCalls = calls.length;
const firstCall = Math.min(...calls.map((r) => r.at));
// The rate is measured while there was a backlog: until every attempt had its first call. The
// tail after it (re-checks, parked retries) runs below the limit by design.
const firstCallOf = new Map<string, number>();
for (const r of calls) if (r.id && !firstCallOf.has(r.id)) firstCallOf.set(r.id, r.at);
const saturatedUntil = Math.max(...firstCallOf.values());
const saturatedCalls = calls.filter((r) => r.at <= saturatedUntil).length;
const achievedRate = saturatedCalls > 1 ? (saturatedCalls - 1) / ((saturatedUntil - firstCall) / 1000) : 0;
const results = {
  eventsIn: events.length,
  webhooksAccepted: accepted,
  distinctAttempts: distinct,
  notificationsOut: notifications.length,
  duplicateNotifications,
  lost,
  dlq: dlq.length,
  iaCalls,
  iaCallsPerDistinctAttempt: Number((iaCalls / distinct).toFixed(3)),
  http429: calls.filter((r) => r.status === 429).length,
  http429AfterWarmUp: calls.filter((r) => r.status === 429 && r.at - firstCall > WARM_UP_MS).length,
  iaRateLimitPerSecond: RATE,
  achievedIaRatePerSecond: Number(achievedRate.toFixed(2)),
  achievedRateVsLimit: Number((achievedRate / RATE).toFixed(3)),
  checkWorkers: WORKERS,
  elapsedSeconds: Number((elapsedMs / 1000).toFixed(1)),
};
if (process.env.LOAD_DEBUG) {
  process.stdout.write(`unexpected DLQ: ${JSON.stringify(dlq.filter((d) => !d.attemptId?.startsWith('missing-')))}\n`);
  process.stdout.write(`429 at ms: ${JSON.stringify(calls.filter((r) => r.status === 429).map((r) => [r.at - firstCall, r.id]))}\n`);
  const byId = new Map<string, number>();
  for (const r of calls) byId.set(r.id ?? '', (byId.get(r.id ?? '') ?? 0) + 1);
  process.stdout.write(`ids called > 1: ${JSON.stringify([...byId].filter(([, n]) => n > 1).slice(0, 20))}\n`);
}
writeFileSync('load-results.json', `${JSON.stringify(results, null, 2)}\n`);
const targets: Partial<Record<keyof typeof results, (v: number) => boolean>> = {
  duplicateNotifications: (v) => v === 0,
  lost: (v) => v === 0,
  iaCallsPerDistinctAttempt: (v) => v <= 1.1,
  achievedRateVsLimit: (v) => v >= 0.9,
  http429AfterWarmUp: (v) => v === 0,
};
process.stdout.write('\nmetric                      value     target\n');
for (const [key, value] of Object.entries(results)) {
  const check = targets[key as keyof typeof results];
  process.stdout.write(`${key.padEnd(27)} ${String(value).padEnd(9)} ${check ? (check(value) ? 'met' : 'MISSED') : ''}\n`);
}
process.stdout.write('\nwritten to load-results.json\n');
await api.stop();
await ia.stop();
await moto.stop();
process.exit(0);
