/**
 * CDK context (`-c key=value` or cdk.json) to `ReviewAlerts` props: every key is a prop of the
 * same name (PROP_RULES), typed from the strings `-c` gives. A key this app does not read fails
 * with the nearest known one; the construct then checks ranges and shapes, naming the prop.
 */
import type { Node } from 'constructs';
import { PROP_NAMES, PROP_RULES, type ReviewAlertsProps } from './review-alerts-props.js';

type Context = Pick<Node, 'tryGetContext' | 'getAllContext'>;

/** Keys of the app itself, besides the construct's props. */
const APP_KEYS = ['stackName'] as const;
export const CONTEXT_KEYS: readonly string[] = [...PROP_NAMES, ...APP_KEYS];

/** CDK's own keys: feature flags (`@aws-cdk/...`), `aws:cdk:...`, lookups (`availability-zones:...`). */
const isCdkKey = (key: string) => key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';

const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
};

export const nearestKey = (key: string): string =>
  [...CONTEXT_KEYS].sort((x, y) => editDistance(key, x) - editDistance(key, y))[0] as string;

const fail = (key: string, expected: string, value: unknown): never => {
  throw new Error(`CDK context "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
};

/** A context value as the prop's type: `-c` gives strings, cdk.json gives JSON. */
const typed = (key: keyof ReviewAlertsProps, raw: unknown): unknown => {
  switch (PROP_RULES[key].kind) {
    case 'number':
    case 'wholeNumber': {
      const value = typeof raw === 'number' ? raw : Number(raw);
      return Number.isFinite(value) ? value : fail(key, 'a number', raw);
    }
    case 'boolean':
      // Exactly true or false: `yes` or `1` is a typo, not a yes.
      return raw === true || raw === 'true'
        ? true
        : raw === false || raw === 'false'
          ? false
          : fail(key, 'true or false', raw);
    case 'emails':
    case 'list': {
      const items = Array.isArray(raw)
        ? raw
        : typeof raw === 'string'
          ? raw.split(',')
          : fail(key, 'a comma-separated list', raw);
      return items.map((item) => String(item).trim()).filter(Boolean);
    }
    case 'sources':
    case 'slackChannels': {
      // Lists of objects: arrays from cdk.json, JSON strings from `-c key='[...]'`.
      if (typeof raw !== 'string') return raw;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return fail(key, 'a JSON array', raw);
      }
    }
    default:
      return typeof raw === 'string' ? raw.trim() : fail(key, 'a string', raw);
  }
};

export const propsFromContext = (node: Context): ReviewAlertsProps => {
  for (const key of Object.keys(node.getAllContext() as object)) {
    if (isCdkKey(key) || CONTEXT_KEYS.includes(key)) continue;
    throw new Error(
      `CDK context "${key}" is not a setting of this app; did you mean "${nearestKey(key)}"? (docs/configuration.md)`,
    );
  }
  const props: Record<string, unknown> = {};
  for (const key of PROP_NAMES) {
    const raw: unknown = node.tryGetContext(key);
    if (raw !== undefined && raw !== '') props[key] = typed(key, raw);
  }
  return props as ReviewAlertsProps;
};
