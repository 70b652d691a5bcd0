/**
 * What decides where a message goes: SNS filter policies (on message attributes) and EventBridge
 * event patterns, with the operators the stack and the docs use (exact values, exists,
 * anything-but, prefix, numeric), and EventBridge's input transformer. The simulation routes with
 * it and `ia-review-alerts test-alert` predicts with it (moto has no TestEventPattern); the
 * contract suite holds it to moto.
 */

type Matcher = string | number | boolean | null | Record<string, unknown>;

/** The operators this matcher evaluates; a filter with any other is beyond it. */
export const OPERATORS: ReadonlySet<string> = new Set(['exists', 'prefix', 'anything-but', 'numeric']);

/** One allowed value (or operator) of a pattern or policy against one value that is there. */
const matchesOne = (allowed: Matcher, value: unknown): boolean => {
  if (allowed === null || typeof allowed !== 'object') return allowed === value;
  const [operator, argument] = Object.entries(allowed)[0] ?? [];
  if (operator === 'prefix') return typeof value === 'string' && value.startsWith(String(argument));
  if (operator === 'anything-but') {
    const excluded = Array.isArray(argument) ? argument : [argument];
    return !excluded.includes(value);
  }
  if (operator === 'numeric') {
    const conditions = argument as Array<string | number>;
    const n = Number(value);
    for (let i = 0; i < conditions.length; i += 2) {
      const [op, bound] = [conditions[i], Number(conditions[i + 1])];
      if (
        !(op === '='
          ? n === bound
          : op === '<'
            ? n < bound
            : op === '<='
              ? n <= bound
              : op === '>'
                ? n > bound
                : n >= bound)
      )
        return false;
    }
    return true;
  }
  return false;
};

/** A list of allowed values for one field, `exists` included: whether the field's value(s) pass. */
const fieldMatches = (allowed: Matcher[], value: unknown): boolean => {
  const exists = allowed.find((a) => a !== null && typeof a === 'object' && 'exists' in a) as
    | { exists: boolean }
    | undefined;
  if (exists) return exists.exists === (value !== undefined);
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => allowed.some((a) => matchesOne(a, v)));
};

/** An EventBridge event pattern against an event (nested objects; arrays of allowed values at the leaves). */
export const matchesPattern = (pattern: Record<string, unknown>, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([field, allowed]) => {
    const value = event[field];
    if (Array.isArray(allowed)) return fieldMatches(allowed as Matcher[], value);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return matchesPattern(allowed as Record<string, unknown>, {});
    return matchesPattern(allowed as Record<string, unknown>, value as Record<string, unknown>);
  });

/** An SNS filter policy (attribute scope) against a message's attributes (strings; numbers as numbers). */
export const matchesFilterPolicy = (
  policy: Record<string, unknown>,
  attributes: Record<string, { DataType: string; StringValue?: string }>,
): boolean =>
  Object.entries(policy).every(([name, allowed]) => {
    const attribute = attributes[name];
    const value =
      attribute === undefined
        ? undefined
        : attribute.DataType === 'Number'
          ? Number(attribute.StringValue)
          : attribute.StringValue;
    return fieldMatches(allowed as Matcher[], value);
  });

/** `$.a.b` of an event, or undefined. */
const atPath = (event: unknown, path: string): unknown =>
  path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter((part) => part !== '')
    .reduce<unknown>(
      (node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      event,
    );

/**
 * EventBridge's input transformer: each `<name>` of the template replaced by the JSON of what its
 * path holds. A path the event lacks leaves the template broken, as moto does: the stack's rules
 * only map paths their patterns require.
 */
export const transformInput = (
  transformer: { InputPathsMap?: Record<string, string>; InputTemplate: string },
  event: Record<string, unknown>,
): string => {
  let text = transformer.InputTemplate;
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    const value = atPath(event, path);
    if (value !== undefined) text = text.replaceAll(`<${name}>`, JSON.stringify(value));
  }
  text = text.replaceAll('<aws.events.event.json>', JSON.stringify(event));
  JSON.parse(text);
  return text;
};
