/**
 * A function unit: one of the five functions with everything that belongs to it — its handler
 * (bundled by ServiceFunction), its environment contract filled in from the settings and the
 * shared resources, its grants, its triggers and its own errors alarm. Every unit has this shape;
 * `ReviewAlerts` makes the shared resources and wires the units together.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { AlarmSet } from '../constructs/ops-alarms.js';
import { type FunctionName, ServiceFunction } from '../constructs/service-function.js';
import type { Settings } from '../review-alerts-props.js';

/** What `ReviewAlerts` gives every unit: the resolved settings and where alarms go. */
export interface UnitContext {
  readonly settings: Settings;
  readonly alarmSet: AlarmSet;
}

export interface FunctionSpec<Environment> {
  readonly name: FunctionName;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** The function's environment contract (functions/<name>/environment.ts), filled in. */
  readonly environment: Environment;
  /** The function itself failing (not one record): the runbook line of its errors alarm. */
  readonly errorsRunbook: string;
}

/** Lambda takes strings; a setting left out falls back to the function's own default. */
const variables = (environment: object): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );

export abstract class FunctionUnit<Environment extends object> extends ServiceFunction {
  readonly errorsAlarm: cloudwatch.Alarm;

  protected constructor(scope: Construct, id: string, context: UnitContext, spec: FunctionSpec<Environment>) {
    const { settings } = context;
    super(scope, id, {
      name: spec.name,
      description: spec.description,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      logRetention: settings.logRetention,
      xRayTracing: settings.xRayTracing,
      metricsNamespace: settings.metricsNamespace,
      environment: variables(spec.environment),
      options: settings.functionOptions,
    });
    this.errorsAlarm = context.alarmSet.add(this, 'Errors', {
      metric: this.function.metricErrors({ statistic: 'Sum' }),
      threshold: 1,
      description: spec.errorsRunbook,
    });
  }
}
