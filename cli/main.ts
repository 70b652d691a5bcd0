/**
 * `ia-review-alerts`: the ops CLI. Uses the same IA client, retry and pacing rules, decision and
 * rendering as the Lambda functions; needs no AWS for `check`.
 *
 * Exit codes: 0 success, 1 API or validation failure (error class and reason on stderr),
 * 2 usage error (usage text on stderr).
 */

import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { IA_DEFAULTS } from '#lib/domain/defaults.js';
import { nearest } from '#lib/domain/nearest.js';
import packageJson from '../package.json' with { type: 'json' };
import { ackCommand } from './ack-command.js';
import { checkCommand } from './check-command.js';
import { digestCommand } from './digest-command.js';
import { type Io, UsageError } from './io.js';
import { pendingCommand } from './pending-command.js';
import { previewCommand } from './preview-command.js';
import { redriveCommand } from './redrive-command.js';
import { signCommand } from './sign-command.js';
import { sourcesCommand } from './sources-command.js';
import { sweepCommand } from './sweep-command.js';
import { testAlertCommand } from './test-alert-command.js';

type Command = (positionals: string[], flags: Record<string, string | boolean | undefined>, io: Io) => Promise<void>;

const COMMANDS: Record<string, { run: Command; options: ParseArgsOptionsConfig; usage: string }> = {
  check: {
    run: checkCommand,
    options: {
      assignment: { type: 'boolean' },
      json: { type: 'boolean' },
      stack: { type: 'string' },
      account: { type: 'string' },
    },
    usage: `check <attemptId> [--assignment] [--json] [--stack NAME] [--account NAME]
      Fetch an attempt (or, with --assignment, an assignment's attempts) from the IA API,
      print the decision and the notification it would publish. Needs IA_API_KEY;
      IA_API_BASE_URL defaults to ${IA_DEFAULTS.baseUrl}. With --stack, its requests book on
      the deployed pipeline's schedule for the key (IA allows 1 request/s per key); without,
      it paces alone and says so. --account: the attempt is that IA account's (iaAccounts): the
      notification names it, and --stack books on that account's key (IA_API_KEY is its key).`,
  },
  sweep: {
    run: sweepCommand,
    options: {
      days: { type: 'string' },
      json: { type: 'boolean' },
      stack: { type: 'string' },
      account: { type: 'string' },
    },
    usage: `sweep [--days N] [--json] [--stack NAME] [--account NAME]
      Walk IA's assignment list, newest first, back N days (default 30) with the same client,
      retries and pacing as the sweep function, and print every completed attempt once with
      the decision the pipeline would take; --json: one {"attemptId","assignmentId","decision"}
      line each. Needs IA_API_KEY. Reads only. --stack: pace on the deployed pipeline's
      schedule for the key, as with check (--account: that account's key).`,
  },
  sign: {
    run: signCommand,
    options: {
      source: { type: 'string' },
      body: { type: 'string' },
      url: { type: 'string' },
      kind: { type: 'string' },
    },
    usage: `sign --source <name> --body <file> [--url <WebhookUrl>] [--kind <kind>]
      Print a curl command that delivers <file> as that source's sender would, signed.
      Against \`npm start\` (--local; \`npm run cli\` sets it) it needs nothing else; for a deployment give --url, --kind
      (standard-webhooks, greenhouse, lever, ia-callback) and WEBHOOK_SECRET.`,
  },
  preview: {
    run: previewCommand,
    options: { format: { type: 'string' }, event: { type: 'string' } },
    usage: `preview <file> [--format email|slack|slack-json|chat|teams] [--event <eventType>]
      Render the alert for an attempt or assignment JSON file as subscribers would get it
      (default: the event the pipeline would decide).`,
  },
  pending: {
    run: pendingCommand,
    options: {
      json: { type: 'boolean' },
      assessment: { type: 'string' },
      'older-than': { type: 'string' },
      stack: { type: 'string' },
      account: { type: 'string' },
    },
    usage: `pending [--json] [--assessment ID] [--account NAME] [--older-than 24h] [--stack NAME]
      List the attempts waiting for a human review, oldest first: waiting since, pending
      count, candidate (name only unless the deployment includes emails), assessment, ids,
      link (and the IA account, with several). --account: that account's only. --json: one object per line. Reads the deployed stack's outputs with --stack
      (AWS credentials from the environment), or the running npm start with --local (\`npm run cli\`
      in the checkout sets it), or STATE_TABLE_NAME.`,
  },
  ack: {
    run: ackCommand,
    options: {
      by: { type: 'string' },
      release: { type: 'boolean' },
      force: { type: 'boolean' },
      account: { type: 'string' },
      stack: { type: 'string' },
      json: { type: 'boolean' },
    },
    usage: `ack <attemptId> --by NAME [--release [--force]] [--account NAME] [--stack NAME] [--json]
      Say "I'm on it" for an attempt whose reviews wait: escalation stops, and reminders,
      pending and the digest name NAME until the reviews are done (review.completed says how
      long they took from the claim). A claim held by someone else is refused, naming them
      (exit 1). --release lets your claim go (--force: someone else's). Reads and writes the
      state table: --stack NAME, --local, or STATE_TABLE_NAME.`,
  },
  sources: {
    run: sourcesCommand,
    options: { json: { type: 'boolean' }, stack: { type: 'string' } },
    usage: `sources [--json] [--stack NAME]
      Each trigger (webhook source, each account's EventBridge trigger): its last event, events
      a day, the completions only the sweep found since, and whether it is silent (quiet while
      the sweep finds what it should have announced: its TriggerSilent alarm). --json: one
      object per line.`,
  },
  digest: {
    run: digestCommand,
    options: { now: { type: 'boolean' }, stack: { type: 'string' } },
    usage: `digest --now [--stack NAME]
      Build the digest of what waits for review and publish it to the alerts topic now,
      as the scheduled digest does (email, Slack and chat subscribers receive it).`,
  },
  'test-alert': {
    run: testAlertCommand,
    options: {
      event: { type: 'string' },
      account: { type: 'string' },
      assessment: { type: 'string' },
      stack: { type: 'string' },
      json: { type: 'boolean' },
    },
    usage: `test-alert [--stack NAME] [--event review.needed] [--account NAME] [--assessment ID] [--json]
      After a deploy: publish one clearly marked test alert (attempt test-alert-…, subject
      [TEST]) through the alerts topic and the alert bus, with the attributes a real one of
      that event type, account and assessment carries, and list each subscription and bus rule
      with whether its filter takes it. It counts nowhere: no metric, pending entry or digest.`,
  },
  redrive: {
    run: redriveCommand,
    options: {
      'dry-run': { type: 'boolean' },
      limit: { type: 'string' },
      'dlq-url': { type: 'string' },
      'queue-url': { type: 'string' },
      stack: { type: 'string' },
      slack: { type: 'boolean' },
    },
    usage: `redrive [--dry-run] [--limit N] [--stack NAME] [--slack] [--dlq-url URL] [--queue-url URL]
      Move dead-lettered check requests back to the checks queue after a fix (ids IA answered
      404 for are asked again), or with --slack failed Slack posts back to their own channel's
      buffer, and report each with the reason it had failed. Queues come from the stack's
      outputs (--stack), the running npm start (--local), explicit URLs, or DEAD_LETTER_QUEUE_URL /
      CHECKS_QUEUE_URL (--slack: SLACK_DEAD_LETTER_QUEUE_URL and SLACK_BUFFERS, a JSON object of
      channel name to buffer queue URL).`,
  },
};

const EXIT_CODES = 'exit codes: 0 ok, 1 API, configuration or validation failure, 2 usage error\n';

const GLOBAL_OPTIONS = `options for every command: --help (that command's usage), --json (results as JSON lines on
stdout from check, sweep, pending, digest, redrive and test-alert; preview has --format slack-json;
errors of every command as one JSON line on stderr), --local (the running npm start's resources; \`npm run cli\` in the checkout sets it),
--construct ID with --stack (which ReviewAlerts, when the stack holds more than one)`;

export const USAGE = `usage: ia-review-alerts <command> [options]    (ia-review-alerts help <command> for one)
       ia-review-alerts --version

commands:
${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}`)
  .join('\n\n')}

${GLOBAL_OPTIONS}

${EXIT_CODES}`;

const commandUsage = (name: string) => `usage: ia-review-alerts ${COMMANDS[name]?.usage}\n\n${EXIT_CODES}`;

export const run = async (argv: string[], io: Io): Promise<number> => {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  const json = argv.includes('--json');
  try {
    if (name === '--version' || name === '-V' || name === 'version') {
      io.out(`${packageJson.version}\n`);
      return 0;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = rest[0];
      if (topic === undefined) io.out(USAGE);
      else if (COMMANDS[topic]) io.out(commandUsage(topic));
      else throw new UsageError(`unknown command "${topic}"`);
      return 0;
    }
    if (!command) {
      const meant = name === undefined ? undefined : nearest(name, Object.keys(COMMANDS));
      throw new UsageError(
        name === undefined
          ? 'missing command'
          : `unknown command "${name}"${meant ? `; did you mean "${meant}"?` : ''}`,
      );
    }
    const options: ParseArgsOptionsConfig = {
      ...command.options,
      help: { type: 'boolean', short: 'h' },
      local: { type: 'boolean' },
      construct: { type: 'string' },
      json: { type: 'boolean' },
    };
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (error) {
      const unknown = /Unknown option '--([^']+)'/.exec((error as Error).message)?.[1];
      const meant = unknown === undefined ? undefined : nearest(unknown, Object.keys(options));
      throw new UsageError(
        unknown === undefined
          ? (error as Error).message
          : `unknown option "--${unknown}" for ${name}${meant ? `; did you mean "--${meant}"?` : ''}`,
      );
    }
    if (parsed.values.help) {
      io.out(commandUsage(name as string));
      return 0;
    }
    await command.run(parsed.positionals, parsed.values as Record<string, string | boolean | undefined>, io);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    const { name: errorClass, message } = error instanceof Error ? error : new Error(String(error));
    const line = message.split('\n')[0] as string;
    if (json) {
      io.err(`${JSON.stringify({ error: usage ? 'UsageError' : errorClass, message: line })}\n`);
    } else if (usage) {
      // The usage of the command that was meant, or the list of commands.
      io.err(`error: ${line}\n\n${command ? commandUsage(name as string) : USAGE}`);
    } else {
      io.err(`${errorClass}: ${line}\n`);
    }
    return usage ? 2 : 1;
  }
};

export type { Io } from './io.js';
