/**
 * Trigger health on moto, through the real handlers: ingest records a verified delivery, the sweep
 * holds the completions it found that nobody announced against the account's triggers and finds
 * a quiet one silent, the digest says so (and is published for it even when nothing waits), and
 * `ia-review-alerts sources` prints the same; a delivery makes the trigger well again.
 */
import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CURSOR_KEY } from '#lib/adapters/sweep-cursor.js';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import { freshAttempt, listedAssignment } from '../../local/ia-fixtures.js';
import { lambdaContext } from '../../local/lambda.js';
import { ingestEnvironment, sweepEnvironment } from '../../local/provision.js';
import { localSources } from '../../local/sources.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, useIntegration } from '../support/integration.js';
import { NO_LOCAL_STATE, runCli } from '../support/run-cli.js';

const [webhooks] = localSources();
const source = webhooks as NonNullable<typeof webhooks>;
const TRIGGER_ENV = {
  TRIGGERS: JSON.stringify([
    { name: source.name, kind: source.kind, account: 'default' },
    { name: 'eventbridge', kind: 'eventbridge', account: 'default' },
  ]),
  TRIGGER_SILENT_AFTER_SECONDS: '3600',
  TRIGGER_SILENT_COMPLETIONS: '3',
  TRIGGER_GRACE_SECONDS: '600',
};
const suite = useIntegration('triggers', {
  provision: { sources: [source] },
  env: (resources) => ({ IA_RATE_PER_SECOND: '1000', ...TRIGGER_ENV, STATE_TABLE_NAME: resources.stateTableName }),
});
const { ia } = suite;
const { sqs, dynamodb } = suite.clients;
type Http = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
let ingest: Http;
let sweep: (event: unknown, context: unknown) => Promise<{ status: string }>;
let digest: (event: unknown, context: unknown) => Promise<{ status: string }>;
let check: SqsHandler;

beforeAll(async () => {
  const { resources } = suite;
  ingest = await loadHandler<Http>('ingest', ingestEnvironment(resources));
  sweep = await loadHandler<typeof sweep>('sweep', {
    ...sweepEnvironment(resources, ia.url),
    IA_RATE_PER_SECOND: '1000',
    SWEEP_INTERVAL_SECONDS: '60',
  });
  digest = await loadHandler<typeof digest>('digest');
  check = await loadHandler<SqsHandler>('check');
  await dynamodb.send(
    new PutItemCommand({
      TableName: resources.stateTableName,
      Item: { attemptId: { S: CURSOR_KEY }, nextPage: { N: '1' } },
    }),
  );
}, 60_000);

const deliver = async () => {
  const attemptId = `announced-${randomBytes(3).toString('hex')}`;
  const signed = signRequest(
    source.kind,
    JSON.stringify({ type: 'attempt.completed', data: { attemptId } }),
    source.secretValue,
  );
  return ingest(
    {
      version: '2.0',
      routeKey: 'POST /events/{source}',
      pathParameters: { source: source.name },
      headers: signed.headers,
      queryStringParameters: signed.query,
      body: signed.body,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2,
    lambdaContext('ingest', 10_000),
  );
};

const sources = async () => {
  const listed = await runCli(['sources', '--json'], {
    ...NO_LOCAL_STATE,
    ...TRIGGER_ENV,
    STATE_TABLE_NAME: suite.resources.stateTableName,
  });
  expect(listed.code).toBe(0);
  return new Map(
    listed.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; status: string; sweepOnly: number; lastEventAt?: string })
      .map((row) => [row.name, row]),
  );
};

describe('trigger health', () => {
  it('records deliveries, finds a quiet trigger silent while the sweep carries its completions, and well again', async () => {
    expect((await deliver()).statusCode).toBe(202);
    const delivered = (await sources()).get(source.name);
    expect(delivered).toMatchObject({ status: 'ok', sweepOnly: 0 });
    expect(Date.now() - Date.parse(delivered?.lastEventAt ?? '')).toBeLessThan(60_000);
    expect((await sources()).get('eventbridge')).toMatchObject({ status: 'never' });

    // Its last delivery two hours ago; since then three completions nobody announced.
    await dynamoTriggerHealth(dynamodb, suite.resources.stateTableName).recordEvent(
      { name: source.name },
      new Date(Date.now() - 2 * 3_600_000),
    );
    for (const i of [1, 2, 3])
      ia.setAssignment(
        `quiet-asg-${i}`,
        listedAssignment(`quiet-asg-${i}`, new Date(Date.now() - 3 * 3_600_000), [{ id: `quiet-att-${i}` }]),
      );
    expect((await sweep({}, lambdaContext('sweep', 60_000))).status).toBe('full-walk');
    const silent = await sources();
    expect(silent.get(source.name)).toMatchObject({ status: 'silent', sweepOnly: 3 });
    // EventBridge never delivered: the sweep's finds count, but it is not "silent" for never having spoken.
    expect(silent.get('eventbridge')).toMatchObject({ status: 'never', sweepOnly: 3 });
    const table = await runCli(['sources'], {
      ...NO_LOCAL_STATE,
      ...TRIGGER_ENV,
      STATE_TABLE_NAME: suite.resources.stateTableName,
    });
    expect(table.out).toMatch(
      new RegExp(`^${source.name}: SILENT, no event since .* UTC; 3 completions found only by the sweep since`, 'm'),
    );

    // Nothing waits (every listed attempt is scored), yet the digest goes out for the silent trigger.
    await drain(sqs, suite.resources.allAlertsInboxUrl);
    expect(
      (
        await digest(
          { scheduledAt: `2026-12-06T08:${String(randomBytes(1).readUInt8() % 60).padStart(2, '0')}:00Z` },
          lambdaContext('digest'),
        )
      ).status,
    ).toBe('published');
    const [published] = (await drain(sqs, suite.resources.allAlertsInboxUrl)).map(
      (m) => JSON.parse(m.Body ?? '{}') as { eventType: string; triggers?: Array<{ name: string; status: string }> },
    );
    expect(published?.triggers?.[0]).toMatchObject({ name: source.name, status: 'silent' });

    expect((await deliver()).statusCode).toBe(202);
    expect((await sources()).get(source.name)).toMatchObject({ status: 'ok', sweepOnly: 0 });
  });

  it('counts what the EventBridge trigger delivers where check takes it, once per event, not per retry', async () => {
    const attemptId = freshAttempt(ia, 'scored');
    const request = JSON.stringify({ attemptId, source: 'eventbridge' });
    await sqs.send(new SendMessageCommand({ QueueUrl: suite.resources.checksQueueUrl, MessageBody: request }));
    await pollOnce({ sqs, queueUrl: suite.resources.checksQueueUrl, handler: check });
    const after = (await sources()).get('eventbridge');
    expect(after).toMatchObject({ status: 'ok', sweepOnly: 0 });
    expect(Date.now() - Date.parse(after?.lastEventAt ?? '')).toBeLessThan(60_000);
  });
});
