/**
 * Ops alarms, to their own topic (not the alerts topic: different readers, different urgency).
 * Every alarm's description is the first line of its runbook: what it means, what to do.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, serviceName } from '../../functions/lib/domain/defaults.js';
import { allowServiceToPublish } from './service-access.js';

export interface OpsAlarmsProps {
  opsTopic: sns.ITopic;
  /** The key that encrypts the ops topic: CloudWatch must be allowed to use it too. */
  opsTopicKey: kms.IKey;
  checksQueue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  alertsTopic: sns.ITopic;
  check: lambda.IFunction;
  ingest: lambda.IFunction;
  sweep: { fullWalks: cloudwatch.IMetric; sweep: { function: lambda.IFunction } };
  oldestMessageMinutes: number;
  /** The Slack notifier's DLQ, when Slack channels are configured. */
  notifierDeadLetterQueue?: sqs.IQueue;
}

/** A Powertools EMF metric, as a function emits it (dimension `service`: serviceName(fn)). */
export const serviceMetric = (metricName: string, service: string) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });

export class OpsAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    // Named after the stack, so the topic can trust exactly this stack's alarms.
    const stack = Stack.of(this);
    const prefix = `${stack.stackName}-`;
    allowServiceToPublish(
      props.opsTopic,
      props.opsTopicKey,
      'cloudwatch.amazonaws.com',
      stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `${prefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const action = new SnsAction(props.opsTopic);
    const add = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      when: { below?: boolean } = {},
    ) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${prefix}${alarmId}`,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: when.below
          ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
          : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // "Nothing happened" is the problem an alarm on too little is about.
        treatMissingData: when.below
          ? cloudwatch.TreatMissingData.BREACHING
          : cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    add(
      'DeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      1,
      'Checks failed for good and wait in the DLQ. Read each failureCode/failureReason attribute, fix the cause (key, attempt id, IA outage), then run `ia-review-alerts redrive`. See docs/operating.md, runbook "DeadLetters".',
    );
    add(
      'ChecksBacklog',
      props.checksQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      props.oldestMessageMinutes * 60,
      `A check has waited over ${props.oldestMessageMinutes} min: IA is slow or rate-limiting, or check is failing. Look at check's logs and the IaAuthFailures/RecordsRetried metrics. See docs/operating.md, runbook "ChecksBacklog".`,
    );
    add(
      'CheckErrors',
      props.check.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      'The check function itself failed (not a single record): read its log group for the stack trace; a bad deployment or missing permission is the usual cause. See docs/operating.md, runbook "CheckErrors".',
    );
    add(
      'IaAuthFailures',
      new cloudwatch.MathExpression({
        expression: 'check + sweep',
        usingMetrics: {
          check: serviceMetric('IaAuthFailures', serviceName('check')),
          sweep: serviceMetric('IaAuthFailures', serviceName('sweep')),
        },
        label: 'IA 401/403 (check + sweep)',
        period: Duration.minutes(5),
      }),
      1,
      'Indeed Assessments refused the API key (401/403): every check stops. Put a valid key in the IA API key secret, then redrive the DLQ. See docs/operating.md, runbook "IaAuthFailures".',
    );
    add(
      'AlertDeliveryFailures',
      props.alertsTopic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      'SNS could not deliver alerts to a subscriber (email bounced, endpoint gone). Check the topic subscriptions and the notifier. See docs/operating.md, runbook "AlertDeliveryFailures".',
    );
    if (props.notifierDeadLetterQueue) {
      add(
        'SlackDeadLetters',
        props.notifierDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        1,
        'Slack posts failed for good. failureCode slack_destination_gone: the channel was archived or the webhook revoked, put a new webhook URL in the channel secret; slack_rejected_payload: our bug, open an issue. Then redrive. See docs/operating.md, runbook "SlackDeadLetters".',
      );
      add(
        'SlackDestinationGone',
        serviceMetric('SlackDestinationGone', serviceName('notify-slack')),
        1,
        'A Slack webhook answered 403/404/410: the channel is archived or the webhook revoked, so its alerts stop. Create a new incoming webhook and put its URL in the channel secret. See docs/operating.md, runbook "SlackDestinationGone".',
      );
      add(
        'SlackPayloadRejected',
        serviceMetric('SlackPayloadRejected', serviceName('notify-slack')),
        1,
        'Slack rejected a message as invalid (400): a rendering bug. The alert is in the Slack DLQ; email still went out. Open an issue with the failureReason. See docs/operating.md, runbook "SlackPayloadRejected".',
      );
    }
    add(
      'SweepStalled',
      props.sweep.fullWalks,
      1,
      'No walk of the assignment list reached the horizon in three sweep intervals: attempts nobody sends events for are not alerted, open ones not watched. Read the sweep log ("sweep degraded" means the horizon holds more than the budget walks: lower sweepHorizonDays or raise sweepIntervalMinutes; "run failed" names the cause). See docs/operating.md, runbook "SweepStalled".',
      { below: true },
    );
    add(
      'SweepErrors',
      props.sweep.sweep.function.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
      1,
      'The sweep function itself failed: read its log group; the next run resumes the walk. See docs/operating.md, runbook "SweepErrors".',
    );
    add(
      'WebhookFailures',
      serviceMetric('WebhooksFailed', serviceName('ingest')),
      1,
      'ingest answered 503: a webhook could not be enqueued or a source secret is empty. Senders retry; check ingest logs and the source secrets. See docs/operating.md, runbook "WebhookFailures".',
    );
  }
}
