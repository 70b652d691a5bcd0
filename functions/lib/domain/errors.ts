/**
 * Named errors a caller can branch on. `retryable` is the only thing the pipeline needs to
 * know to choose between "try again later" (the record goes back to the queue) and "this can
 * never succeed" (the record goes to the DLQ at once, with `code` as the reason).
 * Messages never carry secrets or response bodies.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The attempt or assignment does not exist, or this key cannot see it. */
export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly retryable = false;
}

/** 401/403: the API key is wrong, revoked or lacks access. Stops everything: alarm on it. */
export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
  readonly retryable = false;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 429 that outlasted the client's own retries; `retryAfterSeconds` says when to come back. */
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  readonly retryable = true;
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** Any other 4xx (400, 410, ...): our request is wrong; repeating it will not help. */
export class RequestRejectedError extends AppError {
  readonly code = 'request_rejected';
  readonly retryable = false;
}

/** 5xx, timeouts, resets: the upstream is unwell; try again later. */
export class UpstreamError extends AppError {
  readonly code = 'upstream_failure';
  readonly retryable = true;
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** IA did not answer at all: the request timed out, or the connection was refused or reset. */
export class IaNoAnswerError extends UpstreamError {}

/** The body is not JSON, or not an attempt/assignment we can decide on. */
export class MalformedResponseError extends AppError {
  readonly code = 'malformed_response';
  readonly retryable = false;
}

/** A queue message that is not `{"attemptId": ...}` or `{"assignmentId": ...}`. */
export class InvalidMessageError extends AppError {
  readonly code = 'invalid_message';
  readonly retryable = false;
}

/** Someone else updated the attempt's state between our read and write: re-run with fresh state. */
export class StateConflictError extends AppError {
  readonly code = 'state_conflict';
  readonly retryable = true;
}

/**
 * Another invocation holds the same effect's key right now (an alert being published elsewhere):
 * like a state conflict, settled in moments, so retried soon rather than after a long backoff.
 */
export class EffectInProgressError extends AppError {
  readonly code = 'effect_in_progress';
  readonly retryable = true;
}

/** Slack refused the payload (400 invalid_payload / invalid_blocks / no_text): our bug; retrying cannot help. */
export class SlackRejectedError extends AppError {
  readonly code = 'slack_rejected_payload';
  readonly retryable = false;
}

/** The Slack destination is gone (403/404/410: revoked, deleted or archived): someone must fix the channel. */
export class SlackGoneError extends AppError {
  readonly code = 'slack_destination_gone';
  readonly retryable = false;
}

/** Deployment problem (empty secret, missing variable): retried, since a fix makes it succeed. */
export class ConfigurationError extends AppError {
  readonly code = 'configuration';
  readonly retryable = true;
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** A one-line reason safe for logs, DLQ attributes and CLI output. */
export const describeError = (error: unknown): { code: string; message: string; retryable: boolean } =>
  isAppError(error)
    ? { code: error.code, message: error.message, retryable: error.retryable }
    : { code: 'internal', message: error instanceof Error ? error.message : String(error), retryable: true };
