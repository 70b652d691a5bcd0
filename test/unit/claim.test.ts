/** "I'm on it": who may claim what, and what a claim changes in the watch and in the alerts' words. */
import { describe, expect, it } from '@jest/globals';
import { buildAlert } from '#lib/domain/alert.js';
import type { Attempt } from '#lib/domain/attempt.js';
import { claim, claimant, InvalidClaimantError, release } from '#lib/domain/claims/claim.js';
import { type AttemptState, DEFAULT_WATCH, nextStep, type Observation } from '#lib/domain/lifecycle.js';
import { facts, whatToDo } from '#lib/domain/render/wording.js';

const T0 = Date.parse('2026-11-25T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000);
const attempt = (pendingReviewCount: number, scoringCompleted: boolean): Attempt => ({
  id: 'a1',
  scoringCompleted,
  pendingReviewCount,
  assessment: { id: 'asm', name: 'Assessment' },
  candidate: { name: 'Ada Lovelace' },
  reviewItems: [],
});
const seen = (pending: number, completed: boolean): Observation => ({ attempt: attempt(pending, completed) });
const ESCALATING = { ...DEFAULT_WATCH, escalateAfterSeconds: 30 * 3600 };

/** The state after `review.needed` at hour 0. */
const waiting = (): AttemptState => {
  const step = nextStep(undefined, seen(2, false), at(0), ESCALATING);
  return { ...step.state, version: 1 };
};

describe('claim', () => {
  it('claims what waits for a review once; the holder again is told so, anyone else who holds it', () => {
    const first = claim(waiting(), 'Grace', 'slack', at(2));
    expect(first).toEqual({
      result: 'claimed',
      state: expect.objectContaining({ claim: { by: 'Grace', at: at(2).toISOString(), via: 'slack' } }),
    });
    const claimed = first.result === 'claimed' ? first.state : waiting();
    expect(claim(claimed, 'Grace', 'email', at(3))).toEqual({
      result: 'already-yours',
      claim: { by: 'Grace', at: at(2).toISOString(), via: 'slack' },
    });
    expect(claim(claimed, 'Alan', 'cli', at(3))).toEqual({
      result: 'held',
      claim: { by: 'Grace', at: at(2).toISOString(), via: 'slack' },
    });
  });

  it('refuses to claim what waits for nobody: scored, closed, or still scoring', () => {
    const scored = nextStep(waiting(), seen(0, true), at(3), ESCALATING).state;
    expect(claim(scored, 'Grace', 'cli', at(4)).result).toBe('not-waiting');
    const scoring = nextStep(undefined, seen(0, false), at(0), ESCALATING).state;
    expect(claim(scoring, 'Grace', 'cli', at(1)).result).toBe('not-waiting');
  });

  it('lets its holder release it, and nobody else unless forced', () => {
    const answer = claim(waiting(), 'Grace', 'cli', at(2));
    const claimed = answer.result === 'claimed' ? answer.state : waiting();
    expect(release(claimed, 'Alan')).toEqual({ result: 'held', claim: claimed.claim });
    const released = release(claimed, 'Grace');
    expect(released.result).toBe('released');
    expect(released.result === 'released' && released.state.claim).toBeUndefined();
    expect(release(claimed, 'Alan', true).result).toBe('released');
    expect(release(waiting(), 'Grace')).toEqual({ result: 'not-claimed' });
  });

  it("makes the claimant's name safe where it enters, and refuses one with nothing in it", () => {
    expect(claimant('  Grace\u202e Hopper\n')).toBe('Grace Hopper');
    expect(claimant('evil.example https://x.test')).toBe('evil[.]example https[:]//x[.]test');
    expect(claimant('x'.repeat(200))).toHaveLength(80);
    for (const empty of ['', '   ', '\u200b\u202e', '!!!']) expect(() => claimant(empty)).toThrow(InvalidClaimantError);
  });
});

describe('a claimed review in the watch', () => {
  const claimedAt2 = () => {
    const answer = claim(waiting(), 'Grace', 'slack', at(2));
    if (answer.result !== 'claimed') throw new Error(answer.result);
    return answer.state;
  };

  it('is never escalated, and its reminders name the holder', () => {
    let state: AttemptState = claimedAt2();
    const alerts = [25, 31, 49].flatMap((hour) => {
      const step = nextStep(state, 'not-modified', at(hour), ESCALATING);
      state = { ...step.state, version: step.state.version + 1 };
      return step.alerts;
    });
    expect(alerts).toEqual([
      expect.objectContaining({
        eventType: 'review.overdue',
        reminder: 1,
        claimedBy: 'Grace',
        claimedAt: at(2).toISOString(),
      }),
      expect.objectContaining({ eventType: 'review.overdue', reminder: 2, claimedBy: 'Grace' }),
    ]);
    expect(state.escalatedAt).toBeUndefined();
    expect(state.claim?.by).toBe('Grace');
  });

  it('escalates again as before once the claim is released', () => {
    const released = release(claimedAt2(), 'Grace');
    if (released.result !== 'released') throw new Error(released.result);
    const step = nextStep(released.state, 'not-modified', at(31), ESCALATING);
    expect(step.alerts.map((a) => a.eventType)).toContain('review.escalated');
  });

  it('closes with review.completed naming the holder and the minutes from the claim, and keeps the claim', () => {
    const step = nextStep(claimedAt2(), seen(0, true), at(5.5), ESCALATING);
    expect(step.alerts).toEqual([
      { eventType: 'review.completed', claimedBy: 'Grace', claimedAt: at(2).toISOString(), minutesFromClaim: 210 },
    ]);
    expect(step.state.claim?.by).toBe('Grace');
  });
});

describe("a claim in the alerts' words", () => {
  const settings = { includeCandidateEmail: false };
  it('tells readers of a reminder who holds it, and of the completion how long it took', () => {
    const overdue = buildAlert('review.overdue', attempt(2, false), {
      now: at(25),
      settings,
      reminder: 1,
      waitedHours: 25,
      claimedBy: 'Grace',
      claimedAt: at(2).toISOString(),
    });
    expect(whatToDo(overdue)).toBe(
      '2 answers or recordings for Ada Lovelace still wait for a review after 25 hours; Grace has claimed it since 2026-11-25 02:00 UTC. Check in with them, or grade them in the Indeed Assessments web app.',
    );
    expect(facts(overdue)).toContainEqual(['Claimed by', 'Grace since 2026-11-25 02:00 UTC']);
    const completed = buildAlert('review.completed', attempt(0, true), {
      now: at(5.5),
      settings,
      claimedBy: 'Grace',
      claimedAt: at(2).toISOString(),
      minutesFromClaim: 210,
    });
    expect(whatToDo(completed)).toBe(
      'Reviews for Ada Lovelace are done and scoring is final, 3h 30m after being claimed by Grace. No action needed.',
    );
  });

  it('says nothing of a claim where there is none', () => {
    const overdue = buildAlert('review.overdue', attempt(1, false), {
      now: at(25),
      settings,
      reminder: 1,
      waitedHours: 25,
    });
    expect(whatToDo(overdue)).not.toContain('claimed');
    expect(facts(overdue).map(([label]) => label)).not.toContain('Claimed by');
  });
});
