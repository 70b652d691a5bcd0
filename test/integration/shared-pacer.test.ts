/** The shared pacer on moto's DynamoDB: separate "executions" never call closer than the interval. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { RateLimitedError } from '#lib/errors.js';
import { createSharedPacer } from '#lib/shared-pacer.js';
import { awsClients, provision, type LocalResources } from '../support/provision.js';

const endpoint = process.env.MOTO_ENDPOINT as string;
let resources: LocalResources;
beforeAll(async () => {
  resources = await provision({ endpoint, prefix: `pacer-${randomBytes(4).toString('hex')}`, apiKey: 'k' });
});

describe('shared pacer', () => {
  it('spaces calls from several executions by the interval', async () => {
    const key = `key-${randomBytes(4).toString('hex')}`;
    // Three executions, each with its own client, as separate Lambda environments would have.
    const pacers = [0, 1, 2].map(() =>
      createSharedPacer({ dynamodb: awsClients(endpoint).dynamodb, tableName: resources.rateLimitTableName, key, intervalMs: 200, leadMs: 50 }),
    );
    const times: number[] = [];
    await Promise.all(pacers.flatMap((pace) => [0, 1, 2].map(async () => {
      await pace();
      times.push(Date.now());
    })));
    times.sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(times).toHaveLength(9);
    // Timer wake-ups jitter by a few ms; the fake IA forgives 25 ms, and the function paces 5 % under the limit.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(175);
  });

  it('refuses to book further ahead than maxWaitMs and says when to come back', async () => {
    const key = `key-${randomBytes(4).toString('hex')}`;
    const pace = createSharedPacer({ dynamodb: awsClients(endpoint).dynamodb, tableName: resources.rateLimitTableName, key, intervalMs: 3000, maxWaitMs: 1000 });
    await pace();
    const error = await pace().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(2);
  });
});
