/**
 * Every alert type and the digest, as each channel receives it, compared with the reviewed
 * renderings in __snapshots__/render-golden.test.ts.snap. The other render tests say what must
 * hold (escaping, limits, ASCII subjects); these pin the words people act on, so a change to any
 * of them is seen and reviewed (`npm run -s jest -- -u test/unit/render-golden.test.ts` after
 * reading the diff).
 */
import { describe, expect, it } from '@jest/globals';
import { ALERT_TYPES, type AlertType, buildAlert } from '#lib/domain/alert.js';
import type { Attempt } from '#lib/domain/attempt.js';
import { buildDigest } from '#lib/domain/digest.js';
import type { AttemptState } from '#lib/domain/lifecycle.js';
import { chatDigest, chatNotification, chatPreview } from '#lib/domain/render/chat.js';
import { digestBody, digestSubject, emailBody, emailSubject } from '#lib/domain/render/email.js';
import { slackDigestMessage, slackMessage, slackPreview } from '#lib/domain/render/slack.js';
import { awaitingState, fixtureAttempt } from '../support/attempts.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const fixture = () => fixtureAttempt();

/** The fixture as IA returns it, and the shapes that change what a rendering says. */
const ATTEMPTS: Record<string, () => Attempt> = {
  fixture,
  'scored, nothing pending': () => ({ ...fixture(), pendingReviewCount: 0, scoringCompleted: true, reviewItems: [] }),
  'no name, no link, no score, one pending': () => {
    const { candidate: _c, resultsUrl: _u, scoreRatio: _s, level: _l, role: _r, ...rest } = fixture();
    return { ...rest, pendingReviewCount: 1, reviewItems: rest.reviewItems.slice(0, 1) };
  },
  'hostile text, 25 review items': () => {
    const attempt = fixture();
    return {
      ...attempt,
      candidate: { name: '<!channel> *Zoë* _Ångström_ <https://evil.example|click>', email: 'z@evil.example' },
      assessment: { ...attempt.assessment, name: `Évaluation ${'long '.repeat(60)}` },
      reviewItems: Array.from({ length: 25 }, (_, i) => ({
        step: `Step ${i}`,
        kind: 'audio' as const,
        prompt: `Prompt ${i}`,
      })),
      pendingReviewCount: 25,
    };
  },
};

const CONTEXTS: Record<AlertType, { reminder?: number; waitedHours?: number }> = {
  'review.needed': {},
  'review.overdue': { reminder: 2, waitedHours: 49 },
  'review.escalated': { waitedHours: 73 },
  'review.completed': {},
  'scoring.stalled': { waitedHours: 26 },
  'attempt.scored': {},
};

const renderings = (eventType: AlertType, attempt: Attempt, options: { email: boolean; account?: string }) => {
  const alert = {
    ...buildAlert(eventType, attempt, {
      now: NOW,
      settings: { includeCandidateEmail: options.email },
      source: 'greenhouse',
      ...CONTEXTS[eventType],
    }),
    ...(options.account ? { account: options.account } : {}),
  };
  const slack = slackMessage(alert);
  const chat = chatNotification(alert);
  return {
    emailSubject: emailSubject(alert),
    emailBody: emailBody(alert),
    slack,
    slackPreview: slackPreview(slack),
    chat,
    chatPreview: chatPreview(chat),
  };
};

describe('every alert type, as each channel shows it', () => {
  for (const eventType of ALERT_TYPES) {
    for (const [shape, attempt] of Object.entries(ATTEMPTS)) {
      it(`${eventType}: ${shape}`, () => {
        expect(renderings(eventType, attempt(), { email: false })).toMatchSnapshot();
      });
    }
    it(`${eventType}: candidate email included, second IA account`, () => {
      expect(renderings(eventType, fixture(), { email: true, account: 'agency-b' })).toMatchSnapshot();
    });
  }
});

const waiting = (i: number, options: { escalated?: boolean; account?: string } = {}): AttemptState => {
  const since = new Date(NOW.getTime() - (i + 1) * 7 * 3_600_000).toISOString();
  return awaitingState(
    `${options.account ? `${options.account}:` : ''}att-${i}`,
    since,
    {
      ...(options.account ? { account: options.account } : {}),
      ...(options.escalated ? { escalatedAt: new Date(Date.parse(since) + 72 * 3_600_000).toISOString() } : {}),
    },
    {
      id: `att-${i}`,
      assignmentId: `asg-${i}`,
      pendingReviewCount: 1 + (i % 3),
      assessment: { id: `asm-${i % 12}`, name: `Assessment ${i % 12}` },
      candidate: { name: i === 0 ? '*Bold* <!here>' : `Candidate ${i}` },
      ...(i % 2 === 0 ? { resultsUrl: `https://results.example/${i}` } : {}),
    },
  );
};

const DIGESTS: Record<string, AttemptState[]> = {
  'one attempt waiting': [waiting(0)],
  'thirty across twelve assessments and two accounts, some escalated': Array.from({ length: 30 }, (_, i) =>
    waiting(i, { escalated: i % 4 === 0, ...(i % 2 === 1 ? { account: 'agency-b' } : {}) }),
  ),
};

describe('the digest, as each channel shows it', () => {
  for (const [shape, states] of Object.entries(DIGESTS)) {
    it(shape, () => {
      const digest = buildDigest(states, {
        now: NOW,
        period: '2026-11-25',
        settings: { includeCandidateEmail: false },
      });
      const slack = slackDigestMessage(digest);
      const chat = chatDigest(digest);
      expect({
        emailSubject: digestSubject(digest),
        emailBody: digestBody(digest),
        slack,
        slackPreview: slackPreview(slack),
        chat,
        chatPreview: chatPreview(chat),
      }).toMatchSnapshot();
    });
  }
});
