/**
 * "I'm on it" from outside, on moto: the real ingest handler takes a Slack button's interaction
 * (signed as Slack signs it, the message updated through its response_url on the fake Slack) and
 * an email link (the page claims nothing, its POST claims), the real check watches the attempt,
 * and the claim lands in the state table once, whoever races for it.
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { claimLink } from '#lib/domain/claims/claim-link.js';
import { CLAIM_ACTION, RELEASE_ACTION } from '#lib/domain/claims/slack-interaction.js';
import { FakeSlackServer } from '../../local/fake-slack-server.js';
import { freshAttempt } from '../../local/ia-fixtures.js';
import { lambdaContext } from '../../local/lambda.js';
import { ingestEnvironment, notifyEnvironment } from '../../local/provision.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, localStateFile, useIntegration } from '../support/integration.js';
import { runCli } from '../support/run-cli.js';

const slack = new FakeSlackServer();
let slackOrigin = '';
// `<suite>-<hex>-<kind>`, as the harness names what it makes: the grants tier reads the kind.
const claimsSecretName = `claims-${randomBytes(4).toString('hex')}-claims`;
const LINK_KEY = randomBytes(24).toString('hex');
const SIGNING_SECRET = randomBytes(16).toString('hex');
const LINK_PAGE = 'https://alerts.example/claims/email';

const suite = useIntegration('claims', {
  before: async () => {
    slackOrigin = await slack.start();
    // Its clicks are handed to the ingest handler here, not posted: only the signing secret matters.
    slack.interactive('http://127.0.0.1:1/claims/slack', SIGNING_SECRET);
  },
  provision: () => ({
    visibilityTimeoutSeconds: 1,
    slackChannels: [{ name: 'reviews', webhookUrl: slack.webhookUrl('reviews') }],
  }),
  env: () => ({
    IA_RATE_PER_SECOND: '1000',
    MIN_RECHECK_INTERVAL_SECONDS: '0',
    CLAIMS_SECRET_NAME: claimsSecretName,
    CLAIM_LINK_URL: LINK_PAGE,
  }),
});
const { ia } = suite;
const { sqs } = suite.clients;
type HttpHandler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
let check: SqsHandler;
let notify: SqsHandler;
let ingest: HttpHandler;
let stateFile: string;

beforeAll(async () => {
  const { resources } = suite;
  await suite.clients.secrets.send(
    new CreateSecretCommand({
      Name: claimsSecretName,
      SecretString: JSON.stringify({ linkKey: LINK_KEY, slackSigningSecret: SIGNING_SECRET }),
    }),
  );
  check = await loadHandler<SqsHandler>('check');
  const channels = resources.slackChannels.map((channel) => ({ ...channel, claimButtons: true }));
  notify = await loadHandler<SqsHandler>('notify-slack', {
    ...notifyEnvironment(resources),
    SLACK_CHANNELS: JSON.stringify(channels),
  });
  ingest = await loadHandler<HttpHandler>('ingest', {
    ...ingestEnvironment(resources),
    STATE_TABLE_NAME: resources.stateTableName,
    SLACK_ORIGINS: slackOrigin,
  });
  stateFile = localStateFile(suite);
}, 60_000);

afterAll(async () => {
  await slack.stop();
});

beforeEach(async () => {
  slack.reset();
  for (const url of [suite.resources.emailInboxUrl, ...suite.resources.slackChannels.map((c) => c.queueUrl)])
    await drain(sqs, url);
});

const cli = (...args: string[]) => runCli(args, { ...process.env, IA_ALERTS_LOCAL_STATE: stateFile });

const holderOf = async (attemptId: string) => {
  const rows = (await cli('pending', '--json')).out.trim().split('\n').filter(Boolean);
  const row = rows
    .map((line) => JSON.parse(line) as { attemptId: string; claimedBy?: string })
    .find((r) => r.attemptId === attemptId);
  return row?.claimedBy;
};

/** A review.needed for a fresh attempt, watched by check and posted to Slack by notify-slack. */
const alertedAttempt = async () => {
  const attemptId = freshAttempt(ia, 'reviewNeeded');
  const { resources } = suite;
  await sqs.send(
    new SendMessageCommand({ QueueUrl: resources.checksQueueUrl, MessageBody: JSON.stringify({ attemptId }) }),
  );
  await pollOnce({ sqs, queueUrl: resources.checksQueueUrl, handler: check });
  await pollOnce({
    sqs,
    queueUrl: resources.slackChannels[0]?.queueUrl as string,
    handler: notify,
    functionName: 'notify-slack',
  });
  const post = slack.posts.find((p) => JSON.stringify(p.body).includes(attemptId));
  expect(post).toBeDefined();
  return { attemptId, blocks: (post?.body as { blocks: Array<Record<string, unknown>> } | undefined)?.blocks ?? [] };
};

const httpEvent = (routeKey: string, body: string, headers: Record<string, string>, query?: Record<string, string>) =>
  ({
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1],
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: routeKey.split(' ')[0] } },
  }) as unknown as APIGatewayProxyEventV2;

/** `user` clicks the claim or release button on `blocks` (the newest message by default), as the fake Slack sends it. */
const click = (
  attemptId: string,
  user: string,
  options: { blocks?: Array<Record<string, unknown>>; signingSecret?: string; timestamp?: number } = {},
) => {
  const request = slack.interaction(attemptId, user, options);
  expect(request).toBeDefined();
  return httpEvent('POST /claims/slack', request?.body ?? '', request?.headers ?? {});
};

const answer = (event: APIGatewayProxyEventV2) => ingest(event, lambdaContext('ingest', 10_000));

/** What the fake Slack got on the interaction's response_url: the message as updated. */
const lastReply = () => {
  const reply = slack.posts.filter((p) => p.path.startsWith('/actions/')).at(-1);
  return reply?.body as { replace_original?: boolean; text: string; blocks?: Array<Record<string, unknown>> };
};

describe('the Slack button', () => {
  it('claims once, updates the message in place with a release button, refuses a replay, and releases', async () => {
    const { attemptId, blocks } = await alertedAttempt();
    const request = click(attemptId, 'grace');
    expect((await answer(request)).statusCode).toBe(200);
    const update = lastReply();
    expect(update).toMatchObject({ replace_original: true, text: expect.stringContaining('grace is on it') });
    // Any other button stays; the claim's button is now the release.
    const kinds = (list: Array<Record<string, unknown>>) =>
      list
        .filter((b) => b.type === 'actions')
        .flatMap((b) => (b.elements as Array<{ action_id?: string }>).map((e) => e.action_id ?? 'link'));
    expect(kinds(blocks)).toEqual([...kinds(blocks).filter((k) => k === 'link'), CLAIM_ACTION]);
    expect(kinds(update.blocks ?? [])).toEqual([...kinds(blocks).filter((k) => k === 'link'), RELEASE_ACTION]);
    expect(await holderOf(attemptId)).toBe('grace');

    // The same signed request again: refused, nothing posted.
    const posted = slack.posts.length;
    expect((await answer(request)).statusCode).toBe(409);
    expect(slack.posts).toHaveLength(posted);

    // Someone else's click on the original message: told who holds it, only them.
    expect((await answer(click(attemptId, 'alan', { blocks }))).statusCode).toBe(200);
    expect(lastReply()).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: expect.stringContaining('already claimed by grace'),
    });
    expect(await holderOf(attemptId)).toBe('grace');

    await drain(sqs, suite.resources.checksQueueUrl);
    expect((await answer(click(attemptId, 'grace'))).statusCode).toBe(200);
    expect(lastReply().text).toContain('grace let it go');
    expect(await holderOf(attemptId)).toBeUndefined();
    // Let go: a check of the attempt, so escalation that fell due while it was held goes out now.
    expect((await drain(sqs, suite.resources.checksQueueUrl)).map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      { attemptId, source: 'claim-release', afterRelease: true },
    ]);
  });

  it('refuses a wrong signature and a stale timestamp before reading anything', async () => {
    const { attemptId } = await alertedAttempt();
    const forged = await answer(click(attemptId, 'mallory', { signingSecret: 'not-the-signing-secret' }));
    expect([forged.statusCode, JSON.parse(forged.body ?? '{}').error]).toEqual([401, 'bad_signature']);
    const stale = await answer(click(attemptId, 'mallory', { timestamp: Math.floor(Date.now() / 1000) - 600 }));
    expect([stale.statusCode, JSON.parse(stale.body ?? '{}').error]).toEqual([401, 'stale_timestamp']);
    expect(await holderOf(attemptId)).toBeUndefined();
  });
});

describe('the email link', () => {
  const token = (attemptId: string) =>
    new URL(claimLink(LINK_PAGE, LINK_KEY, { attemptId }, new Date())).searchParams.get('t') as string;

  it('shows a form and claims nothing when opened; its POST claims; a second person is told who holds it', async () => {
    const { attemptId } = await alertedAttempt();
    const t = token(attemptId);
    const page = await answer(httpEvent('GET /claims/email', '', {}, { t }));
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'referrer-policy': 'no-referrer',
    });
    expect(page.body).toContain('<form method="post">');
    expect(await holderOf(attemptId)).toBeUndefined();

    const form = (by: string) =>
      httpEvent('POST /claims/email', new URLSearchParams({ t, by }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const claimed = await answer(form('Ada <script>alert(1)</script>'));
    expect(claimed.statusCode).toBe(200);
    expect(claimed.body).not.toContain('<script>');
    expect(await holderOf(attemptId)).toMatch(/^Ada /);
    const second = await answer(form('Alan'));
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('already claimed by Ada');
    expect((await answer(httpEvent('GET /claims/email', '', {}, { t }))).body).toContain('Already claimed by');
  });

  it('refuses a link signed with another key, or changed', async () => {
    const { attemptId } = await alertedAttempt();
    const forged = new URL(claimLink(LINK_PAGE, 'another-deployments-key', { attemptId }, new Date())).searchParams.get(
      't',
    );
    expect((await answer(httpEvent('GET /claims/email', '', {}, { t: forged ?? '' }))).statusCode).toBe(400);
    const changed = `${token(attemptId).slice(0, -2)}AA`;
    const post = await answer(
      httpEvent('POST /claims/email', new URLSearchParams({ t: changed, by: 'Eve' }).toString(), {}),
    );
    expect(post.statusCode).toBe(400);
    expect(await holderOf(attemptId)).toBeUndefined();
  });
});
