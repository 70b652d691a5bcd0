import { describe, expect, it } from '@jest/globals';
import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import { readFixture, seedVariant } from '../../local/ia-fixtures.js';

const seedAttempt = () => normaliseAttempt(parseAttempt(readFixture('attempt-seed.json')));

describe('normaliseAttempt', () => {
  it('computes the score ratio from score / possible_score, not percentage_score', () => {
    expect(seedAttempt().scoreRatio).toBe(1);
    // 2017-style percentage on a 0-100 scale must not leak into the ratio.
    const legacy = normaliseAttempt(
      parseAttempt(seedVariant('x', { score: 3, possible_score: 4, percentage_score: 75 })),
    );
    expect(legacy.scoreRatio).toBe(0.75);
  });

  it('has no ratio when possible_score is zero or missing', () => {
    expect(normaliseAttempt(parseAttempt(seedVariant('x', { possible_score: 0 }))).scoreRatio).toBeUndefined();
    expect(normaliseAttempt(parseAttempt(seedVariant('x', { possible_score: undefined }))).scoreRatio).toBeUndefined();
  });

  it('lists answered questions without scores and every recording as awaiting review, once per question', () => {
    expect(seedAttempt().reviewItems).toEqual([
      {
        step: 'A demo step',
        kind: 'answer',
        prompt: 'If they follow standard Imperial procedure, theyll dump their garbage before they go to light-speed.',
      },
      {
        step: 'A audio interview step',
        kind: 'audio',
        prompt: "This woman hates me so much, I'm starting to like her",
      },
      {
        step: 'A video interview step',
        kind: 'video',
        prompt: "This woman hates me so much, I'm starting to like her",
      },
    ]);
  });

  it('takes the duration from the timestamps, never from an epoch in completion_time_in_seconds', () => {
    expect(seedAttempt().durationSeconds).toBe(0);
    const noTimestamps = normaliseAttempt(parseAttempt(seedVariant('x', { started_at: null })));
    expect(noTimestamps.durationSeconds).toBeUndefined();
    const plausible = normaliseAttempt(
      parseAttempt(seedVariant('x', { started_at: null, completion_time_in_seconds: 754 })),
    );
    expect(plausible.durationSeconds).toBe(754);
  });

  it('survives an attempt of a public-library assessment (no questions at all)', () => {
    const body = seedVariant('x');
    delete body.attempt.step_progressions;
    expect(normaliseAttempt(parseAttempt(body)).reviewItems).toEqual([]);
  });

  it('takes candidate, role and results link from the assignment', () => {
    const assignment = parseAssignment(readFixture('assignment.json'));
    const attempt = normaliseAttempt(parseAttempt(assignment.attempts[0]), assignment);
    expect(attempt).toMatchObject({
      assignmentId: 'yw4gmpjjtkgkdxjkuoghsa',
      candidate: { name: 'Anonymous Candidate 514', email: 'some-user0@example[.]com' },
      role: 'Milky Way 1',
      resultsUrl: 'http://lang-group-33uekq.i9d.me:9887/share_assignment/yw4gmpjjtkgkdxjkuoghsa',
      level: 'Proficient',
    });
  });
});
