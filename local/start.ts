/**
 * `npm start`: the whole pipeline on this machine, on embedded defaults, as it is deployed: the
 * stack synthesised from its props and deployed onto moto (AWS), each of the five functions in
 * containers of its own (its name, its environment from the template, its clock), fed by the
 * checks queue and the Slack buffers like Lambda's event sources, the sweep on a schedule, the
 * webhooks through a local HTTP API; the fake IA API (or the real one when IA_API_KEY is set) and
 * a console "inbox" showing each alert as an email subscriber, a Slack channel, a Teams channel
 * (through Amazon Q) and the escalation audience receive it. On the fake IA it serves two IA
 * accounts, each with its own key and data. Ctrl-C stops everything it started.
 */
import { randomBytes } from 'node:crypto';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { ALERT_EVENT_SOURCE, type Alert, isClaimable } from '#lib/domain/alert.js';
import { claimLink } from '#lib/domain/claims/claim-link.js';
import { IA_DEFAULTS } from '#lib/domain/defaults.js';
import { isDigest, type Notification } from '#lib/domain/notification.js';
import { chatPreview } from '#lib/domain/render/chat.js';
import { digestBody, digestSubject, emailBody, emailSubject } from '#lib/domain/render/email.js';
import { type SlackMessage, slackPreview } from '#lib/domain/render/slack.js';
import type { SourceKind } from '#lib/domain/webhooks/kinds.js';
import type { WebhookSourceKind } from '../infra/index.js';
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
import { startLocalStack } from './local-stack.js';
import { startMoto } from './moto.js';
import type { LocalSource } from './provision.js';
import { apiProvisioner } from './provisioner.js';
import { localSources } from './sources.js';
import { drain } from './sqs-poller.js';
import { clearState, writeState } from './state.js';

const tty = process.stdout.isTTY;
const SWEEP_INTERVAL_SECONDS = 20;
const ESCALATE_AFTER_SECONDS = 120;
/** Trigger health, shortened as escalation is: silent after a minute's quiet and one completion only the sweep found. */
const TRIGGER_SILENT_AFTER_SECONDS = 60;
const LOCAL_TRIGGER_ENV = {
  TRIGGER_SILENT_AFTER_SECONDS: String(TRIGGER_SILENT_AFTER_SECONDS),
  TRIGGER_SILENT_COMPLETIONS: '1',
  TRIGGER_GRACE_SECONDS: '0',
};
/** On the fake IA, a candidate finishes a test nobody announces this often: what a broken trigger looks like. */
const QUIET_COMPLETION_SECONDS = 90;

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

/** Until the pipeline is up, a signal ends the process at once: its exit handlers stop moto. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const endEarly = () => process.exit(130);
for (const signal of SIGNALS) process.on(signal, endEarly);

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
  const iaBaseUrl = fakeIa
    ? await fakeIa.start(Number(process.env.FAKE_IA_PORT ?? 0))
    : (process.env.IA_API_BASE_URL ?? IA_DEFAULTS.baseUrl);

  const slack = new FakeSlackServer();
  await slack.start();
  const sources = fakeIa ? [...localSources(), SECOND_ACCOUNT.source()] : localSources();
  const slackUrl = slack.webhookUrl('review-alerts');
  // The HTTP API first, so the stack's claim links point at it; it serves the stack's routes once deployed.
  const routeKeys: string[] = [];
  let ingest: HttpHandler = async () => ({ statusCode: 503 });
  const api = await startHttpApi(
    (event, context) => ingest(event, context),
    Number(process.env.LOCAL_WEBHOOK_PORT ?? 0),
    routeKeys,
  );
  const claimKeys = { linkKey: randomBytes(24).toString('hex'), slackSigningSecret: randomBytes(16).toString('hex') };
  const stack = await startLocalStack({
    endpoint: moto.endpoint,
    stackName: 'ReviewAlertsLocal',
    props: (scope) => ({
      alertEmails: ['ops@example.com'],
      escalateAfter: Duration.hours(1),
      escalationEmails: ['head-of-talent@example.com'],
      slackChannels: [{ name: 'review-alerts', webhookOrigin: new URL(slackUrl).origin }],
      // A Microsoft Teams channel through Amazon Q Developer: its topic's inbox shows what Amazon Q would post.
      teamsChannels: [
        {
          name: 'hiring-teams',
          teamId: '00000000-0000-4000-8000-000000000001',
          channelId: '19%3Alocal%40thread.tacv2',
          tenantId: '00000000-0000-4000-8000-000000000002',
        },
      ],
      sources: sources.map(({ secretValue: _secret, kind, ...source }) => ({
        ...source,
        kind: kind as unknown as WebhookSourceKind,
      })),
      ...(fakeIa ? { iaAccounts: [{ name: 'agency-a' }, { name: SECOND_ACCOUNT.name }] } : {}),
      alertBus: new events.EventBus(scope, 'AlertBus'),
      claims: true,
    }),
    apiEndpoint: api.url,
    secretValue: (logicalId, properties) => {
      if (/IaApiKey/.test(logicalId))
        return /of account agency-b/.test(String(properties.Description ?? '')) ? keyB : apiKey;
      if (/SlackWebhook/.test(logicalId)) return slackUrl;
      if (/ClaimsSecret/.test(logicalId)) return JSON.stringify(claimKeys);
      const source = sources.find((s) =>
        new RegExp(`IngestSource${s.name.replaceAll('-', '')}[0-9A-F]{8}$`).test(logicalId),
      );
      return source?.secretValue;
    },
    env: {
      // The schedule the stack gives the sweep (5 min), shortened so a local run shows it at work;
      // escalateAfter is hours deployed, two minutes here.
      SWEEP_INTERVAL_SECONDS: String(SWEEP_INTERVAL_SECONDS),
      ...LOCAL_TRIGGER_ENV,
      ESCALATE_AFTER_SECONDS: String(ESCALATE_AFTER_SECONDS),
      // The fake IA serves plain HTTP on loopback, which the iaApiBaseUrl prop (https only) refuses.
      IA_API_BASE_URL: iaBaseUrl,
      // Interaction replies go to the fake Slack, not hooks.slack.com.
      SLACK_ORIGINS: new URL(slackUrl).origin,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      // Powertools pretty-prints its JSON logs in dev mode: readable in a terminal, JSON otherwise.
      ...(tty ? { POWERTOOLS_DEV: 'true' } : {}),
    },
    clockSkewMs: 20,
    onLog: (fn, line) => say(`${bold(`[${fn}]`)} ${line}`),
    onError: (error) => say(`poller error: ${(error as Error).message}`),
  });
  const { deployment, clients } = stack;
  const { sqs } = clients;
  const checkEnv = deployment.function('check').env;
  const notifyEnv = deployment.function('notify-slack').env;
  const channels = JSON.parse(notifyEnv.SLACK_CHANNELS as string) as Array<{
    name: string;
    queueUrl: string;
    chatTopicArn?: string;
  }>;

  // Inboxes: what an email subscriber (the template's filter policies) and a machine subscriber
  // (everything) receive, what Amazon Q reads from each chat topic, what the alert bus carries.
  const provisioner = apiProvisioner(clients);
  const inbox = async (name: string, topicArn: string, filterPolicy?: Record<string, unknown>) => {
    const queue = await provisioner.queue(`local-inbox-${name}`, { visibilitySeconds: 30, retentionSeconds: 86_400 });
    await provisioner.subscribe(topicArn, {
      protocol: 'sqs',
      endpoint: queue.arn,
      raw: true,
      ...(filterPolicy ? { filterPolicy } : {}),
    });
    return queue.url;
  };
  const alertsTopicArn = checkEnv.ALERTS_TOPIC_ARN as string;
  const email = (address: string) =>
    deployment.subscriptions.find((s) => s.protocol === 'email' && s.endpoint === address);
  const emailInboxUrl = await inbox('email', alertsTopicArn, email('ops@example.com')?.filterPolicy);
  const escalationInboxUrl = await inbox(
    'escalation',
    alertsTopicArn,
    email('head-of-talent@example.com')?.filterPolicy,
  );
  const allAlertsInboxUrl = await inbox('all-alerts', alertsTopicArn);
  const chatInboxes = await Promise.all(
    channels
      .filter((c) => c.chatTopicArn)
      .map(async (c) => ({ name: c.name, url: await inbox(`chat-${c.name}`, c.chatTopicArn as string) })),
  );
  const bus = checkEnv.ALERT_BUS as string;
  const alertEventsInbox = await provisioner.queue('local-inbox-alert-events', {
    visibilitySeconds: 30,
    retentionSeconds: 86_400,
  });
  await provisioner.rule(bus.split('/').pop() as string, {
    name: 'local-alert-events',
    pattern: { source: [ALERT_EVENT_SOURCE] },
    targets: [{ arn: alertEventsInbox.arn }],
  });

  const invoke = async (kind: 'ingest' | 'sweep', event: unknown) => {
    const result = await (stack.functions.get(kind) as NonNullable<ReturnType<typeof stack.functions.get>>).invoke(
      event,
    );
    if (result.outcome !== 'returned') throw new Error(`${kind} ${result.outcome}`);
    return result.value;
  };
  routeKeys.push(...deployment.httpRoutes);
  ingest = async (event) => (await invoke('ingest', event)) as never;
  // The Slack app's interactivity: its "I'm on it" buttons post to the stack's claims route.
  slack.interactive(`${api.url}/claims/slack`, claimKeys.slackSigningSecret);
  /** The email's "I'm on it" link, as check and the sweep sign it (adapters/alert-publishing.ts). */
  const claimUrl = (alert: Alert) =>
    isClaimable(alert)
      ? claimLink(
          checkEnv.CLAIM_LINK_URL as string,
          claimKeys.linkKey,
          { attemptId: alert.attemptId, ...(alert.account ? { account: alert.account } : {}) },
          new Date(alert.occurredAt),
        )
      : undefined;
  // What EventBridge's rate schedule does for the stack: run the sweep every interval.
  const runSweep = () => void invoke('sweep', {}).catch((error: unknown) => say(`sweep: ${(error as Error).message}`));
  runSweep();
  const sweepTimer = setInterval(runSweep, SWEEP_INTERVAL_SECONDS * 1000);
  let quietCompletions = 0;
  const quietTimer = setInterval(() => {
    quietCompletions += 1;
    const id = `quiet-${quietCompletions}`;
    fakeIa?.setAssignment(`asg-${id}`, listedAssignment(`asg-${id}`, new Date(), [{ id: `att-${id}` }]));
  }, QUIET_COMPLETION_SECONDS * 1000);
  // What the Slack channel shows: every post the fake webhook received, as readable text.
  let shownPosts = 0;
  const slackView = setInterval(() => {
    for (const post of slack.posts.slice(shownPosts)) {
      const message = post.body as SlackMessage & { replace_original?: boolean };
      // An interaction's reply: the clicked message updated in place, or a note only the clicker sees.
      const where = post.path.startsWith('/actions/')
        ? message.replace_original
          ? 'Slack #review-alerts (the message, updated)'
          : 'Slack #review-alerts (only the person who clicked sees this)'
        : `Slack #${post.path.split('/').pop()}`;
      say(`\n${bold(`─── ${where} ───────────────────────────────────`)}`);
      say(slackPreview(message));
    }
    shownPosts = slack.posts.length;
  }, 500);

  // What an email subscriber (actionable types only) and a machine subscriber (everything) receive.
  let inboxRunning = true;
  const inboxes = (async () => {
    while (inboxRunning) {
      for (const message of await drain(sqs, emailInboxUrl, 1)) {
        const notification = JSON.parse(message.Body ?? '{}') as Notification;
        say(`\n${bold('─── email ───────────────────────────────────────────────')}`);
        say(
          isDigest(notification)
            ? `Subject: ${digestSubject(notification)}\n\n${digestBody(notification)}`
            : `Subject: ${emailSubject(notification)}\n\n${emailBody(notification, claimUrl(notification))}`,
        );
      }
      for (const message of await drain(sqs, escalationInboxUrl, 0)) {
        const alert = JSON.parse(message.Body ?? '{}') as Alert;
        say(`\n${bold('─── escalation email (escalationEmails: review.escalated only) ───')}`);
        say(`Subject: ${emailSubject(alert)}\n\n${emailBody(alert, claimUrl(alert))}`);
      }
      for (const channel of chatInboxes) {
        for (const message of await drain(sqs, channel.url, 0)) {
          say(`\n${bold(`─── Teams #${channel.name} (Amazon Q Developer custom notification) ───`)}`);
          say(chatPreview(JSON.parse(message.Body ?? '{}')));
        }
      }
      for (const message of await drain(sqs, alertEventsInbox.url, 0)) {
        const event = JSON.parse(message.Body ?? '{}') as { 'detail-type'?: string };
        say(bold(`[alert bus] ${event['detail-type']} event`));
      }
      for (const message of await drain(sqs, allAlertsInboxUrl, 0)) {
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

  writeState({
    motoEndpoint: moto.endpoint,
    iaBaseUrl,
    webhookUrl: `${api.url}/events`,
    sources: sources.map(({ name, kind, secretValue }) => ({ name, kind: kind as SourceKind, secretValue })),
    checksQueueUrl: checkEnv.CHECKS_QUEUE_URL as string,
    deadLetterQueueUrl: checkEnv.DEAD_LETTER_QUEUE_URL as string,
    alertsTopicArn,
    alertBusName: bus.split('/').pop() as string,
    stateTableName: checkEnv.STATE_TABLE_NAME as string,
    // What the local sweep runs with: the template's triggers, the shortened thresholds.
    triggerEnv: { TRIGGERS: deployment.function('sweep').env.TRIGGERS as string, ...LOCAL_TRIGGER_ENV },
    slackDeadLetterQueueUrl: notifyEnv.DEAD_LETTER_QUEUE_URL as string,
    slackBuffers: Object.fromEntries(channels.map((c) => [c.name, c.queueUrl])),
    pid: process.pid,
  });

  say(`
${bold('Running.')}
  AWS emulator (moto):  ${moto.endpoint}
  Indeed Assessments:   ${fakeIa ? `fake server ${iaBaseUrl} (fixtures; set IA_API_KEY to use the real API)` : `real API ${iaBaseUrl}`}
  The stack:            synthesised and deployed onto moto; ${deployment.functions.map((f) => f.kind).join(', ')}, each in containers of its own
  Checks queue:         ${checkEnv.CHECKS_QUEUE_URL}
  Slack (fake webhook): ${slack.webhookUrl('review-alerts')}
  Teams (Amazon Q):     channel hiring-teams, through its own topic (review thread, stalled scoring, digest)
  Escalation:           review.escalated ${ESCALATE_AFTER_SECONDS} s after review.needed (hours deployed), to the escalation audience only
  IA accounts:          ${fakeIa ? `agency-a (the fixtures) and ${SECOND_ACCOUNT.name} (its own key; ${SECOND_ACCOUNT.unannounced}, which no event names, is alerted below)` : 'one, the real key'}
  Webhooks:             POST ${api.url}/events/{${sources.map((s) => s.name).join('|')}}
  Sweep:                walks the assignment list every ${SWEEP_INTERVAL_SECONDS} s (5 min deployed): ${fakeIa ? `${UNANNOUNCED.attemptId}, which no event names, is alerted below` : 'the real list'}
  Trigger health:       ${fakeIa ? `every ${QUIET_COMPLETION_SECONDS} s a test completes that no trigger announces; a source that delivered and then stays quiet ${TRIGGER_SILENT_AFTER_SECONDS} s (6 h deployed) while the sweep finds one (3 deployed) is silent` : `a source quiet ${TRIGGER_SILENT_AFTER_SECONDS} s while the sweep finds a completion is silent`}

In another terminal, trigger a check:
  npm run enqueue -- ${VARIANTS.reviewNeeded}          review needed → an email and a Slack post below
  npm run enqueue -- ${SEED_ATTEMPT_ID}           the API's seed attempt → attempt.scored, no email
  npm run enqueue -- --assignment ${SEED_ASSIGNMENT_ID}
  npm run enqueue -- ${VARIANTS.scoringPending}         scoring still running → re-checked in 60 s
  npm run enqueue -- --account ${SECOND_ACCOUNT.name} ${SECOND_ACCOUNT.announced}   an attempt of the second IA account
  npm run -s cli -- pending                        what waits for a review, oldest first
  npm run -s cli -- digest --now                   the digest of it, as email and in Slack (a line per trigger)
  npm run -s cli -- sources                        each trigger's last event, pace, and what only the sweep found:
                                                   deliver a webhook (below), wait two minutes: it is SILENT (sources, digest --now)
Say "I'm on it" for a waiting review (escalation stops; reminders and the digest name you):
  curl -s -X POST ${slack.origin()}/_click -d '{"attemptId":"${VARIANTS.reviewNeeded}","user":"grace"}'
                                                   click its Slack button (click again: let it go)
  open the email's "I'm on it" link                a page asks who; its form claims
  npm run -s cli -- ack ${VARIANTS.reviewNeeded} --by grace   from the CLI (--release lets go)
or deliver a signed webhook, as an ATS would (any of: ${sources.map((s) => s.name).join(', ')}):
  npm run -s cli -- sign --source greenhouse --body local/fixtures/webhooks/greenhouse.json | sh
Ctrl-C stops everything.
`);

  // A terminal's Ctrl-C reaches npm, tsx and this process, each passing it on: the first signal
  // stops, the others are the same request. The state file goes first, so a CLI run meanwhile
  // already hears that the pipeline is not running; each part stops even if one before it failed.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping...');
    clearState();
    inboxRunning = false;
    clearInterval(slackView);
    clearInterval(sweepTimer);
    clearInterval(quietTimer);
    const parts = [
      () => stack.stop(),
      () => slack.stop(),
      () => api.stop(),
      () => inboxes,
      () => fakeIa?.stop(),
      () => moto.stop(),
    ];
    for (const part of parts) {
      await Promise.resolve()
        .then(part)
        .catch((error: unknown) => say(`while stopping: ${(error as Error).message}`));
    }
    say('Stopped.');
    process.exit(0);
  };
  for (const signal of SIGNALS) {
    process.off(signal, endEarly);
    process.on(signal, () => void stop());
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
});
