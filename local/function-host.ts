/**
 * One local Lambda container: a process of its own, with the function's environment (its name,
 * its variables from the synthesised template), its own clock offset, and the handler its Lambda
 * entry makes (the function's factory). The parent (local/lambda-service.ts) sends it events and
 * reads back what the handler returned, as the Lambda runtime API does.
 */
import type { Context } from 'aws-lambda';
import type { FunctionKind } from './deployment.js';
import { FUNCTION_FACTORIES } from './function-factories.js';

export interface Invoke {
  id: number;
  event: unknown;
  /** The invocation's deadline, on the parent's clock. */
  timeoutMs: number;
  requestId: string;
}

export type Answer = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

const kind = process.env.LOCAL_FUNCTION_KIND as FunctionKind;
const create = (await FUNCTION_FACTORIES[kind]()) as (runtime: {
  env: NodeJS.ProcessEnv;
}) => (event: unknown, context: Context) => Promise<unknown>;
const handler = create({ env: process.env });

process.on('message', async (message: Invoke) => {
  const deadline = Date.now() + message.timeoutMs;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME as string;
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local-${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
  let answer: Answer;
  try {
    answer = { id: message.id, value: await handler(message.event, context) };
  } catch (error) {
    answer = { id: message.id, error: { name: (error as Error).name, message: (error as Error).message } };
  }
  process.send?.(answer);
});
process.send?.('ready');
// The container lives in a process group of its own (a terminal's Ctrl-C is for the pipeline,
// which stops its containers in order); it goes with the pipeline, however that ends.
process.on('disconnect', () => process.exit(0));
