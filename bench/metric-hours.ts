/**
 * How many custom metric streams a deployment keeps published, hour by hour. CloudWatch bills a
 * custom metric by the hour it is published in (prorated from $0.30 a metric-month), so a stream
 * is worth the share of hours it appears in, not a whole month for one data point.
 *
 * Each stream of METRIC_STREAMS (functions/lib/runtime/metric-streams.ts), under the `service`
 * dimension of the function that publishes it, comes from one of:
 * - every sweep run (12 an hour): the walk's requests and pages, what waits;
 * - an attempt: published in an hour when one of that hour's attempts makes it, a Poisson share
 *   of the hours, `1 - e^(-rate × attempts an hour)`;
 * - the digest: its hours of a month;
 * - a failure (a 429, a refused key or webhook, a Slack channel gone): none in a month without it.
 */
const HOURS_A_MONTH = 730;

/** Alerts an attempt brings, by the function that publishes them and event type (`alertRates`). */
export type AlertRates = Record<'check' | 'sweep', Record<string, number>>;

export interface MetricStreamShare {
  name: string;
  service: string;
  dimension?: string;
  /** The share of a month's hours it is published in. */
  hours: number;
}

/** The watch's alerts per attempt, over a mix of timelines: the first look's are check's (a trigger names the attempt), the later ones the sweep's list looks', except a share `missed` no trigger named (the sweep's first look too). */
export const alertRates = (
  timelines: Array<{ share: number; alerts: string[]; laterAlerts: number }>,
  missed: number,
): AlertRates => {
  const rates: AlertRates = { check: {}, sweep: {} };
  const add = (service: 'check' | 'sweep', eventType: string, rate: number) => {
    rates[service][eventType] = (rates[service][eventType] ?? 0) + rate;
  };
  for (const { share, alerts, laterAlerts } of timelines) {
    const first = alerts.length - laterAlerts;
    for (const [index, eventType] of alerts.entries()) {
      if (index >= first) {
        add('sweep', eventType, share);
        continue;
      }
      add('check', eventType, share * (1 - missed));
      add('sweep', eventType, share * missed);
    }
  }
  return rates;
};

/**
 * What a deployment publishes, each stream with its share of the hours, at `attemptsPerDay` (0:
 * idle, the list empty). `ownNotModifiedRate`: check's 304s per attempt (its quick looks while
 * scoring runs, each finding nothing new until scoring ends).
 */
export const metricStreamShares = (
  attemptsPerDay: number,
  rates: AlertRates,
  options: { digestsPerMonth: number; ownNotModifiedRate: number },
): MetricStreamShare[] => {
  const perHour = attemptsPerDay / 24;
  const byAttempt = (rate: number) => 1 - Math.exp(-rate * perHour);
  const busy = attemptsPerDay > 0;
  const streams: MetricStreamShare[] = [
    // Every run walks at least one page; an empty list's page is the same each run (a 304), a
    // busy one never is (each new assignment shifts every page of a newest-first list).
    { name: 'IaRequests', service: 'sweep', hours: 1 },
    { name: 'SweepPages', service: 'sweep', hours: 1 },
    { name: 'IaNotModified', service: 'sweep', hours: busy ? 0 : 1 },
    // Published by every run, 0 when nothing waits; the oldest wait only when something does.
    { name: 'AttemptsAwaitingReview', service: 'sweep', hours: 1 },
    { name: 'OldestReviewWaitHours', service: 'sweep', hours: busy ? 1 : 0 },
    // A first check per attempt, and one accepted webhook.
    { name: 'IaRequests', service: 'check', hours: byAttempt(1) },
    { name: 'IaNotModified', service: 'check', hours: byAttempt(options.ownNotModifiedRate) },
    // Under its source's name (`source`): one stream a webhook source, one in the bill's deployment.
    { name: 'WebhooksAccepted', service: 'ingest', dimension: 'source', hours: byAttempt(1) },
    {
      name: 'AlertsPublished',
      service: 'digest',
      dimension: 'review.digest',
      hours: busy ? options.digestsPerMonth / HOURS_A_MONTH : 0,
    },
    ...(['check', 'sweep'] as const).flatMap((service) =>
      Object.entries(rates[service]).map(([eventType, rate]) => ({
        name: 'AlertsPublished',
        service,
        dimension: eventType,
        hours: byAttempt(rate),
      })),
    ),
  ];
  return streams.filter((stream) => stream.hours > 0);
};

/** The streams only a failure publishes: none in a month without one (IaThrottled: the pacer keeps under the limit). */
export const FAILURE_STREAMS = [
  'IaAuthFailures',
  'IaThrottled',
  'SlackDestinationGone',
  'SlackPayloadRejected',
  'TriggerSilent',
  'WebhooksFailed',
  'WebhooksRejected',
];

/** Every name metricStreamShares places, beside the failures': test/unit/metric-hours.test.ts holds them to METRIC_STREAMS. */
export const MODELLED_STREAMS = [
  'AlertsPublished',
  'AttemptsAwaitingReview',
  'IaNotModified',
  'IaRequests',
  'OldestReviewWaitHours',
  'SweepPages',
  'WebhooksAccepted',
];

/** Streams published in an average hour: what the month's custom metrics cost, in metric-months. */
export const streamMonths = (streams: MetricStreamShare[]) => streams.reduce((sum, stream) => sum + stream.hours, 0);
