/**
 * The in-memory cloud behind real AWS SDK clients: a request handler (the SDK's transport) that
 * reads each signed request as AWS would — JSON for DynamoDB, SQS, EventBridge, Secrets Manager
 * and SSM, the query protocol for SNS — and answers as AWS does, errors included. Everything
 * above the transport is the SDK's own: marshalling, error types, retries with backoff.
 *
 * A hook sees every call first: the harness makes it slow, refuses it (throttling, 5xx), lets it
 * succeed while the caller sees an error, or lets the process die around it.
 */
import { type HttpRequest, HttpResponse } from '@smithy/core/transport';
import { AwsError, type MemoryCloud } from './cloud.js';

export interface AwsCall {
  service: 'dynamodb' | 'sqs' | 'sns' | 'events' | 'secretsmanager' | 'ssm';
  operation: string;
  input: Record<string, unknown>;
}

export interface CallPlan {
  /** How long the call takes, in the harness's time. */
  latencyMs?: number;
  /** Refused, nothing done: the answer AWS gives when it throttles or fails. */
  refuse?: { status: number; code: string; message?: string };
  /** Done, and then the answer is lost: the caller sees a 500 (or a reset) and may retry. */
  answerLost?: boolean;
  /** Runs once the call succeeded, before its answer: where the harness lets a process die. */
  afterRun?: () => Promise<void>;
}

export type CallHook = (call: AwsCall) => CallPlan | Promise<CallPlan>;

const SERVICES: Record<string, AwsCall['service']> = {
  DynamoDB_20120810: 'dynamodb',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
  secretsmanager: 'secretsmanager',
  AmazonSSM: 'ssm',
};

const text = (body: unknown) =>
  typeof body === 'string'
    ? body
    : body instanceof Uint8Array
      ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
      : '';

const respond = (statusCode: number, headers: Record<string, string>, body: string) =>
  new HttpResponse({ statusCode, headers, body: Buffer.from(body, 'utf8') });

const xml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** SNS's query protocol: `Action=Publish&TopicArn=…&MessageAttributes.entry.1.Name=…`. */
const snsInput = (form: URLSearchParams) => {
  const attributes: Record<string, { DataType: string; StringValue?: string }> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    const name = form.get(`MessageAttributes.entry.${n}.Name`) as string;
    attributes[name] = {
      DataType: form.get(`MessageAttributes.entry.${n}.Value.DataType`) ?? 'String',
      StringValue: form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '',
    };
  }
  return {
    TopicArn: form.get('TopicArn') ?? '',
    Message: form.get('Message') ?? '',
    ...(form.get('Subject') ? { Subject: form.get('Subject') as string } : {}),
    ...(form.get('MessageStructure') ? { MessageStructure: form.get('MessageStructure') as string } : {}),
    MessageAttributes: attributes,
  };
};

const run = (cloud: MemoryCloud, call: AwsCall): unknown => {
  const { input } = call;
  switch (call.service) {
    case 'dynamodb':
      return cloud.dynamodb(call.operation, input);
    case 'sqs':
      return cloud.sqs(call.operation, input);
    case 'sns':
      if (call.operation !== 'Publish') throw new AwsError('InvalidAction', `SNS ${call.operation} is not modelled`);
      return { MessageId: cloud.publish(input as Parameters<MemoryCloud['publish']>[0]) };
    case 'events':
      if (call.operation !== 'PutEvents')
        throw new AwsError('UnknownOperationException', `EventBridge ${call.operation}`);
      return cloud.putEvents(input.Entries as Parameters<MemoryCloud['putEvents']>[0]);
    case 'secretsmanager':
      return { SecretString: cloud.secretValue(input.SecretId as string), Name: input.SecretId };
    case 'ssm': {
      const value = cloud.parameters.get(input.Name as string);
      if (value === undefined) throw new AwsError('ParameterNotFound', `Parameter ${String(input.Name)} not found.`);
      return { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } };
    }
  }
};

const encode = (call: AwsCall, result: unknown): HttpResponse => {
  if (call.service !== 'sns')
    return respond(200, { 'content-type': 'application/x-amz-json-1.1' }, JSON.stringify(result ?? {}));
  const id = (result as { MessageId: string }).MessageId;
  return respond(
    200,
    { 'content-type': 'text/xml' },
    `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${xml(id)}</MessageId></PublishResult><ResponseMetadata><RequestId>${xml(id)}</RequestId></ResponseMetadata></PublishResponse>`,
  );
};

const encodeError = (
  call: AwsCall,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
) => {
  if (call.service !== 'sns')
    return respond(
      status,
      { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
      JSON.stringify({ __type: code, message, ...extra }),
    );
  return respond(
    status,
    { 'content-type': 'text/xml' },
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error><RequestId>memory</RequestId></ErrorResponse>`,
  );
};

/** Reads a signed SDK request as the call it is. */
export const readCall = (request: HttpRequest): AwsCall => {
  const body = text(request.body);
  const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
  if (target) {
    const [prefix, operation] = target.split('.') as [string, string];
    const service = SERVICES[prefix];
    if (!service) throw new Error(`the in-memory cloud does not serve ${prefix}`);
    return { service, operation, input: (body ? JSON.parse(body) : {}) as Record<string, unknown> };
  }
  const form = new URLSearchParams(body);
  return { service: 'sns', operation: form.get('Action') ?? '', input: snsInput(form) };
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An SDK request handler (the `requestHandler` client option) serving `cloud`. */
export const memoryRequestHandler = (cloud: MemoryCloud, hook: CallHook = () => ({})) => ({
  metadata: { handlerProtocol: 'memory' },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
  destroy: () => undefined,
  handle: async (request: HttpRequest): Promise<{ response: HttpResponse }> => {
    const call = readCall(request);
    const plan = await hook(call);
    if (plan.latencyMs) await sleep(plan.latencyMs);
    if (plan.refuse) {
      const { status, code, message } = plan.refuse;
      return { response: encodeError(call, status, code, message ?? `${code} (injected)`) };
    }
    let response: HttpResponse;
    try {
      response = encode(call, run(cloud, call));
      await plan.afterRun?.();
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      response = encodeError(call, error.status, error.code, error.message, error.extra);
    }
    if (plan.answerLost)
      return { response: encodeError(call, 500, 'InternalFailure', 'the answer was lost (injected)') };
    return { response };
  },
});
