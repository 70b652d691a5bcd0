/**
 * Lambda, as the simulation runs it: each deployed function under its own identity (its name,
 * its environment from the template), made by the very factory its Lambda entry calls, in
 * containers of its own — cold the first time, warm after, frozen between invocations (timers and
 * answers wait), recycled when idle, killed at their timeout, several at once — each with its own
 * clock offset and its own AWS clients. What Lambda does around functions is here too: the SQS
 * event source (batches, batching window, concurrency, partial batch responses) and asynchronous
 * invocations with their retries.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AwsClients, FunctionRuntime } from '#lib/runtime/function-runtime.js';
import type { EventSourceMapping, FunctionDefinition } from '../local/deployment.js';
import { withEnvironment } from '../local/lambda.js';
import type { MemoryCloud, MemoryQueue } from './aws/cloud.js';
import { type AwsCall, type CallPlan, memoryRequestHandler } from './aws/wire.js';
import { type ExecutionContext, executionContexts, type VirtualTime } from './virtual-time.js';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** What decides the faults of one container's calls: slow, refused, answer lost, the process dying. */
export interface ContainerFaults {
  call(container: Container, call: AwsCall): CallPlan | Promise<CallPlan>;
  /** The container's clock offset, drawn when it starts. */
  clockOffsetMs(): number;
  /** A timer's extra delay in this container. */
  lateness(): number;
  /** How long an idle container lives before Lambda recycles it. */
  idleLifeMs(): number;
  /** How long a container lives at most, however busy: Lambda recycles them every few hours. */
  lifeMs(): number;
  /** Told when a container's process is gone (crash, timeout, recycling). */
  died?(container: Container): void;
}

export type InvocationResult =
  | { outcome: 'returned'; value: unknown }
  | { outcome: 'failed'; error: unknown }
  | { outcome: 'timed-out' }
  | { outcome: 'crashed' };

const never = new Promise<never>(() => undefined);

export class Container implements ExecutionContext {
  state: 'running' | 'frozen' | 'dead' = 'frozen';
  readonly clockOffsetMs: number;
  private deferred: Array<() => void> = [];
  private onDeath: Array<() => void> = [];
  handler?: Handler;
  invocations = 0;
  idleSince: number;
  /** How long it may sit idle before Lambda recycles it. */
  readonly idleLifeMs: number;
  /** When Lambda recycles it, busy or not, once the invocation it is running ends. */
  readonly recycledAt: number;
  /**
   * What SNS, the bus or Slack accepted from this process whose exactly-once key it has not
   * completed yet (several at once: the sweep publishes for its accounts together), by the key's
   * record id in the idempotency table.
   */
  readonly unconfirmed = new Map<string, string>();

  constructor(
    readonly service: FunctionService,
    readonly id: number,
    private readonly time: VirtualTime,
    readonly faults: ContainerFaults,
  ) {
    this.clockOffsetMs = faults.clockOffsetMs();
    this.idleLifeMs = faults.idleLifeMs();
    this.idleSince = time.now();
    this.recycledAt = time.now() + faults.lifeMs();
  }

  gate(task: () => void): void {
    if (this.state === 'running') task();
    else if (this.state === 'frozen') this.deferred.push(task);
  }

  lateness(): number {
    return this.faults.lateness();
  }

  thaw(): void {
    if (this.state === 'dead') return;
    this.state = 'running';
    const tasks = this.deferred.splice(0);
    for (const task of tasks) task();
  }

  freeze(): void {
    if (this.state === 'running') this.state = 'frozen';
    this.idleSince = this.time.now();
  }

  /** The process is gone: nothing it started finishes, nothing it awaited answers. */
  kill(): Promise<never> {
    if (this.state !== 'dead') {
      this.state = 'dead';
      this.faults.died?.(this);
      this.deferred = [];
      for (const told of this.onDeath.splice(0)) told();
    }
    return never;
  }

  died(): Promise<void> {
    return new Promise((resolve) => (this.state === 'dead' ? resolve() : this.onDeath.push(resolve)));
  }
}

/**
 * SigV4 without the signature: the in-memory cloud checks no signatures (nor does moto), and
 * hashing every request was a tenth of a simulated day's CPU.
 */
export const unsignedAuth = {
  httpAuthSchemes: [
    {
      schemeId: 'aws.auth#sigv4',
      identityProvider: () => async () => ({ accessKeyId: 'sim', secretAccessKey: 'sim', expiration: undefined }),
      signer: { sign: async <T>(request: T) => request },
    },
  ],
};

const clientConfig = (container: Container, cloud: MemoryCloud) => ({
  region: 'us-east-1',
  credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
  ...unsignedAuth,
  requestHandler: memoryRequestHandler(cloud, async (call) => {
    if (container.state === 'dead') return container.kill();
    return container.faults.call(container, call);
  }),
});

/** One container's clients, made once as a function's module scope makes them. */
const containerClients = (container: Container, cloud: MemoryCloud): AwsClients => {
  const config = clientConfig(container, cloud);
  return {
    dynamodb: new DynamoDBClient(config),
    events: new EventBridgeClient(config),
    secrets: new SecretsManagerClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    ssm: new SSMClient(config),
  };
};

export interface FunctionServiceOptions {
  definition: FunctionDefinition;
  time: VirtualTime;
  cloud: MemoryCloud;
  faults: ContainerFaults;
  factory: (runtime: FunctionRuntime) => Handler;
  fetch: typeof globalThis.fetch;
  log: (line: string) => void;
}

/** A deployed function: its containers, and invocations as Lambda makes them. */
export class FunctionService {
  private readonly containers: Container[] = [];
  private seq = 0;
  private requestSeq = 0;
  readonly stats = { coldStarts: 0, invocations: 0, timeouts: 0, crashes: 0, errors: 0 };
  /** When each invocation that died (crashed or timed out) had started. */
  readonly died: number[] = [];

  constructor(readonly options: FunctionServiceOptions) {}

  get name(): string {
    return this.options.definition.name;
  }

  /** An idle warm container, or a cold one; Lambda recycles containers idle too long, or old. */
  private container(): Container {
    const { time } = this.options;
    for (const c of this.containers) {
      if (c.state === 'frozen' && (time.now() - c.idleSince > c.idleLifeMs || time.now() >= c.recycledAt))
        void c.kill();
    }
    this.containers.splice(0, this.containers.length, ...this.containers.filter((c) => c.state !== 'dead'));
    const warm = this.containers.find((c) => c.state === 'frozen');
    if (warm) return warm;
    this.seq += 1;
    const container = new Container(this, this.seq, time, this.options.faults);
    this.containers.push(container);
    return container;
  }

  /** One invocation, to its end: what it returned, or how it failed. */
  async invoke(event: unknown): Promise<InvocationResult> {
    const { time, definition, cloud } = this.options;
    const container = this.container();
    container.thaw();
    this.stats.invocations += 1;
    this.requestSeq += 1;
    const timeoutMs = definition.timeoutSeconds * 1000;
    const started = time.now();
    const deadline = started + timeoutMs;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: definition.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: definition.arn,
      memoryLimitInMB: String(definition.memoryMb),
      awsRequestId: `${definition.kind}-${this.requestSeq}`,
      logGroupName: `/aws/lambda/${definition.name}`,
      logStreamName: `container-${container.id}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - time.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } as Context;
    const run = executionContexts.run(container, async () => {
      if (!container.handler) {
        this.stats.coldStarts += 1;
        const runtime: FunctionRuntime = {
          env: { ...definition.env, AWS_LAMBDA_FUNCTION_NAME: definition.name, AWS_REGION: 'us-east-1' },
          aws: containerClients(container, cloud),
          fetch: this.options.fetch,
        };
        container.handler = withEnvironment(runtime.env as Record<string, string>, () => this.options.factory(runtime));
      }
      container.invocations += 1;
      return container.handler(event, context);
    });
    const result = await Promise.race([
      run.then(
        (value): InvocationResult => ({ outcome: 'returned', value }),
        (error: unknown): InvocationResult => ({ outcome: 'failed', error }),
      ),
      container.died().then((): InvocationResult => ({ outcome: 'crashed' })),
      time.sleep(timeoutMs).then((): InvocationResult => ({ outcome: 'timed-out' })),
    ]);
    if (result.outcome === 'timed-out' || result.outcome === 'crashed') this.died.push(started);
    if (result.outcome === 'timed-out') {
      // Lambda stops the process at the timeout and starts the next invocation afresh.
      this.stats.timeouts += 1;
      void container.kill();
    } else if (result.outcome === 'crashed') {
      this.stats.crashes += 1;
    } else {
      if (result.outcome === 'failed') this.stats.errors += 1;
      container.freeze();
    }
    this.options.log(
      `${definition.kind} ${context.awsRequestId} (container ${container.id}) ${result.outcome}${result.outcome === 'failed' ? `: ${(result.error as Error)?.message}` : ''}`,
    );
    return result;
  }
}

/**
 * Lambda's SQS event source: polls the queue, gathers a batch (up to its size, or its window),
 * invokes with at most `maxConcurrency` at once, and deletes what the batch response did not
 * name; a failed or timed-out invocation leaves its whole batch to the visibility timeout.
 */
export const startEventSource = (
  mapping: EventSourceMapping,
  queue: MemoryQueue,
  service: FunctionService,
  time: VirtualTime,
  /**
   * Told of a batch whose process died under it (an injected crash): its messages come back after
   * their visibility timeout. A handler that threw or timed out is the product's doing and is not told.
   */
  onLost?: (bodies: string[]) => void,
) => {
  let running = 0;
  let armedAt: number | undefined;
  const arm = (at: number) => {
    if (armedAt !== undefined && armedAt <= at && armedAt >= time.now()) return;
    armedAt = at;
    time.spawn(at, `${service.options.definition.kind} event source`, poll);
  };
  const poll = async () => {
    armedAt = undefined;
    if (running >= mapping.maxConcurrency) return;
    const now = time.now();
    const visible = [...queue.messages.values()].filter((m) => m.visibleAt <= now);
    if (visible.length === 0) {
      const next = queue.nextVisibleAt();
      if (next !== undefined) arm(next);
      return;
    }
    running += 1;
    try {
      if (visible.length < mapping.batchSize && mapping.batchingWindowSeconds > 0)
        await time.sleep(mapping.batchingWindowSeconds * 1000);
      const messages = queue.receive(mapping.batchSize);
      if (messages.length === 0) return;
      const event: SQSEvent = {
        Records: messages.map((m) => ({
          messageId: m.id,
          receiptHandle: m.receipt as string,
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            SenderId: 'AIDASIM',
            ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
          },
          messageAttributes: Object.fromEntries(
            Object.entries(m.attributes).map(([k, v]) => [
              k,
              {
                dataType: v.DataType,
                stringValue: v.StringValue,
              } as SQSEvent['Records'][number]['messageAttributes'][string],
            ]),
          ),
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: mapping.queueArn,
          awsRegion: 'us-east-1',
        })),
      };
      // Another poller may take the rest while this batch runs.
      arm(time.now());
      const result = await service.invoke(event);
      if (result.outcome !== 'returned') {
        if (result.outcome === 'crashed') onLost?.(event.Records.map((r) => r.body));
        return;
      }
      const failed = new Set(
        mapping.reportBatchItemFailures
          ? ((result.value as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier)
          : [],
      );
      for (const record of event.Records) if (!failed.has(record.messageId)) queue.delete(record.receiptHandle);
    } finally {
      running -= 1;
      arm(time.now());
    }
  };
  queue.onVisible = (at) => arm(at);
  arm(time.now());
};

/** Lambda's asynchronous invocation (EventBridge, Scheduler): a failed run is retried twice, a minute then two later. */
export const invokeAsync = async (service: FunctionService, event: unknown, time: VirtualTime, retries = 2) => {
  for (let attempt = 0; ; attempt++) {
    const result = await service.invoke(event);
    if (result.outcome === 'returned' || attempt >= retries) return result;
    await time.sleep(60_000 * 2 ** attempt);
  }
};
