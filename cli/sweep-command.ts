/**
 * `ia-review-alerts sweep [--days N] [--json]`: walks IA's assignment list as the sweep function
 * does (same client, retries and pacing, same walk), down to the horizon, and prints each
 * completed attempt once with the decision the pipeline would take. Reads only; needs IA_API_KEY.
 */

import { createIaClient } from '#lib/adapters/ia-client.js';
import { walkAssignments } from '#lib/domain/assignment-walk.js';
import { decide } from '#lib/domain/decision.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { loadIaSettings } from '#lib/runtime/config.js';
import { cliPacer } from './ia-pacing.js';
import { type Io, UsageError } from './io.js';

const DEFAULT_DAYS = 30;
const PAGE_SIZE = 100;

export const sweepCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length > 0) throw new UsageError('sweep takes no positional arguments');
  const days = flags.days === undefined ? DEFAULT_DAYS : Number(flags.days);
  if (!(days > 0) || days > 3650) throw new UsageError('--days must be a number of days from 1 to 3650');
  const apiKey = io.env.IA_API_KEY?.trim();
  if (!apiKey) throw new ConfigurationError('set IA_API_KEY to your Indeed Assessments API key');
  const settings = loadIaSettings(io.env);
  // The same client, retries and pace (5 % under the key's limit) as the functions.
  const ia = createIaClient({
    ...settings,
    apiKey: () => apiKey,
    pace: await cliPacer(flags, io, settings.ratePerSecond),
  });
  let count = 0;
  let pages = 0;
  await walkAssignments(
    ia,
    { page: 1, per: PAGE_SIZE },
    { requestedPer: PAGE_SIZE, horizonDays: days, now: new Date() },
    async (outcome) => {
      if (outcome.kind !== 'page') return;
      pages += 1;
      for (const { attempt, assignmentId } of outcome.attempts) {
        count += 1;
        const decision = decide(attempt);
        io.out(
          flags.json
            ? `${JSON.stringify({ attemptId: attempt.id, assignmentId, decision })}\n`
            : `${attempt.id}  ${decision.padEnd(15)}  assignment ${assignmentId}  ${attempt.assessment.name ?? ''}\n`,
        );
      }
      // At IA's one request a second a month of the list takes minutes: say how far it has got.
      io.progress?.(`sweep: page ${pages}, ${count} completed attempt(s) so far (back ${days} day(s), 1 request/s)`);
    },
  );
  io.progress?.('');
  if (!flags.json) io.out(`${count} completed attempt(s) in the last ${days} day(s)\n`);
};
