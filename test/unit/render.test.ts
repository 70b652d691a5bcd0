import { describe, expect, it } from '@jest/globals';
import { buildAlert, type EventType } from '#lib/alert.js';
import { normaliseAttempt, type Attempt } from '#lib/attempt.js';
import { parseAssignment, parseAttempt } from '#lib/attempt-schema.js';
import { asciiSafe, emailBody, emailSubject } from '#lib/render/email.js';
import { toPublishInput } from '#lib/publish.js';
import { readFixture } from '../support/ia-fixtures.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const assignment = parseAssignment(readFixture('assignment.json'));
const seed = (): Attempt => ({
  ...normaliseAttempt(parseAttempt(assignment.attempts[0]), assignment),
  pendingReviewCount: 2,
  scoringCompleted: false,
});
const alertFor = (eventType: EventType, attempt = seed(), includeCandidateEmail = false) =>
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
    expect(body).toContain('For search: attempt khbgltqixvvyoxeb, assessment pjpmahbioyqufxos, assignment yw4gmpjjtkgkdxjkuoghsa');
    expect(body).toContain('To stop, use the unsubscribe link');
  });

  it('leaves the candidate email out unless configured', () => {
    expect(emailBody(alertFor('review.needed'))).not.toContain('some-user0@example.com');
    expect(emailBody(alertFor('review.needed', seed(), true))).toContain('some-user0@example.com');
  });

  it('lists at most 20 review items and counts the rest', () => {
    const attempt = { ...seed(), reviewItems: Array.from({ length: 60 }, (_, i) => ({ step: `Step ${i}`, kind: 'video' as const })) };
    const body = emailBody(alertFor('review.needed', attempt));
    expect(body).toContain('... and 40 more');
    expect(body).not.toContain('Step 20:');
  });

  it('renders every event type without gaps', () => {
    for (const type of ['review.needed', 'review.overdue', 'review.completed', 'scoring.stalled', 'attempt.scored'] as const) {
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
    for (const protocol of ['default', 'sqs', 'lambda', 'https']) {
      expect(JSON.parse(bodies[protocol] as string)).toMatchObject({ eventType: 'review.needed', attemptId: 'khbgltqixvvyoxeb' });
    }
    expect(input.MessageAttributes).toEqual({
      eventType: { DataType: 'String', StringValue: 'review.needed' },
      assessmentId: { DataType: 'String', StringValue: 'pjpmahbioyqufxos' },
      pendingReviewCount: { DataType: 'Number', StringValue: '2' },
      attemptId: { DataType: 'String', StringValue: 'khbgltqixvvyoxeb' },
      source: { DataType: 'String', StringValue: 'greenhouse' },
    });
  });
});
