/** What happens to a failed SQS record: retried with growing delays for a day, then dead-lettered with its last reason. */
import { describe, expect, it } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import {
  EffectInProgressError,
  NotFoundError,
  RateLimitedError,
  StateConflictError,
  UpstreamError,
} from '#lib/domain/errors.js';
import {
  type DeadLetterReason,
  disposeOfFailure,
  RETRY_POLICY,
  redriveMaxReceiveCount,
  retryDelaySeconds,
  retryWindowSeconds,
} from '#lib/domain/record-disposition.js';

const NOW = new Date('2026-11-30T12:00:00Z');

const recordAt = (receiveCount: number, firstReceivedHoursAgo = 0): SQSRecord =>
  ({
    messageId: 'm-1',
    receiptHandle: 'r-1',
    body: '{"attemptId":"att-1"}',
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      ApproximateFirstReceiveTimestamp: String(NOW.getTime() - firstReceivedHoursAgo * 3_600_000),
    },
  }) as unknown as SQSRecord;

const harness = () => {
  const delays: number[] = [];
  const deadLetters: DeadLetterReason[] = [];
  const deps = {
    deadLetter: async (_body: string, reason: DeadLetterReason) => void deadLetters.push(reason),
    delay: async (_record: SQSRecord, seconds: number) => void delays.push(seconds),
    log: { warn: () => undefined, error: () => undefined },
    count: () => undefined,
    now: () => NOW,
  };
  return { deps, delays, deadLetters };
};

describe('retries', () => {
  it('ride out an outage of a day: the window from first receive to dead letter is over 24 h', () => {
    expect(retryWindowSeconds()).toBeGreaterThanOrEqual(24 * 3600);
    expect(retryWindowSeconds()).toBeLessThan(36 * 3600);
    // The queue's own redrive sits past it, for functions that die without a word.
    expect(redriveMaxReceiveCount()).toBeGreaterThan(RETRY_POLICY.maxReceives);
  });

  it('come back after delays that double, up to an hour', async () => {
    const { deps, delays } = harness();
    // Each receive comes when the delays before it have passed: 0, 30 s, 1 min, …
    for (const [receive, hours] of [
      [1, 0],
      [2, 30 / 3600],
      [3, 60 / 3600],
      [8, 2],
      [20, 12],
    ] as const) {
      await expect(
        disposeOfFailure(new UpstreamError('IA answered 503', 503), recordAt(receive, hours), deps),
      ).rejects.toThrow('IA answered 503');
    }
    expect(delays).toEqual([30, 30, 60, 3600, 3600]);
    expect(retryDelaySeconds(7)).toBe(1920);
  });

  it('never wait longer than the record has been failing (a receive lost to a crash counts without its wait)', async () => {
    const { deps, delays } = harness();
    // Receive 8 would wait an hour by its count; IA has been failing it for 40 minutes.
    await expect(
      disposeOfFailure(new UpstreamError('IA answered 503', 503), recordAt(8, 40 / 60), deps),
    ).rejects.toThrow('503');
    // A record whose first receive is unknown waits by its count.
    const unknown = recordAt(8);
    delete (unknown.attributes as Partial<SQSRecord['attributes']>).ApproximateFirstReceiveTimestamp;
    await expect(disposeOfFailure(new UpstreamError('IA answered 503', 503), unknown, deps)).rejects.toThrow('503');
    expect(delays).toEqual([2400, 3600]);
    expect(retryDelaySeconds(8, RETRY_POLICY, 0)).toBe(30);
  });

  it('after a conflict with another invocation come back soon, however long the record failed before', async () => {
    // An IA outage took the record's delay to its hour; the first try after it met another writer.
    const { deps, delays } = harness();
    for (const error of [
      new StateConflictError('attempt att-1 was updated concurrently'),
      new EffectInProgressError('another invocation is doing att-1/review.needed right now'),
    ])
      for (const receive of [1, 10]) await expect(disposeOfFailure(error, recordAt(receive), deps)).rejects.toBe(error);
    expect(delays).toEqual(Array(4).fill(RETRY_POLICY.firstDelaySeconds));
  });

  it('wait at least as long as the other side asked', async () => {
    const { deps, delays } = harness();
    await expect(disposeOfFailure(new RateLimitedError(600, 'booked ahead'), recordAt(2), deps)).rejects.toThrow();
    expect(delays).toEqual([600]);
  });

  it('end with a dead letter that says how long it tried and the last reason', async () => {
    const { deps, delays, deadLetters } = harness();
    await disposeOfFailure(new UpstreamError('IA answered 502', 502), recordAt(RETRY_POLICY.maxReceives, 25), deps);
    expect(delays).toEqual([]);
    expect(deadLetters).toEqual([
      {
        code: 'upstream_failure',
        message: `still failing after ${RETRY_POLICY.maxReceives} tries over 25 h; last: IA answered 502`,
      },
    ]);
  });

  it('counts the window as the delays between its receives, one fewer than the receives', () => {
    // 30 s after the first, 30 s after the second (it has failed only 30 s), then the dead letter.
    expect(retryWindowSeconds({ ...RETRY_POLICY, maxReceives: 3 })).toBe(60);
  });

  it('leave the record to the queue when the policy says no delay', async () => {
    const { deps, delays } = harness();
    const noDelay = { ...RETRY_POLICY, firstDelaySeconds: 0, maxDelaySeconds: 0 };
    await expect(
      disposeOfFailure(new UpstreamError('IA answered 502', 502), recordAt(2, 1), { ...deps, retry: noDelay }),
    ).rejects.toThrow('IA answered 502');
    expect(delays).toEqual([]);
  });

  it('a dead letter without the first receive time says how many tries, not how long', async () => {
    const { deps, deadLetters } = harness();
    const record = recordAt(RETRY_POLICY.maxReceives);
    delete (record.attributes as Partial<SQSRecord['attributes']>).ApproximateFirstReceiveTimestamp;
    await disposeOfFailure(new UpstreamError('IA answered 502', 502), record, deps);
    expect(deadLetters.map((r) => r.message)).toEqual([
      `still failing after ${RETRY_POLICY.maxReceives} tries; last: IA answered 502`,
    ]);
  });

  it('never for what can never succeed: dead-lettered at once', async () => {
    const { deps, deadLetters } = harness();
    await disposeOfFailure(new NotFoundError('attempt att-1 not found'), recordAt(1), deps);
    expect(deadLetters.map((r) => r.code)).toEqual(['not_found']);
  });
});
