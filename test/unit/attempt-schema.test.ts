import { describe, expect, it } from '@jest/globals';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import { MalformedResponseError } from '#lib/domain/errors.js';
import { readFixture, SEED_ATTEMPT_ID, seedVariant } from '../../local/ia-fixtures.js';

const seed = () => readFixture('attempt-seed.json') as { attempt: Record<string, unknown> };

describe('parseAttempt on the API examples, quirks included', () => {
  it('parses the seed attempt unchanged', () => {
    const attempt = parseAttempt(readFixture('attempt-seed.json'));
    expect(attempt).toMatchObject({ id: SEED_ATTEMPT_ID, scoring_completed: true, pending_review_count: 0 });
    expect(attempt.step_progressions).toHaveLength(3);
  });

  it('reads timestamps with spaces after the colons', () => {
    const steps = parseAttempt(readFixture('attempt-seed.json')).step_progressions;
    expect(steps[1]?.started_at).toBe('2018-01-23T13:50:17.149Z');
  });

  it('repairs "http: //host" URLs on recordings', () => {
    const steps = parseAttempt(readFixture('attempt-seed.json')).step_progressions;
    expect(steps[1]?.audio_recordings[0]?.url).toBe('http://stromansatterfield.name/cayla');
  });

  it('parses every attempt embedded in the assignment fixtures', () => {
    const assignment = parseAssignment(readFixture('assignment.json'));
    expect(assignment.id).toBe('yw4gmpjjtkgkdxjkuoghsa');
    expect(assignment.attempts.map((a) => parseAttempt(a).level)).toEqual(['Proficient']);
    const list = readFixture('assignments-list.json') as { results: Array<{ assignment: unknown }> };
    for (const { assignment: listed } of list.results) {
      for (const raw of parseAssignment(listed).attempts) expect(parseAttempt(raw).id).toBe(SEED_ATTEMPT_ID);
    }
  });

  it('accepts an unwrapped attempt and an integer id (2017 API), as a string', () => {
    const unwrapped = { ...seed().attempt, id: 12345 };
    expect(parseAttempt(unwrapped).id).toBe('12345');
  });

  it('reads numbers sent as strings', () => {
    const attempt = parseAttempt(seedVariant('x', { score: '1.5', possible_score: '3', pending_review_count: '2' }));
    expect(attempt).toMatchObject({ score: 1.5, possible_score: 3, pending_review_count: 2 });
  });

  it('keeps an attempt whose cosmetic fields are garbage', () => {
    const attempt = parseAttempt(
      seedVariant('x', {
        started_at: 'yesterday',
        score: 'lots',
        assessment: 'not an object',
        step_progressions: [null, 7, { answers: 'none', audio_recordings: [{ url: 'javascript:alert(1)' }] }],
      }),
    );
    expect(attempt.started_at).toBeUndefined();
    expect(attempt.score).toBeUndefined();
    expect(attempt.assessment).toBeUndefined();
    expect(attempt.step_progressions).toHaveLength(1);
    expect(attempt.step_progressions[0]?.audio_recordings[0]?.url).toBeUndefined();
  });
});

describe('parseAttempt rejects what a decision cannot be made on, naming the field', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing id', { id: undefined }, /attempt\.id is required/],
    ['empty id', { id: '  ' }, /attempt\.id must be an id of 1-128 letters/],
    ['an id that is a path', { id: '../../admin' }, /attempt\.id must be an id of 1-128 letters/],
    ['missing scoring_completed', { scoring_completed: undefined }, /attempt\.scoring_completed is required/],
    ['string scoring_completed', { scoring_completed: 'true' }, /attempt\.scoring_completed must be a boolean/],
    ['missing pending_review_count', { pending_review_count: undefined }, /attempt\.pending_review_count is required/],
    [
      'negative pending_review_count',
      { pending_review_count: -1 },
      /pending_review_count must be a non-negative integer/,
    ],
    [
      'fractional pending_review_count',
      { pending_review_count: 1.5 },
      /pending_review_count must be a non-negative integer/,
    ],
    [
      'null pending_review_count',
      { pending_review_count: null },
      /pending_review_count must be a non-negative integer/,
    ],
  ];

  it.each(cases)('%s', (_name, fields, message) => {
    const body = { attempt: { ...seed().attempt, ...fields } };
    expect(() => parseAttempt(body)).toThrow(MalformedResponseError);
    expect(() => parseAttempt(body)).toThrow(message);
  });

  it.each([[null], [[]], ['text'], [42]])('rejects a body that is not an object: %p', (body) => {
    expect(() => parseAttempt(body)).toThrow(/expected an attempt object/);
  });
});
