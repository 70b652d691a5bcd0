/**
 * The simulation's checks of what people read (sim/renderings.ts) pass every real rendering of
 * every alert type and shape, and catch a rendering that leaves out what the reader needs.
 */
import { describe, expect, it } from '@jest/globals';
import { ALERT_TYPES, type Alert, type AlertType, buildAlert } from '#lib/domain/alert.js';
import type { Attempt } from '#lib/domain/attempt.js';
import { parseSlackInteraction } from '#lib/domain/claims/slack-interaction.js';
import { buildDigest } from '#lib/domain/digest.js';
import { chatDigest, chatNotification } from '#lib/domain/render/chat.js';
import { digestBody, digestSubject, emailBody, emailSubject } from '#lib/domain/render/email.js';
import { claimReply, claimUpdate, slackDigestMessage, slackMessage } from '#lib/domain/render/slack.js';
import {
  chatDigestProblems,
  chatProblems,
  digestEmailProblems,
  emailProblems,
  plainName,
  type SlackClick,
  slackClaimReplyProblems,
  slackDigestProblems,
  slackProblems,
  slackSubject,
  type Truth,
} from '../../sim/renderings.js';
import { awaitingState, fixtureAttempt } from '../support/attempts.js';

const NOW = new Date('2026-11-25T12:00:00Z');

const SHAPES: Record<string, () => Attempt> = {
  'the fixture': () => fixtureAttempt(),
  'one pending, no name, no link': () => {
    const { candidate: _c, resultsUrl: _u, ...rest } = fixtureAttempt();
    return { ...rest, pendingReviewCount: 1, reviewItems: rest.reviewItems.slice(0, 1) };
  },
  'hostile name': () => ({
    ...fixtureAttempt(),
    candidate: { name: '<!channel> *Zoë* <https://evil.example|click> & more' },
  }),
};

const alertOf = (eventType: AlertType, attempt: Attempt, claimedBy?: string): Alert =>
  buildAlert(eventType, attempt, {
    now: NOW,
    settings: { includeCandidateEmail: false },
    ...(eventType === 'review.overdue' ? { reminder: 2, waitedHours: 49 } : {}),
    ...(eventType === 'scoring.stalled' || eventType === 'review.escalated' ? { waitedHours: 30 } : {}),
    ...(claimedBy ? { claimedBy, claimedAt: '2026-11-25T10:00:00Z', minutesFromClaim: 95 } : {}),
  });

describe('what people read, as the simulation checks it', () => {
  for (const eventType of ALERT_TYPES)
    for (const [shape, attempt] of Object.entries(SHAPES))
      for (const claimedBy of [undefined, 'Dana'])
        it(`${eventType}, ${shape}${claimedBy ? ', claimed' : ''}: the real renderings pass`, () => {
          const alert = alertOf(eventType, attempt(), claimedBy);
          const truth = truthOf(attempt());
          expect(emailProblems(alert, emailSubject(alert), emailBody(alert), truth)).toEqual([]);
          expect(
            slackProblems(alert, slackMessage(alert, { claimButton: true }), truth, { claimButtons: true }),
          ).toEqual([]);
          expect(chatProblems(alert, chatNotification(alert), truth)).toEqual([]);
          expect(slackSubject(slackMessage(alert))).toEqual({
            attemptId: alert.attemptId,
            eventType,
            occurredAt: alert.occurredAt,
          });
        });

  const needed = alertOf('review.needed', fixtureAttempt());

  it.each([
    ['no headline', (s: string, b: string) => [s.replace('Review needed', 'Review'), b]],
    ['a subject past 100 characters', (s: string, b: string) => [s.padEnd(101, 'x'), b]],
    ['the pending count left out of the subject', (s: string, b: string) => [s.replace(/ \(\d+ pending\)$/, ''), b]],
    ['no "what to do"', (s: string, b: string) => [s, b.replace(/^Grade .*$/m, 'Please look.')]],
    ['a wrong count in the sentence', (s: string, b: string) => [s, b.replace(/Grade \d+/, 'Grade 99')]],
    ['no link', (s: string, b: string) => [s, b.replace(/^Open: .*\n/m, '')]],
    ['a wrong pending count', (s: string, b: string) => [s, b.replace(/^(Pending reviews:\s+)\d+$/m, '$10')]],
    ['no attempt id to search for', (s: string, b: string) => [s, b.replace(/For search: attempt \S+/, 'For search:')]],
    ['no unsubscribe', (s: string, b: string) => [s, b.replaceAll('unsubscribe', 'leave')]],
    ['another assessment in the subject', (s: string, b: string) => [s.replace(/ - [^(]+\(/, ' - Typing test ('), b]],
  ])('an email with %s is caught', (_what, spoil) => {
    const [subject, body] = spoil(emailSubject(needed), emailBody(needed)) as [string, string];
    expect(emailProblems(needed, subject, body)).not.toEqual([]);
  });

  it.each([
    ['another completion time', { completedAt: 0 }],
    ['another name', { plainName: 'Someone Else' }],
    ['another assignment', { assignmentId: 'asg-other' }],
  ])('an email that disagrees with IA on %s is caught', (_what, change) => {
    const truth = { ...(truthOf(fixtureAttempt()) as Truth), ...change };
    expect(emailProblems(needed, emailSubject(needed), emailBody(needed), truth)).not.toEqual([]);
  });

  it.each([
    ['the completion time', '*Completed*'],
    ['the assessment', '*Assessment*'],
    ['the candidate', '*Candidate*'],
  ])('a Slack post without %s among its facts is caught', (_what, label) => {
    const attempt = { ...fixtureAttempt(), candidate: { name: 'Ana Lima' } };
    const alert = alertOf('review.needed', attempt);
    const message = slackMessage(alert);
    const spoiled = {
      ...message,
      blocks: message.blocks.map((b) =>
        b.fields ? { ...b, fields: (b.fields as Array<{ text: string }>).filter((f) => !f.text.startsWith(label)) } : b,
      ),
    };
    expect(slackProblems(alert, message, truthOf(attempt))).toEqual([]);
    expect(slackProblems(alert, spoiled, truthOf(attempt))).not.toEqual([]);
  });

  it('a Slack post whose review list misnames an item, or an Amazon Q notification without the completion time, is caught', () => {
    const truth = truthOf(fixtureAttempt());
    const list = (text: string) => text.replace(/^• [^:]+:/m, '• Somewhere:');
    const message = slackMessage(needed);
    const index = message.blocks.findIndex((b) =>
      (b.text as { text?: string } | undefined)?.text?.startsWith('*Awaiting'),
    );
    expect(slackProblems(needed, spoilText(message, index, list), truth)).not.toEqual([]);
    const chat = chatNotification(needed);
    const bare = {
      ...chat,
      content: { ...chat.content, description: chat.content.description.replace(/^\*Completed:\*.*$/m, '') },
    };
    expect(chatProblems(needed, chat, truth)).toEqual([]);
    expect(chatProblems(needed, bare, truth)).not.toEqual([]);
  });

  it('a hostile name shown unescaped, or escaped away, is caught in Slack and Amazon Q', () => {
    const hostile = alertOf('review.needed', SHAPES['hostile name']?.() as Attempt);
    const message = slackMessage(hostile);
    const chat = chatNotification(hostile);
    const slackWith = (change: (text: string) => string) => ({
      ...message,
      blocks: message.blocks.map((b) =>
        b.fields
          ? { ...b, fields: (b.fields as Array<{ text: string }>).map((f) => ({ ...f, text: change(f.text) })) }
          : b,
      ),
    });
    expect(slackProblems(hostile, message)).toEqual([]);
    expect(
      slackProblems(
        hostile,
        slackWith((t) => t.replaceAll('&amp;', '&')),
      ),
    ).not.toEqual([]);
    expect(
      slackProblems(
        hostile,
        slackWith((t) => t.replaceAll('&lt;', '')),
      ),
    ).not.toEqual([]);
    expect(chatProblems(hostile, chat)).toEqual([]);
    const unescaped = { ...chat, content: { ...chat.content, title: chat.content.title.replaceAll('\\', '') } };
    expect(chatProblems(hostile, unescaped)).not.toEqual([]);
    const description = chat.content.description.replaceAll('&gt;', '>');
    expect(chatProblems(hostile, { ...chat, content: { ...chat.content, description } })).not.toEqual([]);
  });

  it("an email subject must carry a name's dashes and quotes as ASCII ones, not question marks", () => {
    const alert = alertOf('review.needed', { ...fixtureAttempt(), candidate: { name: 'José “Pepe”  Ñúñez – 🚀' } });
    const subject = emailSubject(alert);
    expect(subject).toMatch(/^Review needed: Jose "Pepe" Nunez - \?\? - /);
    expect(emailProblems(alert, subject, emailBody(alert))).toEqual([]);
    expect(emailProblems(alert, subject.replace('"Pepe"', '?Pepe?'), emailBody(alert))).not.toEqual([]);
    expect(emailProblems(alert, subject.replace('Nunez - ??', 'Nunez ? ??'), emailBody(alert))).not.toEqual([]);
  });

  it('a Slack header that does not name the candidate is caught', () => {
    const truth = { ...(truthOf(fixtureAttempt()) as Truth), plainName: 'Someone Else' };
    expect(slackProblems(needed, slackMessage(needed), truth)).not.toEqual([]);
  });

  it('a name of plain words must reach people unchanged; any other is checked elsewhere', () => {
    expect(plainName('Zoë Ødegård')).toBe('Zoë Ødegård');
    expect(plainName('<!here> Bob')).toBeUndefined();
  });

  it.each([
    ['no header', (m: ReturnType<typeof slackMessage>) => ({ ...m, blocks: m.blocks.slice(1) })],
    [
      'no emoji before what to do',
      (m: ReturnType<typeof slackMessage>) => spoilText(m, 1, (t) => t.replace(/^:\w+: /, '')),
    ],
    [
      'no review button',
      (m: ReturnType<typeof slackMessage>) => ({ ...m, blocks: m.blocks.filter((b) => b.type !== 'actions') }),
    ],
    [
      'the pending count left out',
      (m: ReturnType<typeof slackMessage>) => ({
        ...m,
        blocks: m.blocks.map((b) => (b.fields ? { ...b, fields: (b.fields as unknown[]).slice(0, 1) } : b)),
      }),
    ],
    [
      'a context line naming no alert',
      (m: ReturnType<typeof slackMessage>) => ({ ...m, blocks: m.blocks.slice(0, -1) }),
    ],
    ['no fallback text', (m: ReturnType<typeof slackMessage>) => ({ ...m, text: '' })],
  ])('a Slack post with %s is caught', (_what, spoil) => {
    expect(slackProblems(needed, spoil(slackMessage(needed)))).not.toEqual([]);
  });

  it.each([
    ['another shape', (n: Chat) => ({ ...n, version: '2.0' })],
    [
      'no headline',
      (n: Chat) => ({ ...n, content: { ...n.content, title: n.content.title.replace('Review needed', '') } }),
    ],
    ['no "what to do"', (n: Chat) => ({ ...n, content: { ...n.content, nextSteps: n.content.nextSteps.slice(1) } })],
    ['no pending count', (n: Chat) => ({ ...n, content: { ...n.content, description: '' } })],
    ['another attempt', (n: Chat) => ({ ...n, metadata: { ...n.metadata, threadId: 'att-other' } })],
  ])('an Amazon Q notification with %s is caught', (_what, spoil) => {
    expect(chatProblems(needed, spoil(chatNotification(needed)))).not.toEqual([]);
  });

  const digest = buildDigest(
    [0, 1, 2].map((i) =>
      awaitingState(
        `att-${i}`,
        new Date(NOW.getTime() - (i + 1) * 7 * 3_600_000).toISOString(),
        {},
        {
          id: `att-${i}`,
          pendingReviewCount: 1 + i,
          candidate: { name: `Candidate ${i}` },
        },
      ),
    ),
    { now: NOW, period: '2026-11-25', settings: { includeCandidateEmail: false } },
  );

  const rich = buildDigest(
    Array.from({ length: 30 }, (_, i) =>
      awaitingState(
        `${i % 2 ? 'agency-b:' : ''}att-${i}`,
        new Date(NOW.getTime() - (i + 1) * 7 * 3_600_000).toISOString(),
        {
          ...(i % 2 ? { account: 'agency-b' } : {}),
          ...(i % 4 === 0 ? { escalatedAt: NOW.toISOString() } : {}),
          ...(i % 5 === 0 ? { claim: { by: 'Dana', at: NOW.toISOString(), via: 'email' as const } } : {}),
        },
        {
          id: `att-${i}`,
          pendingReviewCount: 1 + (i % 3),
          assessment: { id: `asm-${i % 12}`, name: `Assessment ${i % 12}` },
          ...(i % 3 ? { candidate: { name: `Candidate ${i}` } } : {}),
          ...(i % 2 === 0 ? { resultsUrl: `https://results.example/${i}` } : {}),
        },
      ),
    ),
    {
      now: NOW,
      period: '2026-11-25',
      settings: { includeCandidateEmail: false },
      triggers: [
        {
          trigger: { name: 'greenhouse', kind: 'greenhouse', account: 'default' },
          status: 'ok',
          lastEventAt: NOW.toISOString(),
          eventsPerDay: 3,
          sweepOnly: 0,
        },
        {
          trigger: { name: 'lever', kind: 'lever', account: 'default' },
          status: 'silent',
          lastEventAt: NOW.toISOString(),
          eventsPerDay: 0,
          sweepOnly: 4,
        },
        { trigger: { name: 'ia', kind: 'ia', account: 'default' }, status: 'never', eventsPerDay: 0, sweepOnly: 2 },
      ],
    },
  );

  it.each([
    ['the real email', (b: string) => b, true],
    ['an assessment left out', (b: string) => b.replace(/^ {2}Assessment 0:.*\n/m, ''), false],
    ['a wrong count for an assessment', (b: string) => b.replace(/^( {2}Assessment 0:\s+)\d+$/m, '$199'), false],
    ['the other assessments left out', (b: string) => b.replace(/^ {2}\d+ other assessments?:.*\n/m, ''), false],
    ['a trigger left out', (b: string) => b.replace(/^ {2}- lever: .*\n/m, ''), false],
    ['an escalation left out', (b: string) => b.replace(', escalated', ''), false],
    ['a link left out', (b: string) => b.replace(/^ {4}https:\/\/results\.example\/28\n/m, ''), false],
    ['no escalation count', (b: string) => b.replace(/; \d+ were escalated/, ''), false],
  ])('the digest with two accounts, escalations, claims and triggers: %s', (_what, spoil, passes) => {
    const problems = digestEmailProblems(rich, digestSubject(rich), spoil(digestBody(rich)));
    if (passes) expect(problems).toEqual([]);
    else expect(problems).not.toEqual([]);
  });

  it.each([
    [
      'an item left out of the count',
      (b: string) => b.replace(/^Awaiting review \((\d+)\):$/m, 'Awaiting review (0):'),
    ],
    ['an item misnamed', (b: string) => b.replace(/^ {2}- [^:]+:/m, '  - Somewhere:')],
    ['no list', (b: string) => b.replace(/^Awaiting review[\s\S]*?\n\n/m, '')],
  ])('an email with its review list spoiled (%s) is caught', (_what, spoil) => {
    expect(emailProblems(needed, emailSubject(needed), spoil(emailBody(needed)))).not.toEqual([]);
  });

  it('a long review list says how many more it left out', () => {
    const attempt = fixtureAttempt();
    const many = alertOf('review.needed', {
      ...attempt,
      pendingReviewCount: 25,
      reviewItems: Array.from({ length: 25 }, (_, i) => ({ step: `Step ${i}`, kind: 'audio' as const })),
    });
    expect(emailProblems(many, emailSubject(many), emailBody(many))).toEqual([]);
    const wrong = emailBody(many).replace(/and \d+ more/, 'and 2 more');
    expect(emailProblems(many, emailSubject(many), wrong)).not.toEqual([]);
  });

  it('the digest on Slack and Amazon Q: the real ones pass, spoiled ones are caught', () => {
    for (const d of [digest, rich]) {
      expect(slackDigestProblems(d, slackDigestMessage(d))).toEqual([]);
      expect(chatDigestProblems(d, chatDigest(d))).toEqual([]);
    }
    const slack = slackDigestMessage(rich);
    const withoutOldest = { ...slack, blocks: slack.blocks.filter((b) => !JSON.stringify(b).includes('oldest*')) };
    expect(slackDigestProblems(rich, withoutOldest)).not.toEqual([]);
    expect(slackDigestProblems({ ...rich, waiting: 31 }, slack)).not.toEqual([]);
    const withoutTriggers = { ...slack, blocks: slack.blocks.filter((b) => !JSON.stringify(b).includes('*Triggers*')) };
    expect(slackDigestProblems(rich, withoutTriggers)).not.toEqual([]);
    const chat = chatDigest(rich);
    expect(chatDigestProblems({ ...rich, pendingReviews: 1 }, chat)).not.toEqual([]);
    expect(chatDigestProblems(rich, { ...chat, metadata: { ...chat.metadata, threadId: 'elsewhere' } })).not.toEqual(
      [],
    );
    expect(
      chatDigestProblems(rich, { ...chat, content: { ...chat.content, description: 'Nothing to see.' } }),
    ).not.toEqual([]);
  });

  it('the digest: the real email passes, one with a wrong count or an oldest left out is caught', () => {
    expect(digestEmailProblems(digest, digestSubject(digest), digestBody(digest))).toEqual([]);
    expect(digestEmailProblems({ ...digest, waiting: 4 }, digestSubject(digest), digestBody(digest))).not.toEqual([]);
    const short = digestBody(digest).replace(/^ {2}- .*\n/m, '');
    expect(digestEmailProblems(digest, digestSubject(digest), short)).not.toEqual([]);
    const none = buildDigest([], { now: NOW, period: '2026-11-25', settings: { includeCandidateEmail: false } });
    expect(digestEmailProblems(none, digestSubject(none), digestBody(none))).toEqual([]);
  });
});

describe("the claim button in Slack, as the simulation's reviewers click it", () => {
  const needed = alertOf('review.needed', fixtureAttempt());
  const message = slackMessage(needed, { claimButton: true });
  type Element = { action_id?: string; value?: string };
  const withButtons = (change: (elements: Element[]) => Element[]) => ({
    ...message,
    blocks: message.blocks.map((b) => (b.type === 'actions' ? { ...b, elements: change(b.elements as Element[]) } : b)),
  });

  it.each([
    ['no claim button', withButtons((els) => els.filter((e) => e.action_id !== 'ia-review-claim'))],
    [
      'a button naming another attempt',
      withButtons((els) => els.map((e) => (e.action_id ? { ...e, value: '{"attemptId":"att-other"}' } : e))),
    ],
    ['two claim buttons', withButtons((els) => [...els, ...els.filter((e) => e.action_id)])],
  ])('a post of what can be claimed with %s is caught', (_what, spoiled) => {
    expect(slackProblems(needed, spoiled, undefined, { claimButtons: true })).not.toEqual([]);
  });

  it('a claim button on what someone holds already is caught', () => {
    const claimed = alertOf('review.needed', fixtureAttempt(), 'Dana');
    const real = slackMessage(claimed, { claimButton: true });
    const button = message.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Element[]) : [])).at(-1);
    const offered = {
      ...real,
      blocks: real.blocks.map((b) =>
        b.type === 'actions' ? { ...b, elements: [...(b.elements as Element[]), button] } : b,
      ),
    };
    expect(slackProblems(claimed, real, undefined, { claimButtons: true })).toEqual([]);
    expect(slackProblems(claimed, offered, undefined, { claimButtons: true })).toEqual([
      'a claim button on what cannot be claimed',
    ]);
  });

  /** The click as Slack delivers it, through the product's own parsing. */
  const clicked = () => {
    const button = message.blocks
      .flatMap((b) => (b.type === 'actions' ? (b.elements as Element[]) : []))
      .find((e) => e.action_id === 'ia-review-claim');
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ADA', name: 'Ada' },
      actions: [button],
      message: { blocks: message.blocks },
      response_url: 'https://hooks.slack.com/actions/T0/1/x',
    };
    return parseSlackInteraction(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), [
      'https://hooks.slack.com',
    ]);
  };
  const subject = { attemptId: needed.attemptId };
  const click = (status: string, reply: unknown): SlackClick => ({
    by: 'Ada',
    attemptId: needed.attemptId,
    status,
    post: message,
    reply,
  });
  const update = (next: 'claim' | 'release' = 'release', status = ':raising_hand: Ada is on it (claimed 12:00)') =>
    claimUpdate(clicked().blocks, subject, status, next);
  const held = claimReply(
    `attempt ${needed.attemptId} is already claimed by Grace since 2026-11-25 11:00 UTC (from email).`,
  );

  it('the real update of a claim and the real reply to a loser pass', () => {
    expect(slackClaimReplyProblems(click('claimed', update()))).toEqual([]);
    expect(slackClaimReplyProblems(click('held', held))).toEqual([]);
    expect(
      slackClaimReplyProblems(
        click('already-yours', claimReply(`attempt ${needed.attemptId} is already yours, since 11:00.`)),
      ),
    ).toEqual([]);
  });

  it.each([
    ['not in place', () => ({ ...update(), replace_original: false })],
    ['without who is on it', () => update('release', ':raising_hand: someone is on it')],
    ['offering the claim again', () => update('claim')],
    ['without the header', () => ({ ...update(), blocks: update().blocks.slice(1) })],
    [
      'without its link button',
      () =>
        claimUpdate(
          clicked().blocks.map((b) => (b.type === 'actions' ? { ...b, elements: [] } : b)),
          subject,
          ':raising_hand: Ada is on it',
          'release',
        ),
    ],
  ])('an update %s is caught', (_what, spoiled) => {
    expect(slackClaimReplyProblems(click('claimed', spoiled()))).not.toEqual([]);
  });

  it('a loser told nothing, or told in the channel, is caught', () => {
    expect(slackClaimReplyProblems(click('held', claimReply('Not claimed.')))).not.toEqual([]);
    expect(slackClaimReplyProblems(click('held', { ...held, replace_original: true }))).not.toEqual([]);
    expect(slackClaimReplyProblems(click('held', update()))).not.toEqual([]);
  });
});

const spoilText = (message: ReturnType<typeof slackMessage>, index: number, change: (text: string) => string) => ({
  ...message,
  blocks: message.blocks.map((block, i) =>
    i === index
      ? { ...block, text: { ...(block.text as object), text: change((block.text as { text: string }).text) } }
      : block,
  ),
});

type Chat = ReturnType<typeof chatNotification>;

/** What IA says of the attempt, as the simulation's model would. */
const truthOf = (attempt: Attempt): Truth | undefined => {
  const name = attempt.candidate?.name && plainName(attempt.candidate.name);
  return attempt.completedAt === undefined || attempt.assignmentId === undefined
    ? undefined
    : {
        completedAt: Date.parse(attempt.completedAt),
        assignmentId: attempt.assignmentId,
        ...(name ? { plainName: name } : {}),
      };
};
