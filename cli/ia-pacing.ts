/**
 * How the CLI's IA commands (`check`, `sweep`) pace the key. With `--stack`, on the deployed
 * pipeline's own schedule for the key (the rate-limit table in its outputs), so the CLI, `check`
 * and the sweep together stay within IA's 1 request/s; without, in this process alone, and the
 * CLI says so.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoSlotStore } from '#lib/adapters/shared-pacer.js';
import { iaScheduleKey, pacedIntervalMs } from '#lib/domain/defaults.js';
import { keyPacer, type Pacer } from '#lib/domain/pacing.js';
import { type Io, UsageError } from './io.js';
import { accountFlag, required, resolveTargets } from './targets.js';

const fail = (message: string): never => {
  throw new UsageError(message);
};

/** A walk can wait behind the pipeline's own bookings; it waits rather than fail. */
const CLI_MAX_WAIT_MS = 10 * 60_000;

export const cliPacer = async (
  flags: Record<string, string | boolean | undefined>,
  io: Io,
  ratePerSecond: number,
): Promise<Pacer> => {
  if (typeof flags.stack !== 'string') {
    io.err(
      'pacing alone: this process keeps the key under its limit only if nothing else uses it; ' +
        'with a deployed pipeline on the same key, give --stack <name> to book on its schedule\n',
    );
    return keyPacer({ intervalMs: pacedIntervalMs(ratePerSecond) });
  }
  const targets = await resolveTargets(flags, io);
  const tableName = required(targets, 'rateLimitTableName', 'rate-limit table');
  const account = accountFlag(flags);
  const secretName =
    account === undefined
      ? required(targets, 'iaApiKeySecretName', 'IA API key secret name')
      : (targets.accountKeySecrets?.[account] ??
        fail(
          `stack ${String(flags.stack)} serves no IA account "${account}"; it serves: ${Object.keys(targets.accountKeySecrets ?? {}).join(', ') || 'one key, no accounts'}`,
        ));
  // At the key's own rate, as the deployment paces it: the CLI's environment does not know it.
  const keyRate = (account === undefined ? targets.iaRatePerSecond : targets.accountRates?.[account]) ?? ratePerSecond;
  return saysWhenWaiting(
    keyPacer({
      intervalMs: pacedIntervalMs(keyRate),
      shared: {
        store: dynamoSlotStore(new DynamoDBClient(targets.aws), tableName),
        key: iaScheduleKey(secretName),
        maxWaitMs: CLI_MAX_WAIT_MS,
      },
    }),
    io,
  );
};

/** Behind the pipeline's bookings a slot can be minutes away: say so on a terminal, once a second. */
export const saysWhenWaiting =
  (pace: Pacer, io: Io): Pacer =>
  async () => {
    if (!io.progress) return pace();
    const started = Date.now();
    const timer = setInterval(
      () =>
        io.progress?.(
          `waiting ${Math.round((Date.now() - started) / 1000)} s for a slot on the deployed key's schedule (the pipeline books first)`,
        ),
      1000,
    );
    try {
      await pace();
    } finally {
      clearInterval(timer);
      if (Date.now() - started >= 1000) io.progress('');
    }
  };
