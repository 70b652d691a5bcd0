/**
 * `npm start`: the whole pipeline on this machine, on embedded defaults.
 * moto (AWS) + the fake IA API (or the real one when IA_API_KEY is set) + the check function
 * polled from its queue like Lambda's event source + a console "inbox" showing each alert as an
 * email subscriber, a Slack channel, a Teams channel (through Amazon Q) and the escalation
 * audience receive it. On the fake IA it serves two IA accounts, each with its own key and data.
 * Ctrl-C stops everything it started.
 */
import { randomBytes } from 'node:crypto';
import type { Alert } from '#lib/domain/alert.js';
import { IA_DEFAULTS } from '#lib/domain/defaults.js';
import { isDigest, type Notification } from '#lib/domain/notification.js';
import { chatPreview } from '#lib/domain/render/chat.js';
import { digestBody, digestSubject, emailBody, emailSubject } from '#lib/domain/render/email.js';
import { type SlackMessage, slackPreview } from '#lib/domain/render/slack.js';
import { FakeIaServer } from './fake-ia-server.js';
import { FakeSlackServer } from './fake-slack-server.js';
import { type HttpHandler, startHttpApi } from './http-api.js';
import {
  defaultAssignments,
  defaultAttempts,
  listedAssignment,
  SEED_ASSIGNMENT_ID,
  SEED_ATTEMPT_ID,
  seedVariant,
  UNANNOUNCED,
  VARIANTS,
} from './ia-fixtures.js';
import { lambdaContext } from './lambda.js';
import { motoEnvironment, startMoto } from './moto.js';
import {
  awsClients,
  checkEnvironment,
  ingestEnvironment,
  type LocalSource,
  notifyEnvironment,
  provision,
  sweepEnvironment,
} from './provision.js';
import { localSources } from './sources.js';
import { drain, type SqsHandler, startPoller } from './sqs-poller.js';
import { clearState, stateOf, writeState } from './state.js';

const tty = process.stdout.isTTY;
const SWEEP_INTERVAL_SECONDS = 20;
const ESCALATE_AFTER_SECONDS = 120;

/** The second IA account of the local run: its own key, its own attempts (ids `b-…`), its own webhook source. */
const SECOND_ACCOUNT = {
  name: 'agency-b',
  prefix: 'b-',
  unannounced: 'b-att-nobody-told-us',
  announced: 'b-att-review-needed',
  attempts: () => ({
    'b-att-review-needed': seedVariant('b-att-review-needed', { pending_review_count: 1, scoring_completed: false }),
  }),
  assignments: () => ({
    'b-asg-nobody-told-us': listedAssignment('b-asg-nobody-told-us', new Date(Date.now() - 3 * 3_600_000), [
      { id: 'b-att-nobody-told-us', pendingReviewCount: 2, scoringCompleted: false },
    ]),
  }),
  source: (): LocalSource => ({
    name: 'webhooks-b',
    kind: 'standard-webhooks',
    account: 'agency-b',
    attemptIdPath: 'data.attemptId',
    assignmentIdPath: 'data.assignmentId',
    secretValue: `whsec_${randomBytes(32).toString('base64')}`,
  }),
};
const bold = (text: string) => (tty ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text: string) => process.stdout.write(`${text}\n`);

const main = async () => {
  say(bold('Starting the assessment review alerts pipeline locally...'));
  const moto = await startMoto();
  const realKey = process.env.IA_API_KEY?.trim();
  const apiKey = realKey || `local-${randomBytes(8).toString('hex')}`;
  // Two IA accounts on the fake: agency-b's key sees only its own (b-…) attempts and assignments.
  const keyB = `local-b-${randomBytes(8).toString('hex')}`;
  const fakeIa = realKey
    ? undefined
    : new FakeIaServer({
        apiKeys: [apiKey, keyB],
        attempts: { ...defaultAttempts(), ...SECOND_ACCOUNT.attempts() },
        assignments: { ...defaultAssignments(), ...SECOND_ACCOUNT.assignments() },
        visibleTo: (key, id) => (key === keyB) === id.startsWith(SECOND_ACCOUNT.prefix),
      });
  const iaBaseUrl = fakeIa ? await fakeIa.start(Number(process.env.FAKE_IA_PORT ?? 0)) : process.env.IA_API_BASE_URL;

  const slack = new FakeSlackServer();
  await slack.start();
  const sources = fakeIa ? [...localSources(), SECOND_ACCOUNT.source()] : localSources();
  const resources = await provision({
    endpoint: moto.endpoint,
    prefix: 'local',
    apiKey,
    visibilityTimeoutSeconds: 30,
    sources,
    slackChannels: [{ name: 'review-alerts', webhookUrl: slack.webhookUrl('review-alerts') }],
    // A Microsoft Teams channel through Amazon Q Developer: its topic's inbox shows what Amazon Q would post.
    chatChannels: [{ name: 'hiring-teams' }],
    ...(fakeIa
      ? {
          accounts: [
            { name: 'agency-a', apiKey },
            { name: SECOND_ACCOUNT.name, apiKey: keyB },
          ],
        }
      : {}),
  });
  Object.assign(
    process.env,
    motoEnvironment(moto.endpoint),
    checkEnvironment(resources, iaBaseUrl ?? ''),
    ingestEnvironment(resources),
    sweepEnvironment(resources, iaBaseUrl ?? ''),
    {
      // The schedule the stack gives the sweep (5 min), shortened so a local run shows it at work.
      SWEEP_INTERVAL_SECONDS: String(SWEEP_INTERVAL_SECONDS),
      // escalateAfter is hours deployed; two minutes here, so a local run shows the escalation.
      ESCALATE_AFTER_SECONDS: String(ESCALATE_AFTER_SECONDS),
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      // Powertools pretty-prints its JSON logs in dev mode: readable in a terminal, JSON otherwise.
      ...(tty ? { POWERTOOLS_DEV: 'true' } : {}),
    },
  );
  if (!iaBaseUrl) delete process.env.IA_API_BASE_URL;

  const { handler } = (await import('../functions/check/handler.js')) as unknown as { handler: SqsHandler };
  const { handler: ingest } = (await import('../functions/ingest/handler.js')) as unknown as {
    handler: HttpHandler;
  };
  const { handler: sweep } = (await import('../functions/sweep/handler.js')) as unknown as {
    handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
  };
  // notify-slack reads its own environment at cold start, as each Lambda has its own.
  Object.assign(process.env, notifyEnvironment(resources));
  const { handler: notify } = (await import('../functions/notify-slack/handler.js')) as unknown as {
    handler: SqsHandler;
  };
  const api = await startHttpApi(ingest, Number(process.env.LOCAL_WEBHOOK_PORT ?? 0));
  const { sqs } = awsClients(moto.endpoint);
  const onError = (error: unknown) => say(`poller error: ${(error as Error).message}`);
  const pollers = [
    startPoller({ sqs, queueUrl: resources.checksQueueUrl, handler, functionName: 'check', onError }),
    ...resources.slackChannels.map((c) =>
      startPoller({ sqs, queueUrl: c.queueUrl, handler: notify, functionName: 'notify-slack', onError }),
    ),
  ];
  // What EventBridge's rate schedule does for the stack: run the sweep every interval.
  const runSweep = () => void sweep({}, lambdaContext('sweep', (SWEEP_INTERVAL_SECONDS + 30) * 1000)).catch(onError);
  runSweep();
  const sweepTimer = setInterval(runSweep, SWEEP_INTERVAL_SECONDS * 1000);
  // What the Slack channel shows: every post the fake webhook received, as readable text.
  let shownPosts = 0;
  const slackView = setInterval(() => {
    for (const post of slack.posts.slice(shownPosts)) {
      const message = post.body as SlackMessage;
      say(`\n${bold(`─── Slack #${post.path.split('/').pop()} ───────────────────────────────────`)}`);
      say(slackPreview(message));
    }
    shownPosts = slack.posts.length;
  }, 500);

  // What an email subscriber (actionable types only) and a machine subscriber (everything) receive.
  let inboxRunning = true;
  const inbox = (async () => {
    while (inboxRunning) {
      for (const message of await drain(sqs, resources.emailInboxUrl, 1)) {
        const notification = JSON.parse(message.Body ?? '{}') as Notification;
        say(`\n${bold('─── email ───────────────────────────────────────────────')}`);
        say(
          isDigest(notification)
            ? `Subject: ${digestSubject(notification)}\n\n${digestBody(notification)}`
            : `Subject: ${emailSubject(notification)}\n\n${emailBody(notification)}`,
        );
      }
      for (const message of await drain(sqs, resources.escalationInboxUrl, 0)) {
        const alert = JSON.parse(message.Body ?? '{}') as Alert;
        say(`\n${bold('─── escalation email (escalationEmails: review.escalated only) ───')}`);
        say(`Subject: ${emailSubject(alert)}\n\n${emailBody(alert)}`);
      }
      for (const channel of resources.slackChannels) {
        if (!('chatInboxUrl' in channel)) continue;
        for (const message of await drain(sqs, channel.chatInboxUrl, 0)) {
          say(`\n${bold(`─── Teams #${channel.name} (Amazon Q Developer custom notification) ───`)}`);
          say(chatPreview(JSON.parse(message.Body ?? '{}')));
        }
      }
      for (const message of await drain(sqs, resources.allAlertsInboxUrl, 0)) {
        const notification = JSON.parse(message.Body ?? '{}') as Notification;
        say(
          bold(
            isDigest(notification)
              ? `[alerts topic] ${notification.eventType} waiting=${notification.waiting}`
              : `[alerts topic] ${notification.eventType}${notification.account ? ` account=${notification.account}` : ''} attempt=${notification.attemptId} pending=${notification.pendingReviewCount}`,
          ),
        );
      }
    }
  })();

  writeState(
    stateOf(resources, {
      motoEndpoint: moto.endpoint,
      iaBaseUrl: iaBaseUrl ?? IA_DEFAULTS.baseUrl,
      webhookUrl: `${api.url}/events`,
      sources: sources.map(({ name, kind, secretValue }) => ({ name, kind, secretValue })),
    }),
  );

  say(`
${bold('Running.')}
  AWS emulator (moto):  ${moto.endpoint}
  Indeed Assessments:   ${fakeIa ? `fake server ${iaBaseUrl} (fixtures; set IA_API_KEY to use the real API)` : `real API ${iaBaseUrl ?? IA_DEFAULTS.baseUrl}`}
  Checks queue:         ${resources.checksQueueUrl}
  Slack (fake webhook): ${slack.webhookUrl('review-alerts')}
  Teams (Amazon Q):     channel hiring-teams, through its own topic (review thread, stalled scoring, digest)
  Escalation:           review.escalated ${ESCALATE_AFTER_SECONDS} s after review.needed (hours deployed), to the escalation audience only
  IA accounts:          ${fakeIa ? `agency-a (the fixtures) and ${SECOND_ACCOUNT.name} (its own key; ${SECOND_ACCOUNT.unannounced}, which no event names, is alerted below)` : 'one, the real key'}
  Webhooks:             POST ${api.url}/events/{${sources.map((s) => s.name).join('|')}}
  Sweep:                walks the assignment list every ${SWEEP_INTERVAL_SECONDS} s (5 min deployed): ${fakeIa ? `${UNANNOUNCED.attemptId}, which no event names, is alerted below` : 'the real list'}

In another terminal, trigger a check:
  npm run enqueue -- ${VARIANTS.reviewNeeded}          review needed → an email and a Slack post below
  npm run enqueue -- ${SEED_ATTEMPT_ID}           the API's seed attempt → attempt.scored, no email
  npm run enqueue -- --assignment ${SEED_ASSIGNMENT_ID}
  npm run enqueue -- ${VARIANTS.scoringPending}         scoring still running → re-checked in 60 s
  npm run enqueue -- --account ${SECOND_ACCOUNT.name} ${SECOND_ACCOUNT.announced}   an attempt of the second IA account
  npm run -s cli -- pending                        what waits for a review, oldest first
  npm run -s cli -- digest --now                   the digest of it, as email and in Slack
or deliver a signed webhook, as an ATS would (any of: ${sources.map((s) => s.name).join(', ')}):
  npm run -s cli -- sign --source greenhouse --body local/fixtures/webhooks/greenhouse.json | sh
Ctrl-C stops everything.
`);

  const stop = async () => {
    say('\nStopping...');
    inboxRunning = false;
    clearInterval(slackView);
    clearInterval(sweepTimer);
    await Promise.all(pollers.map((p) => p.stop()));
    await slack.stop();
    await api.stop();
    await inbox;
    await fakeIa?.stop();
    await moto.stop();
    clearState();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
};

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
});
