/** The words every channel shares, at their edges: lengths in characters, durations, plurals, waits, facts left out. */
import { describe, expect, it } from '@jest/globals';
import { buildAlert } from '#lib/domain/alert.js';
import type { DigestItem } from '#lib/domain/digest.js';
import { buildDigest } from '#lib/domain/digest.js';
import { chatDigest, chatNotification, escapeChat } from '#lib/domain/render/chat.js';
import { asciiSafe, digestBody, emailSubject } from '#lib/domain/render/email.js';
import { slackDigestMessage, slackMessage, slackPreview } from '#lib/domain/render/slack.js';
import { truncate } from '#lib/domain/render/text.js';
import {
  describeDigestItem,
  describeReviewItem,
  digestAssessments,
  digestSummary,
  facts,
  formatDuration,
  formatScore,
  formatTime,
  searchIds,
  title,
  whatToDo,
} from '#lib/domain/render/wording.js';
import { awaitingState, fixtureAttempt } from '../support/attempts.js';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('truncate', () => {
  it.each([
    ['abcde', 5, 'abcde'],
    ['abcdef', 5, 'abcd…'],
    ['abcdef', 1, '…'],
    ['abcdef', 0, '…'],
    // Characters, not UTF-16 units: six emoji are twelve units and still fit in six.
    ['😀😀😀😀😀😀', 6, '😀😀😀😀😀😀'],
    ['😀😀😀😀😀😀', 5, '😀😀😀😀…'],
    ['a😀b😀c😀d', 5, 'a😀b😀…'],
  ])('%j to %i characters: %j', (text, limit, expected) => {
    expect(truncate(text, limit)).toBe(expected);
  });

  it('takes the room of a longer ellipsis, counted in characters', () => {
    expect(truncate('abcdefghij', 8, ' [more]')).toBe('a [more]');
    expect(truncate('abcdefghij', 8, '…😀')).toBe('abcdef…😀');
  });
});

describe('formats', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [61, '1m 1s'],
    [3600, '1h'],
    [3660, '1h 1m'],
    [3601, '1h 1s'],
    [7384, '2h 3m 4s'],
  ])('a duration of %i s reads %j', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it('scores to a tenth of a percent, times to the minute in UTC', () => {
    expect([formatScore(0.85666), formatScore(1), formatScore(0)]).toEqual(['85.7%', '100%', '0%']);
    expect(formatTime('2026-11-25T09:05:59.999Z')).toBe('2026-11-25 09:05 UTC');
  });
});

describe('an alert in words', () => {
  const alert = (eventType: Parameters<typeof buildAlert>[0], extra: Record<string, unknown> = {}, fields = {}) =>
    buildAlert(eventType, fixtureAttempt(fields), { now: NOW, settings: { includeCandidateEmail: false }, ...extra });

  it('numbers reminders in the title only', () => {
    expect(title(alert('review.overdue', { reminder: 2 }))).toBe('Review overdue (reminder 2)');
    expect(title(alert('review.overdue'))).toBe('Review overdue');
    expect(title(alert('review.needed'))).toBe('Review needed');
  });

  it('says how long it waited from an hour on, in the right number', () => {
    expect(whatToDo(alert('review.overdue', { waitedHours: 0 }))).not.toContain('after');
    expect(whatToDo(alert('review.overdue', { waitedHours: 1 }))).toContain('after 1 hour.');
    expect(whatToDo(alert('review.overdue', { waitedHours: 25 }))).toContain('after 25 hours.');
    expect(whatToDo(alert('scoring.stalled', { waitedHours: 0 }))).toContain('has not completed yet.');
    expect(whatToDo(alert('review.needed', {}, { pendingReviewCount: 1 }))).toContain(
      'Grade 1 answer or recording waiting',
    );
  });

  it('names the attempt when IA gave no candidate, and says where to act', () => {
    const nameless = alert('review.needed', {}, { candidate: undefined, resultsUrl: undefined });
    expect(whatToDo(nameless)).toContain(`for attempt ${nameless.attemptId}, in the Indeed Assessments web app.`);
    expect(searchIds(nameless)).toMatch(/^attempt \S+, assessment \S+, assignment \S+$/);
    expect(searchIds({ ...nameless, assessmentId: undefined, assignmentId: undefined } as never)).toBe(
      `attempt ${nameless.attemptId}`,
    );
  });

  it('lists facts in reading order and leaves out the absent ones', () => {
    const labels = facts(alert('review.needed')).map(([label]) => label);
    expect(labels.indexOf('Assessment')).toBeLessThan(labels.indexOf('Pending reviews'));
    expect(labels).not.toContain('Candidate email');
    expect(labels).not.toContain('Account');
    const scored = facts(alert('attempt.scored', {}, { scoringCompleted: true, scoreRatio: 0.5, durationSeconds: 90 }));
    expect(scored).toContainEqual(['Score', '50%']);
    expect(scored).toContainEqual(['Duration', '1m 30s']);
    expect(facts(alert('review.needed', {}, { scoreRatio: 0.5 }))).toContainEqual(['Score so far', '50%']);
  });
});

describe('the digest in words', () => {
  const since = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
  const digest = (states: ReturnType<typeof awaitingState>[]) =>
    buildDigest(states, { now: NOW, period: '2026-11-25', settings: { includeCandidateEmail: false } });

  it('says nothing waits when nothing does', () => {
    expect(digestSummary(digest([]))).toBe('Nothing waits for a human review.');
  });

  it('counts what waits and since when, in hours under two days and in days from then', () => {
    expect(digestSummary(digest([awaitingState('a', since(47))]))).toContain(
      '1 attempt with 1 answer or recording wait for a human review; the oldest since',
    );
    expect(digestSummary(digest([awaitingState('a', since(47))]))).toContain('(47 hours)');
    expect(digestSummary(digest([awaitingState('a', since(48))]))).toContain('(2 days)');
    expect(
      digestSummary(digest([awaitingState('a', since(1)), awaitingState('b', since(2), { escalatedAt: since(1) })])),
    ).toContain('; 1 was escalated.');
    const item = digest([awaitingState('a', since(3), { escalatedAt: since(1) })]).oldest[0];
    expect(item && describeDigestItem(item, NOW.toISOString())).toBe(
      'Candidate a - Philosopher Assessment: 1 pending review, waiting 3 hours, escalated',
    );
    expect(digestAssessments(digest([awaitingState('a', since(3)), awaitingState('b', since(3))]))).toEqual([
      ['Philosopher Assessment', '2'],
    ]);
  });
});

describe('renderings at their edges', () => {
  const alert = (fields = {}, extra: Record<string, unknown> = {}) =>
    buildAlert('review.needed', fixtureAttempt(fields), {
      now: NOW,
      settings: { includeCandidateEmail: false },
      ...extra,
    });

  it('an email subject is ASCII: accents dropped, dashes and curly quotes made plain', () => {
    const subject = emailSubject(alert({ candidate: { name: 'Zoë “Ana” ‘Li’ — Núñez' } }));
    expect(subject).toContain('Zoe "Ana" \'Li\' - Nunez');
    expect(asciiSafe('a\u2013b')).toBe('a-b');
  });

  it('a Slack button only for a link Slack takes (3,000 characters at most)', () => {
    const base = 'https://example.com/a/';
    const link = (length: number) => `${base}${'x'.repeat(length - base.length)}`;
    const hasButton = (url: string) =>
      slackMessage({ ...alert(), url }).blocks.some((b) => (b as { type: string }).type === 'actions');
    expect(hasButton(link(3000))).toBe(true);
    expect(hasButton(link(3001))).toBe(false);
  });

  it('an empty digest has no facts, no list and no per-assessment lines, in Slack and email', () => {
    const empty = buildDigest([], { now: NOW, period: '2026-11-25', settings: { includeCandidateEmail: false } });
    expect(slackDigestMessage(empty).blocks.map((b) => (b as { type: string }).type)).toEqual([
      'header',
      'section',
      'context',
    ]);
    // The body: its title and summary, the event line, the subscription note; nothing between.
    expect(digestBody(empty).split('\n\n').length).toBe(
      digestBody({ ...empty, perAssessment: [{ assessmentId: 'a', waiting: 1 }] }).split('\n\n').length - 1,
    );
    expect(digestBody(empty)).not.toMatch(/Per assessment|oldest:/);
    // The title with its summary, the event line, the subscription note.
    expect(digestBody(empty).split('\n\n')).toHaveLength(4);
  });
});

describe('renderings, the last edges', () => {
  const alert = (fields = {}, eventType: Parameters<typeof buildAlert>[0] = 'review.needed') =>
    buildAlert(eventType, fixtureAttempt(fields), { now: NOW, settings: { includeCandidateEmail: false } });
  const since = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
  const digestOf = (count: number, url?: (i: number) => string) =>
    buildDigest(
      Array.from({ length: count }, (_, i) =>
        awaitingState(`att-${i}`, since(count - i), {}, url ? { resultsUrl: url(i) } : {}),
      ),
      { now: NOW, period: '2026-11-25', settings: { includeCandidateEmail: false } },
    );

  it('numbers only reminders, whatever else carries a number', () => {
    expect(title({ ...alert({}, 'review.escalated'), reminder: 2 })).toBe('Review escalated');
  });

  it('leaves out a fact that came empty', () => {
    expect(facts(alert({ candidate: { name: '' } })).map(([label]) => label)).not.toContain('Candidate');
  });

  it('names what it lacks a name for: the assessment, the candidate, the prompt', () => {
    const digest = digestOf(1);
    expect(digestAssessments({ ...digest, perAssessment: [{ waiting: 1 }] })).toEqual([['Unknown assessment', '1']]);
    const item = { attemptId: 'att-9', pendingReviewCount: 2, waitingSince: since(3) };
    expect(describeDigestItem(item, NOW.toISOString())).toBe(
      'attempt att-9 - assessment: 2 pending reviews, waiting 3 hours',
    );
    expect(describeReviewItem({ step: 'Step 2', kind: 'answer' })).toBe('Step 2: answer');
    const nameless = alert({ candidate: undefined, assessment: {} });
    expect(emailSubject(nameless)).toBe(`Review needed: attempt ${nameless.attemptId} (2 pending)`);
  });

  it('counts characters past the last one in the Basic Multilingual Plane as one', () => {
    expect(truncate('\uffff'.repeat(6), 5)).toBe(`${'\uffff'.repeat(4)}…`);
  });

  it('trims an ASCII subject, and keeps a line of outside text one line in an email body', () => {
    expect(asciiSafe('  Zoë  ')).toBe('Zoe');
    const digest = digestOf(1);
    const [item] = digest.oldest;
    const body = digestBody({ ...digest, oldest: [{ ...(item as DigestItem), candidateName: 'Ana\r\n\u2028Li' }] });
    expect(body).toContain('  - Ana Li - ');
  });

  it('shows a digest item without a link as its line alone', () => {
    const digest = digestOf(2);
    const [first, second] = digest.oldest as [DigestItem, DigestItem];
    const { url: _url, ...unlinked } = first;
    const lines = digestBody({ ...digest, oldest: [unlinked, { ...second, url: 'https://results.example/1' }] }).split(
      '\n',
    );
    const at = lines.indexOf('The 2 oldest:');
    expect(lines.slice(at + 1, at + 4).map((line) => line.trim().slice(0, 2))).toEqual(['- ', '- ', 'ht']);
  });

  it("percent-encodes what would end Slack's link early", () => {
    const digest = digestOf(1);
    const [item] = digest.oldest;
    const message = slackDigestMessage({
      ...digest,
      oldest: [{ ...(item as DigestItem), url: 'https://x.example/a|b<c>d' }],
    });
    expect(JSON.stringify(message)).toContain('<https://x.example/a%7Cb%3Cc%3Ed|');
  });

  it('shows Slack text as typed in the preview, ampersands too', () => {
    expect(slackPreview(slackMessage(alert({ candidate: { name: 'Ana & <Li>' } })))).toContain(
      '*Candidate*: Ana & <Li>',
    );
  });

  it('escapes an ampersand for chat, and keywords only what there is', () => {
    expect(escapeChat('a & b')).toBe('a &amp; b');
    expect(chatNotification(alert({ assessment: { id: 'asm-1' } })).content.keywords).toEqual(['review.needed']);
  });

  it('a chat digest lists no oldest when nothing waits, and links at most ten', () => {
    // Its summary and a blank line: no heading for a list that is not there.
    expect(chatDigest(digestOf(0)).content.description.split('\n')).toEqual([
      expect.stringContaining('Nothing waits'),
      '',
    ]);
    expect(chatDigest(digestOf(25, (i) => `https://results.example/${i}`)).metadata.relatedResources).toHaveLength(10);
  });

  it('fills a Slack section with review items to the character, keeping room for the count of the rest', () => {
    // 3,000 characters less 40 kept for "…and N more": the heading and 15 lines, each with its line break.
    const line = (length: number) => ({ step: 'S', kind: 'answer' as const, prompt: 'x'.repeat(length - 14) });
    const listed = (last: number) => {
      const items = [...Array.from({ length: 14 }, () => line(200)), line(last)];
      const message = slackMessage(alert({ reviewItems: items, pendingReviewCount: 15 }));
      const section = message.blocks.map((b) => (b as { text?: { text: string } }).text?.text ?? '');
      return section.find((text) => text.startsWith('*Awaiting review'));
    };
    const exactly = listed(2960 - 22 - 14 * 201 - 1);
    expect(Array.from(exactly ?? '').length).toBe(2960);
    expect(exactly).not.toContain('more');
    expect(listed(2960 - 22 - 14 * 201)).toMatch(/\n…and 1 more$/);
  });
});
