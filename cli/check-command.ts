/** `ia-review-alerts check`: what the pipeline would decide and publish for an attempt, right now. */

import { createIaClient } from '#lib/adapters/ia-client.js';
import { toPublishInput } from '#lib/adapters/publish.js';
import { buildAlert } from '#lib/domain/alert.js';
import { isCompleted } from '#lib/domain/attempt.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { type Evaluation, evaluateReference } from '#lib/domain/evaluate.js';
import { isIaId } from '#lib/domain/ids.js';
import { loadIaSettings, loadRenderSettings } from '#lib/runtime/config.js';
import { cliPacer } from './ia-pacing.js';
import { type Io, UsageError } from './io.js';
import { accountFlag } from './targets.js';

const describe = (evaluation: Evaluation, now: Date, io: Io, account: string | undefined) => {
  const { attempt, decision } = evaluation;
  if (!isCompleted(attempt)) {
    return {
      attemptId: attempt.id,
      decision: 'not-completed',
      notification: null,
      note: 'not completed by the candidate yet: nothing to decide (the sweep finds it once it is)',
    };
  }
  if (decision === 'scoring.pending') {
    return {
      attemptId: attempt.id,
      decision,
      notification: null,
      note: 'scoring not completed: the pipeline re-checks later',
    };
  }
  const built = buildAlert(decision, attempt, { now, settings: loadRenderSettings(io.env), source: 'cli' });
  const alert = account === undefined ? built : { ...built, account };
  const publish = toPublishInput('arn:aws:sns:<region>:<account>:<alerts-topic>', alert);
  const bodies = JSON.parse(publish.Message as string) as { email: string };
  const attributes = Object.fromEntries(
    Object.entries(publish.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
  );
  return {
    attemptId: attempt.id,
    decision,
    notification: { subject: publish.Subject, attributes, email: bodies.email, alert },
  };
};

export const checkCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length !== 1) throw new UsageError('check needs exactly one id');
  const apiKey = io.env.IA_API_KEY?.trim();
  if (!apiKey) throw new ConfigurationError('set IA_API_KEY to your Indeed Assessments API key');
  const id = positionals[0] as string;
  if (!isIaId(id)) throw new UsageError(`"${id}" is not an IA id`);

  const account = accountFlag(flags);
  const settings = loadIaSettings(io.env);
  // The same client and retries as the check function.
  const ia = createIaClient({
    ...settings,
    apiKey: () => apiKey,
    pace: await cliPacer(flags, io, settings.ratePerSecond),
  });
  const reference = flags.assignment ? { assignmentId: id } : { attemptId: id };
  const { evaluations, failures } = await evaluateReference(reference, ia);
  const now = new Date();
  const results = evaluations.map((evaluation) => ({
    ...(flags.assignment ? { assignmentId: id } : {}),
    ...describe(evaluation, now, io, account),
  }));

  for (const result of results) {
    if (flags.json) {
      io.out(`${JSON.stringify(result)}\n`);
      continue;
    }
    io.out(`attempt ${result.attemptId}: ${result.decision}\n`);
    if (result.notification) {
      io.out(`\nwould publish (attributes ${JSON.stringify(result.notification.attributes)}):\n`);
      io.out(`Subject: ${result.notification.subject}\n\n${result.notification.email}\n`);
    } else {
      io.out(`${result.note}\n`);
    }
  }
  if (flags.assignment && results.length === 0 && failures.length === 0)
    io.out(`assignment ${id} has no attempts yet\n`);
  // The attempts that could be checked are printed above; the first that could not fails the run.
  if (failures[0]) throw failures[0].error;
};
