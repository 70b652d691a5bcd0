/**
 * Logger, Metrics and Tracer, built once per execution environment and shared by every module,
 * and the middlewares every handler uses. Service name and log level come from the standard
 * POWERTOOLS_* variables.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { METRICS_NAMESPACE } from '../domain/defaults.js';
import { ACCOUNT_METRIC_STREAMS, METRIC_STREAMS } from './metric-streams.js';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'ia-review-alerts';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
});

/**
 * X-Ray is opt-in (CDK context `xRayTracing`). Merely importing the X-Ray SDK installs async
 * hooks that cost CPU on every warm event and add to each cold start, tracing on or off (the
 * figures are in bench/results.json and the README), so the Tracer is only loaded when tracing is on.
 */
export const tracer =
  process.env.POWERTOOLS_TRACE_ENABLED === 'true'
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName })
    : undefined;

/** The invocation's counts that are not metrics: `counts`, and `countsByAccount` with several accounts. */
const tallies = new Map<string, number>();
const accountTallies = new Map<string, Map<string, number>>();

/** Durations (`…Seconds`) keep the longest; counts add up. */
const tally = (into: Map<string, number>, name: string, value: number) => {
  const known = into.get(name);
  into.set(name, known === undefined ? value : name.endsWith('Seconds') ? Math.max(known, value) : known + value);
};

/**
 * Adds to a count. A name of METRIC_STREAMS is a metric; with `dimensions` (an alert's event type,
 * a webhook's source, an account) as its own metric set, so the dashboard can split by them while
 * the plain count keeps only `service`; split by `Account` only where the dashboard reads it so
 * (ACCOUNT_METRIC_STREAMS). Anything else adds to the invocation's `counts` log line, or, under an
 * `Account`, to its `countsByAccount`.
 */
export const count = (name: string, value = 1, dimensions?: Record<string, string>): void => {
  const account = dimensions?.Account;
  if (account !== undefined && !ACCOUNT_METRIC_STREAMS.has(name)) {
    const byName = accountTallies.get(account) ?? new Map<string, number>();
    accountTallies.set(account, byName);
    return void tally(byName, name, value);
  }
  if (!METRIC_STREAMS.has(name)) return void tally(tallies, name, value);
  if (!dimensions)
    return void metrics.addMetric(name, name.endsWith('Seconds') ? MetricUnit.Seconds : MetricUnit.Count, value);
  const single = metrics.singleMetric();
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, MetricUnit.Count, value);
};

const clearTallies = () => {
  tallies.clear();
  accountTallies.clear();
};

/** One `counts` line per invocation that counted anything outside the metrics, even one that failed. */
const countsLine = (): MiddlewareObj => {
  const flush = async () => {
    if (tallies.size > 0 || accountTallies.size > 0)
      logger.info('counts', {
        counts: Object.fromEntries(tallies),
        ...(accountTallies.size > 0
          ? {
              countsByAccount: Object.fromEntries(
                [...accountTallies].map(([account, byName]) => [account, Object.fromEntries(byName)]),
              ),
            }
          : {}),
      });
    clearTallies();
  };
  return { before: async () => clearTallies(), after: flush, onError: flush };
};

/**
 * Publishes the invocation's metrics, if it has any: Powertools' own middleware warns on every
 * invocation without one, which with most counts as log fields is most of them.
 */
const publishMetrics = (): MiddlewareObj => {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
};

/** An AWS client whose calls become X-Ray subsegments when tracing is on. */
export const traced = <Client>(client: Client): Client => (tracer ? tracer.captureAWSv3Client(client) : client);

/** Lambda's own REPORT lines give every cold start (`Init Duration`): no ColdStart metric streams. */
export const observability = (): MiddlewareObj[] => [
  ...(tracer ? [captureLambdaHandler(tracer)] : []),
  injectLambdaContext(logger, { resetKeys: true }),
  publishMetrics(),
  countsLine(),
];
