/**
 * Environment contracts: what the stack, `npm start` and the bench set for each function and what
 * its config loader reads, one interface per function (in its folder), built from these parts. A
 * name is spelled once; a typo in the construct, the local pipeline or a loader is a compile error.
 * Values are strings, as Lambda passes them; optional ones fall back to the defaults in
 * defaults.ts. This file holds types only: the construct library compiles it too.
 */

/** What a loader takes: the contract's names, each possibly unset (it checks what is required). */
export type EnvironmentOf<Contract> = { readonly [Name in keyof Contract]?: string | undefined };

/** What Lambda itself sets in every function's environment (the stack cannot set these). */
export interface LambdaEnvironment {
  /** The function's name: the prefix Powertools gave idempotency keys before 0.3, each function its own. */
  readonly AWS_LAMBDA_FUNCTION_NAME?: string;
}

/** How a failing SQS record is retried (record-disposition.ts): the stack keeps the defaults. */
export interface RetryEnvironment {
  readonly RETRY_MAX_RECEIVES?: string;
  readonly RETRY_FIRST_DELAY_SECONDS?: string;
  readonly RETRY_MAX_DELAY_SECONDS?: string;
}

export interface RenderEnvironment {
  readonly INCLUDE_CANDIDATE_EMAIL?: string;
  readonly IA_ATTEMPT_URL_TEMPLATE?: string;
}

/** Every function that publishes alerts exactly once. */
export interface AlertEnvironment extends RenderEnvironment {
  readonly ALERTS_TOPIC_ARN: string;
  readonly STATE_TABLE_NAME: string;
  readonly IDEMPOTENCY_TABLE_NAME: string;
  readonly ALERT_DEDUPE_SECONDS?: string;
  /** The alert bus's name or ARN: every alert also goes there as an event. */
  readonly ALERT_BUS?: string;
  /** Claims: the email links' page (`<api>/claims/email`) and the secret whose `linkKey` signs them. */
  readonly CLAIM_LINK_URL?: string;
  readonly CLAIMS_SECRET_NAME?: string;
}

/** Trigger health (domain/trigger-health.ts): the deployment's triggers and when one is silent. */
export interface TriggerEnvironment {
  /** JSON: `[{"name","kind","account"}]`, every webhook source and each account's EventBridge trigger. */
  readonly TRIGGERS?: string;
  readonly TRIGGER_SILENT_AFTER_SECONDS?: string;
  readonly TRIGGER_SILENT_COMPLETIONS?: string;
  readonly TRIGGER_GRACE_SECONDS?: string;
}

/** The IA client; the CLI reads the same names. */
export interface IaEnvironment {
  readonly IA_API_BASE_URL?: string;
  readonly IA_RATE_PER_SECOND?: string;
  readonly IA_TIMEOUT_MS?: string;
  readonly IA_TOTAL_TIMEOUT_MS?: string;
  readonly IA_MAX_RETRY_AFTER_MS?: string;
  readonly IA_CIRCUIT_OPEN_MS?: string;
}

export interface WatchEnvironment {
  readonly RECHECK_FIRST_DELAY_SECONDS?: string;
  readonly RECHECK_MAX_DELAY_SECONDS?: string;
  readonly SCORING_DEADLINE_SECONDS?: string;
  readonly WATCH_INTERVAL_SECONDS?: string;
  readonly REVIEW_SLA_SECONDS?: string;
  readonly MAX_REMINDERS?: string;
  readonly MAX_WATCH_SECONDS?: string;
  readonly ESCALATE_AFTER_SECONDS?: string;
}

/** `check` and the sweep: both look at attempts through the paced IA client and the lifecycle. */
export interface LifecycleEnvironment extends AlertEnvironment, IaEnvironment, WatchEnvironment {
  readonly CHECKS_QUEUE_URL: string;
  /** The first (or only) account's key secret. */
  readonly IA_API_KEY_SECRET: string;
  /** Several IA accounts as JSON: name, apiKeySecret, ratePerSecond, sweep (runtime/config.ts). */
  readonly IA_ACCOUNTS?: string;
  readonly RATE_LIMIT_TABLE_NAME: string;
  /**
   * The SSM parameter naming check's and the sweep's functions: up to 0.2 each wrote its alerts'
   * idempotency keys under its own name, and those keys still count until they expire.
   */
  readonly LEGACY_KEY_PREFIXES_PARAMETER?: string;
}
