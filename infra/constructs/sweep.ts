/**
 * The sweep: a scheduled function that walks IA's assignment list, finds completed attempts
 * nobody sent an event for and watches open ones, on the key's shared rate budget. An alarm says
 * when no walk of the whole horizon has finished for three intervals (IA down, the key refused,
 * or a horizon too large for the budget).
 */
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { serviceName } from '../../functions/lib/domain/defaults.js';
import { AWAITING_INDEX } from '../../functions/lib/domain/lifecycle.js';
import { serviceMetric } from './ops-alarms.js';
import { grantExactlyOnce, grantOnTable, grantPacing, grantQueryIndex } from './service-access.js';
import { ServiceFunction } from './service-function.js';

/** Sized like the other functions (docs/performance.md): a page of 100 assignments is well under 1 MB. */
export const SWEEP_MEMORY_MB = 256;
const LAMBDA_MAX_SECONDS = 900;

export interface SweepProps {
  intervalMinutes: number;
  environment: Record<string, string>;
  logRetentionDays: number;
  xRayTracing: boolean;
  stateTable: dynamodb.ITable;
  idempotencyTable: dynamodb.ITable;
  rateLimitTable: dynamodb.ITable;
  checksQueue: sqs.IQueue;
  apiKeySecret: secretsmanager.ISecret;
  /** Publishing to the alerts topic, as `check` is granted it. */
  grantPublish: (grantee: ServiceFunction['function']) => void;
}

export class Sweep extends Construct {
  readonly sweep: ServiceFunction;
  readonly schedule: events.Rule;
  /** Whole walks finished; none in three intervals is the `SweepStalled` alarm. */
  readonly fullWalks: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const intervalSeconds = Math.round(props.intervalMinutes * 60);
    this.sweep = new ServiceFunction(this, 'Sweep', {
      name: 'sweep',
      description: 'Walks the Indeed Assessments assignment list: alerts attempts no event named, watches open ones',
      memorySize: SWEEP_MEMORY_MB,
      // A run stops walking at 90 % of its interval; the rest is margin to save the cursor.
      timeout: Duration.seconds(Math.min(LAMBDA_MAX_SECONDS, intervalSeconds + 30)),
      logRetentionDays: props.logRetentionDays,
      xRayTracing: props.xRayTracing,
      environment: { ...props.environment, SWEEP_INTERVAL_SECONDS: String(intervalSeconds) },
    });
    const fn = this.sweep.function;
    grantOnTable(
      props.stateTable,
      fn,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    );
    // The dashboard's awaiting-review count and oldest wait, counted once a run.
    grantQueryIndex(props.stateTable, AWAITING_INDEX, fn);
    grantPacing(props.rateLimitTable, fn);
    grantExactlyOnce(props.idempotencyTable, fn);
    props.checksQueue.grantSendMessages(fn);
    props.apiKeySecret.grantRead(fn);
    props.grantPublish(fn);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the sweep every ${props.intervalMinutes} min`,
      schedule: events.Schedule.rate(Duration.minutes(props.intervalMinutes)),
      // A missed run is made up by the next one, which resumes the walk: no retries.
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    this.fullWalks = serviceMetric('SweepFullWalks', serviceName('sweep')).with({
      period: Duration.seconds(Math.max(60, Math.ceil((3 * intervalSeconds) / 60) * 60)),
    });
  }
}
