/**
 * The bill's custom metrics by the hour (bench/metric-hours.ts): every stream the functions can
 * publish is placed, alerts go to the function whose look sends them, and a stream costs the share
 * of hours it is published in.
 */
import { describe, expect, it } from '@jest/globals';
import { METRIC_STREAMS } from '#lib/runtime/metric-streams.js';
import {
  alertRates,
  FAILURE_STREAMS,
  MODELLED_STREAMS,
  metricStreamShares,
  streamMonths,
} from '../../bench/metric-hours.js';

const options = { digestsPerMonth: 22, ownNotModifiedRate: 0.44 };
const shareOf = (streams: ReturnType<typeof metricStreamShares>, service: string, name: string, dimension?: string) =>
  streams.find((s) => s.service === service && s.name === name && s.dimension === dimension)?.hours;

describe('custom metric streams by the hour', () => {
  it('places every stream the functions publish: modelled, or published only by a failure', () => {
    expect([...MODELLED_STREAMS, ...FAILURE_STREAMS].sort()).toEqual([...METRIC_STREAMS].sort());
    const rates = alertRates([{ share: 1, alerts: ['review.needed'], laterAlerts: 0 }], 0);
    const names = new Set(
      [0, 1_000].flatMap((perDay) => metricStreamShares(perDay, rates, options).map((s) => s.name)),
    );
    expect([...names].sort()).toEqual([...MODELLED_STREAMS].sort());
  });

  it("gives the first look's alerts to check but for the share no trigger named, and later alerts to the sweep", () => {
    const rates = alertRates(
      [
        { share: 0.6, alerts: ['review.needed', 'review.overdue', 'review.completed'], laterAlerts: 2 },
        { share: 0.4, alerts: ['attempt.scored'], laterAlerts: 0 },
      ],
      0.1,
    );
    expect(rates.check).toEqual({ 'review.needed': 0.6 * 0.9, 'attempt.scored': 0.4 * 0.9 });
    expect(rates.sweep['review.needed']).toBeCloseTo(0.06);
    expect(rates.sweep['attempt.scored']).toBeCloseTo(0.04);
    expect(rates.sweep['review.overdue']).toBe(0.6);
    expect(rates.sweep['review.completed']).toBe(0.6);
  });

  it('idle: the sweep alone, every run, its empty page a 304', () => {
    const idle = metricStreamShares(0, { check: { 'review.needed': 1 }, sweep: {} }, options);
    expect(idle.map((s) => `${s.service}:${s.name}`).sort()).toEqual([
      'sweep:AttemptsAwaitingReview',
      'sweep:IaNotModified',
      'sweep:IaRequests',
      'sweep:SweepPages',
    ]);
    expect(streamMonths(idle)).toBe(4);
  });

  it('busy: a rare alert costs the Poisson share of the hours its attempts bring it, the digest its own hours', () => {
    const streams = metricStreamShares(
      1_000,
      { check: { 'review.needed': 0.6 }, sweep: { 'scoring.stalled': 0.01 } },
      options,
    );
    expect(shareOf(streams, 'sweep', 'AlertsPublished', 'scoring.stalled')).toBeCloseTo(
      1 - Math.exp(-0.01 * (1_000 / 24)),
    );
    expect(shareOf(streams, 'check', 'AlertsPublished', 'review.needed')).toBeGreaterThan(0.9999);
    expect(shareOf(streams, 'digest', 'AlertsPublished', 'review.digest')).toBeCloseTo(22 / 730);
    // A busy list's pages change with every new assignment: no 304 for the sweep.
    expect(shareOf(streams, 'sweep', 'IaNotModified')).toBeUndefined();
    expect(shareOf(streams, 'sweep', 'OldestReviewWaitHours')).toBe(1);
    const more = metricStreamShares(10_000, { check: {}, sweep: { 'scoring.stalled': 0.01 } }, options);
    expect(shareOf(more, 'sweep', 'AlertsPublished', 'scoring.stalled')).toBeGreaterThan(
      shareOf(streams, 'sweep', 'AlertsPublished', 'scoring.stalled') as number,
    );
  });
});
