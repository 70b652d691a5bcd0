/** The `ingest` function's environment contract (functions/lib/runtime/environment.ts). */
export interface IngestEnvironment {
  /** The webhook sources as JSON, each with the name of its secret (sources.ts). */
  readonly SOURCES: string;
  readonly CHECKS_QUEUE_URL: string;
  readonly DEDUPE_TABLE_NAME: string;
  readonly MIN_RECHECK_INTERVAL_SECONDS?: string;
  /** Claims ("I'm on it"): the secret holding the email links' key and the Slack app's signing secret; unset, no claim routes. */
  readonly CLAIMS_SECRET_NAME?: string;
  /**
   * The state table: each source's trigger health (`trigger#<name>` items only), and for claims only
   * the attributes a claim reads and writes (adapters/claim-store.ts).
   */
  readonly STATE_TABLE_NAME: string;
  /**
   * Where Slack interaction replies may go, comma-separated origins: Slack's own hooks origin and
   * each Slack channel's `webhookOrigin` (GovSlack), or a local fake. Unset, `https://hooks.slack.com`.
   */
  readonly SLACK_ORIGINS?: string;
}
