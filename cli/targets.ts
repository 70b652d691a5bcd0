/**
 * Where the CLI's AWS commands (`pending`, `digest`, `redrive`) find the pipeline: a deployed
 * stack's outputs (`--stack <name>`, CloudFormation DescribeStacks), the running `npm start`
 * (.local/state.json), or environment variables — in that order. No hand-typed names needed.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ACCOUNT_NAME } from '#lib/domain/accounts.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import {
  ACCOUNT_KEY_OUTPUT_DESCRIPTION,
  ACCOUNT_RATE_OUTPUT_DESCRIPTION,
  OUTPUTS,
  SLACK_BUFFER_OUTPUT_DESCRIPTION,
} from '#lib/domain/stack-outputs.js';
import { type Io, UsageError } from './io.js';
import { readLocalState } from './local-state.js';

export interface Targets {
  /** Client settings: the local emulator's, or none (the AWS SDK's own credential and region chain). */
  aws: { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  stateTableName?: string;
  rateLimitTableName?: string;
  iaApiKeySecretName?: string;
  alertsTopicArn?: string;
  /** The alert bus every alert also goes to, when the deployment has one (`alertBus`). */
  alertBusName?: string;
  checksQueueUrl?: string;
  deadLetterQueueUrl?: string;
  slackDeadLetterQueueUrl?: string;
  slackBuffers: Record<string, string>;
  /** Each IA account's key secret, with `iaAccounts`. */
  accountKeySecrets?: Record<string, string>;
  /** The deployment's IA requests per second, and each account's (what the CLI books at). */
  iaRatePerSecond?: number;
  accountRates?: Record<string, number>;
  includeCandidateEmail: boolean;
  /** The trigger variables the deployment's sweep reads (`TRIGGERS`, `TRIGGER_SILENT_…`): trigger health. */
  triggerEnv?: Record<string, string | undefined>;
  /** Where they came from, for messages. */
  from: string;
}

const compactTargets = (targets: Targets): Targets =>
  Object.fromEntries(Object.entries(targets).filter(([, v]) => v !== undefined && v !== '')) as unknown as Targets;

type Output = { OutputKey?: string; OutputValue?: string; Description?: string };

/**
 * Which `ReviewAlerts` an output belongs to: CDK names an output `<path><Key><hash>` (our own app
 * places the construct as `Default`, which gives exactly `<Key>`). The path part, '' for ours.
 */
const ownerOf = (outputKey: string | undefined, key: string): string | undefined => {
  if (outputKey === key) return '';
  return new RegExp(`^([A-Za-z0-9]*?)${key}[0-9A-F]{8}$`).exec(outputKey ?? '')?.[1];
};

/** The construct whose outputs to use: the only one in the stack, or the one `--construct` names. */
const chooseConstruct = (outputs: Output[], stackName: string, wanted: string | undefined): string => {
  // Any output of ours names its construct: a stack may hold some (a check needs only the schedule's).
  const owners = [
    ...new Set(
      outputs
        .flatMap((o) => Object.values(OUTPUTS).map((key) => ownerOf(o.OutputKey, key)))
        .filter((o) => o !== undefined),
    ),
  ];
  if (owners.length === 0)
    throw new ConfigurationError(
      `stack ${stackName} has no ReviewAlerts outputs (deployed with stackOutputs false, or not this product's stack): deploy with stackOutputs true (the default), or leave out --stack and set ${Object.values(VARIABLE).join(', ')}`,
    );
  if (wanted !== undefined) {
    const id = wanted.replace(/[^A-Za-z0-9]/g, '');
    if (owners.includes(id)) return id;
    throw new UsageError(`stack ${stackName} holds no ReviewAlerts "${wanted}"; it holds: ${owners.join(', ')}`);
  }
  if (owners.length > 1)
    throw new UsageError(
      `stack ${stackName} holds ${owners.length} ReviewAlerts (${owners.join(', ')}): say which with --construct <id>`,
    );
  return owners[0] ?? '';
};

const fromStack = async (stackName: string, construct: string | undefined): Promise<Targets> => {
  let outputs: Output[];
  try {
    const { Stacks = [] } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    outputs = Stacks[0]?.Outputs ?? [];
  } catch (error) {
    throw new Error(`cannot read the outputs of stack ${stackName}: ${(error as Error).message.split('\n')[0]}`);
  }
  const owner = chooseConstruct(outputs, stackName, construct);
  const value = (key: string) => outputs.find((o) => ownerOf(o.OutputKey, key) === owner)?.OutputValue;
  const slackBuffers = Object.fromEntries(
    outputs
      .filter(
        (o) =>
          o.Description?.startsWith(`${SLACK_BUFFER_OUTPUT_DESCRIPTION} `) &&
          o.OutputValue &&
          o.OutputKey?.startsWith(`${owner}SlackBuffer`),
      )
      .map((o) => [
        (o.Description as string).slice(SLACK_BUFFER_OUTPUT_DESCRIPTION.length + 1),
        o.OutputValue as string,
      ]),
  );
  /** Outputs described as `<description><account name>`, by account. */
  const perAccount = (description: string) =>
    Object.fromEntries(
      outputs
        .filter((o) => o.Description?.startsWith(description) && o.OutputKey?.startsWith(owner))
        .map((o) => [(o.Description as string).slice(description.length), o.OutputValue as string]),
    );
  const rate = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return compactTargets({
    aws: {},
    accountKeySecrets: perAccount(ACCOUNT_KEY_OUTPUT_DESCRIPTION),
    accountRates: Object.fromEntries(
      Object.entries(perAccount(ACCOUNT_RATE_OUTPUT_DESCRIPTION)).map(([name, text]) => [name, Number(text)]),
    ),
    iaRatePerSecond: rate(value(OUTPUTS.iaRatePerSecond)),
    stateTableName: value(OUTPUTS.stateTableName),
    rateLimitTableName: value(OUTPUTS.rateLimitTableName),
    iaApiKeySecretName: value(OUTPUTS.iaApiKeySecretName),
    alertsTopicArn: value(OUTPUTS.alertsTopicArn),
    alertBusName: value(OUTPUTS.alertBusName),
    checksQueueUrl: value(OUTPUTS.checksQueueUrl),
    deadLetterQueueUrl: value(OUTPUTS.deadLetterQueueUrl),
    slackDeadLetterQueueUrl: value(OUTPUTS.slackDeadLetterQueueUrl),
    slackBuffers,
    includeCandidateEmail: value(OUTPUTS.includeCandidateEmail) === 'true',
    triggerEnv: triggerEnvFrom(value(OUTPUTS.triggers)),
    from: `stack ${stackName}`,
  });
};

const isRunning = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const resolveTargets = async (flags: Record<string, string | boolean | undefined>, io: Io): Promise<Targets> => {
  if (typeof flags.stack === 'string')
    return fromStack(flags.stack, typeof flags.construct === 'string' ? flags.construct : undefined);
  const local = readLocalState(io.env, flags.local === true);
  // A state file whose npm start has stopped (Ctrl-C before 0.3 left it; a crash still can).
  if ((local && !isRunning(local.pid)) || (!local && flags.local === true)) {
    throw new ConfigurationError(
      'the local pipeline is not running: start it with `npm start` in another terminal (or give --stack <name>)',
    );
  }
  if (local) {
    return {
      aws: {
        endpoint: local.motoEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      },
      stateTableName: local.stateTableName,
      alertsTopicArn: local.alertsTopicArn,
      ...(local.alertBusName ? { alertBusName: local.alertBusName } : {}),
      checksQueueUrl: local.checksQueueUrl,
      deadLetterQueueUrl: local.deadLetterQueueUrl,
      slackDeadLetterQueueUrl: local.slackDeadLetterQueueUrl,
      slackBuffers: local.slackBuffers,
      includeCandidateEmail: false,
      ...(local.triggerEnv ? { triggerEnv: local.triggerEnv } : {}),
      from: 'the running npm start',
    };
  }
  return compactTargets({
    aws: {},
    stateTableName: io.env.STATE_TABLE_NAME,
    alertsTopicArn: io.env.ALERTS_TOPIC_ARN,
    alertBusName: io.env.ALERT_BUS,
    checksQueueUrl: io.env.CHECKS_QUEUE_URL,
    deadLetterQueueUrl: io.env.DEAD_LETTER_QUEUE_URL,
    slackDeadLetterQueueUrl: io.env.SLACK_DEAD_LETTER_QUEUE_URL,
    slackBuffers: slackBuffersFrom(io.env.SLACK_BUFFERS),
    includeCandidateEmail: io.env.INCLUDE_CANDIDATE_EMAIL === 'true',
    triggerEnv: io.env.TRIGGERS
      ? {
          TRIGGERS: io.env.TRIGGERS,
          TRIGGER_SILENT_AFTER_SECONDS: io.env.TRIGGER_SILENT_AFTER_SECONDS,
          TRIGGER_SILENT_COMPLETIONS: io.env.TRIGGER_SILENT_COMPLETIONS,
        }
      : undefined,
    // `npm run cli` points at the local pipeline: say that it is not running.
    from: io.env.IA_ALERTS_LOCAL_STATE ? 'the environment (the local pipeline is not running)' : 'the environment',
  });
};

/** The `Triggers` output: a JSON object of the sweep's trigger variables. */
const triggerEnvFrom = (text: string | undefined): Record<string, string> | undefined => {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, string>;
  } catch {
    // not JSON: refused below
  }
  throw new ConfigurationError(`the stack's ${OUTPUTS.triggers} output is not the JSON this CLI reads`);
};

/** `SLACK_BUFFERS`: `{"<channel>": "<buffer queue URL>"}`, what a stack's outputs would say. */
const slackBuffersFrom = (text: string | undefined): Record<string, string> => {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((url) => typeof url !== 'string')
  )
    throw new ConfigurationError('SLACK_BUFFERS must be a JSON object of channel name to buffer queue URL');
  return value as Record<string, string>;
};

/** `--account`, checked: an account name, or undefined. */
export const accountFlag = (flags: Record<string, string | boolean | undefined>): string | undefined => {
  if (flags.account === undefined) return undefined;
  if (typeof flags.account !== 'string' || !ACCOUNT_NAME.test(flags.account))
    throw new UsageError(`--account must be an account name (1-32 of a-z, 0-9, "-"), got "${String(flags.account)}"`);
  return flags.account;
};

/** The variable that names each target when there is no stack or local pipeline to read. */
const VARIABLE: Partial<Record<keyof Targets, string>> = {
  stateTableName: 'STATE_TABLE_NAME',
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  alertBusName: 'ALERT_BUS',
  checksQueueUrl: 'CHECKS_QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  slackDeadLetterQueueUrl: 'SLACK_DEAD_LETTER_QUEUE_URL',
  slackBuffers: 'SLACK_BUFFERS',
};

/** A target the command cannot do without, or a configuration error that says where to get it. */
export const required = <K extends keyof Targets>(targets: Targets, key: K, what: string): NonNullable<Targets[K]> => {
  const value = targets[key];
  if (value === undefined || value === '') {
    const variable = VARIABLE[key];
    throw new ConfigurationError(
      `no ${what} from ${targets.from}: give --stack <name> (the deployed stack)${
        variable ? `, set ${variable}` : ''
      }, or --local with npm start running`,
    );
  }
  return value as NonNullable<Targets[K]>;
};
