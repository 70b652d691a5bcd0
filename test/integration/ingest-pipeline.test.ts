/**
 * From an HTTP request to a notification, on moto: signed webhook → HTTP API adapter → ingest →
 * checks queue → check → alerts topic → subscriber. Redeliveries and forgeries enqueue nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signRequest } from '#lib/webhooks/sign.js';
import { FakeIaServer } from '../support/fake-ia-server.js';
import { defaultAssignments, defaultAttempts, freshAttempt } from '../support/ia-fixtures.js';
import { startHttpApi, type HttpHandler } from '../support/local/http-api.js';
import { localSources } from '../support/local/sources.js';
import { lambdaContext } from '../support/lambda.js';
import { drain, pollOnce, type SqsHandler } from '../support/local/sqs-poller.js';
import { motoEnvironment } from '../support/moto.js';
import { awsClients, checkEnvironment, ingestEnvironment, provision, type LocalResources } from '../support/provision.js';

const endpoint = process.env.MOTO_ENDPOINT as string;
const { sqs } = awsClients(endpoint);
const apiKey = `key-${randomBytes(8).toString('hex')}`;
const ia = new FakeIaServer({ apiKeys: [apiKey], ratePerSecond: 1000, attempts: defaultAttempts(), assignments: defaultAssignments() });
const sources = localSources();
const secretOf = (name: string) => sources.find((s) => s.name === name)?.secretValue as string;
/** The example payload of a source, pointing at a fresh attempt so tests share no watch state. */
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8').replace(
    'att-review-needed',
    freshAttempt(ia, 'reviewNeeded'),
  );
let resources: LocalResources;
let check: SqsHandler;
let api: Awaited<ReturnType<typeof startHttpApi>>;
let ingestHandler: HttpHandler;

beforeAll(async () => {
  resources = await provision({ endpoint, prefix: `ingest-${randomBytes(4).toString('hex')}`, apiKey, sources });
  Object.assign(process.env, motoEnvironment(endpoint), checkEnvironment(resources, await ia.start()), ingestEnvironment(resources), {
    IA_RATE_PER_SECOND: '1000',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler: check } = (await import('../../functions/check/handler.js')) as unknown as { handler: SqsHandler });
  const { handler: ingest } = (await import('../../functions/ingest/handler.js')) as unknown as { handler: HttpHandler };
  ingestHandler = ingest;
  api = await startHttpApi(ingest);
});

afterAll(async () => {
  await api.stop();
  await ia.stop();
});

beforeEach(async () => {
  for (const url of [resources.checksQueueUrl, resources.allAlertsInboxUrl, resources.emailInboxUrl]) await drain(sqs, url);
});

const post = async (source: string, signed: { headers: Record<string, string>; body: string; query: Record<string, string> }) => {
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
    new GetQueueAttributesCommand({ QueueUrl: resources.checksQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
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
    expect((await post('nope', { headers: { 'content-type': 'application/json' }, body: '{}', query: {} })).status).toBe(404);
    expect((await fetch(`${api.url}/anything`, { method: 'POST' })).status).toBe(404);
  });
});
