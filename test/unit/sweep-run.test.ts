/**
 * The sweep's runs over days, through its real adapters on the simulation's in-memory cloud and a
 * list with real ETags: what a 304 may stand for.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { countAwaiting } from '#lib/adapters/awaiting-review.js';
import { createAlertPublisher, createIdempotency } from '#lib/adapters/publish-once.js';
import { CURSOR_KEY, dynamoCursorStore } from '#lib/adapters/sweep-cursor.js';
import { parseAssignmentPage } from '#lib/domain/attempt-schema.js';
import { RateLimitedError } from '#lib/domain/errors.js';
import { type IaClient, NOT_MODIFIED } from '#lib/domain/ia.js';
import { AWAITING_INDEX, DEFAULT_WATCH } from '#lib/domain/lifecycle.js';
import type { Notification } from '#lib/domain/notification.js';
import { quietMemo } from '#lib/domain/quiet-memo.js';
import type { SweepCursor } from '#lib/domain/sweep-cursor.js';
import { runSweep } from '../../functions/sweep/sweep-run.js';
import { listedAssignment } from '../../local/ia-fixtures.js';
import { MemoryCloud } from '../../sim/aws/cloud.js';
import { memoryRequestHandler } from '../../sim/aws/wire.js';
import { VirtualTime } from '../../sim/virtual-time.js';

const HOUR = 3_600_000;

/**
 * Assignments (nine by default, a minute apart), three a page, each with an attempt waiting for a
 * review; ETags from content. The head of the list covers the horizon unless `headDays` is given.
 */
const world = ({ count = 9, spacingMs = 60_000, headDays = 30, fullWalkEverySeconds = 0 } = {}) => {
  const time = new VirtualTime(Date.parse('2026-11-02T09:00:00Z'));
  const created = time.now() - HOUR;
  /** While set, every list request finds the key booked ahead (triggered checks come first). */
  const key = { bookedAhead: false };
  const items = Array.from({ length: count }, (_, i) =>
    listedAssignment(`asg-${i}`, new Date(created - i * spacingMs), [
      { id: `att-${i}`, pendingReviewCount: 1, scoringCompleted: false },
    ]),
  );
  const ia: IaClient = {
    getAttempt: () => Promise.reject(new Error('not used')),
    getAttemptIfChanged: () => Promise.reject(new Error('not used')),
    getAssignment: () => Promise.reject(new Error('not used')),
    listAssignments: async (page, per, options = {}) => {
      if (key.bookedAhead) throw new RateLimitedError(2, 'the rate budget is booked ahead');
      await time.sleep(1000);
      const results = items.slice((page - 1) * 3, page * 3);
      const body = {
        meta: { total_count: items.length, count: results.length, pages: Math.ceil(items.length / 3) },
        results,
      };
      const etag = `"${Buffer.from(JSON.stringify(body)).toString('base64').slice(-24)}${per}"`;
      if (options.etag === etag) return NOT_MODIFIED;
      return { value: parseAssignmentPage(body), etag };
    },
  };
  const cloud = new MemoryCloud({
    now: () => time.now(),
    later: (ms, task) => time.spawn(time.now() + ms, 'delivery', task),
  });
  cloud.createTable({
    name: 'state',
    hashKey: 'attemptId',
    indexes: [{ name: AWAITING_INDEX, hashKey: 'awaiting', rangeKey: 'awaitingSince' }],
  });
  cloud.createTable({ name: 'idempotency', hashKey: 'id', indexes: [] });
  const topicArn = cloud.createTopic('alerts');
  const client = {
    region: 'us-east-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
    requestHandler: memoryRequestHandler(cloud),
  };
  const dynamodb = new DynamoDBClient(client);
  const publishOnce = createAlertPublisher(
    createIdempotency({ dynamodb, tableName: 'idempotency', expiresAfterSeconds: 3600 }),
    new SNSClient(client),
    { alertsTopicArn: topicArn },
  );
  const states = dynamoStateStore(dynamodb, 'state', () => time.date());
  let run = 0;
  // One warm container's: every run remembers the quiet looks of the ones before.
  const memo = quietMemo();
  const sweep = async (runSeconds: number) => {
    run += 1;
    return runSweep({
      ia,
      states,
      cursors: dynamoCursorStore(dynamodb, 'state', `run-${run}`),
      memo,
      publishOnce,
      schedule: () => undefined,
      flush: async () => undefined,
      now: () => time.date(),
      render: { includeCandidateEmail: false },
      watch: DEFAULT_WATCH,
      settings: {
        horizonDays: 30,
        headDays,
        headShare: 0.5,
        fullWalkEverySeconds,
        pageSize: 3,
        runSeconds,
        pagesPerRun: 1_000,
        graceSeconds: 3600,
      },
      count: () => undefined,
      awaiting: () => countAwaiting(dynamodb, 'state'),
      log: { info: () => undefined, warn: () => undefined },
    });
  };
  /** Runs a sweep at `at` on the virtual clock. */
  const sweepAt = async (at: number, runSeconds = 300) => {
    let report: Awaited<ReturnType<typeof sweep>> | undefined;
    time.spawn(at, 'sweep', async () => {
      report = await sweep(runSeconds);
    });
    await time.runUntil(at + 600_000);
    return report;
  };
  const notifications = () =>
    cloud
      .topic(topicArn)
      .published.map((p) => JSON.parse((JSON.parse(p.message) as { default: string }).default) as Notification);
  const published = (eventType: string) =>
    notifications()
      .filter((n) => n.eventType === eventType)
      .map((n) => ('attemptId' in n ? n.attemptId : ''));
  const reminders = () => notifications().filter((n) => n.eventType === 'review.overdue');
  /** Where the sweep's cursor stands, as the state table holds it. */
  const cursor = {
    get current(): SweepCursor {
      const item = cloud.tables.get('state')?.items.get(JSON.stringify({ S: CURSOR_KEY }));
      return (item ? unmarshall(item as never) : { nextPage: 1 }) as SweepCursor;
    },
  };
  /** A new assignment at the head of the list: every item moves one place back. */
  const newAssignment = () =>
    items.unshift(
      listedAssignment('asg-new', time.date(), [{ id: 'att-new', pendingReviewCount: 1, scoringCompleted: false }]),
    );
  return { time, sweepAt, reminders, newAssignment, published, key, cursor, states };
};

describe('runSweep over days', () => {
  // The SDK loads parts of itself on its first call: done before virtual time, which waits for no real I/O.
  beforeAll(async () => {
    await world().states.get('warm-up');
  });

  it('never lets a kept ETag hide a page whose attempts it resumed past (reminders still come)', async () => {
    const { time, sweepAt, reminders, newAssignment } = world();
    const start = time.now();
    // The first run has time for two pages only; then the list moves, and the next run, resumed a
    // page early, gets page 2 whole (new ETag) but passes over its items (behind the boundary).
    expect((await sweepAt(start, 2))?.status).toBe('stopped');
    newAssignment();
    expect((await sweepAt(start + 300_000))?.status).toBe('full-walk');
    // A day later, every waiting review is overdue, whatever page it is on.
    for (let hour = 1; hour <= 26; hour++) await sweepAt(start + hour * HOUR);
    expect(
      reminders()
        .map((alert) => ('attemptId' in alert ? alert.attemptId : ''))
        .sort(),
    ).toEqual([...Array.from({ length: 9 }, (_, i) => `att-${i}`), 'att-new'].sort());
  });

  it('walks the recent head first: a new completion is found in the next run, while the whole horizon takes many', async () => {
    // 30 assignments a day apart, 10 pages; a run has 6 s (one page a second), half for the head.
    const { time, sweepAt, newAssignment, published } = world({ count: 30, spacingMs: 86_400_000, headDays: 3 });
    const start = time.now();
    const first = await sweepAt(start, 6);
    expect(first).toMatchObject({ status: 'stopped', headWalked: true });
    // The head (pages 1-2) and then as far as the rest of the run reaches: not the whole horizon.
    expect(published('review.needed').length).toBeLessThan(30);
    newAssignment();
    const second = await sweepAt(start + 300_000, 6);
    expect(second).toMatchObject({ status: 'stopped', headWalked: true });
    // Found by the head walk; the walk of the whole horizon went on where it was, and reaches its end later.
    expect(published('review.needed')).toContain('att-new');
    let runs = 2;
    for (let at = start + 600_000; runs < 10 && (await sweepAt(at, 6))?.status !== 'full-walk'; at += 300_000)
      runs += 1;
    expect(runs).toBeGreaterThan(2);
    expect(new Set(published('review.needed')).size).toBe(31);
    expect(published('review.needed')).toHaveLength(31);
  });

  it('rests between walks of a small list: the head every run, the whole horizon at most every 30 minutes', async () => {
    const { time, sweepAt } = world({ count: 30, spacingMs: 86_400_000, headDays: 3, fullWalkEverySeconds: 1800 });
    const start = time.now();
    expect((await sweepAt(start, 60))?.status).toBe('full-walk');
    const next = await sweepAt(start + 300_000, 60);
    expect(next).toMatchObject({ status: 'rested', headWalked: true });
    expect(next?.pages).toBe(2);
    expect((await sweepAt(start + 1_800_000, 60))?.status).toBe('full-walk');
  });

  it('keeps both cursors where they were through runs that fetched nothing (yielded at once)', async () => {
    // 30 pages of the whole horizon, 10 of them the head; each run has time for 8 pages.
    const { time, sweepAt, key, cursor } = world({ count: 90, spacingMs: 3 * 3_600_000, headDays: 5 });
    const start = time.now();
    expect((await sweepAt(start, 8))?.status).toBe('stopped');
    expect((await sweepAt(start + 300_000, 8))?.status).toBe('stopped');
    const stoppedAt = { whole: cursor.current.nextPage, head: cursor.current.head?.nextPage };
    expect(stoppedAt.whole).toBeGreaterThan(3);
    expect(stoppedAt.head).toBeGreaterThan(3);
    key.bookedAhead = true;
    for (let run = 1; run <= 3; run++) expect((await sweepAt(start + (run + 1) * 300_000, 8))?.status).toBe('yielded');
    expect({ whole: cursor.current.nextPage, head: cursor.current.head?.nextPage }).toEqual(stoppedAt);
  });
});
