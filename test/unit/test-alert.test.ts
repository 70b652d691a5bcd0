/** What `test-alert` publishes, and which filters it dares to predict. */
import { describe, expect, it } from '@jest/globals';
import { predictable, testAlert } from '../../cli/test-alert-command.js';

describe('test-alert', () => {
  it('builds an alert of the asked type about no real attempt, marked wherever a person reads it', () => {
    const alert = testAlert('review.overdue', new Date('2026-12-06T12:00:00.123Z'), {
      account: 'agency-b',
      assessment: 'asmt-1',
    });
    expect(alert).toMatchObject({
      eventType: 'review.overdue',
      attemptId: 'test-alert-20261206T120000123Z',
      assessmentId: 'asmt-1',
      assessmentName: 'TEST ALERT from ia-review-alerts (no real attempt)',
      source: 'test-alert',
      account: 'agency-b',
      reminder: 1,
      pendingReviewCount: 1,
    });
    expect(testAlert('review.completed', new Date(), {})).toMatchObject({ pendingReviewCount: 0, reviewItems: [] });
  });

  it('predicts only filters made of values and the operators the matcher knows', () => {
    expect(predictable({ eventType: ['review.needed'], account: [{ exists: true }] })).toBe(true);
    expect(predictable({ assessmentId: [{ prefix: 'a' }, { 'anything-but': ['x'] }] })).toBe(true);
    expect(predictable({ source: ['ia-review-alerts'], detail: { account: ['default'] } })).toBe(true);
    expect(predictable({ eventType: [{ suffix: '.needed' }] })).toBe(false);
    expect(predictable({ $or: [{ eventType: ['review.needed'] }] })).toBe(false);
    expect(predictable({ detail: { assessmentId: [{ wildcard: 'a*' }] } })).toBe(false);
  });
});
