/**
 * The IA API's attempt and assignment payloads, as zod schemas.
 *
 * Strict only where a decision depends on it (`id`, `scoring_completed`, `pending_review_count`);
 * every other field is cosmetic and falls back to `undefined` or `[]` instead of failing, because
 * the API's own examples carry glitches (see ../shared/context/indeed-assessments-api.md).
 */
import * as z from 'zod/mini';
import './zod.js';
import { compact } from './compact.js';
import { MalformedResponseError } from './errors.js';
import { IA_ID } from './ids.js';
import { safeText, TEXT_LIMITS } from './safe-text.js';

const numericString = /^\s*-?\d+(\.\d+)?\s*$/;
const toNumberIfNumeric = (value: unknown) =>
  typeof value === 'string' && numericString.test(value) ? Number(value) : value;

/** Optional, and `undefined` instead of an error when the value is there but unusable. */
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);

const numeric = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(toNumberIfNumeric), schema);
const lenientNumber = lenient(numeric(z.number()));
/** Text that reaches people: made safe here, once (one line, no controls, bounded). */
const lenientText = (limit: number) =>
  lenient(
    z.pipe(
      z.string(),
      z.transform((value: string) => safeText(value, limit) || undefined),
    ),
  );
const lenientName = lenientText(TEXT_LIMITS.name);
const lenientLabel = lenientText(TEXT_LIMITS.label);
const lenientBoolean = lenient(z.boolean());

/** `"2018-01-23T13: 50: 17.192Z"` (spaces after colons) is read as the timestamp it obviously is. */
const lenientTimestamp = lenient(
  z.pipe(
    z.string(),
    z.transform((value: string) => {
      const millis = Date.parse(value.replace(/:\s+/g, ':'));
      return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
    }),
  ),
);

/** `"http: //host/x"` is repaired; anything that is not then an http(s) URL is dropped, never linked. */
const lenientUrl = lenient(
  z.pipe(
    z.string(),
    z.transform((value: string) => {
      const repaired = value.trim().replace(/^(https?):\s*\/\//i, '$1://');
      try {
        const url = new URL(repaired);
        return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
      } catch {
        return undefined;
      }
    }),
  ),
);

/**
 * Ids are opaque strings; the 2017 API used integers. Both become strings, and only ids of the
 * characters IA uses are kept: they end up in URL paths, table keys and filter attributes.
 */
const idSchema = z.pipe(
  z.union([z.string().check(z.trim(), z.regex(IA_ID)), z.int().check(z.nonnegative())]),
  z.transform(String),
);
const lenientId = lenient(idSchema);

/** Keeps the elements that parse and drops the rest: one odd recording must not hide the attempt. */
const lenientArray = <T extends z.ZodMiniType>(element: T) =>
  z.pipe(
    z.catch(z.array(z.unknown()), []),
    z.transform((items: unknown[]) =>
      items.flatMap((item) => {
        const parsed = element.safeParse(item);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      }),
    ),
  );

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const ID_RULE = 'must be an id of 1-128 letters, digits, "_" or "-"';

const requiredId = z.pipe(
  z.union([z.string().check(z.trim(), z.regex(IA_ID, { error: ID_RULE })), z.int().check(z.nonnegative())], {
    error: required('an id of 1-128 letters, digits, "_" or "-", or a non-negative integer'),
  }),
  z.transform(String),
);

const scoreSchema = z.object({
  score: lenientNumber,
  possible_score: lenientNumber,
  scoring_dimension_name: lenientName,
});

const answerSchema = z.object({
  value: z.optional(z.unknown()),
  question: lenient(z.object({ id: lenientId, label: lenientLabel })),
  scores: lenientArray(scoreSchema),
});

const promptSchema = lenient(z.object({ name: lenientLabel, text_prompt: lenientLabel }));

const recordingSchema = z.object({
  url: lenientUrl,
  duration: lenientNumber,
  audio_prompt: promptSchema,
  video_prompt: promptSchema,
});

const stepProgressionSchema = z.object({
  step: lenient(z.object({ name: lenientName, sequence: lenientNumber })),
  answers: lenientArray(answerSchema),
  audio_recordings: lenientArray(recordingSchema),
  video_recordings: lenientArray(recordingSchema),
  started_at: lenientTimestamp,
  completed_at: lenientTimestamp,
  timed_out: lenientBoolean,
});

const personSchema = lenient(z.object({ id: lenientId, name: lenientName, email: lenientText(TEXT_LIMITS.email) }));
const namedSchema = lenient(z.object({ id: lenientId, name: lenientName }));

export const attemptSchema = z.object({
  id: requiredId,
  scoring_completed: z.boolean({ error: required('a boolean') }),
  pending_review_count: numeric(
    z
      .int({ error: required('a non-negative integer') })
      .check(z.nonnegative({ error: 'must be a non-negative integer' })),
  ),
  score: lenientNumber,
  possible_score: lenientNumber,
  percentage_score: lenientNumber,
  level: lenientName,
  started_at: lenientTimestamp,
  completed_at: lenientTimestamp,
  created_at: lenientTimestamp,
  updated_at: lenientTimestamp,
  completion_time_in_seconds: lenientNumber,
  assessment: namedSchema,
  step_progressions: lenientArray(stepProgressionSchema),
  // Present on old attempts only; assignments carry them otherwise.
  user: personSchema,
  role: namedSchema,
  public_results_url: lenientUrl,
});

export const assignmentSchema = z.object({
  id: requiredId,
  user: personSchema,
  role: namedSchema,
  public_results_url: lenientUrl,
  created_at: lenientTimestamp,
  attempts: z.catch(z.array(z.unknown()), []),
});

/** Counts as IA writes them: numbers or numeric strings; anything else is unknown. */
const lenientCount = lenient(numeric(z.int().check(z.nonnegative())));

const pageSchema = z.object({
  meta: z.catch(z.object({ total_count: lenientCount, count: lenientCount, pages: lenientCount }), {}),
  results: z.array(z.unknown(), { error: 'must be a list of assignments' }),
});

export type RawAttempt = z.output<typeof attemptSchema>;
export type RawStepProgression = z.output<typeof stepProgressionSchema>;
export type RawAssignment = z.output<typeof assignmentSchema>;

export interface AssignmentPage {
  totalCount?: number;
  pages?: number;
  /** Items on the page as IA sent them, before any was parsed. */
  itemCount: number;
  assignments: RawAssignment[];
  /** Items that are not assignments (no usable id): skipped, counted. */
  unusable: number;
}

/** The API wraps objects in a root key (`{"attempt": {...}}`); be lenient and accept them bare too. */
const unwrap = (body: unknown, rootKey: string): unknown => {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const inner = (body as Record<string, unknown>)[rootKey];
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) return inner;
  }
  return body;
};

const describeType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

const parseWith = <S extends z.ZodMiniType>(schema: S, rootKey: string, body: unknown): z.output<S> => {
  const unwrapped = unwrap(body, rootKey);
  if (unwrapped === null || typeof unwrapped !== 'object' || Array.isArray(unwrapped)) {
    throw new MalformedResponseError(`expected an ${rootKey} object, got ${describeType(unwrapped)}`);
  }
  const result = schema.safeParse(unwrapped);
  if (!result.success) {
    const reasons = result.error.issues.map((issue) => `${[rootKey, ...issue.path].join('.')} ${issue.message}`);
    throw new MalformedResponseError(`invalid ${rootKey}: ${reasons.join('; ')}`);
  }
  return result.data;
};

/** Parses an attempt body (wrapped or not); throws `MalformedResponseError` naming the bad field. */
export const parseAttempt = (body: unknown): RawAttempt => parseWith(attemptSchema, 'attempt', body);

/** Parses an assignment body; its `attempts` stay raw, to be parsed one by one. */
export const parseAssignment = (body: unknown): RawAssignment => parseWith(assignmentSchema, 'assignment', body);

/**
 * A page of `GET /assignments.json`: `{"meta": {...}, "results": [{"assignment": {...}}]}`. The
 * page must be a list; each item is parsed on its own, so one odd assignment does not hide the
 * other ninety-nine.
 */
export const parseAssignmentPage = (body: unknown): AssignmentPage => {
  const result = pageSchema.safeParse(body);
  if (!result.success) {
    throw new MalformedResponseError(
      `invalid assignments page: ${result.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`,
    );
  }
  const { meta, results } = result.data;
  const assignments: RawAssignment[] = [];
  for (const item of results) {
    try {
      assignments.push(parseAssignment(item));
    } catch (error) {
      if (!(error instanceof MalformedResponseError)) throw error;
    }
  }
  return compact({
    totalCount: meta.total_count,
    pages: meta.pages,
    itemCount: results.length,
    assignments,
    unusable: results.length - assignments.length,
  });
};
