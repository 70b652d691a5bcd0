/**
 * The stack as deployed, on this machine: synthesised from the props (local/synth.ts), deployed
 * onto moto (local/deployment.ts), each of the five functions in containers of its own (its
 * name, its environment from the template, its clock) fed by Lambda's event sources. `npm start`
 * and the load test run the pipeline this way; they drive the schedules and the HTTP API.
 */
import type { Stack } from 'aws-cdk-lib';
import type { ReviewAlertsProps } from '../infra/index.js';
import { type Deployment, deploy, type FunctionDefinition, type FunctionKind } from './deployment.js';
import { LocalFunction, startQueueSource } from './lambda-service.js';
import { motoEnvironment } from './moto.js';
import { awsClients } from './provision.js';
import { apiProvisioner } from './provisioner.js';
import { synthesize } from './synth.js';

const INGEST_CONTAINERS = 4;

export interface LocalStackOptions {
  /** Where AWS is: moto's endpoint (or a counter in front of it). */
  endpoint: string;
  stackName: string;
  props: ReviewAlertsProps | ((stack: Stack) => ReviewAlertsProps);
  /** Secrets' values (the IA keys, the Slack webhook, the sources' signing secrets), by logical id. */
  secretValue?: (logicalId: string, properties: Record<string, unknown>) => string | undefined;
  /** Where the local HTTP API answers: the stack's API endpoint (claim links point there). */
  apiEndpoint?: string;
  /** Variables every function gets on top of its template's (Powertools' settings, shortened demo times). */
  env?: Record<string, string>;
  /** Container clocks differ by up to this. */
  clockSkewMs?: number;
  onLog?: (fn: FunctionKind, line: string) => void;
  onError?: (error: unknown) => void;
}

export interface LocalStack {
  deployment: Deployment;
  clients: ReturnType<typeof awsClients>;
  functions: Map<FunctionKind, LocalFunction>;
  /** The queue the function's event source reads (check: the checks queue). */
  queueOf(kind: FunctionKind): string;
  stop(): Promise<void>;
}

export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const template = synthesize(options.props, options.stackName);
  const clients = awsClients(options.endpoint);
  const deployment = await deploy(template, apiProvisioner(clients), {
    stackName: options.stackName,
    ...(options.secretValue ? { secretValue: options.secretValue } : {}),
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
  });
  // An event source's maximum concurrency; the API's ingest scales as Lambda would (a few here);
  // a schedule starts one at a time.
  const concurrency = (definition: FunctionDefinition) =>
    deployment.eventSourceMappings.find((m) => m.functionLogicalId === definition.logicalId)?.maxConcurrency ??
    (definition.kind === 'ingest' ? INGEST_CONTAINERS : 1);
  const functions = new Map(
    deployment.functions.map((definition) => [
      definition.kind,
      new LocalFunction(definition, {
        env: { ...motoEnvironment(options.endpoint), ...options.env },
        concurrency: concurrency(definition),
        ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
        ...(options.onLog ? { onLog: (line: string) => options.onLog?.(definition.kind, line) } : {}),
      }),
    ]),
  );
  const byLogicalId = (id: string) =>
    [...functions.values()].find((fn) => fn.definition.logicalId === id) as LocalFunction;
  const sources = deployment.eventSourceMappings.map((mapping) =>
    startQueueSource(
      mapping,
      deployment.queueUrls.get(mapping.queueArn) as string,
      byLogicalId(mapping.functionLogicalId),
      clients.sqs,
      options.onError,
    ),
  );
  return {
    deployment,
    clients,
    functions,
    queueOf(kind) {
      const fn = functions.get(kind) as LocalFunction;
      const mapping = deployment.eventSourceMappings.find((m) => m.functionLogicalId === fn.definition.logicalId);
      return deployment.queueUrls.get(mapping?.queueArn as string) as string;
    },
    stop: async () => {
      await Promise.all(sources.map((source) => source.stop()));
      for (const fn of functions.values()) fn.stop();
    },
  };
};
