/**
 * The Indeed Assessments API client: one ky instance, token auth, bounded retries, typed errors.
 * Shared by the Lambda functions and the ops CLI so both obey the same retry and rate rules.
 */

import ky, { isHTTPError, isNetworkError, isTimeoutError, type KyInstance } from 'ky';
import {
  parseAssignment,
  parseAssignmentPage,
  parseAttempt,
  type RawAssignment,
  type RawAttempt,
} from '../domain/attempt-schema.js';
import { IA_DEFAULTS } from '../domain/defaults.js';
import {
  IaNoAnswerError,
  MalformedResponseError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  UnauthorizedError,
  UpstreamError,
} from '../domain/errors.js';
import { type Fetched, type IaClient, NOT_MODIFIED, type RequestOptions } from '../domain/ia.js';

export interface IaClientOptions {
  baseUrl?: string;
  /** Called before every request; Powertools' secret cache keeps it cheap. */
  apiKey: () => Promise<string> | string;
  /** Per HTTP attempt. */
  timeoutMs?: number;
  /** The whole call, retries and waits included: keep it below the Lambda timeout. */
  totalTimeoutMs?: number;
  retryLimit?: number;
  /** A `Retry-After` longer than this is not waited for: the call fails with `RateLimitedError`. */
  maxRetryAfterMs?: number;
  /** Awaited before every HTTP attempt, retries included, to stay under the key's rate limit. */
  pace?: () => Promise<void>;
  /** Told the status of every HTTP response, retries included: what the key's budget was spent on. */
  onResponse?: (status: number) => void;
  fetch?: typeof globalThis.fetch;
}

const RETRYABLE_STATUSES = [429, 500, 502, 503, 504];

/** `Retry-After` as seconds, from either form the RFC allows; undefined when absent or garbage. */
export const parseRetryAfter = (header: string | null, now = Date.now()): number | undefined => {
  if (header === null || header.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(header)) return Math.ceil(Number(header));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};

const toAppError = (error: unknown, what: string): Error => {
  if (isHTTPError(error)) {
    const { status } = error.response;
    if (status === 401 || status === 403) {
      return new UnauthorizedError(status, `IA API refused the key (${status}) for ${what}`);
    }
    if (status === 404) return new NotFoundError(`${what} not found (404)`);
    if (status === 429) {
      const retryAfter = parseRetryAfter(error.response.headers.get('retry-after')) ?? 1;
      return new RateLimitedError(retryAfter, `IA API rate limit hit for ${what}; retry after ${retryAfter}s`);
    }
    if (status >= 500) return new UpstreamError(`IA API failed with ${status} for ${what}`, status);
    return new RequestRejectedError(`IA API rejected the request for ${what} (${status})`);
  }
  if (isTimeoutError(error)) return new IaNoAnswerError(`IA API timed out for ${what}`);
  if (isNetworkError(error)) {
    const code = (error.cause as { code?: string } | undefined)?.code;
    return new IaNoAnswerError(`network error calling IA API for ${what}${code ? ` (${code})` : ''}`);
  }
  return error instanceof Error ? error : new Error(String(error));
};

export const createIaClient = (options: IaClientOptions): IaClient => {
  const maxRetryAfterMs = options.maxRetryAfterMs ?? IA_DEFAULTS.maxRetryAfterMs;
  const pace = options.pace;
  const http: KyInstance = ky.create({
    prefix: options.baseUrl ?? IA_DEFAULTS.baseUrl,
    timeout: options.timeoutMs ?? IA_DEFAULTS.timeoutMs,
    totalTimeout: options.totalTimeoutMs ?? IA_DEFAULTS.totalTimeoutMs,
    throwHttpErrors: true,
    retry: {
      limit: options.retryLimit ?? 3,
      methods: ['get'],
      statusCodes: RETRYABLE_STATUSES,
      afterStatusCodes: [429, 503],
      maxRetryAfter: maxRetryAfterMs,
      backoffLimit: 4_000,
      jitter: true,
      retryOnTimeout: true,
      // A long Retry-After is the caller's to honour (an SQS visibility timeout costs nothing);
      // sleeping through it here would burn the Lambda's time.
      shouldRetry: ({ error }) => {
        if (!isHTTPError(error) || error.response.status !== 429) return undefined;
        const seconds = parseRetryAfter(error.response.headers.get('retry-after'));
        return seconds !== undefined && seconds * 1000 > maxRetryAfterMs ? false : undefined;
      },
    },
    hooks: {
      beforeRequest: [
        async ({ request }) => {
          // The key first: a secret-cache refresh must not sit between the paced slot and the call.
          const key = await options.apiKey();
          if (pace) await pace();
          request.headers.set('Authorization', `token ${key}`);
          request.headers.set('Accept', 'application/json');
        },
      ],
      beforeRetry: pace ? [async () => void (await pace())] : [],
      afterResponse: options.onResponse ? [({ response }) => void options.onResponse?.(response.status)] : [],
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const fetchParsed = async <T>(
    path: string,
    what: string,
    parse: (body: unknown) => T,
    requestOptions?: RequestOptions & { ifNoneMatch?: string },
  ): Promise<Fetched<T> | typeof NOT_MODIFIED> => {
    let response: Response;
    try {
      response = await http.get(path, {
        ...(requestOptions?.signal ? { signal: requestOptions.signal } : {}),
        ...(requestOptions?.ifNoneMatch ? { headers: { 'If-None-Match': requestOptions.ifNoneMatch } } : {}),
      });
    } catch (error) {
      if (isHTTPError(error) && error.response.status === 304) return NOT_MODIFIED;
      throw toAppError(error, what);
    }
    if (response.status === 304) return NOT_MODIFIED;
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    if (contentType !== '' && !/\bjson\b/i.test(contentType)) {
      throw new MalformedResponseError(`IA API answered ${what} with ${contentType.split(';')[0]}, not JSON`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new MalformedResponseError(`IA API answered ${what} with a body that is not JSON`);
    }
    const value = parse(body);
    const etag = response.headers.get('etag');
    return etag === null ? { value } : { value, etag };
  };

  const segment = (id: string) => encodeURIComponent(id);

  const attemptPath = (id: string) => `attempts/${segment(id)}.json`;
  // Only conditional requests can be answered 304; the casts below say so to the type checker.
  return {
    getAttempt: (id, requestOptions) =>
      fetchParsed(attemptPath(id), `attempt ${id}`, parseAttempt, requestOptions) as Promise<Fetched<RawAttempt>>,
    getAttemptIfChanged: (id, etag, requestOptions) =>
      fetchParsed(attemptPath(id), `attempt ${id}`, parseAttempt, { ...requestOptions, ifNoneMatch: etag }),
    getAssignment: (id, requestOptions) =>
      fetchParsed(`assignments/${segment(id)}.json`, `assignment ${id}`, parseAssignment, requestOptions) as Promise<
        Fetched<RawAssignment>
      >,
    listAssignments: (page, per, { etag, ...requestOptions } = {}) =>
      fetchParsed(`assignments.json?page=${page}&per=${per}`, `assignments page ${page}`, parseAssignmentPage, {
        ...requestOptions,
        ...(etag ? { ifNoneMatch: etag } : {}),
      }),
  };
};
