/**
 * The one set-up of an integration suite: resources of its own on the shared moto_server (a
 * prefix per suite), the fake IA server with a key of its own, the environment every function
 * reads at cold start, and handlers loaded the way Lambda loads them (environment first).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { type FakeIaOptions, FakeIaServer } from '../../local/fake-ia-server.js';
import { FUNCTION_FACTORIES } from '../../local/function-factories.js';
import { withEnvironment } from '../../local/lambda.js';
import { motoEnvironment } from '../../local/moto.js';
import {
  awsClients,
  checkEnvironment,
  type LocalResources,
  type ProvisionOptions,
  provision,
} from '../../local/provision.js';
import { stateOf } from '../../local/state.js';
import { asFunction, recordAwsCalls, saveAwsCalls } from './aws-calls.js';

/** Powertools quiet and local: no X-Ray, no EMF metrics on stdout, no logs. */
export const QUIET_POWERTOOLS = {
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'SILENT',
};

type Extra = Omit<ProvisionOptions, 'endpoint' | 'prefix' | 'apiKey'>;

export interface IntegrationOptions {
  /** Provisioning beyond the defaults (queues' receive counts, sources, Slack channels), read after `before`. */
  provision?: Extra | (() => Extra);
  ia?: FakeIaOptions;
  /** Variables on top of the check function's (they win). */
  env?: (resources: LocalResources, iaUrl: string) => Record<string, string>;
  /** Runs before the environment is set: a fake server the provisioning needs (Slack). */
  before?: () => Promise<unknown>;
}

export interface Integration {
  endpoint: string;
  apiKey: string;
  ia: FakeIaServer;
  clients: ReturnType<typeof awsClients>;
  /** Set once the suite's beforeAll has run. */
  resources: LocalResources;
}

export const useIntegration = (name: string, options: IntegrationOptions = {}): Integration => {
  const endpoint = process.env.MOTO_ENDPOINT as string;
  const apiKey = `key-${randomBytes(8).toString('hex')}`;
  const ia = new FakeIaServer({ apiKeys: [apiKey], ratePerSecond: Infinity, ...options.ia });
  const harness = {
    endpoint,
    apiKey,
    ia,
    clients: awsClients(endpoint),
    resources: undefined,
  } as unknown as Integration;
  recordAwsCalls();
  beforeAll(async () => {
    await options.before?.();
    harness.resources = await provision({
      endpoint,
      prefix: `${name}-${randomBytes(4).toString('hex')}`,
      apiKey,
      ...(typeof options.provision === 'function' ? options.provision() : options.provision),
    });
    const iaUrl = await ia.start();
    Object.assign(
      process.env,
      motoEnvironment(endpoint),
      QUIET_POWERTOOLS,
      checkEnvironment(harness.resources, iaUrl),
      options.env?.(harness.resources, iaUrl),
    );
  }, 60_000);
  afterAll(async () => {
    await ia.stop();
    saveAwsCalls(name);
  });
  return harness;
};

type FunctionName = 'check' | 'ingest' | 'sweep' | 'digest' | 'notify-slack';

/** A function's handler, imported after `env` is set: each Lambda reads its own environment at cold start. */
export const loadHandler = async <T>(
  fn: FunctionName,
  env: { readonly [name: string]: string | undefined } | object = {},
): Promise<T> => {
  Object.assign(process.env, env);
  return asFunction(fn, ((await import(`../../functions/${fn}/handler.js`)) as { handler: T }).handler);
};

/**
 * One more execution environment of a function, with an environment of its own on top of the
 * suite's (another function name, another deployment's settings): what its factory makes of it.
 */
export const makeHandler = async <T>(fn: FunctionName, env: Record<string, string | undefined> = {}): Promise<T> => {
  const create = (await FUNCTION_FACTORIES[fn]()) as (runtime: { env: Record<string, string | undefined> }) => unknown;
  const own = { ...process.env, ...env };
  return asFunction(fn, withEnvironment(own, () => create({ env: own })) as T);
};

/** What `npm start` writes for the CLI, for this suite's resources: the file's path (webhooks unreachable). */
export const localStateFile = (suite: Integration): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'local-state-')), 'state.json');
  const reach = { motoEndpoint: suite.endpoint, iaBaseUrl: suite.ia.url, webhookUrl: 'http://127.0.0.1:1/events' };
  writeFileSync(file, JSON.stringify(stateOf(suite.resources, { ...reach, sources: [] })));
  return file;
};
