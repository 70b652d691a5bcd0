/** The IA client against a real HTTP server on loopback: retries, Retry-After, timeouts, errors. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createIaClient, type IaClientOptions, parseRetryAfter } from '#lib/adapters/ia-client.js';
import {
  MalformedResponseError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  UnauthorizedError,
  UpstreamError,
} from '#lib/domain/errors.js';
import { createPacer } from '#lib/domain/pacing.js';
import { FakeIaServer } from '../../local/fake-ia-server.js';
import { defaultAssignments, defaultAttempts, SEED_ASSIGNMENT_ID, SEED_ATTEMPT_ID } from '../../local/ia-fixtures.js';

const KEY = 'sk-test-0123456789';
const server = new FakeIaServer({
  apiKeys: [KEY],
  ratePerSecond: Infinity,
  attempts: defaultAttempts(),
  assignments: defaultAssignments(),
});
let baseUrl: string;

beforeAll(async () => {
  baseUrl = await server.start();
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

const client = (options: Partial<IaClientOptions> = {}) =>
  createIaClient({ baseUrl, apiKey: () => KEY, timeoutMs: 1_000, totalTimeoutMs: 8_000, ...options });

const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('IA client', () => {
  it('fetches an attempt with token auth and returns its ETag', async () => {
    const { value, etag } = await client().getAttempt(SEED_ATTEMPT_ID);
    expect(value.id).toBe(SEED_ATTEMPT_ID);
    expect(etag).toMatch(/^".+"$/);
    expect(server.requests).toEqual([
      expect.objectContaining({ path: `/v1/attempts/${SEED_ATTEMPT_ID}.json`, authorized: true }),
    ]);
  });

  it('fetches an assignment with its embedded attempts', async () => {
    const { value } = await client().getAssignment(SEED_ASSIGNMENT_ID);
    expect(value.attempts).toHaveLength(1);
  });

  it.each([
    [401, UnauthorizedError],
    [403, UnauthorizedError],
    [404, NotFoundError],
    [400, RequestRejectedError],
  ])('maps %i to %p without retrying', async (status, type) => {
    server.inject(SEED_ATTEMPT_ID, { kind: 'status', status });
    const error = await failure(client().getAttempt(SEED_ATTEMPT_ID));
    expect(error).toBeInstanceOf(type);
    expect(server.requests).toHaveLength(1);
  });

  it('answers 401 for a wrong key and never puts the key in the error', async () => {
    const error = await failure(client({ apiKey: () => 'revoked-key-xyz' }).getAttempt(SEED_ATTEMPT_ID));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(`${error.message} ${error.stack}`).not.toMatch(/revoked-key-xyz|sk-test/);
  });

  it('maps an unknown id to NotFoundError', async () => {
    expect(await failure(client().getAttempt('no-such-attempt'))).toBeInstanceOf(NotFoundError);
  });

  it('retries 500/502/503/504 with backoff and succeeds', async () => {
    for (const status of [500, 502, 503]) server.inject(SEED_ATTEMPT_ID, { kind: 'status', status });
    const { value } = await client().getAttempt(SEED_ATTEMPT_ID);
    expect(value.id).toBe(SEED_ATTEMPT_ID);
    expect(server.requests.map((r) => r.status)).toEqual([500, 502, 503, 200]);
  });

  it('gives up after the retry limit with UpstreamError carrying the status', async () => {
    for (let i = 0; i < 3; i++) server.inject(SEED_ATTEMPT_ID, { kind: 'status', status: 504 });
    const error = await failure(client({ retryLimit: 2 }).getAttempt(SEED_ATTEMPT_ID));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(504);
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a short Retry-After on 429, then succeeds', async () => {
    server.inject(SEED_ATTEMPT_ID, { kind: 'status', status: 429, retryAfter: 1 });
    const started = Date.now();
    await client().getAttempt(SEED_ATTEMPT_ID);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not sleep through a long Retry-After: RateLimitedError says when to come back', async () => {
    server.inject(SEED_ATTEMPT_ID, { kind: 'status', status: 429, retryAfter: 60 });
    const error = await failure(client({ maxRetryAfterMs: 5_000 }).getAttempt(SEED_ATTEMPT_ID));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(60);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    server.inject(SEED_ATTEMPT_ID, { kind: 'reset' });
    await client().getAttempt(SEED_ATTEMPT_ID);
    expect(server.requests.map((r) => r.status)).toEqual(['reset', 200]);
  });

  it('times out a hanging request per attempt and overall', async () => {
    server.inject(SEED_ATTEMPT_ID, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200, totalTimeoutMs: 1_500 }).getAttempt(SEED_ATTEMPT_ID));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it.each([
    ['a body that is not JSON', { kind: 'malformed-json' } as const, /not JSON/],
    ['an HTML error page', { kind: 'content-type', contentType: 'text/html' } as const, /text\/html, not JSON/],
  ])('rejects %s as MalformedResponseError', async (_name, fault, message) => {
    server.inject(SEED_ATTEMPT_ID, fault);
    const error = await failure(client().getAttempt(SEED_ATTEMPT_ID));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toMatch(message);
  });

  it('rejects JSON that is not an attempt, naming the field', async () => {
    server.setAttempt('not-an-attempt', { attempt: { id: 'not-an-attempt', scoring_completed: true } });
    const error = await failure(client().getAttempt('not-an-attempt'));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toMatch(/pending_review_count is required/);
  });

  it('paces requests, retries included, so a 1/s key never sees a 429', async () => {
    server.ratePerSecond = 1;
    try {
      // 20 % under the limit, not the functions' 5 %: on a machine busy with other test workers a
      // request can reach the fake server 50 ms later than the one after it left (a 429 the
      // functions retry; the load test measures the 5 %). This test is about pacing at all.
      const paced = client({ pace: createPacer(1_200) });
      const started = Date.now();
      await Promise.all([
        paced.getAttempt(SEED_ATTEMPT_ID),
        paced.getAttempt(SEED_ATTEMPT_ID),
        paced.getAttempt(SEED_ATTEMPT_ID),
      ]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
      expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    } finally {
      server.ratePerSecond = Infinity;
    }
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3],
    ['0', 0],
    ['1.2', 2],
    ['', undefined],
    ['soon', undefined],
  ])('%p → %p', (header, expected) => {
    expect(parseRetryAfter(header)).toBe(expected);
  });

  it('reads an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
  });
});
