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
  eventBusName: string;
  /** EventBridge `source` values to accept; all when empty. */
  sources: string[];
  checksQueue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
}

export class EventBridgeTrigger extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: EventBridgeTriggerProps) {
    super(scope, id);
    const eventBus = events.EventBus.fromEventBusName(this, 'Bus', props.eventBusName);
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
        eventBus,
        description: 'Events with detail.attemptId → check that attempt',
        eventPattern: { ...source, detail: { attemptId: events.Match.exists() } },
        targets: [target('attemptId')],
      }),
      new events.Rule(this, 'AssignmentEvents', {
        eventBus,
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
