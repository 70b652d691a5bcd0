/**
 * The digest: EventBridge Scheduler (it has time zones) runs the `digest` function on the
 * operator's schedule; the function publishes one `review.digest` per scheduled period.
 */
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { AWAITING_INDEX } from '../../functions/lib/domain/lifecycle.js';
import { grantExactlyOnce, grantOnTable, grantQueryIndex, serviceRole } from './service-access.js';
import { ServiceFunction } from './service-function.js';

/** The digest reads keys and a few states and publishes once: the smallest size is plenty. */
export const DIGEST_MEMORY_MB = 256;

export interface DigestProps {
  /** An EventBridge Scheduler expression, e.g. `cron(0 8 ? * MON-FRI *)`. */
  schedule: string;
  timeZone: string;
  environment: Record<string, string>;
  logRetentionDays: number;
  xRayTracing: boolean;
  stateTable: dynamodb.ITable;
  idempotencyTable: dynamodb.ITable;
  grantPublish: (grantee: ServiceFunction['function']) => void;
}

export class Digest extends Construct {
  readonly digest: ServiceFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: DigestProps) {
    super(scope, id);
    this.digest = new ServiceFunction(this, 'Digest', {
      name: 'digest',
      description: 'Publishes the digest of attempts waiting for a human review',
      memorySize: DIGEST_MEMORY_MB,
      timeout: Duration.seconds(60),
      logRetentionDays: props.logRetentionDays,
      xRayTracing: props.xRayTracing,
      environment: props.environment,
    });
    const fn = this.digest.function;
    grantOnTable(props.stateTable, fn, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
    grantQueryIndex(props.stateTable, AWAITING_INDEX, fn);
    grantExactlyOnce(props.idempotencyTable, fn);
    props.grantPublish(fn);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Digest of attempts waiting for review (${props.schedule}, ${props.timeZone})`,
      schedule: scheduler.ScheduleExpression.expression(props.schedule, TimeZone.of(props.timeZone)),
      target: new targets.LambdaInvoke(fn, {
        role: this.invokeRole(fn),
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /** Its own role, trusting Scheduler for this account only (the target adds the invoke grant). */
  private invokeRole(fn: ServiceFunction['function']) {
    const role = serviceRole(
      this,
      'InvokeRole',
      'scheduler.amazonaws.com',
      'EventBridge Scheduler: invokes the digest function',
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        "Scheduler's Lambda target grants invoke on the digest function and its versions (<function>:*), nothing else.",
    });
    return role;
  }
}
