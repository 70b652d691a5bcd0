/**
 * `ingest`: API Gateway HTTP API → verify the sender → enqueue check requests. Never calls IA.
 * Wiring only; the rules are in ingest-request.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createDedupe } from '#lib/adapters/dedupe.js';
import { enqueueChecks } from '#lib/adapters/queues.js';
import { secretReader } from '#lib/adapters/secrets.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import type { Source } from '#lib/domain/webhooks/sources.js';
import { count, logger, observability, traced } from '#lib/runtime/commons.js';
import { type FunctionRuntime, lambdaRuntime } from '#lib/runtime/function-runtime.js';
import { loadIngestConfig } from './config.js';
import { ingestRequest } from './ingest-request.js';

const lowerCaseKeys = (record: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

const respond = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const createIngestHandler = (runtime: FunctionRuntime = lambdaRuntime()) => {
  const config = loadIngestConfig(runtime.env);
  const sources = new Map(config.sources.map((s) => [s.name, s]));
  const sqs = runtime.aws?.sqs ?? traced(new SQSClient({}));
  const dynamodb = runtime.aws?.dynamodb ?? traced(new DynamoDBClient({}));
  const dedupe = createDedupe(dynamodb, config.dedupeTableName);
  const readSecret = secretReader(runtime.aws?.secrets);

  const deps = {
    sources,
    secretFor: (source: Source): Promise<string> =>
      readSecret(source.secretName, { what: `signing secret for webhook source ${source.name}` }),
    remember: dedupe.remember,
    settle: dedupe.settle,
    forget: dedupe.forget,
    enqueue: enqueueChecks(sqs, config.checksQueueUrl),
    now: () => new Date(),
    referenceDedupeSeconds: config.referenceDedupeSeconds,
  };

  const lambdaHandler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const sourceName = event.pathParameters?.source ?? '';
    logger.appendKeys({ source: sourceName });
    const rawBody =
      event.body === undefined
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    try {
      const { statusCode, body } = await ingestRequest(
        { sourceName, headers: lowerCaseKeys(event.headers), query: event.queryStringParameters ?? {}, rawBody },
        deps,
      );
      logger.info('webhook answered', { statusCode, status: body.status ?? body.error, eventId: body.eventId });
      // Per source (configured names only, so the dimension stays bounded) for the dashboard.
      const dimensions = { source: sources.has(sourceName) ? sourceName : 'unknown' };
      count(statusCode < 300 ? 'WebhooksAccepted' : 'WebhooksRejected', 1, dimensions);
      // Signed but nothing to check (an event kind we do not map): visible, in case a mapping is wrong.
      if (body.status === 'ignored') count('WebhooksIgnored', 1, dimensions);
      return respond(statusCode, body);
    } catch (error) {
      // Only our side failed: 503 makes the sender retry, and the dedupe key was released.
      logger.error('webhook could not be enqueued', { error: error as Error });
      count('WebhooksFailed');
      const configuration = error instanceof ConfigurationError;
      return respond(503, {
        error: configuration ? 'not_configured' : 'enqueue_failed',
        message: configuration
          ? 'this source is not configured yet; retry later'
          : 'the event could not be queued; retry later',
      });
    }
  };

  return middy(lambdaHandler).use(observability());
};
