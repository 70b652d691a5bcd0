/** The `ingest` function's environment contract (functions/lib/runtime/environment.ts). */
export interface IngestEnvironment {
  /** The webhook sources as JSON, each with the name of its secret (sources.ts). */
  readonly SOURCES: string;
  readonly CHECKS_QUEUE_URL: string;
  readonly DEDUPE_TABLE_NAME: string;
  readonly MIN_RECHECK_INTERVAL_SECONDS?: string;
}
