/**
 * Lambda on this machine, for `npm start` and the load test: each deployed function in containers
 * of its own — child processes, each with the function's environment from the synthesised
 * template, its name, and a clock offset of its own — cold when first needed, warm after,
 * recycled when idle, stopped at the function's timeout, several at once up to its concurrency.
 * And what Lambda does around functions: the SQS event source (batches, partial batch responses).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import type { EventSourceMapping, FunctionDefinition } from './deployment.js';
import type { Answer, Invoke } from './function-host.js';
import { toRecord } from './sqs-poller.js';

const HOST = fileURLToPath(new URL('./function-host.ts', import.meta.url));
const CLOCK = fileURLToPath(new URL('./clock-offset.ts', import.meta.url));

export type InvocationResult =
  | { outcome: 'returned'; value: unknown }
  | { outcome: 'failed'; error: { name: string; message: string } }
  | { outcome: 'timed-out' }
  | { outcome: 'crashed' };

interface Container {
  process: ChildProcess;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
  pending?: (result: InvocationResult) => void;
}

export interface LocalFunctionOptions {
  /** Variables on top of the template's: where AWS is (the emulator), Powertools' settings, shortened times. */
  env: Record<string, string>;
  /** How many containers at once (the event source's maximum concurrency). */
  concurrency: number;
  /** A container idle this long is recycled. @default 10 minutes */
  idleMs?: number;
  /** Container clocks differ by up to this (each drawn in ±half of it). @default 0 */
  clockSkewMs?: number;
  onLog?: (line: string) => void;
}

export class LocalFunction {
  private readonly containers: Container[] = [];
  private readonly waiting: Array<() => void> = [];
  private invocations = 0;
  readonly stats = { coldStarts: 0, invocations: 0, timeouts: 0, crashes: 0, errors: 0 };

  constructor(
    readonly definition: FunctionDefinition,
    private readonly options: LocalFunctionOptions,
  ) {}

  private async start(): Promise<Container> {
    this.stats.coldStarts += 1;
    const skew = this.options.clockSkewMs ?? 0;
    const child = fork(HOST, {
      env: {
        ...process.env,
        ...this.definition.env,
        ...this.options.env,
        AWS_LAMBDA_FUNCTION_NAME: this.definition.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.definition.memoryMb),
        LOCAL_FUNCTION_KIND: this.definition.kind,
        LOCAL_CLOCK_OFFSET_MS: String(Math.round((Math.random() - 0.5) * skew)),
      },
      execArgv: ['--import', 'tsx', '--import', CLOCK],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Not in the terminal's process group: Ctrl-C stops the pipeline, which stops its containers.
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) this.options.onLog?.(line);
      });
    // Busy from the start: it belongs to the invocation that started it.
    const container: Container = { process: child, busy: true };
    child.on('message', (message: Answer | 'ready') => {
      if (message === 'ready') return;
      const result: InvocationResult =
        'error' in message
          ? { outcome: 'failed', error: message.error }
          : { outcome: 'returned', value: message.value };
      container.pending?.(result);
    });
    child.on('exit', (code, signal) => {
      if (container.pending) this.options.onLog?.(`${this.definition.kind} container exited (${code ?? signal})`);
      container.pending?.({ outcome: 'crashed' });
      this.retire(container);
      this.release();
    });
    this.containers.push(container);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`${this.definition.kind} container exited (${code}) before it was ready`)),
      );
    });
    return container;
  }

  /** Out of the pool first, so no invocation takes a container on its way out. */
  private retire(container: Container) {
    const i = this.containers.indexOf(container);
    if (i >= 0) this.containers.splice(i, 1);
    if (container.process.exitCode === null) container.process.kill();
  }

  private release() {
    this.waiting.shift()?.();
  }

  /** An idle container, a new one while under the concurrency, or the next one freed. */
  private async acquire(): Promise<Container> {
    for (;;) {
      const idle = this.containers.find((c) => !c.busy && c.process.connected);
      if (idle) {
        clearTimeout(idle.idleTimer);
        idle.busy = true;
        return idle;
      }
      if (this.containers.length < this.options.concurrency) {
        const placeholder = { busy: true } as Container;
        this.containers.push(placeholder);
        try {
          return await this.start();
        } finally {
          this.containers.splice(this.containers.indexOf(placeholder), 1);
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  async invoke(event: unknown): Promise<InvocationResult> {
    const container = await this.acquire();
    this.stats.invocations += 1;
    this.invocations += 1;
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    const message: Invoke = { id: this.invocations, event, timeoutMs, requestId: randomUUID() };
    const result = await new Promise<InvocationResult>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops the process at the timeout; the next invocation starts cold.
        this.stats.timeouts += 1;
        this.options.onLog?.(`${this.definition.kind} timed out after ${timeoutMs} ms`);
        container.pending = undefined;
        container.process.kill('SIGKILL');
        resolve({ outcome: 'timed-out' });
      }, timeoutMs + 1_000);
      container.pending = (answer) => {
        clearTimeout(timer);
        container.pending = undefined;
        resolve(answer);
      };
      // A container that died since it was taken (out of memory, killed) answers as a crash.
      container.process.send(message, (error) => {
        if (error) container.pending?.({ outcome: 'crashed' });
      });
    });
    if (result.outcome === 'crashed') this.stats.crashes += 1;
    if (result.outcome === 'failed') this.stats.errors += 1;
    if (result.outcome === 'timed-out' || result.outcome === 'crashed') {
      this.retire(container);
      this.release();
      return result;
    }
    container.busy = false;
    container.idleTimer = setTimeout(() => this.retire(container), this.options.idleMs ?? 600_000);
    container.idleTimer.unref();
    this.release();
    return result;
  }

  stop(): void {
    for (const container of this.containers) container.process.kill();
  }
}

/**
 * Lambda's SQS event source for one mapping: as many pollers as its maximum concurrency, each
 * receiving a batch and invoking the function with it, then deleting what the batch response did
 * not name; a failed invocation leaves its batch to the queue's visibility timeout.
 */
export const startQueueSource = (
  mapping: EventSourceMapping,
  queueUrl: string,
  fn: LocalFunction,
  sqs: SQSClient,
  onError: (error: unknown) => void = () => undefined,
) => {
  let running = true;
  const poller = async () => {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(mapping.batchSize, 10),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (!running || Messages.length === 0) continue;
        const records = Messages.map((m) => ({ ...toRecord(m, queueUrl), eventSourceARN: mapping.queueArn }));
        const result = await fn.invoke({ Records: records });
        if (result.outcome !== 'returned') continue;
        const failed = new Set(
          ((result.value as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier),
        );
        const done = records.filter((r) => !failed.has(r.messageId));
        if (done.length > 0)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
            }),
          );
      } catch (error) {
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const pollers = Array.from({ length: mapping.maxConcurrency }, poller);
  return {
    stop: async () => {
      running = false;
      await Promise.all(pollers);
    },
  };
};
