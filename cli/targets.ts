/**
 * Where the CLI's AWS commands (`pending`, `digest`, `redrive`) find the pipeline: a deployed
 * stack's outputs (`--stack <name>`, CloudFormation DescribeStacks), the running `npm start`
 * (.local/state.json), or environment variables — in that order. No hand-typed names needed.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { OUTPUTS, SLACK_BUFFER_OUTPUT_DESCRIPTION } from '#lib/domain/stack-outputs.js';
import { type Io, UsageError } from './io.js';
import { readLocalState } from './local-state.js';

export interface Targets {
  /** Client settings: the local emulator's, or none (the AWS SDK's own credential and region chain). */
  aws: { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  stateTableName?: string;
  rateLimitTableName?: string;
  iaApiKeySecretName?: string;
  alertsTopicArn?: string;
  checksQueueUrl?: string;
  deadLetterQueueUrl?: string;
  slackDeadLetterQueueUrl?: string;
  slackBuffers: Record<string, string>;
  includeCandidateEmail: boolean;
  /** Where they came from, for messages. */
  from: string;
}

const compactTargets = (targets: Targets): Targets =>
  Object.fromEntries(Object.entries(targets).filter(([, v]) => v !== undefined && v !== '')) as unknown as Targets;

const fromStack = async (stackName: string): Promise<Targets> => {
  let outputs: Array<{ OutputKey?: string; OutputValue?: string; Description?: string }>;
  try {
    const { Stacks = [] } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    outputs = Stacks[0]?.Outputs ?? [];
  } catch (error) {
    throw new Error(`cannot read the outputs of stack ${stackName}: ${(error as Error).message.split('\n')[0]}`);
  }
  const value = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue;
  const slackBuffers = Object.fromEntries(
    outputs
      .filter((o) => o.Description?.startsWith(`${SLACK_BUFFER_OUTPUT_DESCRIPTION} `) && o.OutputValue)
      .map((o) => [
        (o.Description as string).slice(SLACK_BUFFER_OUTPUT_DESCRIPTION.length + 1),
        o.OutputValue as string,
      ]),
  );
  return compactTargets({
    aws: {},
    stateTableName: value(OUTPUTS.stateTableName),
    rateLimitTableName: value(OUTPUTS.rateLimitTableName),
    iaApiKeySecretName: value(OUTPUTS.iaApiKeySecretName),
    alertsTopicArn: value(OUTPUTS.alertsTopicArn),
    checksQueueUrl: value(OUTPUTS.checksQueueUrl),
    deadLetterQueueUrl: value(OUTPUTS.deadLetterQueueUrl),
    slackDeadLetterQueueUrl: value(OUTPUTS.slackDeadLetterQueueUrl),
    slackBuffers,
    includeCandidateEmail: value(OUTPUTS.includeCandidateEmail) === 'true',
    from: `stack ${stackName}`,
  });
};

export const resolveTargets = async (flags: Record<string, string | boolean | undefined>, io: Io): Promise<Targets> => {
  if (typeof flags.stack === 'string') return fromStack(flags.stack);
  const local = readLocalState(io.env, flags.local === true);
  if (local) {
    return {
      aws: {
        endpoint: local.motoEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      },
      stateTableName: local.stateTableName,
      alertsTopicArn: local.alertsTopicArn,
      checksQueueUrl: local.checksQueueUrl,
      deadLetterQueueUrl: local.deadLetterQueueUrl,
      slackDeadLetterQueueUrl: local.slackDeadLetterQueueUrl,
      slackBuffers: local.slackBuffers,
      includeCandidateEmail: false,
      from: 'the running npm start',
    };
  }
  return compactTargets({
    aws: {},
    stateTableName: io.env.STATE_TABLE_NAME,
    alertsTopicArn: io.env.ALERTS_TOPIC_ARN,
    checksQueueUrl: io.env.CHECKS_QUEUE_URL,
    deadLetterQueueUrl: io.env.DEAD_LETTER_QUEUE_URL,
    slackBuffers: {},
    includeCandidateEmail: io.env.INCLUDE_CANDIDATE_EMAIL === 'true',
    from: 'the environment',
  });
};

/** A target the command cannot do without, or a usage error that says where to get it. */
export const required = <K extends keyof Targets>(targets: Targets, key: K, what: string): NonNullable<Targets[K]> => {
  const value = targets[key];
  if (value === undefined || value === '') {
    throw new UsageError(
      `no ${what} from ${targets.from}: give --stack <name> (the deployed stack), start the local pipeline, or set the environment`,
    );
  }
  return value as NonNullable<Targets[K]>;
};
