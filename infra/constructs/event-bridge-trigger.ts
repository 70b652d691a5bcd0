/**
 * EventBridge → checks queue, no code: events whose `detail` carries `attemptId` (or only
 * `assignmentId`) are rewritten by an input transformer into the queue's one message shape, with
 * `detail.account` when the event names one. The product's own alert events (source
 * `ia-review-alerts`, which carry `attemptId` and `account` too) are never taken as requests:
 * on the default bus with `alertBus=default`, each alert would come back as a check. Deliveries
 * EventBridge cannot make land in the DLQ.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALERT_EVENT_SOURCE } from '../../functions/lib/domain/alert.js';
import { EVENTBRIDGE_SOURCE } from '../../functions/lib/domain/trigger-health.js';

export interface EventBridgeTriggerProps {
  /** The account's default bus when not given. */
  readonly eventBus?: events.IEventBus;
  /** EventBridge `source` values to accept; all but the product's own when empty. */
  readonly sources: string[];
  readonly checksQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

type Reference = 'attemptId' | 'assignmentId';

export class EventBridgeTrigger extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: EventBridgeTriggerProps) {
    super(scope, id);
    const { eventBus } = props;
    const source = props.sources.length > 0 ? props.sources : events.Match.anythingBut(ALERT_EVENT_SOURCE);
    // An input path that the event lacks is no value at all: an account is carried only by the
    // rules that match events naming one.
    const target = (reference: Reference, withAccount: boolean) =>
      new targets.SqsQueue(props.checksQueue, {
        message: events.RuleTargetInput.fromObject({
          [reference]: events.EventField.fromPath(`$.detail.${reference}`),
          ...(withAccount ? { account: events.EventField.fromPath('$.detail.account') } : {}),
          source: EVENTBRIDGE_SOURCE,
          eventId: events.EventField.eventId,
        }),
        deadLetterQueue: props.deadLetterQueue,
      });
    const rule = (ruleId: string, reference: Reference, withAccount: boolean, description: string) =>
      new events.Rule(this, ruleId, {
        ...(eventBus ? { eventBus } : {}),
        description,
        eventPattern: {
          source,
          detail: {
            [reference]: events.Match.exists(),
            ...(reference === 'assignmentId' ? { attemptId: events.Match.doesNotExist() } : {}),
            account: withAccount ? events.Match.exists() : events.Match.doesNotExist(),
          },
        },
        targets: [target(reference, withAccount)],
      });
    this.rules = [
      rule('AttemptEvents', 'attemptId', false, 'Events with detail.attemptId → check that attempt'),
      rule(
        'AccountAttemptEvents',
        'attemptId',
        true,
        'Events with detail.attemptId and detail.account → check that attempt in that IA account',
      ),
      rule(
        'AssignmentEvents',
        'assignmentId',
        false,
        'Events with only detail.assignmentId → check the assignment’s attempts',
      ),
      rule(
        'AccountAssignmentEvents',
        'assignmentId',
        true,
        'Events with only detail.assignmentId and detail.account → check the assignment’s attempts in that IA account',
      ),
    ];
  }
}
