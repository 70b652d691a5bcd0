/** The shared pacer on moto's DynamoDB: separate "executions" never call closer than the interval. */

import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createSharedPacer } from '#lib/adapters/shared-pacer.js';
import { RateLimitedError } from '#lib/domain/errors.js';
import { awsClients, type LocalResources } from '../../local/provision.js';
import { useIntegration } from '../support/integration.js';

const suite = useIntegration('pacer');
const { endpoint } = suite;
let resources: LocalResources;
beforeAll(() => {
  resources = suite.resources;
});

describe('shared pacer', () => {
  it('books calls from several executions at least the interval apart', async () => {
    const key = `key-${randomBytes(4).toString('hex')}`;
    // The slots booked, not the wake-ups: how late the OS timer fires on a busy machine is not
    // the pacer's doing (the functions pace 5 % under the limit for that).
    const slots: number[] = [];
    // The pacer reads the clock and sleeps until its slot in one synchronous step: the slot is
    // exactly the last reading plus the sleep.
    let lastNow = 0;
    const readings = new Set<number>();
    const clock = {
      now: () => {
        lastNow = Date.now();
        readings.add(lastNow);
        return lastNow;
      },
      sleep: async (ms: number) => {
        slots.push(lastNow + ms);
      },
    };
    // Three executions, each with its own client, as separate Lambda environments would have.
    const pacers = [0, 1, 2].map(() =>
      createSharedPacer({
        dynamodb: awsClients(endpoint).dynamodb,
        tableName: resources.rateLimitTableName,
        key,
        intervalMs: 200,
        leadMs: 1000,
        clock,
      }),
    );
    await Promise.all(pacers.flatMap((pace) => [0, 1, 2].map(() => pace())));
    slots.sort((a, b) => a - b);
    const gaps = slots.slice(1).map((t, i) => t - (slots[i] as number));
    expect(slots).toHaveLength(9);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
    // Nor further apart than need be: a slot is the one before it plus the interval, or, where
    // that one was too close, the clock when booking plus the lead (1,000 ms here); the bookings
    // succeed one after another (compare-and-set), so sorted slots are in booking order.
    const wasted = slots.slice(1).filter((slot, i) => gaps[i] !== 200 && !readings.has(slot - 1000));
    expect(wasted).toEqual([]);
  });

  it('refuses to book further ahead than maxWaitMs and says when to come back', async () => {
    const key = `key-${randomBytes(4).toString('hex')}`;
    const pace = createSharedPacer({
      dynamodb: awsClients(endpoint).dynamodb,
      tableName: resources.rateLimitTableName,
      key,
      intervalMs: 3000,
      maxWaitMs: 1000,
    });
    await pace();
    const error = await pace().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(2);
  });
});
