/**
 * Where attempts' watch state is kept (the port): the lifecycle's state, or a remembered 404. The
 * DynamoDB implementation is adapters/attempt-state.ts.
 */
import type { AttemptState } from './lifecycle.js';

/** IA answered 404 for this id (an attempt, or `assignment#<id>`); not asked again before `missingUntil`. */
export interface MissingRecord {
  attemptId: string;
  missingUntil: string;
}

export type StoredRecord = AttemptState | MissingRecord;

export const isMissing = (record: StoredRecord | undefined): record is MissingRecord =>
  record !== undefined && 'missingUntil' in record;

/** The key under which an assignment's 404 is remembered: `#` never occurs in an IA id. */
export const assignmentKey = (assignmentId: string) => `assignment#${assignmentId}`;

export interface StateStore {
  get(attemptId: string): Promise<StoredRecord | undefined>;
  /**
   * Several at once (the sweep reads a page's attempts in one call); absent ids are absent.
   * Consistent unless `eventually` (half the read's price: it may miss a write of the last second).
   */
  getMany(attemptIds: string[], read?: { eventually?: boolean }): Promise<Map<string, StoredRecord>>;
  /** Writes `state` with `version + 1` if the stored version is still `state.version` (absent, or a 404 record, when 0). */
  put(state: AttemptState): Promise<void>;
  /** Remembers a 404 until `until`, unless real state exists for the key. */
  rememberMissing(key: string, until: Date): Promise<void>;
}
