/**
 * EventBridge → checks queue, no code: events whose `detail` carries `attemptId` (or only
 * `assignmentId`) are rewritten by an input transformer into the queue's one message shape.
 * Deliveries EventBridge cannot make land in the DLQ.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface EventBridgeTriggerProps {
  /** The account's default bus when not given. */
  readonly eventBus?: events.IEventBus;
  /** EventBridge `source` values to accept; all when empty. */
  readonly sources: string[];
  readonly checksQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export class EventBridgeTrigger extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: EventBridgeTriggerProps) {
    super(scope, id);
    const { eventBus } = props;
    const source = props.sources.length > 0 ? { source: props.sources } : {};
    const target = (reference: 'attemptId' | 'assignmentId') =>
      new targets.SqsQueue(props.checksQueue, {
        message: events.RuleTargetInput.fromObject({
          [reference]: events.EventField.fromPath(`$.detail.${reference}`),
          source: 'eventbridge',
          eventId: events.EventField.eventId,
        }),
        deadLetterQueue: props.deadLetterQueue,
      });
    this.rules = [
      new events.Rule(this, 'AttemptEvents', {
        ...(eventBus ? { eventBus } : {}),
        description: 'Events with detail.attemptId → check that attempt',
        eventPattern: { ...source, detail: { attemptId: events.Match.exists() } },
        targets: [target('attemptId')],
      }),
      new events.Rule(this, 'AssignmentEvents', {
        ...(eventBus ? { eventBus } : {}),
        description: 'Events with only detail.assignmentId → check the assignment’s attempts',
        eventPattern: {
          ...source,
          detail: { assignmentId: events.Match.exists(), attemptId: events.Match.doesNotExist() },
        },
        targets: [target('assignmentId')],
      }),
    ];
  }
}
