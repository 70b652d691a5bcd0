/** The digest: what waits, oldest first, and which of it was escalated. */
import { describe, expect, it } from '@jest/globals';
import { buildDigest } from '#lib/domain/digest.js';
import type { AttemptState } from '#lib/domain/lifecycle.js';
import { digestBody } from '#lib/domain/render/email.js';
import { awaitingState } from '../support/attempts.js';

const waiting = (id: string, since: string, escalatedAt?: string): AttemptState =>
  awaitingState(id, since, escalatedAt ? { escalatedAt } : {});

describe('digest', () => {
  it('counts and marks escalated attempts', () => {
    const digest = buildDigest(
      [waiting('b', '2026-11-28T09:00:00Z'), waiting('a', '2026-11-26T09:00:00Z', '2026-11-28T09:00:00Z')],
      { now: new Date('2026-11-30T08:00:00Z'), period: '2026-11-30', settings: { includeCandidateEmail: false } },
    );
    expect(digest.escalated).toBe(1);
    expect(digest.oldest.map((item) => [item.attemptId, item.escalatedAt])).toEqual([
      ['a', '2026-11-28T09:00:00Z'],
      ['b', undefined],
    ]);
    const body = digestBody(digest);
    expect(body).toContain('1 was escalated');
    expect(body).toMatch(/Candidate a - Philosopher Assessment: 1 pending review, waiting 3 days, escalated/);
    expect(body).not.toMatch(/Candidate b[^\n]*escalated/);
  });
});
