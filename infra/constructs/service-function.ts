/**
 * A Lambda function of this product: Node 24 on arm64, an ESM bundle built by the local esbuild
 * (no Docker), JSON logs to its own log group with retention, X-Ray when asked for, and a role
 * that starts with no permissions at all — every grant is added by the stack, scoped to one resource.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The esbuild settings of every function; the bench script builds with the same ones. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  minify: true,
  // No source maps: loading a 1 MB map at every cold start costs ~25 ms and ~20 MB (measured by
  // npm run bench); the bundles are small enough to read a minified trace by function name.
  sourceMap: false,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // The Tracer's X-Ray SDK still calls require(); ESM bundles need it defined.
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  bundleAwsSDK: true,
} as const;

/**
 * Builtins the bundles read through their CommonJS export: an ESM import of `node:http` builds a
 * namespace whose getters load undici (~25 ms per cold start), `node:process`, `node:util` and
 * `node:fs` cost 3–9 ms each the same way (npm run bench). Each alias points at a one-line shim.
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
 * and the X-Ray SDK it would only load lazily (~120 KB less per bundle, npm run bench).
 */
export const defineTracing = (xRayTracing: boolean) => ({ 'process.env.POWERTOOLS_TRACE_ENABLED': JSON.stringify(String(xRayTracing)) });

/** The same build as esbuild API options, for `npm run bench` and the bundle tests. */
export const esbuildOptions = (xRayTracing: boolean): BuildOptions => ({
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: BUNDLING.target,
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  sourcesContent: BUNDLING.sourcesContent,
  mainFields: [...BUNDLING.mainFields],
  banner: { js: BUNDLING.banner },
  define: defineTracing(xRayTracing),
  alias: BUILTIN_ALIASES,
});

export interface ServiceFunctionProps {
  /** Folder under functions/ with a handler.ts. */
  name: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  logRetentionDays: number;
  /** Active X-Ray tracing plus the Powertools Tracer, which the code loads only then. */
  xRayTracing: boolean;
  environment: Record<string, string>;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    if (!Object.values(logs.RetentionDays).includes(props.logRetentionDays as logs.RetentionDays)) {
      throw new Error(`logRetentionDays ${props.logRetentionDays} is not a CloudWatch Logs retention period`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays as logs.RetentionDays });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name}: writes only its own log group; other grants are per resource`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}functions/${props.name}/handler.ts`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: props.xRayTracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: `ia-review-alerts-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'IaReviewAlerts',
        POWERTOOLS_TRACE_ENABLED: String(props.xRayTracing),
        ...props.environment,
      },
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [],
        define: defineTracing(props.xRayTracing),
        esbuildArgs: Object.fromEntries(Object.entries(BUILTIN_ALIASES).map(([name, shim]) => [`--alias:${name}`, shim])),
      },
    });

    if (props.xRayTracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; tracing was asked for.',
      });
    }
  }
}
