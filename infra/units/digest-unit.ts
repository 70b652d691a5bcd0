/**
 * The digest: EventBridge Scheduler (it has time zones) runs the `digest` function on the
 * operator's schedule; the function publishes one `review.digest` per scheduled period.
 */
import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { DigestEnvironment } from '../../functions/digest/environment.js';
import { AWAITING_INDEX } from '../../functions/lib/domain/lifecycle.js';
import { acknowledge } from '../constructs/compat.js';
import { grantExactlyOnce, grantOnTable, grantQueryIndex, serviceRole } from '../constructs/service-access.js';
import { FunctionUnit, type UnitContext } from './function-unit.js';
import { alertEnvironment, grantPublishAlerts, type SharedResources, triggerEnvironment } from './shared-resources.js';

/** The digest reads keys and a few states and publishes once: the smallest size is plenty. */
export const DIGEST_MEMORY_MB = 256;

export class DigestUnit extends FunctionUnit<DigestEnvironment> {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, context: UnitContext, shared: SharedResources) {
    const { settings } = context;
    super(scope, id, context, {
      name: 'digest',
      description: 'Publishes the digest of attempts waiting for a human review',
      memorySize: DIGEST_MEMORY_MB,
      timeout: Duration.seconds(60),
      environment: { ...alertEnvironment(shared, settings), ...triggerEnvironment(shared, settings) },
      errorsRunbook:
        'The digest function failed: Scheduler retries it 3 times within the hour, then that period has no digest. Read its log group. See docs/operating.md, runbook "DigestErrors".',
    });
    const fn = this.function;
    grantOnTable(shared.stateTable, fn, 'dynamodb:BatchGetItem');
    grantQueryIndex(shared.stateTable, AWAITING_INDEX, fn);
    grantExactlyOnce(shared.idempotencyTable, fn);
    grantPublishAlerts(shared, fn);
    const expression = settings.digestSchedule;
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Digest of attempts waiting for review (${expression.expressionString}, ${expression.timeZone?.timezoneName ?? 'UTC'})`,
      schedule: expression,
      target: new targets.LambdaInvoke(fn, {
        role: this.invokeRole(fn),
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /** Its own role, trusting Scheduler for this account only (the target adds the invoke grant). */
  private invokeRole(fn: lambda.IFunction) {
    const role = serviceRole(
      this,
      'InvokeRole',
      'scheduler.amazonaws.com',
      'EventBridge Scheduler: invokes the digest function',
    );
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        "Scheduler's Lambda target grants invoke on the digest function and its versions (<function>:*), nothing else.",
    });
    return role;
  }
}
