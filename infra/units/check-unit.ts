/**
 * `check`: the checks queue's consumer. Fetches attempts from IA on the key's shared schedule,
 * decides, publishes alerts exactly once, re-queues its own re-checks and dead-letters what fails
 * for good with the reason.
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import type { CheckEnvironment } from '../../functions/check/environment.js';
import { grantOnTable, grantSend, grantTriggerHealth } from '../constructs/service-access.js';
import { FunctionUnit, type UnitContext } from './function-unit.js';
import { grantLifecycle, lifecycleEnvironment, type SharedResources, seconds } from './shared-resources.js';

export const CHECK_TIMEOUT = Duration.seconds(60);

export class CheckUnit extends FunctionUnit<CheckEnvironment> {
  constructor(scope: Construct, id: string, context: UnitContext, shared: SharedResources) {
    const { settings } = context;
    super(scope, id, context, {
      name: 'check',
      description: 'Fetches attempts from Indeed Assessments, decides, publishes review alerts',
      memorySize: settings.checkMemoryMb,
      timeout: CHECK_TIMEOUT,
      environment: {
        ...lifecycleEnvironment(shared, settings),
        DEAD_LETTER_QUEUE_URL: shared.deadLetterQueue.queueUrl,
        MIN_RECHECK_INTERVAL_SECONDS: seconds(settings.minRecheckInterval),
      },
      errorsRunbook:
        'The check function itself failed (not a single record): read its log group for the stack trace; a bad deployment or missing permission is the usual cause. See docs/operating.md, runbook "CheckErrors".',
    });
    const fn = this.function;
    fn.addEventSource(
      new SqsEventSource(shared.checksQueue, {
        batchSize: settings.checkBatchSize,
        maxBatchingWindow: Duration.seconds(5),
        maxConcurrency: settings.checkMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Re-checks go back on its own queue (grantLifecycle); permanent failures straight to the DLQ with a reason.
    grantLifecycle(shared, fn);
    grantSend(shared.deadLetterQueue, fn);
    grantOnTable(shared.stateTable, fn, 'dynamodb:GetItem', 'dynamodb:PutItem');
    // The EventBridge trigger's health: its events arrive here (trigger#… items only).
    grantTriggerHealth(shared.stateTable, fn);
  }
}
