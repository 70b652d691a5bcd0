/**
 * The sweep: a scheduled function that walks IA's assignment list, finds completed attempts
 * nobody sent an event for and watches open ones, on the key's shared rate budget. Besides its
 * errors alarm, `SweepStalled` says when no walk of the whole horizon has finished for three
 * intervals (IA down, the key refused, or a horizon too large for the budget).
 */
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { AWAITING_INDEX } from '../../functions/lib/domain/lifecycle.js';
import type { SweepEnvironment } from '../../functions/sweep/environment.js';
import { serviceMetric } from '../constructs/ops-alarms.js';
import { grantOnTable, grantQueryIndex } from '../constructs/service-access.js';
import { FunctionUnit, type UnitContext } from './function-unit.js';
import {
  grantLifecycle,
  lifecycleEnvironment,
  type SharedResources,
  seconds,
  triggerEnvironment,
} from './shared-resources.js';

/** Sized like the other functions (docs/performance.md): a page of 100 assignments is well under 1 MB. */
export const SWEEP_MEMORY_MB = 256;
const LAMBDA_MAX_SECONDS = 900;

export class SweepUnit extends FunctionUnit<SweepEnvironment> {
  readonly schedule: events.Rule;
  /** Pages walked (fetched or 304); none in three intervals is the `SweepStalled` alarm. */
  readonly pagesWalked: cloudwatch.Metric;
  readonly stalledAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, context: UnitContext, shared: SharedResources) {
    const { settings } = context;
    const intervalSeconds = settings.sweepInterval.toSeconds();
    super(scope, id, context, {
      name: 'sweep',
      description: 'Walks the Indeed Assessments assignment list: alerts attempts no event named, watches open ones',
      memorySize: SWEEP_MEMORY_MB,
      // A run stops walking at 90 % of its interval; the rest is margin to save the cursor.
      timeout: Duration.seconds(Math.min(LAMBDA_MAX_SECONDS, intervalSeconds + 30)),
      environment: {
        ...lifecycleEnvironment(shared, settings),
        ...triggerEnvironment(shared, settings),
        SWEEP_INTERVAL_SECONDS: String(intervalSeconds),
        SWEEP_HORIZON_DAYS: String(settings.sweepHorizon.toDays({ integral: false })),
        SWEEP_HEAD_DAYS: String(settings.sweepHead.toDays({ integral: false })),
        SWEEP_FULL_WALK_EVERY_SECONDS: seconds(settings.sweepFullWalkEvery),
        SWEEP_BUDGET_SHARE: String(settings.sweepBudgetShare),
        SWEEP_PAGE_SIZE: String(settings.sweepPageSize),
      },
      errorsRunbook:
        'The sweep function itself failed: read its log group; the next run resumes the walk. See docs/operating.md, runbook "SweepErrors".',
    });
    const fn = this.function;
    grantOnTable(
      shared.stateTable,
      fn,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    );
    // The dashboard's awaiting-review count and oldest wait, counted once a run.
    grantQueryIndex(shared.stateTable, AWAITING_INDEX, fn);
    grantLifecycle(shared, fn);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the sweep every ${settings.sweepInterval.toHumanString()}`,
      schedule: events.Schedule.rate(settings.sweepInterval),
      // A missed run is made up by the next one, which resumes the walk: no retries.
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    // Not whole walks: at 30,000 assignments a day a walk of the horizon takes a day by design
    // (the head goes first); a walk that moves at all is not stalled.
    this.pagesWalked = serviceMetric(settings.metricsNamespace, 'SweepPages', 'sweep').with({
      period: Duration.seconds(Math.max(60, Math.ceil((3 * intervalSeconds) / 60) * 60)),
    });
    const stalled =
      'walked no page of the assignment list in three intervals: attempts nobody sends events for are not alerted, open ones not watched. Read the sweep log ("run failed" names the cause: unauthorized, IA down; "yields" means triggered checks hold the key\'s budget, see ChecksBacklog). See docs/operating.md, runbook "SweepStalled".';
    this.stalledAlarm = context.alarmSet.add(this, 'Stalled', {
      metric: this.pagesWalked,
      threshold: 1,
      below: true,
      description: `The sweep ${stalled}`,
    });
    // With several IA accounts, one account's walk can stop while the others' pages keep the sum up.
    for (const account of shared.accounts) {
      context.alarmSet.add(this, `Stalled-${account.name}`, {
        metric: this.pagesWalked.with({
          dimensionsMap: { ...this.pagesWalked.dimensions, Account: account.name },
        }),
        threshold: 1,
        below: true,
        description: `The sweep of IA account ${account.name} ${stalled}`,
      });
    }
  }
}
