/**
 * One CloudWatch dashboard for the whole product: what waits for review and since when, alerts
 * per event type, the IA budget in use, the queues and DLQs, webhooks per source, the functions,
 * and the ops alarms. Series that split by a dimension (event type, source) are SEARCH
 * expressions, so a new event type or source shows up without a change here.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, serviceName } from '../../functions/lib/domain/defaults.js';
import { serviceMetric } from './ops-alarms.js';

export interface DashboardProps {
  iaRatePerSecond: number;
  checksQueue: sqs.IQueue;
  deadLetterQueues: Record<string, sqs.IQueue>;
  functions: Record<string, lambda.IFunction>;
  alarms: cloudwatch.IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDE = 12;
const HEIGHT = 6;

/** Every series of `metricName` split by `dimension` (and `service`), summed per 5 minutes. */
const search = (metricName: string, dimension: string, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}"', 'Sum', 300)`,
    label,
    period: FIVE_MINUTES,
  });

/** A count summed over every function that emits it. */
const sumOf = (metricName: string) =>
  `SUM(SEARCH('{${METRICS_NAMESPACE},service} MetricName="${metricName}"', 'Sum', 300))`;

const total = (metricName: string, label: string) =>
  new cloudwatch.MathExpression({ expression: sumOf(metricName), label, period: FIVE_MINUTES });

/** Half the dashboard's width, the same height for every graph. */
const graph = (props: cloudwatch.GraphWidgetProps) =>
  new cloudwatch.GraphWidget({ width: WIDE, height: HEIGHT, ...props });

export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = `${stack.stackName}-review-alerts`;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: name,
      defaultInterval: Duration.days(7),
    });
    const budget = props.iaRatePerSecond * 300;
    const sweep = (metric: string, statistic: string) =>
      serviceMetric(metric, serviceName('sweep')).with({ statistic });

    this.dashboard.addWidgets(
      graph({
        title: 'Waiting for review',
        left: [sweep('AttemptsAwaitingReview', 'Maximum').with({ label: 'attempts awaiting review' })],
        right: [sweep('OldestReviewWaitHours', 'Maximum').with({ label: 'oldest wait (hours)' })],
      }),
      graph({
        title: 'Alerts published per event type',
        stacked: true,
        left: [search('AlertsPublished', 'eventType', '')],
      }),
    );
    this.dashboard.addWidgets(
      graph({
        title: 'IA requests, 304s and 429s (check + sweep)',
        left: [
          total('IaRequests', 'requests'),
          total('IaNotModified', '304 not modified'),
          total('IaThrottled', '429 rate limited'),
        ],
      }),
      graph({
        title: `IA rate budget used (% of ${props.iaRatePerSecond}/s)`,
        leftYAxis: { min: 0, max: 100 },
        left: [
          new cloudwatch.MathExpression({
            expression: `100 * ${sumOf('IaRequests')} / ${budget}`,
            label: 'budget used (%)',
            period: FIVE_MINUTES,
          }),
        ],
      }),
    );
    this.dashboard.addWidgets(
      graph({
        title: 'Checks queue: depth and age of the oldest',
        left: [
          props.checksQueue.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
            label: 'messages waiting',
          }),
        ],
        right: [
          props.checksQueue.metricApproximateAgeOfOldestMessage({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
            label: 'oldest (s)',
          }),
        ],
      }),
      graph({
        title: 'Dead-letter queues',
        left: Object.entries(props.deadLetterQueues).map(([label, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum', label }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      graph({
        title: 'Webhooks accepted per source',
        left: [search('WebhooksAccepted', 'source', '')],
      }),
      graph({
        title: 'Webhooks rejected per source',
        left: [search('WebhooksRejected', 'source', '')],
      }),
    );
    this.dashboard.addWidgets(
      graph({
        title: 'Function errors',
        left: Object.entries(props.functions).map(([label, fn]) =>
          fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label }),
        ),
      }),
      graph({
        title: 'Function duration (p95, ms)',
        left: Object.entries(props.functions).map(([label, fn]) =>
          fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p95', label }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Ops alarms', width: 2 * WIDE, height: 4, alarms: props.alarms }),
    );
    this.url = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${name}`;
  }
}
