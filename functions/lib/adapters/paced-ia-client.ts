/**
 * The IA client every function uses: the key from its secret (cached), and every request paced
 * on the key's one shared schedule (a DynamoDB item all executions book slots on), 5 % under the
 * key's limit. The sweep books on the same schedule (its share is a number of pages a run, not a
 * slower pace) and gives way as soon as triggered checks have booked ahead. A key IA stops answering is not called for a while
 * (domain/ia-circuit.ts), so its records cannot hold up the other accounts' on the shared queue.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IaAccount } from '../domain/accounts.js';
import { iaScheduleKey, pacedIntervalMs } from '../domain/defaults.js';
import type { IaClient } from '../domain/ia.js';
import { withCircuit } from '../domain/ia-circuit.js';
import type { IaSettings } from '../runtime/config.js';
import { createIaClient } from './ia-client.js';
import type { ReadSecret } from './secrets.js';
import { createSharedPacer } from './shared-pacer.js';

export interface PacedIaOptions {
  ia: IaSettings;
  apiKeySecret: string;
  dynamodb: DynamoDBClient;
  rateLimitTableName: string;
  /** A booking further ahead than this is not waited for (RateLimitedError instead). */
  maxWaitMs?: number;
  /** Counts IA requests, 304s and 429s for the dashboard. */
  count?: (metric: string) => void;
  /** The function's secret cache, which the key is read through. */
  readSecret: ReadSecret;
  /** How IA is reached (the platform's fetch by default). */
  fetch?: typeof globalThis.fetch;
}

/** Every request counts against the key's budget, a 304 or a 429 too. */
const responseMetrics = (count: (metric: string) => void) => (status: number) => {
  count('IaRequests');
  if (status === 304) count('IaNotModified');
  if (status === 429) count('IaThrottled');
};

export const createPacedIaClient = (options: PacedIaOptions): IaClient => {
  const intervalMs = pacedIntervalMs(options.ia.ratePerSecond);
  const shared = createSharedPacer({
    dynamodb: options.dynamodb,
    tableName: options.rateLimitTableName,
    key: iaScheduleKey(options.apiKeySecret),
    intervalMs,
    ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
  });
  const client = createIaClient({
    ...options.ia,
    apiKey: () => options.readSecret(options.apiKeySecret, { jsonField: 'apiKey', what: 'IA API key' }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.count ? { onResponse: responseMetrics(options.count) } : {}),
    pace: shared,
  });
  return withCircuit(client, { now: () => Date.now(), openMs: options.ia.circuitOpenMs });
};

/** One IA account's client: its key's secret, its schedule, its rate. */
export const createAccountIaClient = (account: IaAccount, options: Omit<PacedIaOptions, 'apiKeySecret'>): IaClient =>
  createPacedIaClient({
    ...options,
    ia: { ...options.ia, ratePerSecond: account.ratePerSecond },
    apiKeySecret: account.apiKeySecret,
  });
