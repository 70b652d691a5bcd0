/**
 * What the domain needs of the Indeed Assessments API (the port); the HTTP client in
 * adapters/ia-client.ts implements it.
 */
import type { AssignmentPage, RawAssignment, RawAttempt } from './attempt-schema.js';

export interface Fetched<T> {
  value: T;
  etag?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** What a conditional GET returns when nothing changed since the given ETag. */
export const NOT_MODIFIED = 'not-modified' as const;

export interface IaClient {
  getAttempt(id: string, options?: RequestOptions): Promise<Fetched<RawAttempt>>;
  /** A conditional GET with the ETag of the copy we hold; IA answers 304 when nothing changed. */
  getAttemptIfChanged(
    id: string,
    etag: string,
    options?: RequestOptions,
  ): Promise<Fetched<RawAttempt> | typeof NOT_MODIFIED>;
  getAssignment(id: string, options?: RequestOptions): Promise<Fetched<RawAssignment>>;
  /** One page of all assignments, newest created first; with the page's ETag, 304 when unchanged. */
  listAssignments(
    page: number,
    per: number,
    options?: RequestOptions & { etag?: string },
  ): Promise<Fetched<AssignmentPage> | typeof NOT_MODIFIED>;
}
