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

/**
 * Adds to a count metric; with `dimensions` (an alert's event type, a webhook's source) as its own
 * metric set, so the dashboard can split by them while the plain count keeps only `service`.
 */
export const count = (name: string, value = 1, dimensions?: Record<string, string>): void => {
  if (!dimensions)
    return void metrics.addMetric(name, name.endsWith('Seconds') ? MetricUnit.Seconds : MetricUnit.Count, value);
  const single = metrics.singleMetric();
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, MetricUnit.Count, value);
};

/** An AWS client whose calls become X-Ray subsegments when tracing is on. */
export const traced = <Client>(client: Client): Client => (tracer ? tracer.captureAWSv3Client(client) : client);

export const observability = (options: { coldStartMetric?: boolean } = {}): MiddlewareObj[] => [
  ...(tracer ? [captureLambdaHandler(tracer)] : []),
  injectLambdaContext(logger, { resetKeys: true }),
  logMetrics(metrics, { captureColdStartMetric: options.coldStartMetric ?? false }),
];
