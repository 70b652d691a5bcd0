/** The fake IA server keeps the documented contract the rest of the suite relies on. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeIaServer } from '../../local/fake-ia-server.js';
import { defaultAttempts, readFixture, SEED_ATTEMPT_ID } from '../../local/ia-fixtures.js';

const ia = new FakeIaServer({ apiKeys: ['k'], ratePerSecond: 1, attempts: defaultAttempts() });
let base: string;
beforeAll(async () => {
  base = await ia.start();
});
afterAll(() => ia.stop());

const get = (path: string, headers: Record<string, string> = { authorization: 'token k' }) =>
  fetch(`${base}${path}`, { headers });

describe('fake IA server', () => {
  it('serves the seed attempt unchanged, with or without .json, and answers 304 to a matching ETag', async () => {
    const first = await get(`/attempts/${SEED_ATTEMPT_ID}.json`);
    expect(await first.json()).toEqual(readFixture('attempt-seed.json'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const etag = first.headers.get('etag') as string;
    const again = await get(`/attempts/${SEED_ATTEMPT_ID}`, { authorization: 'token k', 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('answers 401 with an error body without a token, and 429 with Retry-After over the limit', async () => {
    const anonymous = await get(`/attempts/${SEED_ATTEMPT_ID}`, {});
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: 'invalid or missing API token' }]);
    ia.reset();
    expect((await get('/attempts/nope')).status).toBe(404);
    const limited = await get(`/attempts/${SEED_ATTEMPT_ID}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
