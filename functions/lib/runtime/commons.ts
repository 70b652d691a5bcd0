/**
 * Logger, Metrics and Tracer, built once per execution environment and shared by every module,
 * and the middlewares every handler uses. Service name and log level come from the standard
 * POWERTOOLS_* variables.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { METRICS_NAMESPACE } from '../domain/defaults.js';
import { METRIC_STREAMS } from './metric-streams.js';

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

const tallies = new Map<string, number>();

/**
 * Adds to a count. A name of METRIC_STREAMS is a metric; with `dimensions` (an alert's event type,
 * a webhook's source, an account) as its own metric set, so the dashboard can split by them while
 * the plain count keeps only `service`. Any other name adds to the invocation's `counts` log line;
 * its copy under an `Account` dimension is left out there (the plain call counted it, and the
 * record's own log lines name the account).
 */
export const count = (name: string, value = 1, dimensions?: Record<string, string>): void => {
  if (!METRIC_STREAMS.has(name)) {
    if (dimensions?.Account === undefined) tallies.set(name, (tallies.get(name) ?? 0) + value);
    return;
  }
  if (!dimensions)
    return void metrics.addMetric(name, name.endsWith('Seconds') ? MetricUnit.Seconds : MetricUnit.Count, value);
  const single = metrics.singleMetric();
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, MetricUnit.Count, value);
};

/** One `counts` line per invocation that counted anything outside METRIC_STREAMS, even one that failed. */
const countsLine = (): MiddlewareObj => {
  const flush = async () => {
    if (tallies.size > 0) logger.info('counts', { counts: Object.fromEntries(tallies) });
    tallies.clear();
  };
  return {
    before: async () => void tallies.clear(),
    after: flush,
    onError: flush,
  };
};

/** An AWS client whose calls become X-Ray subsegments when tracing is on. */
export const traced = <Client>(client: Client): Client => (tracer ? tracer.captureAWSv3Client(client) : client);

/** Lambda's own REPORT lines give every cold start (`Init Duration`): no ColdStart metric streams. */
export const observability = (): MiddlewareObj[] => [
  ...(tracer ? [captureLambdaHandler(tracer)] : []),
  injectLambdaContext(logger, { resetKeys: true }),
  logMetrics(metrics),
  countsLine(),
];
