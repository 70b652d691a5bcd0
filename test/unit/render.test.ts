import type { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { publishAlert, toPublishInput } from '#lib/adapters/publish.js';
import { type Alert, type AlertType, buildAlert } from '#lib/domain/alert.js';
import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAttempt } from '#lib/domain/attempt-schema.js';
import { claimLink, verifyClaimLink } from '#lib/domain/claims/claim-link.js';
import { CLAIM_ACTION, CLAIM_STATUS_BLOCK } from '#lib/domain/claims/slack-interaction.js';
import { chatNotification } from '#lib/domain/render/chat.js';
import { asciiSafe, emailBody, emailSubject } from '#lib/domain/render/email.js';
import { claimUpdate, escapeMrkdwn, SLACK_LIMITS, slackMessage } from '#lib/domain/render/slack.js';
import { readFixture } from '../../local/ia-fixtures.js';
import { fixtureAttempt } from '../support/attempts.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const seed = () => fixtureAttempt();
const alertFor = (eventType: AlertType, attempt = seed(), includeCandidateEmail = false) =>
  buildAlert(eventType, attempt, { now: NOW, settings: { includeCandidateEmail }, source: 'greenhouse' });

describe('email rendering', () => {
  it('says what, who and how many in the subject', () => {
    expect(emailSubject(alertFor('review.needed'))).toBe(
      'Review needed: Anonymous Candidate 514 - Philosopher Assessment 1 (2 pending)',
    );
  });

  it('keeps subjects ASCII, single-line and at most 100 characters', () => {
    const attempt = { ...seed(), candidate: { name: 'Zoë Ångström-Nguyễn 李小龍\nsecond line' } };
    attempt.assessment = { name: 'Évaluation — '.repeat(20) };
    const subject = emailSubject(alertFor('review.overdue', attempt));
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toContain('Zoe Angstrom-Nguyen');
    expect(subject.endsWith('...')).toBe(true);
  });

  it('renders a body that says what to do, where, the facts, the ids and how to stop', () => {
    const body = emailBody(alertFor('review.needed'));
    expect(body).toContain('Grade 2 answers or recordings waiting for a human review for Anonymous Candidate 514');
    expect(body).toContain('Open: http://lang-group-33uekq.i9d.me:9887/share_assignment/yw4gmpjjtkgkdxjkuoghsa');
    expect(body).toMatch(/Assessment: +Philosopher Assessment 1/);
    expect(body).toMatch(/Score so far: +100%/);
    expect(body).toContain('Awaiting review (3):');
    expect(body).toContain('A audio interview step: audio recording');
    expect(body).toContain(
      'For search: attempt khbgltqixvvyoxeb, assessment pjpmahbioyqufxos, assignment yw4gmpjjtkgkdxjkuoghsa',
    );
    expect(body).toContain('To stop, use the unsubscribe link');
  });

  it('leaves the candidate email out unless configured', () => {
    expect(emailBody(alertFor('review.needed'))).not.toContain('some-user0@example[.]com');
    expect(emailBody(alertFor('review.needed', seed(), true))).toContain('some-user0@example[.]com');
  });

  it('lists at most 20 review items and counts the rest', () => {
    const attempt = {
      ...seed(),
      reviewItems: Array.from({ length: 60 }, (_, i) => ({ step: `Step ${i}`, kind: 'video' as const })),
    };
    const body = emailBody(alertFor('review.needed', attempt));
    expect(body).toContain('... and 40 more');
    expect(body).not.toContain('Step 20:');
  });

  it('renders every event type without gaps', () => {
    for (const type of [
      'review.needed',
      'review.overdue',
      'review.completed',
      'scoring.stalled',
      'attempt.scored',
    ] as const) {
      const body = emailBody(alertFor(type));
      expect(body).not.toMatch(/undefined|NaN|\[object/);
    }
  });

  it('asciiSafe replaces what it cannot transliterate', () => {
    expect(asciiSafe('Café  ☕\tok')).toBe('Cafe ? ok');
  });
});

describe('the SNS publish', () => {
  it('carries text for email and JSON for machines, with filterable attributes', () => {
    const input = toPublishInput('arn:aws:sns:us-east-1:123456789012:alerts', alertFor('review.needed'));
    expect(input.MessageStructure).toBe('json');
    const bodies = JSON.parse(input.Message as string) as Record<string, string>;
    expect(bodies.email).toContain('REVIEW NEEDED');
    expect(() => JSON.parse(bodies.email as string)).toThrow();
    for (const protocol of ['default', 'sqs', 'lambda']) {
      expect(JSON.parse(bodies[protocol] as string)).toMatchObject({
        eventType: 'review.needed',
        attemptId: 'khbgltqixvvyoxeb',
      });
    }
    expect(JSON.parse(bodies.https as string)).toMatchObject({
      source: 'custom',
      metadata: { threadId: 'khbgltqixvvyoxeb' },
    });
    expect(input.MessageAttributes).toEqual({
      eventType: { DataType: 'String', StringValue: 'review.needed' },
      assessmentId: { DataType: 'String', StringValue: 'pjpmahbioyqufxos' },
      // One IA account: "default", so per-account filter policies stay total.
      account: { DataType: 'String', StringValue: 'default' },
      pendingReviewCount: { DataType: 'Number', StringValue: '2' },
      attemptId: { DataType: 'String', StringValue: 'khbgltqixvvyoxeb' },
      source: { DataType: 'String', StringValue: 'greenhouse' },
    });
  });
});

type Block = {
  type: string;
  text?: { type: string; text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ text?: unknown; url?: string }>;
};
const chars = (text: string) => Array.from(text).length;

/** Every documented Block Kit limit, checked on a message. */
const expectWithinSlackLimits = (message: { text: string; blocks: Block[] }) => {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(chars(message.text)).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(chars(block.text?.text ?? '')).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      if (block.text) expect(chars(block.text.text)).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const field of block.fields ?? []) expect(chars(field.text)).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    if (block.type === 'context')
      expect((block.elements ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
};

describe('Slack rendering', () => {
  it('renders the seed as header, what to do, fields, review list, button and ids', () => {
    const message = slackMessage(alertFor('review.needed')) as { text: string; blocks: Block[] };
    expect(message.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'actions',
      'context',
    ]);
    expect(message.text).toBe('Review needed: Anonymous Candidate 514 - Philosopher Assessment 1 (2 pending)');
    expect(JSON.stringify(message)).toContain('share_assignment/yw4gmpjjtkgkdxjkuoghsa');
    expectWithinSlackLimits(message);
  });

  it('stays within every limit with 60 steps awaiting review and very long, Unicode names', () => {
    const attempt = {
      ...seed(),
      candidate: { name: '👩🏽‍💻 Zoë Ångström-Nguyễn 李小龍 '.repeat(40) },
      assessment: { id: 'a', name: 'Évaluation <b>&</b> '.repeat(300) },
      reviewItems: Array.from({ length: 60 }, (_, i) => ({
        step: `Étape ${i} ${'🎤'.repeat(100)}`,
        kind: 'audio' as const,
        prompt: 'x'.repeat(500),
      })),
    };
    const message = slackMessage(alertFor('review.overdue', attempt)) as { text: string; blocks: Block[] };
    expectWithinSlackLimits(message);
    const listed = (JSON.stringify(message).match(/• Étape/g) ?? []).length;
    expect(JSON.stringify(message)).toContain(`…and ${60 - listed} more`);
    expect(listed).toBeGreaterThan(5);
    expect(JSON.stringify(message)).not.toContain('<b>');
  });

  it('renders without optional fields (no candidate, no URL, no steps)', () => {
    const bare = { id: 'x1', scoringCompleted: false, pendingReviewCount: 1, assessment: {}, reviewItems: [] };
    const message = slackMessage(alertFor('review.needed', bare)) as { text: string; blocks: Block[] };
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(JSON.stringify(message)).not.toMatch(/undefined|NaN/);
    expectWithinSlackLimits(message);
  });

  it('escapes Slack control characters in user text', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|x>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|x&gt;');
  });
});

describe('Amazon Q Developer custom notification', () => {
  it('has the documented shape, threaded by attempt', () => {
    const chat = chatNotification(alertFor('review.needed'));
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: 'khbgltqixvvyoxeb:review.needed',
      content: {
        textType: 'client-markdown',
        title: 'Review needed: Anonymous Candidate 514',
        nextSteps: expect.any(Array),
      },
      metadata: {
        threadId: 'khbgltqixvvyoxeb',
        eventType: 'review.needed',
        summary: expect.stringContaining('Review needed'),
      },
    });
    expect(chatNotification(alertFor('review.completed')).metadata.threadId).toBe('khbgltqixvvyoxeb');
  });
});

describe('hostile text from IA, in every format and event type', () => {
  const HOSTILE =
    '<!channel> <https://evil.example|Click to review>\nOpen: https://evil.example/phish [here](https://evil.example) *x* \u202eevil\u0000';
  const raw = readFixture('attempt-seed.json') as { attempt: Record<string, unknown> };
  const hostileAttempt = () => {
    const attempt = structuredClone(raw.attempt) as Record<string, unknown> & {
      step_progressions: Array<Record<string, unknown>>;
    };
    attempt.pending_review_count = 2;
    attempt.scoring_completed = false;
    attempt.user = { name: HOSTILE, email: `x@example.com\nBcc: all@example.com` };
    attempt.role = { name: HOSTILE };
    attempt.assessment = { id: 'pjpmahbioyqufxos', name: HOSTILE };
    attempt.level = HOSTILE;
    for (const step of attempt.step_progressions) {
      step.step = { name: HOSTILE };
      for (const recording of (step.audio_recordings as Array<Record<string, unknown>> | undefined) ?? [])
        recording.audio_prompt = { name: HOSTILE.repeat(50) };
    }
    return normaliseAttempt(parseAttempt({ attempt }));
  };
  const EVENT_TYPES_ALL: AlertType[] = [
    'review.needed',
    'review.overdue',
    'review.completed',
    'scoring.stalled',
    'attempt.scored',
  ];

  it('is made safe where it enters: one line, no controls, links defanged, bounded', () => {
    const attempt = hostileAttempt();
    for (const text of [
      attempt.candidate?.name,
      attempt.role,
      attempt.assessment.name,
      attempt.level,
      ...attempt.reviewItems.flatMap((i) => [i.step, i.prompt]),
    ]) {
      expect(text).toBeDefined();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be there
      expect(text).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
      expect(text).not.toContain('https://');
      expect(Array.from(text as string).length).toBeLessThanOrEqual(500);
    }
    expect(attempt.candidate?.name).toContain('https[:]//evil[.]example');
    expect(attempt.candidate?.email).toBe('x@example[.]com Bcc: all@example[.]com');
  });

  /** The renderings a person reads, as text: email subject and body, Slack fallback and blocks, Amazon Q. */
  const everyRendering = (alert: ReturnType<typeof alertFor>) => {
    const chat = chatNotification(alert);
    return [
      emailSubject(alert),
      emailBody(alert),
      JSON.stringify(slackMessage(alert)),
      chat.content.title,
      chat.content.description,
      chat.metadata.summary,
    ];
  };

  it.each([
    ['fullwidth', 'ｈｔｔｐｓ：／／evil.example'],
    ['underscored', '_https://evil.example_'],
    ['after a digit', '1https://evil.example/x'],
    ['a long scheme', 'abcdefghijklmnopqrstuvwxyz://evil.example'],
    ['www', 'www.evil.example'],
    ['a bare domain', 'see evil.example now'],
    ['fullwidth www', 'ｗｗｗ．evil．example'],
    ['mailto', 'mailto:boss@evil.example'],
  ])('%s: a link in a name reaches no rendering alive', (_, name) => {
    const attempt = hostileAttempt();
    const alert = alertFor(
      'review.needed',
      { ...normaliseAttempt(parseAttempt({ attempt: { ...raw.attempt, user: { name } } })) },
      true,
    );
    for (const text of everyRendering(alert)) {
      expect(text).not.toMatch(/evil\.example/i);
      expect(text).not.toMatch(/:\/\/evil|www\./i);
    }
    expect(attempt).toBeDefined();
  });

  it.each(EVENT_TYPES_ALL)('%s: no mention, link or forged line reaches email, Slack or chat', (eventType) => {
    const alert = alertFor(eventType, hostileAttempt(), true);

    const body = emailBody(alert);
    expect(body.split('\n').filter((line) => line.startsWith('Open:'))).toEqual([]);
    expect(body).not.toMatch(/^Bcc:/m);
    const subject = emailSubject(alert);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);

    const slack = slackMessage(alert) as { text: string; blocks: Block[] };
    const mrkdwnTexts = [
      slack.text,
      ...slack.blocks.flatMap((b) => [
        ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
        ...(b.fields ?? []).map((f) => f.text),
        ...(b.elements ?? []).flatMap((e) => (typeof e.text === 'string' ? [e.text] : [])),
      ]),
    ];
    for (const text of mrkdwnTexts) {
      expect(text).not.toMatch(/<[!@#]|<https?:/);
      expect(text).not.toContain('<');
    }
    expectWithinSlackLimits(slack);

    const chat = chatNotification(alert);
    const chatTexts = [
      chat.content.title,
      chat.content.description,
      ...chat.content.nextSteps,
      ...chat.content.keywords,
      chat.metadata.summary,
    ];
    for (const text of chatTexts) {
      expect(text).not.toContain('<');
      expect(text).not.toMatch(/(?<!\\)\[/);
    }
  });

  it('fuzz: any name IA sends renders without a mention, a raw link or an extra line, in every format', () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[<>&|!\n\r\u2028*_~`[\]():/a-z .@-]{0,120}$/),
      fc.constantFrom(HOSTILE, '<!here>', '<@U123>', '<#C1|general>', '\r\nSubject: x', '[x](javascript:alert(1))'),
    );
    fc.assert(
      fc.property(hostile, hostile, fc.constantFrom(...EVENT_TYPES_ALL), (name, assessment, eventType) => {
        const attempt = structuredClone(raw.attempt) as Record<string, unknown>;
        Object.assign(attempt, { pending_review_count: 1, user: { name }, assessment: { id: 'a1', name: assessment } });
        const alert = alertFor(eventType, normaliseAttempt(parseAttempt({ attempt })));
        const baseline = emailBody(
          alertFor(
            eventType,
            normaliseAttempt(
              parseAttempt({ attempt: { ...attempt, user: { name: 'x' }, assessment: { id: 'a1', name: 'y' } } }),
            ),
          ),
        );
        expect(emailBody(alert).split('\n').length).toBeLessThanOrEqual(baseline.split('\n').length);
        expect(emailSubject(alert)).toMatch(/^[\x20-\x7e]*$/);
        const slack = slackMessage(alert) as { text: string; blocks: Block[] };
        const texts = [
          slack.text,
          ...slack.blocks.flatMap((b) => [
            ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
            ...(b.fields ?? []).map((f) => f.text),
          ]),
        ];
        for (const text of texts) expect(text).not.toContain('<');
        const chat = chatNotification(alert);
        for (const text of [chat.content.title, chat.content.description, ...chat.content.nextSteps]) {
          expect(text).not.toContain('<');
          expect(text).not.toMatch(/(?<!\\)\[/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lists at most 50 review items however many IA sends, and counts them all', () => {
    const attempt = structuredClone(raw.attempt) as Record<string, unknown>;
    attempt.step_progressions = Array.from({ length: 400 }, (_, i) => ({
      step: { name: `S${i}` },
      video_recordings: [{ video_prompt: { name: 'p' } }],
    }));
    const normalised = normaliseAttempt(parseAttempt({ attempt }));
    expect(normalised.reviewItems).toHaveLength(50);
    expect(normalised.reviewItemCount).toBe(400);
    const alert = alertFor('review.needed', { ...normalised, pendingReviewCount: 1 });
    expect(emailBody(alert)).toContain('Awaiting review (400):');
    expect(emailBody(alert)).toContain('... and 380 more');
  });
});

describe('claims in the alerts', () => {
  const KEY = 'a-claim-link-key-of-some-length';
  const PAGE = 'https://alerts.example/claims/email';
  const sent: PublishCommandInput[] = [];
  const sns = { send: async (command: PublishCommand) => void sent.push(command.input) } as unknown as SNSClient;
  const linkFor = async (alert: Alert) =>
    claimLink(PAGE, KEY, { attemptId: alert.attemptId }, new Date(alert.occurredAt));

  it('puts the signed link in the email of an alert someone can claim, the same link whoever renders it', async () => {
    sent.length = 0;
    const publish = publishAlert(sns, 'arn:aws:sns:us-east-1:123456789012:alerts', linkFor);
    await publish(alertFor('review.needed'));
    await publish(alertFor('review.needed'));
    const emails = sent.map((input) => (JSON.parse(input.Message as string) as { email: string }).email);
    const link = /I'm on it \(say who reviews, stops escalation\): (\S+)/.exec(emails[0] ?? '')?.[1] as string;
    expect(link.startsWith(`${PAGE}?t=`)).toBe(true);
    expect(verifyClaimLink([KEY], new URL(link).searchParams.get('t') as string, NOW)).toEqual({
      ok: true,
      attemptId: 'khbgltqixvvyoxeb',
    });
    expect(emails[1]).toBe(emails[0]);
    // Only the email: machines and chat get the alert as it is.
    expect((JSON.parse(sent[0]?.Message as string) as { sqs: string }).sqs).not.toContain('claims/email');
  });

  it('puts no link where nothing can be claimed: completed, scored, already claimed', async () => {
    sent.length = 0;
    const publish = publishAlert(sns, 'arn:aws:sns:us-east-1:123456789012:alerts', linkFor);
    await publish(alertFor('review.completed'));
    await publish(alertFor('attempt.scored'));
    await publish({ ...alertFor('review.overdue'), claimedBy: 'Grace' });
    for (const input of sent) expect(input.Message).not.toContain('claims/email');
  });

  it('adds the button on Slack only where asked, with the attempt and account in its value', () => {
    const alert = { ...alertFor('review.escalated'), account: 'agency-b' };
    const buttons = (message: { blocks: Array<Record<string, unknown>> }) =>
      message.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<Record<string, unknown>>);
    expect(buttons(slackMessage(alert)).filter((b) => b.action_id)).toEqual([]);
    const claim = buttons(slackMessage(alert, { claimButton: true })).find((b) => b.action_id === CLAIM_ACTION);
    expect(JSON.parse(claim?.value as string)).toEqual({ attemptId: 'khbgltqixvvyoxeb', account: 'agency-b' });
    expect(
      buttons(slackMessage(alertFor('review.completed'), { claimButton: true })).filter((b) => b.action_id),
    ).toEqual([]);
  });

  it('updates the message with who holds it, escaped, once however often it is clicked', () => {
    const subject = { attemptId: 'khbgltqixvvyoxeb' };
    const original = slackMessage(alertFor('review.needed'), { claimButton: true }).blocks;
    const first = claimUpdate(original, subject, ':raising_hand: <!channel> is on it', 'release');
    const line = first.blocks.at(-1) as { block_id: string; elements: Array<{ text: string }> };
    expect(line.block_id).toBe(CLAIM_STATUS_BLOCK);
    expect(line.elements[0]?.text).toBe(':raising_hand: &lt;!channel&gt; is on it');
    expect(first.text).not.toContain('<!channel>');
    expectWithinSlackLimits(first as never);
  });
});
