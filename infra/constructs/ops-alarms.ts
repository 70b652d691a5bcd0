/**
 * Ops alarms, to their own topic (not the alerts topic: different readers, different urgency).
 * Every alarm's description is the first line of its runbook: what it means, what to do. Each
 * function unit raises its own (errors and what only it sees); `PipelineAlarms` holds those about
 * the pipeline as a whole. No alarm has a physical name: CloudFormation names each
 * `<stack>-<logical id>-<suffix>`, so two `ReviewAlerts` deploy side by side and the ops topic can
 * still trust exactly this stack's alarms.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { serviceName } from '../../functions/lib/domain/defaults.js';

/** A Powertools EMF metric, as a function emits it (dimension `service`: serviceName(fn)). */
export const serviceMetric = (namespace: string, metricName: string, fn: string) =>
  new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap: { service: serviceName(fn) },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });

/** A trigger's silence, as the sweep reports it each run while it lasts (1; nothing otherwise), by its name. */
export const triggerSilentMetric = (namespace: string, trigger: string) =>
  new cloudwatch.Metric({
    namespace,
    metricName: 'TriggerSilent',
    dimensionsMap: { service: serviceName('sweep'), trigger },
    statistic: 'Maximum',
    period: Duration.minutes(15),
  });

/** `TriggerSilent` of one trigger, with the runbook line. */
export const addTriggerSilentAlarm = (scope: Construct, alarmSet: AlarmSet, namespace: string, trigger: string) =>
  alarmSet.add(scope, `TriggerSilent-${trigger}`, {
    metric: triggerSilentMetric(namespace, trigger),
    threshold: 1,
    description: `Trigger ${trigger} delivered before and has been quiet, while the sweep keeps finding completions it should have announced: alerts now come only at the sweep's pace. Check the integration on the sender's side (webhook disabled or deleted, secret rotated on one side, EventBridge rule changed). \`ia-review-alerts sources --stack <name>\` shows its last event. See docs/operating.md, runbook "TriggerSilent".`,
  });

export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
  /** An alarm on too little: below the threshold, and missing data, is the problem. */
  readonly below?: boolean;
}

/** Every ops alarm of one `ReviewAlerts`, each sending to the same action when it fires and clears. */
export class AlarmSet {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(private readonly action: cloudwatch.IAlarmAction) {}

  add(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: 1,
      comparisonOperator: spec.below
        ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
        : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: spec.below ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** A dead-letter queue holding anything: someone must read the reasons and redrive. */
export const deadLettersAlarm = (queue: sqs.IQueue, description: string): AlarmSpec => ({
  metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
  threshold: 1,
  description,
});

export interface PipelineAlarmsProps {
  readonly alarmSet: AlarmSet;
  readonly metricsNamespace: string;
  readonly checksQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly alertsTopic: sns.ITopic;
  readonly oldestMessageAlarmAge: Duration;
}

export class PipelineAlarms extends Construct {
  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const { alarmSet } = props;
    alarmSet.add(
      this,
      'DeadLetters',
      deadLettersAlarm(
        props.deadLetterQueue,
        'Checks failed for good and wait in the DLQ. Read each failureCode/failureReason attribute, fix the cause (key, attempt id, IA outage), then run `ia-review-alerts redrive`. See docs/operating.md, runbook "DeadLetters".',
      ),
    );
    const minutes = props.oldestMessageAlarmAge.toMinutes();
    alarmSet.add(this, 'ChecksBacklog', {
      metric: props.checksQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: props.oldestMessageAlarmAge.toSeconds(),
      description: `A check has waited over ${minutes} min: IA is slow or rate-limiting, or check is failing. Look at check's log (its counts lines: RecordsRetried) and the IaAuthFailures metric. See docs/operating.md, runbook "ChecksBacklog".`,
    });
    alarmSet.add(this, 'IaAuthFailures', {
      metric: new cloudwatch.MathExpression({
        expression: 'check + sweep',
        usingMetrics: {
          check: serviceMetric(props.metricsNamespace, 'IaAuthFailures', 'check'),
          sweep: serviceMetric(props.metricsNamespace, 'IaAuthFailures', 'sweep'),
        },
        label: 'IA 401/403 (check + sweep)',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      description:
        'Indeed Assessments refused the API key (401/403): every check stops. Put a valid key in the IA API key secret, then redrive the DLQ. See docs/operating.md, runbook "IaAuthFailures".',
    });
    alarmSet.add(this, 'AlertDeliveryFailures', {
      metric: props.alertsTopic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      description:
        'SNS could not deliver alerts to a subscriber (email bounced, endpoint gone). Check the topic subscriptions and the notifier. See docs/operating.md, runbook "AlertDeliveryFailures".',
    });
  }
}
