/**
 * An IA key that stops answering (timeouts, 5xx, refused connections) makes every call wait up to
 * the client's whole retry budget (20 s): a batch holding that account's records would spend its
 * invocation on them, and the checks queue, which every account shares, would stall behind them.
 * Seed 3480 (three accounts, 400 attempts a day): one account's three-hour timeout outage made
 * the other two's alerts late, and the backlog of their waiting passes outlasted it by hours.
 *
 * So an execution environment stops calling a key IA does not answer (a timeout, a refused
 * connection), or answered with a 5xx `errorsInARow` calls running (one attempt's 500 says nothing
 * of the others): for `openMs` every call fails at once with IaUnavailableError (retryable: the
 * record comes back after its delay, as after a failed call); then one call may try, and its
 * answer closes the circuit, or opens it again for twice as long, up to `maxOpenMs`. Only that
 * key: every account's client has its own.
 */
import {
  IaNoAnswerError,
  MalformedResponseError,
  NotFoundError,
  RequestRejectedError,
  UnauthorizedError,
  UpstreamError,
} from './errors.js';
import type { IaClient } from './ia.js';

export interface CircuitOptions {
  now: () => number;
  /** How long calls fail at once after a failure. @default 30 s (IA_DEFAULTS.circuitOpenMs) */
  openMs?: number;
  /** The longest it stays open, doubling after each failed try. @default 5 min */
  maxOpenMs?: number;
  /** 5xx answers in a row (each call already retried) that open it. @default 3 */
  errorsInARow?: number;
}

/** IA was not answering this key moments ago: not called again yet. */
export class IaUnavailableError extends UpstreamError {
  constructor(retryInMs: number) {
    super(`IA API is not answering this key; not called again for ${Math.ceil(retryInMs / 1000)} s`);
  }
}

/**
 * IA did not answer at all (timed out, refused the connection): the key's calls all wait so. Not
 * our own pacer giving up on a contended schedule, nor any other failure of ours.
 */
const noAnswer = (error: unknown) => error instanceof IaNoAnswerError;
const serverError = (error: unknown) => error instanceof UpstreamError && error.status !== undefined;
/** IA answered about the request (a 404, a refused key, a body we cannot read): it is up again. Not a 429, nor our own pacer. */
const answeredByIa = (error: unknown) =>
  error instanceof NotFoundError ||
  error instanceof UnauthorizedError ||
  error instanceof RequestRejectedError ||
  error instanceof MalformedResponseError;

export const withCircuit = (client: IaClient, options: CircuitOptions): IaClient => {
  const firstOpenMs = options.openMs ?? 30_000;
  const maxOpenMs = options.maxOpenMs ?? 300_000;
  const errorsInARow = options.errorsInARow ?? 3;
  let serverErrors = 0;
  let openUntil = Number.NEGATIVE_INFINITY;
  let openMs = 0;
  let trying = false;

  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    const now = options.now();
    if (now < openUntil) throw new IaUnavailableError(openUntil - now);
    // Open once: the one try since is still out, everyone else waits for its answer.
    if (openMs > 0 && trying) throw new IaUnavailableError(openMs);
    const probe = openMs > 0;
    trying = probe;
    try {
      const result = await run();
      openMs = 0;
      serverErrors = 0;
      return result;
    } catch (error) {
      serverErrors = serverError(error) ? serverErrors + 1 : 0;
      if (noAnswer(error) || serverErrors >= errorsInARow || (probe && serverError(error))) {
        // Longer only after a failed try: calls that were out together when it failed count once.
        openMs = probe ? Math.min(openMs * 2, maxOpenMs) : Math.max(openMs, firstOpenMs);
        openUntil = options.now() + openMs;
      } else if (probe && answeredByIa(error)) {
        openMs = 0;
      }
      throw error;
    } finally {
      if (probe) trying = false;
    }
  };

  return {
    getAttempt: (id, requestOptions) => call(() => client.getAttempt(id, requestOptions)),
    getAttemptIfChanged: (id, etag, requestOptions) => call(() => client.getAttemptIfChanged(id, etag, requestOptions)),
    getAssignment: (id, requestOptions) => call(() => client.getAssignment(id, requestOptions)),
    listAssignments: (page, per, requestOptions) => call(() => client.listAssignments(page, per, requestOptions)),
  };
};
