/**
 * `ingest`: API Gateway HTTP API → verify the sender → enqueue check requests. Never calls IA.
 * Wiring only; the rules are in ingest-request.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamoClaimStore } from '#lib/adapters/claim-store.js';
import { claimsSecret } from '#lib/adapters/claims-secret.js';
import { createDedupe } from '#lib/adapters/dedupe.js';
import { enqueueChecks } from '#lib/adapters/queues.js';
import { type ReadSecret, secretReader } from '#lib/adapters/secrets.js';
import { createSlackPoster } from '#lib/adapters/slack-client.js';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { DEFAULT_ACCOUNT } from '#lib/domain/accounts.js';
import { applyClaim } from '#lib/domain/claims/claim.js';
import { ConfigurationError, describeError, StateConflictError } from '#lib/domain/errors.js';
import type { Source } from '#lib/domain/webhooks/sources.js';
import { count, logger, observability, traced } from '#lib/runtime/commons.js';
import { type FunctionRuntime, lambdaRuntime } from '#lib/runtime/function-runtime.js';
import {
  type ClaimDeps,
  type ClaimResponse,
  emailClaimPage,
  emailClaimPost,
  slackClaimRequest,
} from './claim-request.js';
import { loadIngestConfig } from './config.js';
import { ingestRequest } from './ingest-request.js';

type Claims = NonNullable<ReturnType<typeof loadIngestConfig>['claims']>;

const claimDeps = (
  claims: Claims,
  stateTableName: string,
  dynamodb: DynamoDBClient,
  readSecret: ReadSecret,
  dedupe: ReturnType<typeof createDedupe>,
  enqueue: ReturnType<typeof enqueueChecks>,
  fetch: FunctionRuntime['fetch'],
): ClaimDeps => {
  const secret = claimsSecret(readSecret, claims.secretName);
  const store = (account?: string) => dynamoClaimStore(dynamodb, stateTableName, account ?? DEFAULT_ACCOUNT);
  const post = createSlackPoster(fetch ? { fetch } : {});
  return {
    slackSigningSecrets: secret.slackSigningSecrets,
    claimLinkKeys: secret.linkKeys,
    remember: dedupe.remember,
    settle: dedupe.settle,
    forget: dedupe.forget,
    decide: (subject, decide) =>
      applyClaim(store(subject.account), subject.attemptId, decide, (error) => error instanceof StateConflictError),
    lookup: async (subject) => {
      const view = await store(subject.account).get(subject.attemptId);
      return view === undefined || 'missingUntil' in view ? undefined : view;
    },
    requestCheck: (message) => enqueue([message]),
    respondToSlack: (responseUrl, message) => post(responseUrl, 'interaction reply', message),
    slackOrigins: claims.slackOrigins,
    now: () => new Date(),
  };
};

const lowerCaseKeys = (record: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

const bodyOf = (event: APIGatewayProxyEventV2) =>
  event.body === undefined
    ? ''
    : event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body;

const respond = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** 503, only our side failed: a secret not set yet (`not_configured`), or a call that did not go through. */
const unavailable = (error: unknown, notConfigured: string, [code, message]: [string, string]) =>
  error instanceof ConfigurationError
    ? respond(503, { error: 'not_configured', message: notConfigured })
    : respond(503, { error: code, message });

export const createIngestHandler = (runtime: FunctionRuntime = lambdaRuntime()) => {
  const config = loadIngestConfig(runtime.env);
  const sources = new Map(config.sources.map((s) => [s.name, s]));
  const sqs = runtime.aws?.sqs ?? traced(new SQSClient({}));
  const dynamodb = runtime.aws?.dynamodb ?? traced(new DynamoDBClient({}));
  const dedupe = createDedupe(dynamodb, config.dedupeTableName);
  const readSecret = secretReader(runtime.aws?.secrets);
  const enqueue = enqueueChecks(sqs, config.checksQueueUrl);
  const claims =
    config.claims &&
    claimDeps(config.claims, config.stateTableName, dynamodb, readSecret, dedupe, enqueue, runtime.fetch);
  const triggerHealth = dynamoTriggerHealth(dynamodb, config.stateTableName);
  /** A verified delivery is the source's sign of life (trigger-health.ts); keeping it never fails the webhook. */
  const recordEvent = async (sourceName: string) => {
    try {
      await triggerHealth.recordEvent({ name: sourceName }, new Date());
    } catch (error) {
      logger.warn('trigger health not updated', { ...describeError(error) });
    }
  };

  const deps = {
    sources,
    secretFor: (source: Source): Promise<string> =>
      readSecret(source.secretName, { what: `signing secret for webhook source ${source.name}` }),
    remember: dedupe.remember,
    settle: dedupe.settle,
    forget: dedupe.forget,
    enqueue,
    now: () => new Date(),
    referenceDedupeSeconds: config.referenceDedupeSeconds,
  };

  /** `/claims/…`: "I'm on it" from Slack and email links, when the deployment has claims. */
  const claimRoute = async (event: APIGatewayProxyEventV2, rawBody: string): Promise<ClaimResponse> => {
    if (!claims) return { statusCode: 404, headers: {}, body: '' };
    try {
      switch (event.routeKey) {
        case 'POST /claims/slack':
          return await slackClaimRequest({ headers: lowerCaseKeys(event.headers), rawBody }, claims);
        case 'GET /claims/email':
          return await emailClaimPage(event.queryStringParameters?.t ?? '', claims);
        default:
          return await emailClaimPost(rawBody, claims);
      }
    } catch (error) {
      logger.error('claim could not be taken', { error: error as Error });
      count('ClaimsFailed');
      return unavailable(error, 'claims are not configured yet', [
        'claim_failed',
        'the claim could not be recorded; try again',
      ]) as ClaimResponse;
    }
  };

  const lambdaHandler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    if (event.routeKey?.includes(' /claims/')) {
      const { recorded, ...response } = await claimRoute(event, bodyOf(event));
      logger.info('claim answered', { route: event.routeKey, statusCode: response.statusCode });
      // The dashboard's list of claims reads these lines (who, which attempt, since when).
      if (recorded) logger.info('claim recorded', { ...recorded });
      count(response.statusCode < 300 ? 'ClaimsAnswered' : 'ClaimsRefused');
      return response;
    }
    const sourceName = event.pathParameters?.source ?? '';
    logger.appendKeys({ source: sourceName });
    const rawBody = bodyOf(event);
    try {
      const { statusCode, body } = await ingestRequest(
        { sourceName, headers: lowerCaseKeys(event.headers), query: event.queryStringParameters ?? {}, rawBody },
        deps,
      );
      logger.info('webhook answered', { statusCode, status: body.status ?? body.error, eventId: body.eventId });
      if (statusCode < 300 && sources.has(sourceName)) await recordEvent(sourceName);
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
      return unavailable(error, 'this source is not configured yet; retry later', [
        'enqueue_failed',
        'the event could not be queued; retry later',
      ]);
    }
  };

  return middy(lambdaHandler).use(observability());
};
