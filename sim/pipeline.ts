/**
 * The pipeline in the simulated world: the real domain code of ingest, check, the sweep and the
 * CLI's IA commands, wired to the in-memory ports and the model of IA, driven by virtual time.
 * Only the wiring here is the simulation's; every decision is the functions' own.
 */

import type { SQSRecord } from 'aws-lambda';
import { accountRouter, DEFAULT_ACCOUNT, scopeToAccount } from '#lib/domain/accounts.js';
import { walkAssignments } from '#lib/domain/assignment-walk.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { pacedIntervalMs, SWEEP_DEFAULTS } from '#lib/domain/defaults.js';
import { DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import { createPacer, createSharedPacer, keyPacer, type Pacer } from '#lib/domain/pacing.js';
import { redriveMaxReceiveCount } from '#lib/domain/record-disposition.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import type { Source } from '#lib/domain/webhooks/sources.js';
import { createRecordHandler } from '../functions/check/record-handler.js';
import { ingestRequest } from '../functions/ingest/ingest-request.js';
import { runSweep } from '../functions/sweep/sweep-run.js';
import { IaModel, TIME } from './ia-model.js';
import {
  Crash,
  Invocation,
  MemoryCursor,
  MemoryDedupe,
  MemoryIdempotency,
  MemorySlots,
  MemoryStates,
  MemoryTopic,
  SimQueue,
} from './memory-aws.js';
import { Random } from './random.js';
import { VirtualTime } from './virtual-time.js';

export interface SimOptions {
  seed: number;
  days: number;
  assignmentsPerDay: number;
  /** Chance that a process dies before any one of its writes. */
  crashRate?: number;
  /** IA accounts, each its own model of IA (the same ids in each), key, sweep and webhook source. @default 1 */
  accounts?: number;
}

export interface Delivery {
  eventId: string;
  /** The IA account whose source the event went to. */
  account: string;
  at: number;
  attemptId?: string;
  assignmentId?: string;
  /** Whether the payload names an id at all (a signed event of a kind we do not map has none). */
  statuses: number[];
  bodies: Array<Record<string, unknown>>;
}

const START = Date.UTC(2026, 0, 5, 6, 0, 0);
const SOURCE: Source = {
  name: 'ats',
  kind: 'standard-webhooks',
  secretName: 'sim/ats',
  attemptIdPath: 'data.attemptId',
  assignmentIdPath: 'data.assignmentId',
};
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** Standard Webhooks' own retry schedule after a failed delivery. */
const SENDER_RETRIES_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const IA_KEY = 'ia-key#sim';
const ACCOUNT_NAMES = ['agency-a', 'agency-b', 'agency-c'];
const CHECK_TIMEOUT_MS = 60_000;
const CHECK_CONCURRENCY = 2;
const INGEST_TIMEOUT_MS = 10_000;
const SWEEP_PAGE_SIZE = 20;
/** The checks queue as the stack configures it. */
export const CHECKS_QUEUE = { visibilitySeconds: 360, maxReceiveCount: redriveMaxReceiveCount() };

export type World = Awaited<ReturnType<typeof buildWorld>>;

export const buildWorld = (options: SimOptions) => {
  const time = new VirtualTime(START);
  const world = new Random(options.seed);
  const faults = new Random(options.seed * 7919 + 17);
  const end = START + options.days * TIME.DAY;
  const crashRate = options.crashRate ?? 0.002;
  const trace: string[] = [];
  const log = (line: string) => {
    trace.push(`${new Date(time.now()).toISOString()} ${line}`);
    if (trace.length > 20_000) trace.splice(0, 10_000);
  };
  const labelled = (options.accounts ?? 1) > 1;
  /** Each account: its own IA (ids collide across accounts on purpose), key, cursor, source and seeded streams. */
  const accounts = Array.from({ length: options.accounts ?? 1 }, (_, i) => {
    const rng = i === 0 ? world : new Random(options.seed * 104_729 + i);
    const rngFaults = i === 0 ? faults : new Random(options.seed * 7919 + 17 + i * 31);
    const name = labelled ? (ACCOUNT_NAMES[i] as string) : DEFAULT_ACCOUNT;
    return {
      name,
      rng,
      ia: new IaModel(rng, rngFaults, time, START, { assignmentsPerDay: options.assignmentsPerDay, end }, log),
      key: i === 0 ? IA_KEY : `${IA_KEY}-${name}`,
      cursor: new MemoryCursor(),
      source: labelled ? { ...SOURCE, name: `ats-${name}`, account: name } : SOURCE,
    };
  });
  type Account = (typeof accounts)[number];
  const ia = (accounts[0] as Account).ia;
  const counters = new Map<string, number>();
  const count = (metric: string, value = 1) => counters.set(metric, (counters.get(metric) ?? 0) + value);
  const logger = (who: string) => ({
    info: (message: string, extra: Record<string, unknown> = {}) => log(`${who} ${message} ${brief(extra)}`),
    warn: (message: string, extra: Record<string, unknown> = {}) => log(`${who} WARN ${message} ${brief(extra)}`),
    error: (message: string, extra: Record<string, unknown> = {}) => log(`${who} ERROR ${message} ${brief(extra)}`),
  });

  const dlq = new SimQueue('checks-dlq', time, 30);
  const checks = new SimQueue('checks', time, CHECKS_QUEUE.visibilitySeconds, {
    deadLetters: dlq,
    maxReceiveCount: CHECKS_QUEUE.maxReceiveCount,
  });
  const states = new MemoryStates(time, log);
  const cursor = (accounts[0] as Account).cursor;
  const dedupe = new MemoryDedupe(time);
  const slots = new MemorySlots();
  const topic = new MemoryTopic(time, log);
  const idempotency = new MemoryIdempotency(time, topic);
  const render = { includeCandidateEmail: false, attemptUrlTemplate: 'https://app.example/attempts/{attemptId}' };
  // Escalation on, between the first and second reminder, so both paths run in every seed.
  const watch = { ...DEFAULT_WATCH, escalateAfterSeconds: 30 * 3600 };
  const intervalMs = pacedIntervalMs(1);
  const crashes: string[] = [];
  const invocation = (name: string, timeoutMs: number) =>
    new Invocation(name, time, faults, time.now() + timeoutMs, crashRate, (where) => {
      crashes.push(`${name} before ${where}`);
      log(`CRASH ${name} before ${where}`);
    });
  const sharedPacer = (inv: Invocation, account: Account, maxWaitMs?: number): Pacer =>
    createSharedPacer(slots.for(inv), {
      key: account.key,
      intervalMs,
      clock: time,
      ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
    });

  // --- check ------------------------------------------------------------------------------------
  let running = 0;
  const invokeCheck = async (records: SQSRecord[]) => {
    const inv = invocation('check', CHECK_TIMEOUT_MS);
    const held: Array<{ message: CheckMessage; delaySeconds: number; forRecord: string }> = [];
    const base = {
      states: states.for(inv),
      publishOnce: idempotency.for(inv),
      schedule: (message: CheckMessage, delaySeconds: number, forRecord: string) =>
        held.push({ message, delaySeconds, forRecord }),
      now: () => time.date(),
      render,
      watch,
      minRecheckIntervalSeconds: 300,
      notFoundMemorySeconds: 600,
      count,
    };
    // Each account's client on its own key's schedule, its states and alerts kept apart.
    const forAccount = accountRouter(
      { list: accounts.map((a) => ({ name: a.name, apiKeySecret: a.key, ratePerSecond: 1 })), labelled },
      (entry) => {
        const account = accounts.find((a) => a.name === entry.name) as Account;
        return {
          ...scopeToAccount(base, account.name, labelled),
          ia: account.ia.client('check', sharedPacer(inv, account), inv.alive),
        };
      },
    );
    const handle = createRecordHandler({
      ...forAccount(undefined),
      forAccount,
      deadLetter: async (body, reason) => {
        inv.write('dead-lettering');
        dlq.send(body, 0, {
          failureCode: reason.code,
          failureReason: reason.message,
          ...(reason.attemptId ? { attemptId: reason.attemptId } : {}),
        });
      },
      delay: async (record, seconds) => {
        inv.write('delaying a record');
        checks.changeVisibility(record.receiptHandle, seconds);
      },
      log: logger('check'),
      minRemainingMs: 22_000,
    });
    const succeeded: SQSRecord[] = [];
    for (const record of records) {
      try {
        await handle(record, { remainingMs: () => inv.remainingMs() });
        succeeded.push(record);
      } catch (error) {
        if (inv.crashed || error instanceof Crash) {
          log(`check died (${inv.crashedAt ?? 'timeout'}); its batch comes back after the visibility timeout`);
          return;
        }
      }
    }
    const ok = new Set(succeeded.map((r) => r.messageId));
    try {
      for (const entry of held.filter((e) => ok.has(e.forRecord))) {
        inv.write('sending a re-check');
        checks.send(JSON.stringify(entry.message), entry.delaySeconds);
      }
    } catch {
      log(`check died (${inv.crashedAt ?? 'timeout'}) sending re-checks`);
      return;
    }
    // Lambda's event source mapping deletes what the batch response did not name.
    for (const record of succeeded) checks.delete(record.receiptHandle);
  };
  const pollChecks = async () => {
    if (running >= CHECK_CONCURRENCY) return;
    const records = checks.receive(10);
    if (records.length === 0) return;
    running += 1;
    try {
      await invokeCheck(records);
    } finally {
      running -= 1;
      time.spawn(time.now(), 'check poll', pollChecks);
    }
  };
  checks.onVisible = (at) => time.spawn(at, 'check poll', pollChecks);

  // --- sweep ------------------------------------------------------------------------------------
  const sweepIntervalMs = SWEEP_DEFAULTS.intervalMinutes * TIME.MINUTE;
  const sweepOwnPacers = new Map(
    accounts.map((a) => [a.name, createPacer(Math.ceil(intervalMs / SWEEP_DEFAULTS.budgetShare), time)]),
  );
  let sweepRuns = 0;
  const invokeSweep = async (account: Account) => {
    sweepRuns += 1;
    const inv = invocation('sweep', sweepIntervalMs + 30_000);
    const shared = sharedPacer(inv, account, 50 + 2 * intervalMs);
    const sweepOwnPacer = sweepOwnPacers.get(account.name) as Pacer;
    const held: Array<{ message: CheckMessage; delaySeconds: number }> = [];
    // Now and then a run gets little time (a slow start, a long page): walks stop half-way.
    const runSeconds = faults.chance(0.15) ? faults.int(3, 40) : Math.floor((sweepIntervalMs / 1000) * 0.9) - 5;
    const scoped = scopeToAccount(
      {
        states: states.for(inv),
        publishOnce: idempotency.for(inv),
        schedule: (message: CheckMessage, delaySeconds: number) => held.push({ message, delaySeconds }),
        render,
        watch,
        count,
      },
      account.name,
      labelled,
    );
    const report = await runSweep({
      ...scoped,
      ia: account.ia.client(
        'sweep',
        async () => {
          await sweepOwnPacer();
          await shared();
        },
        inv.alive,
      ),
      cursors: account.cursor.for(inv, `run-${sweepRuns}`),
      flush: async () => {
        for (const entry of held.splice(0)) {
          inv.write('sending a sweep re-check');
          checks.send(JSON.stringify(entry.message), entry.delaySeconds);
        }
      },
      now: () => time.date(),
      settings: {
        horizonDays: SWEEP_DEFAULTS.horizonDays,
        headDays: SWEEP_DEFAULTS.headDays,
        headShare: SWEEP_DEFAULTS.headShare,
        fullWalkEverySeconds: SWEEP_DEFAULTS.fullWalkEveryMinutes * 60,
        pageSize: SWEEP_PAGE_SIZE,
        runSeconds,
      },
      awaiting: async () => ({ count: states.awaiting().length }),
      log: logger('sweep'),
    }).catch((error: unknown) => {
      if (error instanceof Crash || inv.crashed) return undefined;
      throw error;
    });
    log(
      `sweep run ${sweepRuns}${labelled ? ` (${account.name})` : ''}: ${report ? `${report.status}, ${report.pages} pages, ${report.published} published` : 'died'}`,
    );
  };
  const scheduleSweeps = (from: number) => {
    for (let t = from; t < end; t += sweepIntervalMs) {
      // One run walks every account (functions/sweep/handler.ts), each on its own key.
      for (const account of accounts) time.spawn(t, 'sweep', () => invokeSweep(account));
      // EventBridge delivers at least once: now and then the same schedule runs twice at once.
      if (faults.chance(0.02)) {
        const again = t + faults.int(0, 5_000);
        for (const account of accounts) time.spawn(again, 'sweep (twice)', () => invokeSweep(account));
      }
    }
  };

  // --- ingest and the senders -------------------------------------------------------------------
  const deliveries: Delivery[] = [];
  const ingestDeps = (inv: Invocation) => ({
    sources: new Map(accounts.map((a) => [a.source.name, a.source])),
    secretFor: async () => SECRET,
    ...dedupe.for(inv),
    enqueue: async (messages: CheckMessage[]) => {
      inv.write('enqueueing');
      for (const message of messages) checks.send(JSON.stringify(message));
    },
    now: () => time.date(),
    referenceDedupeSeconds: 300,
  });
  let eventSeq = 0;
  const deliver = async (
    account: Account,
    payload: Record<string, unknown>,
    reference: { attemptId?: string; assignmentId?: string },
  ) => {
    eventSeq += 1;
    const delivery: Delivery = {
      eventId: `msg_sim${eventSeq}`,
      account: account.name,
      at: time.now(),
      ...reference,
      statuses: [],
      bodies: [],
    };
    deliveries.push(delivery);
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      const inv = invocation('ingest', INGEST_TIMEOUT_MS);
      const signed = signRequest('standard-webhooks', body, SECRET, time.date(), delivery.eventId);
      let status: number;
      try {
        const answer = await ingestRequest(
          { sourceName: account.source.name, headers: signed.headers, query: {}, rawBody: signed.body },
          ingestDeps(inv),
        );
        status = answer.statusCode;
        delivery.bodies.push(answer.body);
      } catch (error) {
        status = inv.crashed || error instanceof Crash ? 502 : 503;
      }
      delivery.statuses.push(status);
      log(`webhook ${delivery.eventId} ${brief(reference)} answered ${status}`);
      const wait = SENDER_RETRIES_MS[attempt];
      if (status < 500 || wait === undefined) return;
      await time.sleep(wait);
    }
  };
  const announce = (account: Account, assignmentId: string) => {
    const { ia, rng: world } = account;
    const assignment = ia.assignments.find((a) => a.id === assignmentId);
    const attempt = assignment?.attempts[0];
    if (!assignment || !attempt) return;
    // Some ATSs fire when the candidate starts (a stage change naming the assignment).
    if (world.chance(0.1)) {
      const reference = { assignmentId };
      time.spawn(attempt.startedAt + world.exponential(TIME.MINUTE), 'webhook (started)', () =>
        deliver(account, { type: 'assessment.started', data: reference }, reference),
      );
    }
    if (attempt.completeAt === undefined) return;
    const r = world.next();
    if (r > 0.7) return; // nobody tells us: the sweep must find it
    const byAssignment = r > 0.55;
    const late = world.next();
    const delay =
      late < 0.7
        ? world.exponential(TIME.MINUTE)
        : late < 0.95
          ? world.exponential(TIME.HOUR)
          : world.exponential(12 * TIME.HOUR);
    const reference = byAssignment ? { assignmentId } : { attemptId: attempt.id };
    const payload = { type: 'assessment.completed', data: reference };
    time.spawn(attempt.completeAt + delay, 'webhook', () => deliver(account, payload, reference));
    if (world.chance(0.1))
      time.spawn(attempt.completeAt + delay + world.exponential(TIME.HOUR), 'webhook (again)', () =>
        deliver(account, payload, reference),
      );
  };
  const scheduleAssignments = () => {
    for (const account of accounts) {
      for (let t = account.ia.nextCreation(START); t < end; t = account.ia.nextCreation(t)) {
        const at = t;
        time.spawn(at, 'create assignment', () => announce(account, account.ia.createAssignment(at).id));
      }
    }
    const first = accounts[0] as Account;
    // Signed events of kinds we do not map (a test ping, a stage change): no attempt, no assignment.
    for (let t = START + world.exponential(TIME.DAY); t < end; t += world.exponential(TIME.DAY)) {
      time.spawn(t, 'webhook (other kind)', () =>
        deliver(first, { type: 'candidate.stage_changed', data: { stage: 'x' } }, {}),
      );
    }
  };

  // --- the CLI, run by an operator with the production key while the stack is live -------------
  const cliRuns: Array<{ at: number; command: string }> = [];
  const operator = async () => {
    const inv = invocation('cli', TIME.HOUR);
    // As `check`/`sweep --stack <name>` do (cli/ia-pacing.ts): on the deployed key's schedule.
    const pace = keyPacer({
      intervalMs,
      shared: { store: slots.for(inv), key: (accounts[0] as Account).key, maxWaitMs: 10 * TIME.MINUTE },
      clock: time,
    });
    const client = ia.client('cli', pace, inv.alive);
    cliRuns.push({ at: time.now(), command: 'sweep --days 30' });
    await walkAssignments(
      client,
      { page: 1, per: 100 },
      { requestedPer: 100, horizonDays: 30, now: time.date() },
      async () => undefined,
    ).catch((error: unknown) => log(`cli sweep failed: ${(error as Error).message}`));
  };
  const scheduleOperator = () => {
    // While the stack is live: a few seconds into one of the sweep's walks.
    for (let t = START + world.exponential(2 * TIME.DAY); t < end; t += world.exponential(2 * TIME.DAY)) {
      const walkStart = START + 30_000 + Math.ceil((t - START) / sweepIntervalMs) * sweepIntervalMs;
      time.spawn(walkStart + world.between(0, 20_000), 'cli', operator);
    }
  };

  return {
    options,
    start: START,
    end,
    time,
    ia,
    accounts,
    labelled,
    checks,
    dlq,
    states,
    cursor,
    dedupe,
    topic,
    idempotency,
    deliveries,
    cliRuns,
    crashes,
    counters,
    trace,
    watch,
    sweepIntervalMs,
    run: async (onTick?: () => void) => {
      scheduleAssignments();
      scheduleSweeps(START + 30_000);
      scheduleOperator();
      await time.runUntil(end, onTick);
    },
  };
};

const brief = (extra: Record<string, unknown>) => {
  const text = JSON.stringify(extra);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};
