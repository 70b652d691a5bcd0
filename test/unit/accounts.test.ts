/** Several IA accounts: keys kept apart, alerts labelled, requests routed, configuration checked. */
import { describe, expect, it } from '@jest/globals';
import { accountKey, accountRouter, accountStates, scopeToAccount } from '#lib/domain/accounts.js';
import type { StateStore, StoredRecord } from '#lib/domain/attempt-store.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import type { AttemptState } from '#lib/domain/lifecycle.js';
import { alertKey } from '#lib/domain/notification.js';
import { loadAccounts, loadIaSettings } from '#lib/runtime/config.js';

const memoryStore = () => {
  const items = new Map<string, StoredRecord>();
  const store: StateStore = {
    get: async (id) => items.get(id),
    getMany: async (ids) => new Map(ids.flatMap((id) => (items.has(id) ? [[id, items.get(id) as StoredRecord]] : []))),
    put: async (state) => void items.set(state.attemptId, state),
    rememberMissing: async (id, until) => void items.set(id, { attemptId: id, missingUntil: until.toISOString() }),
  };
  return { items, store };
};

const state = (attemptId: string): AttemptState => ({
  attemptId,
  firstSeenAt: '2026-12-01T00:00:00Z',
  lastCheckedAt: '2026-12-01T00:00:00Z',
  lastDecision: 'review.needed',
  rechecks: 0,
  remindersSent: 0,
  version: 0,
  snapshot: { id: attemptId, scoringCompleted: false, pendingReviewCount: 1, assessment: {}, reviewItems: [] },
});

describe('accounts', () => {
  it('keeps each account’s state under its own key, and the default account’s under the bare id', async () => {
    const { items, store } = memoryStore();
    await accountStates(store, 'agency-a').put(state('a1'));
    await accountStates(store, 'agency-b').put(state('a1'));
    await accountStates(store, 'default').put(state('a1'));
    await accountStates(store, 'agency-b').rememberMissing('assignment#x', new Date('2026-12-02T00:00:00Z'));
    expect([...items.keys()].sort()).toEqual(['a1', 'agency-a:a1', 'agency-b:a1', 'agency-b:assignment#x']);
    expect(items.get('agency-b:a1')).toMatchObject({ account: 'agency-b' });
    // Read back exactly as it was put, as a single account's store holds it: a look compares what
    // it saw with that, and an attribute of the view's own made every sweep look save (seed 4035's trace).
    const seen = await accountStates(store, 'agency-a').get('a1');
    expect(seen).toEqual(state('a1'));
    const many = await accountStates(store, 'agency-b').getMany(['a1', 'nope']);
    expect([...many.keys()]).toEqual(['a1']);
    expect(many.get('a1')).toEqual(state('a1'));
    expect(accountKey('default', 'sweep#cursor')).toBe('sweep#cursor');
  });

  it('keys alerts per account: the same id in two accounts is two alerts', () => {
    const alert = { attemptId: 'a1', eventType: 'review.needed' as const };
    expect(alertKey(alert)).toBe('a1:review.needed');
    expect(alertKey({ ...alert, account: 'default' })).toBe('a1:review.needed');
    expect(alertKey({ ...alert, account: 'agency-b' })).toBe('agency-b:a1:review.needed');
  });

  it('labels alerts, addresses re-checks and counts per account when accounts are configured', async () => {
    const published: unknown[] = [];
    const scheduled: unknown[] = [];
    const counted: unknown[] = [];
    const deps = scopeToAccount(
      {
        states: memoryStore().store,
        publishOnce: async (alert) => {
          published.push(alert);
          return 'published' as const;
        },
        schedule: (message: CheckMessage, _delaySeconds: number, _forRecord: string) => void scheduled.push(message),
        render: { includeCandidateEmail: false },
        watch: {} as never,
        count: (metric: string, _value?: number, dimensions?: Record<string, string>) =>
          void counted.push([metric, dimensions]),
      },
      'agency-b',
      true,
    );
    await deps.publishOnce({ attemptId: 'a1', eventType: 'review.needed' } as never);
    deps.schedule({ attemptId: 'a1' }, 60, 'm1');
    deps.count('IaRequests');
    deps.count('SweepLookFailures');
    expect(published).toEqual([{ attemptId: 'a1', eventType: 'review.needed', account: 'agency-b' }]);
    expect(scheduled).toEqual([{ attemptId: 'a1', account: 'agency-b' }]);
    expect(counted).toEqual([
      ['IaRequests', undefined],
      ['IaRequests', { Account: 'agency-b' }],
      ['SweepLookFailures', undefined],
    ]);
  });

  it("asks whether an alert went out under the alert's own account label, or as it is when unlabelled", async () => {
    const asked: unknown[] = [];
    const base = {
      states: memoryStore().store,
      publishOnce: async () => 'published' as const,
      alertedAt: async (alert: unknown) => void asked.push(alert),
      schedule: () => undefined,
      render: { includeCandidateEmail: false },
      watch: {} as never,
      count: () => undefined,
    };
    const alert = { attemptId: 'a1', eventType: 'review.needed' } as never;
    await scopeToAccount(base, 'agency-b', true).alertedAt?.(alert);
    await scopeToAccount(base, 'default', false).alertedAt?.(alert);
    expect(asked).toEqual([{ attemptId: 'a1', eventType: 'review.needed', account: 'agency-b' }, alert]);
    expect(scopeToAccount({ ...base, alertedAt: undefined }, 'agency-b', true).alertedAt).toBeUndefined();
  });

  it('routes a request to its account, the first without one (no `default`), and refuses one it does not serve', () => {
    const route = accountRouter(
      {
        list: [
          { name: 'agency-a', apiKeySecret: 'a', ratePerSecond: 1 },
          { name: 'agency-b', apiKeySecret: 'b', ratePerSecond: 1 },
        ],
        labelled: true,
      },
      (account) => ({ secret: account.apiKeySecret }),
    );
    expect(route(undefined)).toEqual({ secret: 'a' });
    expect(route('agency-b')).toBe(route('agency-b'));
    expect(() => route('agency-c')).toThrow(
      /account "agency-c" is not one of this deployment's \(agency-a, agency-b\)/,
    );
  });

  it('routes a request without an account to `default` when the deployment kept its one key as that account', () => {
    // What was in flight when iaAccounts came (re-checks, sources, triggers) names no account: it is the old key's.
    const route = accountRouter(
      {
        list: [
          { name: 'agency-a', apiKeySecret: 'a', ratePerSecond: 1 },
          { name: 'default', apiKeySecret: 'old', ratePerSecond: 1 },
        ],
        labelled: true,
      },
      (account) => ({ secret: account.apiKeySecret }),
    );
    expect(route(undefined)).toEqual({ secret: 'old' });
    expect(route('agency-a')).toEqual({ secret: 'a' });
  });

  it('reads IA_ACCOUNTS, or the one default account, and names what is wrong', () => {
    const base = { IA_API_KEY_SECRET: 'key', CHECKS_QUEUE_URL: 'q' } as never;
    const ia = loadIaSettings({ IA_RATE_PER_SECOND: '2' });
    expect(loadAccounts(base, ia)).toEqual({
      list: [{ name: 'default', apiKeySecret: 'key', ratePerSecond: 2 }],
      labelled: false,
    });
    const two = JSON.stringify([
      { name: 'agency-a', apiKeySecret: 'ka' },
      { name: 'agency-b', apiKeySecret: 'kb', ratePerSecond: 3, sweep: { horizonDays: 14 } },
    ]);
    expect(loadAccounts({ ...(base as object), IA_ACCOUNTS: two } as never, ia).list).toEqual([
      { name: 'agency-a', apiKeySecret: 'ka', ratePerSecond: 2 },
      { name: 'agency-b', apiKeySecret: 'kb', ratePerSecond: 3, sweep: { horizonDays: 14 } },
    ]);
    const dup = JSON.stringify([
      { name: 'a', apiKeySecret: 'k' },
      { name: 'a', apiKeySecret: 'k' },
    ]);
    expect(() => loadAccounts({ ...(base as object), IA_ACCOUNTS: dup } as never, ia)).toThrow(
      /IA_ACCOUNTS.*account names must be unique/,
    );
    expect(() =>
      loadAccounts({ ...(base as object), IA_ACCOUNTS: '[{"name":"Bad Name","apiKeySecret":"k"}]' } as never, ia),
    ).toThrow(/IA_ACCOUNTS/);
  });
});
