/**
 * A Lambda function of this product: Node 24 on arm64, an ESM bundle, JSON logs to its own log
 * group with retention, X-Ray when asked for, and a role that starts with no permissions at all —
 * every grant is added by the stack, scoped to one resource.
 *
 * Where the bundle comes from: in this repository, the local esbuild bundles the TypeScript
 * sources at synth (no Docker); in the installed package, which ships no sources, the bundles
 * built at package time (`npm run build`, with the same settings) are used as they are, so a
 * user's CDK app needs neither esbuild nor these sources.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { serviceName } from '../../functions/lib/domain/defaults.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { FunctionOptions } from '../review-alerts-props.js';
import { acknowledge, NODEJS_24 } from './compat.js';

/** The repository root, or the installed package's root. */
const projectRoot = `${PACKAGE_ROOT}/`;

/** Where a built dist/ keeps a function's prebuilt bundle (`npm run build`). */
export const bundleDir = (dist: string, name: string, xRayTracing: boolean) =>
  join(dist, 'bundles', name, xRayTracing ? 'traced' : 'plain');

/** The esbuild settings of every function; the bench script builds with the same ones. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  minify: true,
  // No source maps: loading a map at every cold start costs time and memory (docs/performance.md);
  // the bundles are small enough to read a minified trace by function name.
  sourceMap: false,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // The Tracer's X-Ray SDK still calls require(); ESM bundles need it defined.
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  bundleAwsSDK: true,
} as const;

/**
 * Builtins the bundles read through their CommonJS export: an ESM import of `node:http` builds a
 * namespace whose getters load undici at every cold start, and `node:process`, `node:util` and
 * `node:fs` cost the same way, less (docs/performance.md). Each alias points at a one-line shim.
 */
const CJS_BUILTINS = ['http', 'process', 'util', 'fs', 'fs/promises', 'child_process'];
export const BUILTIN_ALIASES: Record<string, string> = Object.fromEntries(
  CJS_BUILTINS.flatMap((name) => {
    // An alias also maps subpaths (fs → fs/promises), so every subpath used has its own shim.
    const shim = `${projectRoot}infra/builtins/${name.replace('/', '-')}.cjs`;
    return [
      [name, shim],
      [`node:${name}`, shim],
    ];
  }),
);

/**
 * Tracing is fixed at deploy time, so the bundle is too: with it off, esbuild drops the Tracer
 * and the X-Ray SDK it would only load lazily (smaller bundles: docs/performance.md).
 */
export const defineTracing = (xRayTracing: boolean) => ({
  'process.env.POWERTOOLS_TRACE_ENABLED': JSON.stringify(String(xRayTracing)),
});

/** The five functions, each a folder under functions/ with a handler.ts. */
export type FunctionName = 'check' | 'ingest' | 'sweep' | 'digest' | 'notify-slack';

export interface ServiceFunctionProps {
  readonly name: FunctionName;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** Active X-Ray tracing plus the Powertools Tracer, which the code loads only then. */
  readonly xRayTracing: boolean;
  readonly metricsNamespace: string;
  readonly environment: Record<string, string>;
  /** The platform's settings for every function: VPC, security groups, reserved concurrency, architecture. */
  readonly options: FunctionOptions;
}

export class ServiceFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name}: writes only its own log group; other grants are per resource`,
    });
    this.logGroup.grantWrite(this.role);

    const { architecture = lambda.Architecture.ARM_64, ...placement } = props.options;
    if (placement.vpc) {
      // A role of our own gets nothing from Lambda for its network interfaces: these, which IAM
      // cannot narrow to a resource (AWSLambdaVPCAccessExecutionRole grants the same).
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      acknowledge(this.role, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'A function in a VPC manages its network interfaces; EC2 allows no resource-level permission for these.',
      });
    }
    const common = {
      runtime: NODEJS_24,
      architecture,
      ...placement,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: props.xRayTracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName(props.name),
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        POWERTOOLS_TRACE_ENABLED: String(props.xRayTracing),
        ...props.environment,
      },
    };
    const entry = `${projectRoot}functions/${props.name}/handler.ts`;
    const prebuilt = bundleDir(join(PACKAGE_ROOT, 'dist'), props.name, props.xRayTracing);
    if (existsSync(entry)) {
      this.function = new NodejsFunction(this, 'Function', {
        ...common,
        entry,
        handler: 'handler',
        projectRoot,
        depsLockFilePath: `${projectRoot}package-lock.json`,
        bundling: {
          ...BUNDLING,
          mainFields: [...BUNDLING.mainFields],
          externalModules: [],
          define: defineTracing(props.xRayTracing),
          esbuildArgs: Object.fromEntries(
            Object.entries(BUILTIN_ALIASES).map(([name, shim]) => [`--alias:${name}`, shim]),
          ),
        },
      });
    } else if (existsSync(join(prebuilt, 'index.mjs'))) {
      this.function = new lambda.Function(this, 'Function', {
        ...common,
        code: lambda.Code.fromAsset(prebuilt),
        handler: 'index.handler',
      });
    } else {
      throw new Error(
        `no sources and no prebuilt bundle for function ${props.name} (looked in ${prebuilt}): run \`npm run build\``,
      );
    }

    if (props.xRayTracing) {
      acknowledge(this.role, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; tracing was asked for.',
      });
    }
  }
}
