/** ingestRequest with in-memory dependencies: every answer code, dedupe, and fuzzing. */

import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { parseSources, type Source } from '#lib/domain/webhooks/sources.js';
import { type HttpRequest, type IngestDeps, ingestRequest } from '../../functions/ingest/ingest-request.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const SECRETS: Record<string, string> = {
  std: `whsec_${Buffer.from('standard-key-of-24-bytes').toString('base64')}`,
  gh: 'greenhouse-secret-key',
  lever: 'lever-secret-key-value',
  ia: 'callback-token-value',
};
const SOURCES = parseSources([
  {
    name: 'std',
    kind: 'standard-webhooks',
    secretName: 's/std',
    attemptIdPath: 'data.attemptId',
    assignmentIdPath: 'data.assignmentId',
  },
  {
    name: 'gh',
    kind: 'greenhouse',
    secretName: 's/gh',
    attemptIdPath: 'payload.application.custom_fields.ia_attempt_id.value',
    eventTypes: ['candidate_stage_change'],
  },
  {
    name: 'lever',
    kind: 'lever',
    secretName: 's/lever',
    attemptIdPath: "data.customFields[?name=='IA attempt'].value",
  },
  { name: 'ia', kind: 'ia-callback', secretName: 's/ia', assignmentIdPath: 'assignment.id' },
]);

const harness = (overrides: Partial<IngestDeps> = {}) => {
  const seen = new Set<string>();
  /** Keys recorded but not yet settled (their checks not known to be enqueued). */
  const pending = new Set<string>();
  const enqueued: CheckMessage[] = [];
  const deps: IngestDeps = {
    sources: new Map(SOURCES.map((s) => [s.name, s])),
    secretFor: async (source: Source) => SECRETS[source.name] as string,
    remember: async (key) => {
      if (seen.has(key) && !pending.has(key)) return false;
      seen.add(key);
      pending.add(key);
      return true;
    },
    settle: async (keys) => {
      for (const key of keys) pending.delete(key);
    },
    referenceDedupeSeconds: 300,
    forget: async (key) => {
      seen.delete(key);
      pending.delete(key);
    },
    enqueue: async (messages) => void enqueued.push(...messages),
    now: () => NOW,
    ...overrides,
  };
  return { deps, enqueued, seen, pending };
};

const ts = String(Math.floor(NOW.getTime() / 1000));
const standard = (payload: object, id = 'msg_1', headers: Record<string, string> = {}): HttpRequest => {
  const rawBody = JSON.stringify(payload);
  const key = Buffer.from((SECRETS.std as string).slice(6), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${ts}.${rawBody}`).digest('base64');
  return {
    sourceName: 'std',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': ts,
      'webhook-signature': `v1,${signature}`,
      ...headers,
    },
    query: {},
    rawBody,
  };
};
const greenhouse = (payload: object, eventId = 'gh-1'): HttpRequest => {
  const rawBody = JSON.stringify(payload);
  const signature = createHmac('sha256', SECRETS.gh as string)
    .update(rawBody)
    .digest('hex');
  return {
    sourceName: 'gh',
    headers: { 'content-type': 'application/json', signature: `sha256 ${signature}`, 'greenhouse-event-id': eventId },
    query: {},
    rawBody,
  };
};

describe('ingestRequest', () => {
  it('202: enqueues the referenced attempt with source and event id', async () => {
    const { deps, enqueued } = harness();
    const response = await ingestRequest(standard({ type: 'attempt.completed', data: { attemptId: 'abc123' } }), deps);
    expect(response).toEqual({
      statusCode: 202,
      body: { status: 'enqueued', eventId: 'msg_1', references: [{ attemptId: 'abc123' }] },
    });
    expect(enqueued).toEqual([{ attemptId: 'abc123', source: 'std', eventId: 'msg_1' }]);
  });

  it('202 without enqueueing again for a redelivery of the same event id', async () => {
    const { deps, enqueued } = harness();
    const request = standard({ data: { attemptId: 'abc123' } });
    await ingestRequest(request, deps);
    const again = await ingestRequest(request, deps);
    expect(again.statusCode).toBe(202);
    expect(again.body.status).toBe('duplicate');
    expect(enqueued).toHaveLength(1);
  });

  it('releases the event id when enqueueing fails, so the retry gets through', async () => {
    const { deps, seen } = harness({ enqueue: async () => Promise.reject(new Error('SQS down')) });
    await expect(ingestRequest(standard({ data: { attemptId: 'abc123' } }), deps)).rejects.toThrow('SQS down');
    expect(seen.size).toBe(0);
  });

  it('maps Greenhouse custom fields by JMESPath, answers pings and ignores other actions', async () => {
    const { deps, enqueued } = harness();
    const payload = {
      action: 'candidate_stage_change',
      payload: { application: { custom_fields: { ia_attempt_id: { value: 'att-9' } } } },
    };
    expect((await ingestRequest(greenhouse(payload), deps)).statusCode).toBe(202);
    expect(enqueued).toEqual([{ attemptId: 'att-9', source: 'gh', eventId: 'gh-1' }]);
    expect(await ingestRequest(greenhouse({ action: 'ping' }, 'gh-2'), deps)).toEqual({
      statusCode: 200,
      body: { status: 'pong' },
    });
    const ignored = await ingestRequest(greenhouse({ action: 'candidate_hired', payload: {} }, 'gh-3'), deps);
    expect(ignored.statusCode).toBe(200);
    expect(ignored.body.status).toBe('ignored');
  });

  it('takes the assignment id from an IA callback URL or body, authenticated by the URL token', async () => {
    const { deps, enqueued } = harness();
    const fromQuery = await ingestRequest(
      { sourceName: 'ia', headers: {}, query: { token: 'callback-token-value', assignmentId: 'asg1' }, rawBody: '' },
      deps,
    );
    expect(fromQuery.statusCode).toBe(202);
    const fromBody = await ingestRequest(
      {
        sourceName: 'ia',
        headers: { 'content-type': 'application/json' },
        query: { token: 'callback-token-value' },
        rawBody: '{"assignment":{"id":"asg2"}}',
      },
      deps,
    );
    expect(fromBody.statusCode).toBe(202);
    expect(enqueued.map((m) => m.assignmentId)).toEqual(['asg1', 'asg2']);
  });

  it.each<[string, (r: HttpRequest) => HttpRequest, number, string]>([
    ['unknown source', (r) => ({ ...r, sourceName: 'nope' }), 404, 'unknown_source'],
    ['body over 256 KB', (r) => ({ ...r, rawBody: `{"pad":"${'x'.repeat(256 * 1024)}"}` }), 413, 'body_too_large'],
    [
      'not a JSON content type',
      (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    ],
    ['no signature', (r) => ({ ...r, headers: { 'content-type': 'application/json' } }), 401, 'missing_signature'],
    ['tampered body', (r) => ({ ...r, rawBody: r.rawBody.replace('abc123', 'abc124') }), 401, 'bad_signature'],
    [
      'stale timestamp',
      (r) => ({ ...r, headers: { ...r.headers, 'webhook-timestamp': String(Number(ts) - 3600) } }),
      401,
      'stale_timestamp',
    ],
  ])('%s → %i %s', async (_name, change, statusCode, error) => {
    const { deps, enqueued } = harness();
    const response = await ingestRequest(change(standard({ data: { attemptId: 'abc123' } })), deps);
    expect(response.statusCode).toBe(statusCode);
    expect(response.body.error).toBe(error);
    expect(enqueued).toEqual([]);
  });

  it('400 for a signed body that is not JSON; 200 ignored, nothing recorded, when the mapping finds no id', async () => {
    const { deps, enqueued, seen } = harness();
    const notJson = { ...standard({}), rawBody: 'not json' };
    const key = Buffer.from((SECRETS.std as string).slice(6), 'base64');
    notJson.headers['webhook-signature'] =
      `v1,${createHmac('sha256', key).update(`msg_1.${ts}.not json`).digest('base64')}`;
    expect((await ingestRequest(notJson, deps)).statusCode).toBe(400);
    const noId = await ingestRequest(standard({ type: 'candidate.stage_changed', data: { candidate: 'x' } }), deps);
    expect([noId.statusCode, noId.body.status, noId.body.eventType]).toEqual([
      200,
      'ignored',
      'candidate.stage_changed',
    ]);
    expect([enqueued, seen.size]).toEqual([[], 0]);
  });

  it('never echoes the body or a secret in an error', async () => {
    const { deps } = harness();
    const response = await ingestRequest(
      {
        ...standard({ data: { attemptId: 'abc123', secretThing: 'p4ssw0rd' } }),
        headers: { 'content-type': 'application/json' },
      },
      deps,
    );
    expect(JSON.stringify(response)).not.toMatch(/p4ssw0rd|whsec_|abc123/);
  });

  it('fuzz: signed events with hostile ids and id arrays never 5xx, enqueue only ids, at most 25', async () => {
    const hostileId = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('<!channel>', '../../x', 'a'.repeat(129), 'att\nOpen: https://evil', '', ' ', 'ok-id'),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileId,
          fc.array(hostileId, { maxLength: 60 }),
          fc.array(fc.array(hostileId, { maxLength: 5 }), { maxLength: 20 }),
        ),
        fc.string({ maxLength: 20 }),
        async (attemptId, id) => {
          const { deps, enqueued } = harness();
          const response = await ingestRequest(standard({ data: { attemptId } }, `msg_${id}`), deps);
          expect(response.statusCode).toBeLessThan(500);
          expect(enqueued.length).toBeLessThanOrEqual(25);
          for (const message of enqueued) expect(message.attemptId).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
          expect(JSON.stringify(response.body)).not.toMatch(/<!channel>|evil/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fuzz: no 5xx and no enqueue for anything unverified', async () => {
    const header = fc.option(fc.string({ maxLength: 80 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('std', 'gh', 'lever', 'ia', 'unknown'),
        fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 3 })),
        fc.record({
          'content-type': fc.constantFrom('application/json', 'text/plain', 'application/vnd.api+json', undefined),
          'webhook-id': header,
          'webhook-timestamp': fc.option(fc.constantFrom(ts, '0', '-1', 'abc', '99999999999999'), { nil: undefined }),
          'webhook-signature': header,
          signature: header,
        }),
        fc.record({ token: header, attemptId: header }),
        async (sourceName, rawBody, headers, query) => {
          const { deps, enqueued } = harness();
          const response = await ingestRequest({ sourceName, headers, query, rawBody }, deps);
          expect(response.statusCode).toBeLessThan(500);
          expect(enqueued).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });
});

const lever = (payload: object, token = 'a'.repeat(48), triggeredAt: unknown = NOW.getTime()): HttpRequest => {
  const signature = createHmac('sha256', SECRETS.lever as string)
    .update(`${token}${triggeredAt}`)
    .digest('hex');
  return {
    sourceName: 'lever',
    headers: { 'content-type': 'application/json' },
    query: {},
    rawBody: JSON.stringify({ ...payload, token, triggeredAt, signature }),
  };
};
const leverPayload = (id: string) => ({ data: { customFields: [{ name: 'IA attempt', value: id }] } });
const ghPayload = (id: string) => ({
  action: 'candidate_stage_change',
  payload: { application: { custom_fields: { ia_attempt_id: { value: id } } } },
});
const callback = (assignmentId: string): HttpRequest => ({
  sourceName: 'ia',
  headers: {},
  query: { token: SECRETS.ia, assignmentId },
  rawBody: '',
});

describe('replays', () => {
  it('Greenhouse: a captured delivery replayed with a new or no event id is a duplicate', async () => {
    const { deps, enqueued } = harness({ referenceDedupeSeconds: 0 });
    const original = greenhouse(ghPayload('att-1'), 'gh-1');
    expect((await ingestRequest(original, deps)).body.status).toBe('enqueued');
    const newId = await ingestRequest(
      { ...original, headers: { ...original.headers, 'greenhouse-event-id': 'gh-forged' } },
      deps,
    );
    const { 'greenhouse-event-id': _dropped, ...withoutId } = original.headers;
    const noId = await ingestRequest({ ...original, headers: withoutId }, deps);
    expect([newId.body.status, noId.body.status]).toEqual(['duplicate', 'duplicate']);
    expect(enqueued).toHaveLength(1);
  });

  it('Lever: dedupes on token + triggeredAt, and refuses a string triggeredAt', async () => {
    const { deps, enqueued } = harness({ referenceDedupeSeconds: 0 });
    const token = 'b'.repeat(48);
    expect((await ingestRequest(lever(leverPayload('att-2'), token), deps)).body.status).toBe('enqueued');
    expect((await ingestRequest(lever(leverPayload('att-2'), token), deps)).body.status).toBe('duplicate');
    const shifted = lever(leverPayload('att-2'), token.slice(0, -1), `b${NOW.getTime()}`);
    expect([(await ingestRequest(shifted, deps)).statusCode, (await ingestRequest(shifted, deps)).body.error]).toEqual([
      401,
      'malformed_signature',
    ]);
    expect(enqueued).toHaveLength(1);
  });

  it('an IA callback repeated within minRecheckIntervalSeconds is a duplicate; after it, enqueued again', async () => {
    let now = NOW;
    const seen = new Map<string, number>();
    const { deps, enqueued } = harness({
      now: () => now,
      remember: async (key, ttl) => {
        const until = seen.get(key);
        if (until !== undefined && until > now.getTime()) return false;
        seen.set(key, now.getTime() + ttl * 1000);
        return true;
      },
    });
    expect((await ingestRequest(callback('asg-7'), deps)).body.status).toBe('enqueued');
    const repeat = await ingestRequest(callback('asg-7'), deps);
    expect([repeat.statusCode, repeat.body.status, repeat.body.reason]).toEqual([
      202,
      'duplicate',
      'recently enqueued',
    ]);
    now = new Date(NOW.getTime() + 301_000);
    expect((await ingestRequest(callback('asg-7'), deps)).body.status).toBe('enqueued');
    expect(enqueued.map((m) => m.assignmentId)).toEqual(['asg-7', 'asg-7']);
  });

  it('a new event naming a fresh and a recent reference enqueues only the fresh one', async () => {
    const { deps, enqueued } = harness();
    await ingestRequest(standard({ data: { attemptId: 'att-a' } }, 'msg_a'), deps);
    const both = await ingestRequest(standard({ data: { attemptId: ['att-a', 'att-b'] } }, 'msg_b'), deps);
    expect(both.body).toMatchObject({ status: 'enqueued', references: [{ attemptId: 'att-b' }] });
    expect(enqueued.map((m) => m.attemptId)).toEqual(['att-a', 'att-b']);
  });

  it('releases every key it recorded when a write or the enqueue fails', async () => {
    const { deps, seen } = harness({
      remember: async (key) => {
        if (key.includes('att-bad')) throw new Error('DynamoDB throttled');
        seen.add(key);
        return true;
      },
    });
    await expect(ingestRequest(standard({ data: { attemptId: ['att-ok', 'att-bad'] } }), deps)).rejects.toThrow(
      'DynamoDB throttled',
    );
    expect(seen.size).toBe(0);
  });
});

describe('a crash between recording and enqueueing', () => {
  it('does not make the sender’s retry a duplicate: the retry is enqueued', async () => {
    const { deps, enqueued } = harness();
    // The process dies in enqueue: nothing after it runs, not even the release of the keys.
    const dying = {
      ...deps,
      enqueue: () => Promise.reject(new Error('Runtime exited')),
      forget: async () => undefined,
    };
    await expect(ingestRequest(standard({ data: { attemptId: 'att-c' } }, 'msg_c'), dying)).rejects.toThrow();
    const retry = await ingestRequest(standard({ data: { attemptId: 'att-c' } }, 'msg_c'), deps);
    expect(retry.body).toMatchObject({ status: 'enqueued', references: [{ attemptId: 'att-c' }] });
    expect(enqueued.map((m) => m.attemptId)).toEqual(['att-c']);
    // Settled now: a later repeat is a duplicate again.
    expect((await ingestRequest(standard({ data: { attemptId: 'att-c' } }, 'msg_c'), deps)).body.status).toBe(
      'duplicate',
    );
  });

  it('keeps the keys of an event whose checks were enqueued even when settling them failed', async () => {
    const { deps, enqueued, seen } = harness();
    const failingSettle = { ...deps, settle: () => Promise.reject(new Error('DynamoDB throttled')) };
    await expect(ingestRequest(standard({ data: { attemptId: 'att-s' } }, 'msg_s'), failingSettle)).rejects.toThrow();
    expect([enqueued.length, seen.size]).toEqual([1, 2]);
  });
});

describe('fan-out', () => {
  it('refuses more than maxReferencesPerEvent ids with 422 too_many_references, recording nothing', async () => {
    const { deps, enqueued, seen } = harness();
    const ids = Array.from({ length: 26 }, (_, i) => `att-${i}`);
    const response = await ingestRequest(standard({ data: { attemptId: ids } }), deps);
    expect([response.statusCode, response.body.error]).toEqual([422, 'too_many_references']);
    expect([enqueued.length, seen.size]).toEqual([0, 0]);
    const fixed = await ingestRequest(standard({ data: { attemptId: ids.slice(0, 25) } }), deps);
    expect([fixed.statusCode, (fixed.body.references as unknown[]).length]).toEqual([202, 25]);
  });

  it('20,000 ids in a 256 KB body: a 4xx at once, never a 5xx', async () => {
    const { deps, enqueued } = harness();
    const ids = Array.from({ length: 20_000 }, (_, i) => `a${i}`);
    const response = await ingestRequest(standard({ data: { attemptId: ids } }), deps);
    expect(response.statusCode).toBe(422);
    expect(enqueued).toEqual([]);
  });

  it('honours a per-source limit', async () => {
    const sources = parseSources([
      {
        name: 'std',
        kind: 'standard-webhooks',
        secretName: 's/std',
        attemptIdPath: 'data.attemptId',
        maxReferencesPerEvent: 2,
      },
    ]);
    const { deps } = harness({ sources: new Map(sources.map((x) => [x.name, x])) });
    expect((await ingestRequest(standard({ data: { attemptId: ['a', 'b', 'c'] } }), deps)).statusCode).toBe(422);
  });
});

describe('weak secrets', () => {
  it.each([
    ['std', 'whsec_'],
    ['std', 'whsec_!!!!'],
    ['gh', 'short'],
  ])(
    '%s with secret %j fails closed (ConfigurationError → 503 not_configured), enqueueing nothing',
    async (name, secret) => {
      const { deps, enqueued, seen } = harness({ secretFor: async () => secret });
      const request = name === 'std' ? standard({ data: { attemptId: 'abc123' } }) : greenhouse(ghPayload('abc123'));
      await expect(ingestRequest(request, deps)).rejects.toBeInstanceOf(ConfigurationError);
      expect([enqueued.length, seen.size]).toEqual([0, 0]);
    },
  );
});

describe('parseSources', () => {
  it('names the bad source field', () => {
    expect(() => parseSources([{ name: 'x', kind: 'greenhouse', secretName: 's' }])).toThrow(
      /needs attemptIdPath or assignmentIdPath/,
    );
    expect(() => parseSources([{ name: 'x', kind: 'lever', secretName: 's', attemptIdPath: 'data.[' }])).toThrow(
      /sources\[0\]\.attemptIdPath is not a valid JMESPath/,
    );
    expect(() => parseSources([{ name: 'Bad Name', kind: 'nope', secretName: 's' }])).toThrow(/sources\[0\]\.name/);
  });
});
