/**
 * Several Indeed Assessments accounts in one deployment, one API key each, each with its own
 * 1 request/second: an attempt belongs to an account, and everything about it is kept apart —
 * its IA client and pacing, its state's key, its alerts' exactly-once key, its re-checks, the
 * sweep's walk. A deployment without `iaAccounts` has one account, `default`, whose keys are the
 * bare ids (what it always used), and its alerts carry no account.
 */
import type { Alert } from './alert.js';
import type { ObservationDeps } from './apply-observation.js';
import type { StateStore, StoredRecord } from './attempt-store.js';
import { InvalidMessageError } from './errors.js';

import { DEFAULT_ACCOUNT } from './ids.js';

export { ACCOUNT_NAME, DEFAULT_ACCOUNT } from './ids.js';

/** An account's own sweep settings, over the deployment's. */
export interface AccountSweep {
  horizonDays?: number;
  headDays?: number;
  budgetShare?: number;
}

export interface IaAccount {
  name: string;
  /** The secret holding its API key; its request schedule is named after it. */
  apiKeySecret: string;
  ratePerSecond: number;
  sweep?: AccountSweep;
}

export interface Accounts {
  list: IaAccount[];
  /** Accounts were configured: alerts, logs and metrics name the account. */
  labelled: boolean;
}

/**
 * The state-table key of an id (an attempt, `assignment#…`, the sweep's cursor) in an account:
 * `:` never occurs in an IA id, so keys of two accounts never collide.
 */
export const accountKey = (account: string, id: string): string =>
  account === DEFAULT_ACCOUNT ? id : `${account}:${id}`;

/**
 * The account's view of the state table: the same store, its keys prefixed, and each record as a
 * single account's store holds it. The `account` attribute is the view's, written with every put:
 * read back into a state, every sweep look at an unchanged attempt found it changed and saved it
 * again (a write and a consistent re-read a look, in every deployment with `iaAccounts`).
 */
export const accountStates = (store: StateStore, account: string): StateStore => {
  if (account === DEFAULT_ACCOUNT) return store;
  const key = (id: string) => accountKey(account, id);
  const unkeyed = (id: string, record: StoredRecord): StoredRecord => {
    const { account: _account, ...state } = record as StoredRecord & { account?: string };
    return { ...state, attemptId: id };
  };
  return {
    get: async (id) => {
      const record = await store.get(key(id));
      return record && unkeyed(id, record);
    },
    getMany: async (ids, read) => {
      const found = await store.getMany(ids.map(key), read);
      return new Map(
        ids.flatMap((id) => (found.has(key(id)) ? [[id, unkeyed(id, found.get(key(id)) as StoredRecord)]] : [])),
      );
    },
    put: (state) => store.put({ ...state, attemptId: key(state.attemptId), account }),
    rememberMissing: (id, until) => store.rememberMissing(key(id), until),
  };
};

/** Metrics also counted per account (dimension `Account`) when accounts are configured. */
export const ACCOUNT_METRICS = new Set([
  'IaRequests',
  'IaThrottled',
  'AlertsPublished',
  'RecordsDeadLettered',
  'SweepPages',
]);

type Count = (metric: string, value?: number, dimensions?: Record<string, string>) => void;

export const accountCount =
  (count: Count, account: string, labelled: boolean): Count =>
  (metric, value, dimensions) => {
    count(metric, value, dimensions);
    if (labelled && ACCOUNT_METRICS.has(metric)) count(metric, value, { ...dimensions, Account: account });
  };

/**
 * What looks at attempts (check, the sweep), scoped to one account: its states, its alerts
 * labelled (and keyed) with it, its re-checks addressed to it.
 */
export const scopeToAccount = <D extends ObservationDeps & { count: Count }>(
  deps: D,
  account: string,
  labelled: boolean,
): D => {
  const { alertedAt } = deps;
  return {
    ...deps,
    states: accountStates(deps.states, account),
    publishOnce: (alert: Alert) => deps.publishOnce(labelled ? { ...alert, account } : alert),
    ...(alertedAt ? { alertedAt: (alert: Alert) => alertedAt(labelled ? { ...alert, account } : alert) } : {}),
    schedule: (message, delaySeconds, forRecord) =>
      deps.schedule(labelled ? { ...message, account } : message, delaySeconds, forRecord),
    count: accountCount(deps.count, account, labelled),
  };
};

/**
 * The account of a request that names none: `default` when the deployment has it — a request
 * written before `iaAccounts` (an in-flight re-check, a source or trigger of then) belongs to the
 * key the deployment had, whose state keeps the bare ids — else the first.
 */
export const unnamedAccount = (accounts: Accounts): IaAccount =>
  accounts.list.find((a) => a.name === DEFAULT_ACCOUNT) ?? (accounts.list[0] as IaAccount);

/**
 * Each account's dependencies, built once on first use; a request without an account is for
 * `unnamedAccount`. An account this deployment does not serve is a bad request, never a guess.
 */
export const accountRouter = <D>(accounts: Accounts, build: (account: IaAccount) => D) => {
  const built = new Map<string, D>();
  return (name?: string): D => {
    const account = name === undefined ? unnamedAccount(accounts) : accounts.list.find((a) => a.name === name);
    if (!account) {
      throw new InvalidMessageError(
        `account "${name}" is not one of this deployment's (${accounts.list.map((a) => a.name).join(', ')})`,
      );
    }
    let deps = built.get(account.name);
    if (deps === undefined) {
      deps = build(account);
      built.set(account.name, deps);
    }
    return deps;
  };
};
