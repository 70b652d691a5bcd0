/**
 * The published message fits SNS (256 KiB) for any input: the alert goes out in five renderings,
 * escaped again in the JSON envelope, and 50 review items at the text limits can pass the limit.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { publishSize, SNS_MAX_MESSAGE_BYTES, toPublishInput } from '#lib/adapters/publish.js';
import { buildAlert } from '#lib/domain/alert.js';
import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import { listedAssignment, seedVariant } from '../../local/ia-fixtures.js';

const NOW = new Date('2026-11-30T12:00:00Z');

/** An attempt waiting on 60 recordings whose prompts, step and candidate are `text`. */
const alertWith = (text: string, step = text, name = text) => {
  const raw = seedVariant('att-big', {
    pending_review_count: 60,
    scoring_completed: false,
    step_progressions: [
      {
        step: { name: step },
        answers: [],
        audio_recordings: [],
        video_recordings: Array.from({ length: 60 }, (_, i) => ({ video_prompt: { name: `${text} ${i}` } })),
      },
    ],
  });
  const assignment = listedAssignment('asg-big', NOW, []);
  (assignment.assignment.user as { name: string }).name = name;
  const attempt = normaliseAttempt(parseAttempt(raw), parseAssignment(assignment));
  return buildAlert('review.needed', attempt, { now: NOW, settings: { includeCandidateEmail: true } });
};

const published = (text: string, step?: string, name?: string) => {
  const input = toPublishInput('arn:aws:sns:us-east-1:123456789012:alerts', alertWith(text, step, name));
  const envelope = JSON.parse(input.Message as string) as { default: string; email: string };
  return { input, size: publishSize(input), alert: JSON.parse(envelope.default), email: envelope.email };
};

describe('the published message', () => {
  it.each([
    ['backslashes', '\\'],
    ['quotes', '"'],
    ['emoji', '🎥'],
    ['curly quotes', '“'],
    ['CJK ideographs', '漢'],
    ['quotes and backslashes', '\\"'],
  ])('fits SNS with 50 review items of %s at the text limits, cut with "and N more"', (_, unit) => {
    const text = unit.repeat(600);
    const { size, alert, email } = published(text);
    expect(size).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    // Cut, and counted: the machine JSON keeps the total, people read "and N more".
    expect(alert.reviewItems.length).toBeLessThan(50);
    expect(alert.reviewItemCount).toBe(60);
    expect(email).toMatch(/Awaiting review \(60\):[\s\S]*and \d+ more/);
  });

  it('keeps every review item when they fit', () => {
    const { alert, size } = published('Recording');
    expect([alert.reviewItems.length, alert.reviewItemCount]).toEqual([50, 60]);
    expect(size).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('fits for arbitrary Unicode in every field IA controls', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 700 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        (text, step, name) => {
          expect(published(text, step, name).size).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
        },
      ),
      { numRuns: 40 },
    );
  });
});
