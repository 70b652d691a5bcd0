/**
 * Which AWS actions each function's code calls, recorded while integration tests run it: every
 * SDK client sends through `Client.prototype.send` (@smithy/core), wrapped here to note the
 * service, operation and kind of resource under the function whose invocation is running (an AsyncLocalStorage
 * that `loadHandler` enters). Calls of the test itself (set-up, assertions) run outside any
 * invocation and are not counted. Each suite writes what it saw to .local/aws-calls/;
 * test/grants compares the union with the actions each synthesised role allows.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@smithy/core/client';

export const CALLS_DIR = fileURLToPath(new URL('../../.local/aws-calls', import.meta.url));

const invocation = new AsyncLocalStorage<string>();
const seen = new Map<string, Set<string>>();

/** `Secrets Manager` → `secretsmanager`, `GetSecretValueCommand` → `GetSecretValue`: IAM's spelling. */
const action = (serviceId: string, command: object) =>
  `${serviceId.replaceAll(' ', '').toLowerCase()}:${command.constructor.name.replace(/Command$/, '')}`;

/**
 * What kind of resource a call is about, from the name the harness gave it (`<suite>-<hex>-<kind>`,
 * local/provision.ts): `attempt-state`, `checks-dlq`, `alerts`, … Channels and sources are one
 * kind each, whatever they are called.
 */
export const resourceKind = (name: string): string => {
  const kind = /^[a-z]+-[0-9a-f]{8}-(.+)$/.exec(name)?.[1] ?? name;
  if (kind.endsWith('-bus')) return 'alert-bus';
  if (kind.startsWith('chat-')) return 'chat-topic';
  if (kind.startsWith('ia-api-key')) return 'ia-api-key'; // each IA account's key secret // the alert-bus suite's bus comes late, under another name
  return kind.startsWith('slack-') ? 'slack-channel' : kind.startsWith('source-') ? 'source' : kind;
};

/** The resources a command names, as kinds (a table's index is `<table>/index`). */
const resources = (input: Record<string, unknown>): string[] => {
  const last = (value: unknown, separator: string) => String(value).split(separator).pop() as string;
  if (typeof input.TableName === 'string')
    return [`${resourceKind(input.TableName)}${input.IndexName ? '/index' : ''}`];
  if (input.RequestItems) return Object.keys(input.RequestItems as object).map(resourceKind);
  if (input.QueueUrl) return [resourceKind(last(input.QueueUrl, '/'))];
  if (input.TopicArn) return [resourceKind(last(input.TopicArn, ':'))];
  if (input.SecretId) return [resourceKind(last(input.SecretId, ':'))];
  if (typeof input.StackName === 'string') return ['stack'];
  // A subscription's ARN is its topic's with an id after it.
  if (typeof input.SubscriptionArn === 'string')
    return [resourceKind(String(input.SubscriptionArn).split(':').at(-2) ?? '')];
  if (typeof input.EventBusName === 'string') return [resourceKind(last(input.EventBusName, '/'))];
  // An SSM parameter, by the last part of its path.
  if (typeof input.Name === 'string') return [last(input.Name, '/')];
  if (Array.isArray(input.Entries))
    return [
      ...new Set(
        input.Entries.map((entry: { EventBusName?: string }) =>
          resourceKind(last(entry.EventBusName ?? 'default', '/')),
        ),
      ),
    ];
  return ['*'];
};

let installed = false;
export const recordAwsCalls = () => {
  if (installed) return;
  installed = true;
  const send = Client.prototype.send;
  Client.prototype.send = function (this: Client<never, never, never, never>, command: object, ...rest: unknown[]) {
    const fn = invocation.getStore();
    if (fn !== undefined) {
      const serviceId = (this.config as { serviceId?: string }).serviceId ?? 'unknown';
      const calls = seen.get(fn) ?? new Set<string>();
      for (const resource of resources((command as { input?: Record<string, unknown> }).input ?? {})) {
        calls.add(`${action(serviceId, command)}@${resource}`);
      }
      seen.set(fn, calls);
    }
    return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof send;
};

/** `handler`, run as function `fn`: the AWS calls it makes are counted as that function's. */
export const asFunction = <T>(fn: string, handler: T): T =>
  ((...args: unknown[]) => invocation.run(fn, () => (handler as (...a: unknown[]) => unknown)(...args))) as T;

/** What this suite saw, for the grants check (one file per suite and process). */
export const saveAwsCalls = (suite: string) => {
  if (seen.size === 0) return;
  mkdirSync(CALLS_DIR, { recursive: true });
  const calls = Object.fromEntries([...seen].map(([fn, actions]) => [fn, [...actions].sort()]));
  writeFileSync(join(CALLS_DIR, `${suite}-${randomBytes(4).toString('hex')}.json`), JSON.stringify(calls));
};

export const clearAwsCalls = () => rmSync(CALLS_DIR, { recursive: true, force: true });

/** Every suite's recordings, merged: function → `<action>@<resource kind>` called. */
export const recordedAwsCalls = (): Map<string, Set<string>> => {
  const merged = new Map<string, Set<string>>();
  let files: string[] = [];
  try {
    files = readdirSync(CALLS_DIR).filter((file) => file.endsWith('.json'));
  } catch {
    // none yet
  }
  for (const file of files) {
    const calls = JSON.parse(readFileSync(join(CALLS_DIR, file), 'utf8')) as Record<string, string[]>;
    for (const [fn, actions] of Object.entries(calls)) {
      for (const called of actions) merged.set(fn, (merged.get(fn) ?? new Set()).add(called));
    }
  }
  return merged;
};
