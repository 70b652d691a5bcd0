/**
 * From an HTTP request to a notification, on moto: signed webhook → HTTP API adapter → ingest →
 * checks queue → check → alerts topic → subscriber. Redeliveries and forgeries enqueue nothing.
 */

import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createDedupe } from '#lib/adapters/dedupe.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import { type HttpHandler, startHttpApi } from '../../local/http-api.js';
import { defaultAssignments, defaultAttempts, freshAttempt, seedVariant } from '../../local/ia-fixtures.js';
import { lambdaContext } from '../../local/lambda.js';
import { ingestEnvironment, type LocalResources } from '../../local/provision.js';
import { localSources } from '../../local/sources.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, useIntegration } from '../support/integration.js';
import { NO_LOCAL_STATE, runCli } from '../support/run-cli.js';

// One source whose stored secret is too weak to trust: it must fail closed.
const sources = [
  ...localSources(),
  { name: 'weak', kind: 'greenhouse' as const, attemptIdPath: 'payload.id', secretValue: 'short' },
];
const suite = useIntegration('ingest', {
  ia: { ratePerSecond: 1000, attempts: defaultAttempts(), assignments: defaultAssignments() },
  provision: { sources },
  env: (resources) => ({ ...ingestEnvironment(resources), IA_RATE_PER_SECOND: '1000' }),
});
const { ia } = suite;
const { sqs } = suite.clients;
const secretOf = (name: string) => sources.find((s) => s.name === name)?.secretValue as string;
/** The example payload of a source, pointing at a fresh attempt so tests share no watch state. */
const fixture = (name: string) =>
  readFileSync(new URL(`../../local/fixtures/webhooks/${name}.json`, import.meta.url), 'utf8').replace(
    'att-review-needed',
    freshAttempt(ia, 'reviewNeeded'),
  );
let resources: LocalResources;
let check: SqsHandler;
let api: Awaited<ReturnType<typeof startHttpApi>>;
let ingestHandler: HttpHandler;

beforeAll(async () => {
  resources = suite.resources;
  check = await loadHandler<SqsHandler>('check');
  ingestHandler = await loadHandler<HttpHandler>('ingest');
  api = await startHttpApi(ingestHandler);
});

afterAll(() => api.stop());

beforeEach(async () => {
  for (const url of [resources.checksQueueUrl, resources.allAlertsInboxUrl, resources.emailInboxUrl])
    await drain(sqs, url);
});

const post = async (
  source: string,
  signed: { headers: Record<string, string>; body: string; query: Record<string, string> },
) => {
  const query = new URLSearchParams(signed.query).toString();
  const response = await fetch(`${api.url}/events/${source}${query ? `?${query}` : ''}`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const queued = async () => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: resources.checksQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
};

describe('webhook to notification on moto', () => {
  it.each(['webhooks', 'greenhouse', 'lever', 'ia'])('%s: a signed delivery becomes an alert', async (source) => {
    const kind = sources.find((s) => s.name === source)?.kind ?? 'standard-webhooks';
    const response = await post(source, signRequest(kind, fixture(source), secretOf(source)));
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('enqueued');
    await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
    const alerts = (await drain(sqs, resources.allAlertsInboxUrl)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source });
  });

  it('answers a redelivery 202 without enqueueing it again', async () => {
    const signed = signRequest('standard-webhooks', fixture('webhooks'), secretOf('webhooks'));
    expect((await post('webhooks', signed)).body.status).toBe('enqueued');
    const again = await post('webhooks', signed);
    expect([again.status, again.body.status]).toEqual([202, 'duplicate']);
    expect(await queued()).toBe(1);
  });

  it('rejects a forged delivery with 401 and enqueues nothing', async () => {
    const forged = signRequest('greenhouse', fixture('greenhouse'), 'not-the-secret');
    const response = await post('greenhouse', forged);
    expect([response.status, response.body.error]).toEqual([401, 'bad_signature']);
    expect(await queued()).toBe(0);
  });

  it('verifies over the decoded bytes when API Gateway base64-encoded the body', async () => {
    const signed = signRequest('standard-webhooks', fixture('webhooks'), secretOf('webhooks'));
    const event = {
      version: '2.0',
      rawPath: '/events/webhooks',
      headers: signed.headers,
      pathParameters: { source: 'webhooks' },
      body: Buffer.from(signed.body).toString('base64'),
      isBase64Encoded: true,
      requestContext: { requestId: 'r1', http: { method: 'POST' } },
    } as unknown as Parameters<HttpHandler>[0];
    const result = await ingestHandler(event, lambdaContext('ingest'));
    expect(result.statusCode).toBe(202);
  });

  it('404s for an unknown source and for paths that are not routed', async () => {
    expect(
      (await post('nope', { headers: { 'content-type': 'application/json' }, body: '{}', query: {} })).status,
    ).toBe(404);
    expect((await fetch(`${api.url}/anything`, { method: 'POST' })).status).toBe(404);
  });
});

describe('replays and fan-out on moto', () => {
  const greenhouseFor = (attemptId: string) =>
    readFileSync(new URL('../../local/fixtures/webhooks/greenhouse.json', import.meta.url), 'utf8').replace(
      'att-review-needed',
      attemptId,
    );

  it('a Greenhouse delivery replayed under a new event id is a duplicate: enqueued once', async () => {
    const signed = signRequest('greenhouse', greenhouseFor(freshAttempt(ia, 'reviewNeeded')), secretOf('greenhouse'));
    expect((await post('greenhouse', signed)).body.status).toBe('enqueued');
    const replayed = await post('greenhouse', {
      ...signed,
      headers: { ...signed.headers, 'greenhouse-event-id': 'replayed-1' },
    });
    expect([replayed.status, replayed.body.status]).toEqual([202, 'duplicate']);
    expect(await queued()).toBe(1);
  });

  it('an IA callback repeated at once is answered duplicate without enqueueing', async () => {
    const signed = signRequest(
      'ia-callback',
      `{"attempt":{"id":"${freshAttempt(ia, 'reviewNeeded')}"}}`,
      secretOf('ia'),
    );
    expect((await post('ia', signed)).body.status).toBe('enqueued');
    expect((await post('ia', signed)).body).toMatchObject({ status: 'duplicate', reason: 'recently enqueued' });
    expect(await queued()).toBe(1);
  });

  it('26 ids: 422 too_many_references, nothing enqueued, and the corrected event with the same id goes through', async () => {
    const ids = Array.from({ length: 26 }, (_, i) => `fan-${randomBytes(3).toString('hex')}-${i}`);
    const secret = secretOf('webhooks');
    const key = Buffer.from(secret.slice(6), 'base64');
    const send = async (attemptIds: string[]) => {
      const body = JSON.stringify({ type: 'assessment.completed', data: { attemptId: attemptIds } });
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', key).update(`msg_fan.${ts}.${body}`).digest('base64');
      return post('webhooks', {
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_fan',
          'webhook-timestamp': ts,
          'webhook-signature': `v1,${signature}`,
        },
        body,
        query: {},
      });
    };
    const refused = await send(ids);
    expect([refused.status, refused.body.error]).toEqual([422, 'too_many_references']);
    expect(await queued()).toBe(0);
    const fixed = await send(ids.slice(0, 25));
    expect([fixed.status, fixed.body.status]).toEqual([202, 'enqueued']);
    expect(await queued()).toBe(25);
  });

  it('a source whose secret is too weak answers 503 not_configured and enqueues nothing', async () => {
    const signed = signRequest('greenhouse', '{"payload":{"id":"att-x"}}', 'short');
    const response = await post('weak', signed);
    expect([response.status, response.body.error]).toEqual([503, 'not_configured']);
    expect(await queued()).toBe(0);
  });

  it('a wrong id: dead-lettered, its repeat costs no IA call, and redrive asks IA again', async () => {
    const id = `att-missing-${randomBytes(4).toString('hex')}`;
    const send = () =>
      sqs.send(
        new SendMessageCommand({ QueueUrl: resources.checksQueueUrl, MessageBody: JSON.stringify({ attemptId: id }) }),
      );
    const iaCallsFor = () => ia.countRequests((r) => r.id === id);
    await drain(sqs, resources.deadLetterQueueUrl);
    await send();
    await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
    await send();
    await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
    expect(iaCallsFor()).toBe(1);

    ia.setAttempt(id, seedVariant(id, { pending_review_count: 1 }));
    const { code, all: out } = await runCli(
      ['redrive', '--dlq-url', resources.deadLetterQueueUrl, '--queue-url', resources.checksQueueUrl],
      NO_LOCAL_STATE,
    );
    expect(code).toBe(0);
    expect(out).toContain('moved 2 message(s)');
    expect(out).toMatch(/not_found: attempt .* not asked again before/);
    await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
    expect(iaCallsFor()).toBe(2);
    const alerts = (await drain(sqs, resources.allAlertsInboxUrl)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(alerts.map((a) => [a.attemptId, a.eventType])).toEqual([[id, 'review.needed']]);
  });
});

describe('the dedupe table on moto', () => {
  it('keeps a key pending until settled: a delivery that died before enqueueing is taken again, a settled one is a repeat', async () => {
    const dedupe = createDedupe(suite.clients.dynamodb, resources.dedupeTableName);
    const key = `test#event#${randomBytes(6).toString('hex')}`;
    expect(await dedupe.remember(key, 3600)).toBe(true);
    // The ingest that recorded it died here: the sender's retry gets through.
    expect(await dedupe.remember(key, 3600)).toBe(true);
    await dedupe.settle([key]);
    expect(await dedupe.remember(key, 3600)).toBe(false);
  });
});
