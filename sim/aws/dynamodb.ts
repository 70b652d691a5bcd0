/**
 * DynamoDB in memory, at the level of its API: tables with a hash key, sparse global secondary
 * indexes (hash + range, keys only), TTL that deletes expired items some time after they expire
 * (as DynamoDB does: reads still see them until then), and the expressions the product's adapters
 * and Powertools write — conditions (comparisons, attribute_exists / attribute_not_exists, AND,
 * OR, NOT, parentheses), updates (SET, ADD of numbers, REMOVE) and key conditions. Held to moto by
 * test/integration/memory-aws-contract.test.ts.
 */

import type { TableSpec } from '../../local/provisioner.js';

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

// --- expressions -------------------------------------------------------------------------------

type Token = { kind: 'name' | 'value' | 'op' | 'paren' | 'comma' | 'word'; text: string };

const tokenize = (expression: string): Token[] => {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(<=|>=|<>|=|<|>)|([()])|(,)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(expression);
    if (!match) throw new AwsError('ValidationException', `Invalid expression: ${expression}`);
    at = pattern.lastIndex;
    const [, name, value, op, paren, comma, word] = match;
    if (name) tokens.push({ kind: 'name', text: name });
    else if (value) tokens.push({ kind: 'value', text: value });
    else if (op) tokens.push({ kind: 'op', text: op });
    else if (paren) tokens.push({ kind: 'paren', text: paren });
    else if (comma) tokens.push({ kind: 'comma', text: comma });
    else tokens.push({ kind: 'word', text: word as string });
  }
  return tokens;
};

export interface ExpressionInput {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

const typeOf = (value: AttributeValue) => Object.keys(value)[0] as string;

/** DynamoDB's ordering of two values of the same scalar type; undefined when they do not compare. */
const compare = (a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined => {
  if (!a || !b || typeOf(a) !== typeOf(b)) return undefined;
  const [x, y] = [Object.values(a)[0], Object.values(b)[0]];
  if (typeOf(a) === 'N') return Number(x) - Number(y);
  if (typeOf(a) === 'S') return Buffer.compare(Buffer.from(String(x)), Buffer.from(String(y)));
  return JSON.stringify(x) === JSON.stringify(y) ? 0 : undefined;
};

const equal = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly input: ExpressionInput,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.at];
  }

  next(): Token {
    const token = this.tokens[this.at++];
    if (!token) throw new AwsError('ValidationException', 'Invalid expression: unexpected end');
    return token;
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  path(): string {
    const token = this.next();
    if (token.kind === 'name') {
      const name = this.input.names?.[token.text];
      if (name === undefined)
        throw new AwsError(
          'ValidationException',
          `An expression attribute name used in the document path is not defined; attribute name: ${token.text}`,
        );
      return name;
    }
    if (token.kind === 'word') return token.text;
    throw new AwsError('ValidationException', `Invalid expression: expected an attribute, got ${token.text}`);
  }

  operand(): (item: Item) => AttributeValue | undefined {
    const token = this.peek();
    if (token?.kind === 'value') {
      this.next();
      const value = this.input.values?.[token.text];
      if (value === undefined)
        throw new AwsError(
          'ValidationException',
          `An expression attribute value used in expression is not defined; attribute value: ${token.text}`,
        );
      return () => value;
    }
    const path = this.path();
    return (item) => item[path];
  }

  /** condition := or */
  condition(): (item: Item) => boolean {
    let left = this.and();
    while (this.peek()?.kind === 'word' && this.peek()?.text.toUpperCase() === 'OR') {
      this.next();
      const [l, r] = [left, this.and()];
      left = (item) => l(item) || r(item);
    }
    return left;
  }

  and(): (item: Item) => boolean {
    let left = this.unary();
    while (this.peek()?.kind === 'word' && this.peek()?.text.toUpperCase() === 'AND') {
      this.next();
      const [l, r] = [left, this.unary()];
      left = (item) => l(item) && r(item);
    }
    return left;
  }

  unary(): (item: Item) => boolean {
    const token = this.peek();
    if (token?.kind === 'word' && token.text.toUpperCase() === 'NOT') {
      this.next();
      const inner = this.unary();
      return (item) => !inner(item);
    }
    if (token?.kind === 'paren' && token.text === '(') {
      this.next();
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    if (token?.kind === 'word' && (token.text === 'attribute_exists' || token.text === 'attribute_not_exists')) {
      this.next();
      this.expect('(');
      const path = this.path();
      this.expect(')');
      return token.text === 'attribute_exists'
        ? (item) => item[path] !== undefined
        : (item) => item[path] === undefined;
    }
    const left = this.operand();
    const op = this.next();
    if (op.kind !== 'op')
      throw new AwsError('ValidationException', `Invalid expression: expected a comparator, got ${op.text}`);
    const right = this.operand();
    return (item) => {
      const [a, b] = [left(item), right(item)];
      if (op.text === '=') return equal(a, b);
      if (op.text === '<>') return a !== undefined && b !== undefined && !equal(a, b);
      const order = compare(a, b);
      if (order === undefined) return false;
      return op.text === '<' ? order < 0 : op.text === '<=' ? order <= 0 : op.text === '>' ? order > 0 : order >= 0;
    };
  }

  expect(text: string) {
    const token = this.next();
    if (token.text !== text)
      throw new AwsError('ValidationException', `Invalid expression: expected ${text}, got ${token.text}`);
  }
}

export const condition = (expression: string, input: ExpressionInput) => {
  const parser = new Parser(tokenize(expression), input);
  const test = parser.condition();
  if (!parser.done()) throw new AwsError('ValidationException', `Invalid ConditionExpression: ${expression}`);
  return test;
};

/** `SET a = :v, #b = :w ADD n :one REMOVE c, d` applied to a copy of the item. */
export const update = (expression: string, input: ExpressionInput) => {
  const parser = new Parser(tokenize(expression), input);
  const actions: Array<(item: Item) => void> = [];
  while (!parser.done()) {
    const clause = parser.next();
    const word = clause.text.toUpperCase();
    if (clause.kind !== 'word' || (word !== 'SET' && word !== 'REMOVE' && word !== 'ADD'))
      throw new AwsError('ValidationException', `Invalid UpdateExpression: ${expression}`);
    do {
      if (parser.peek()?.kind === 'comma') parser.next();
      const path = parser.path();
      if (word === 'SET') {
        parser.expect('=');
        const value = parser.operand();
        actions.push((item) => {
          const v = value(item);
          if (v !== undefined) item[path] = v;
        });
      } else if (word === 'ADD') {
        // A number added to the attribute, or the attribute made of it (counters without a read).
        const value = parser.operand();
        actions.push((item) => {
          const number = (v: AttributeValue | undefined) => (v && 'N' in v ? Number(v.N) : undefined);
          const by = number(value(item));
          const current = item[path];
          if (by === undefined || (current !== undefined && number(current) === undefined))
            throw new AwsError('ValidationException', 'An operand in the update expression has an incorrect data type');
          item[path] = { N: String((number(current) ?? 0) + by) };
        });
      } else {
        actions.push((item) => {
          delete item[path];
        });
      }
    } while (parser.peek()?.kind === 'comma');
  }
  return (item: Item): Item => {
    // SET and REMOVE replace top-level attributes only: a shallow copy keeps the original intact.
    const next = { ...item };
    for (const action of actions) action(next);
    return next;
  };
};

// --- tables ------------------------------------------------------------------------------------

export class MemoryTable {
  readonly items = new Map<string, Item>();
  /** Each key's item before its last write, and when that write was: what a stale read returns. */
  private readonly before = new Map<string, { item: Item | undefined; at: number }>();

  constructor(readonly spec: TableSpec) {}

  /** Writes (or, with no item, deletes) `key`'s item at `at`, remembering what it replaces. */
  write(key: string, item: Item | undefined, at: number): void {
    if (this.before.size > 10_000)
      for (const [old, { at: when }] of this.before) if (at - when >= 60_000) this.before.delete(old);
    this.before.set(key, { item: this.items.get(key), at });
    if (item) this.items.set(key, item);
    else this.items.delete(key);
  }

  /** An eventually consistent read: the item before a write of the last `windowMs`, when `stale()` says so. */
  readEventually(key: string, now: number, windowMs: number, stale: () => boolean): Item | undefined {
    const last = this.before.get(key);
    return last && now - last.at < windowMs && stale() ? last.item : this.items.get(key);
  }

  keyOf(key: Item): string {
    const value = key[this.spec.hashKey];
    if (!value || Object.keys(key).length !== 1)
      throw new AwsError('ValidationException', 'The provided key element does not match the schema');
    return JSON.stringify(value);
  }
}

export interface QueryInput {
  IndexName?: string;
  KeyConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ScanIndexForward?: boolean;
  ExclusiveStartKey?: Item;
  Limit?: number;
}

/** What one page of a query may hold (DynamoDB's 1 MB). */
const PAGE_BYTES = 1_048_576;

export const queryIndex = (table: MemoryTable, input: QueryInput) => {
  const index = table.spec.indexes.find((i) => i.name === input.IndexName);
  if (!index)
    throw new AwsError('ValidationException', `The table does not have the specified index: ${input.IndexName}`);
  const test = condition(input.KeyConditionExpression, {
    ...(input.ExpressionAttributeNames ? { names: input.ExpressionAttributeNames } : {}),
    ...(input.ExpressionAttributeValues ? { values: input.ExpressionAttributeValues } : {}),
  });
  const project = (item: Item): Item => {
    const keys = [table.spec.hashKey, index.hashKey, ...(index.rangeKey ? [index.rangeKey] : [])];
    return Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k] as AttributeValue]));
  };
  const matching = [...table.items.values()]
    .filter((item) => item[index.hashKey] !== undefined && (!index.rangeKey || item[index.rangeKey] !== undefined))
    .filter(test)
    .map(project)
    .sort((a, b) => {
      const order = index.rangeKey ? (compare(a[index.rangeKey], b[index.rangeKey]) ?? 0) : 0;
      return order !== 0 ? order : (compare(a[table.spec.hashKey], b[table.spec.hashKey]) ?? 0);
    });
  if (input.ScanIndexForward === false) matching.reverse();
  const start = input.ExclusiveStartKey
    ? matching.findIndex((item) => equal(item[table.spec.hashKey], input.ExclusiveStartKey?.[table.spec.hashKey])) + 1
    : 0;
  const page: Item[] = [];
  let bytes = 0;
  for (const item of matching.slice(start)) {
    bytes += JSON.stringify(item).length;
    if (page.length > 0 && (bytes > PAGE_BYTES || (input.Limit !== undefined && page.length >= input.Limit))) break;
    page.push(item);
  }
  const more = start + page.length < matching.length;
  return {
    Items: page,
    Count: page.length,
    ScannedCount: page.length,
    ...(more ? { LastEvaluatedKey: page[page.length - 1] } : {}),
  };
};
