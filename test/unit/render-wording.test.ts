/** The words every channel shares, at their edges: lengths in characters, durations, plurals, waits, facts left out. */
import { describe, expect, it } from '@jest/globals';
import { buildAlert } from '#lib/domain/alert.js';
import { buildDigest } from '#lib/domain/digest.js';
import { asciiSafe, digestBody, emailSubject } from '#lib/domain/render/email.js';
import { slackDigestMessage, slackMessage } from '#lib/domain/render/slack.js';
import { truncate } from '#lib/domain/render/text.js';
import {
  describeDigestItem,
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
  });
});
