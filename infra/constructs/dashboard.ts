/**
 * One CloudWatch dashboard for the whole product: what waits for review and since when, alerts
 * per event type, the IA budget in use, the queues and DLQs, webhooks per source, the functions,
 * and the ops alarms. Series that split by a dimension (event type, source) are SEARCH
 * expressions, so a new event type or source shows up without a change here.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { serviceMetric } from './ops-alarms.js';

export interface DashboardProps {
  readonly metricsNamespace: string;
  readonly iaRatePerSecond: number;
  readonly checksQueue: sqs.IQueue;
  /** Read at synthesis: alarms added later show too. */
  readonly alarms: cloudwatch.IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDE = 12;
const HEIGHT = 6;

/** Every series of `metricName` split by `dimension` (and `service`), summed per 5 minutes. */
const search = (namespace: string, metricName: string, dimension: string, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${namespace},${dimension},service} MetricName="${metricName}"', 'Sum', 300)`,
    label,
    period: FIVE_MINUTES,
  });

/** A count summed over every function that emits it. */
export const sumOf = (namespace: string, metricName: string) =>
  `SUM(SEARCH('{${namespace},service} MetricName="${metricName}"', 'Sum', 300))`;

/** Half the dashboard's width, the same height for every graph. */
const graph = (props: cloudwatch.GraphWidgetProps) =>
  new cloudwatch.GraphWidget({ width: WIDE, height: HEIGHT, ...props });

export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly url: string;
  private readonly errors: cloudwatch.GraphWidget;
  private readonly durations: cloudwatch.GraphWidget;
  private readonly deadLetters: cloudwatch.GraphWidget;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namespace = props.metricsNamespace;
    // No dashboardName: CloudFormation names it, so two deployments never collide.
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    const budget = props.iaRatePerSecond * 300;
    const sweep = (metric: string, statistic: string) => serviceMetric(namespace, metric, 'sweep').with({ statistic });
    const total = (metricName: string, label: string) =>
      new cloudwatch.MathExpression({ expression: sumOf(namespace, metricName), label, period: FIVE_MINUTES });

    this.dashboard.addWidgets(
      graph({
        title: 'Waiting for review',
        left: [sweep('AttemptsAwaitingReview', 'Maximum').with({ label: 'attempts awaiting review' })],
        right: [sweep('OldestReviewWaitHours', 'Maximum').with({ label: 'oldest wait (hours)' })],
      }),
      graph({
        title: 'Alerts published per event type',
        stacked: true,
        left: [search(namespace, 'AlertsPublished', 'eventType', '')],
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
            expression: `100 * ${sumOf(namespace, 'IaRequests')} / ${budget}`,
            label: 'budget used (%)',
            period: FIVE_MINUTES,
          }),
        ],
      }),
    );
    this.deadLetters = graph({ title: 'Dead-letter queues' });
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
      this.deadLetters,
    );
    this.dashboard.addWidgets(
      graph({
        title: 'Webhooks accepted per source',
        left: [search(namespace, 'WebhooksAccepted', 'source', '')],
      }),
      graph({
        title: 'Webhooks rejected per source',
        left: [search(namespace, 'WebhooksRejected', 'source', '')],
      }),
    );
    // Trigger health: a trigger that went quiet while the sweep finds what it should have announced.
    this.dashboard.addWidgets(
      graph({
        title: 'Triggers silent (1: quiet while the sweep finds their completions)',
        left: [search(namespace, 'TriggerSilent', 'trigger', '')],
      }),
      new cloudwatch.TextWidget({
        width: WIDE,
        height: 6,
        markdown:
          '### Trigger health\nEach webhook source and EventBridge trigger: its last event, events a day, and the completions only the sweep found. `ia-review-alerts sources --stack <name>` prints the table; the digest has a line per trigger. A silent trigger: check the integration on the sender\'s side (webhook disabled, secret rotated). See docs/operating.md, runbook "TriggerSilent".',
      }),
    );
    this.errors = graph({ title: 'Function errors' });
    this.durations = graph({ title: 'Function duration (p95, ms)' });
    this.dashboard.addWidgets(this.errors, this.durations);
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Ops alarms', width: 2 * WIDE, height: 4, alarms: props.alarms }),
    );
    this.url = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  /** Several IA accounts: each account's IA requests, and its alerts, side by side (dimension `Account`). */
  addAccounts(namespace: string): void {
    this.dashboard.addWidgets(
      graph({ title: 'IA requests per account', left: [search(namespace, 'IaRequests', 'Account', '')] }),
      graph({
        title: 'Alerts published per account',
        stacked: true,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${namespace},Account,eventType,service} MetricName="AlertsPublished"', 'Sum', 300)`,
            label: '',
            period: FIVE_MINUTES,
          }),
        ],
      }),
    );
  }

  /** A function's errors and p95 duration on the function graphs. */
  /** The claims of the last week, newest first, from ingest's `claim recorded` log lines (with `claims`). */
  addClaims(ingestLogs: logs.ILogGroup): void {
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: "Claims (I'm on it): who, which attempt, since when",
        width: 2 * WIDE,
        height: 6,
        logGroupNames: [ingestLogs.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          'fields at, action, by, attemptId, account, via',
          'filter message = "claim recorded"',
          'sort @timestamp desc',
          'limit 50',
        ],
      }),
    );
  }

  addFunction(label: string, fn: lambda.IFunction): void {
    this.errors.addLeftMetric(fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label }));
    this.durations.addLeftMetric(fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p95', label }));
  }

  addDeadLetterQueue(label: string, queue: sqs.IQueue): void {
    this.deadLetters.addLeftMetric(
      queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum', label }),
    );
  }
}
