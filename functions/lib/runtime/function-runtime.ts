/**
 * What a function is given where it runs: its environment and, where a harness provides them, its
 * AWS clients and the fetch it reaches IA with. Lambda gives `process.env` and nothing else, so
 * each function makes its own clients once, at init; `npm start`, the load test and the
 * simulation run the very same handler factories with an environment and clients of their own.
 * Types only, so a function's bundle carries the clients it uses and no others.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly events: EventBridgeClient;
  readonly secrets: SecretsManagerClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly ssm: SSMClient;
}

export interface FunctionRuntime {
  /** The function's environment: its contract's variables and Lambda's own. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clients a harness provides; a function makes the others itself. */
  readonly aws?: Partial<AwsClients>;
  /** How IA and Slack are reached: the platform's fetch unless a harness serves them itself. */
  readonly fetch?: typeof globalThis.fetch;
}

/** As Lambda runs a function: its process environment, clients of its own. */
export const lambdaRuntime = (): FunctionRuntime => ({ env: process.env });
