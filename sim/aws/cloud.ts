/**
 * AWS in memory: the services the product uses, as their APIs behave — DynamoDB tables, SQS
 * queues (visibility timeouts, receive counts, redrive, delays, retention, the size limit), SNS
 * topics (a body per protocol, filter policies, raw delivery to queues, the size limit), an
 * EventBridge bus per name (rules, patterns, input transformers, queue targets), Secrets Manager
 * and SSM parameters. The functions reach it through real SDK clients (wire.ts), so their
 * adapters, Powertools and the SDK's own retries run as in Lambda. Time is the harness's.
 */
import { createHash } from 'node:crypto';
import { matchesFilterPolicy, matchesPattern, transformInput } from '../../functions/lib/domain/matching.js';
import type { QueueSpec, RuleSpec, SubscriptionSpec, TableSpec } from '../../local/provisioner.js';
import { AwsError, condition, type Item, MemoryTable, type QueryInput, queryIndex, update } from './dynamodb.js';

export { AwsError } from './dynamodb.js';

export interface CloudClock {
  now(): number;
  /** Runs `task` after `ms` (SNS and EventBridge deliver a moment after they accept). */
  later(ms: number, task: () => void): void;
}

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export interface QueueMessage {
  id: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
  firstReceivedAt?: number;
}

export class MemoryQueue {
  readonly messages = new Map<string, QueueMessage>();
  /** Every message that left by deletion (done), with when. */
  readonly deleted: Array<QueueMessage & { deletedAt: number }> = [];
  /** Messages dropped because they outlived the retention period. */
  readonly expired: QueueMessage[] = [];
  private seq = 0;
  /** Told when a message becomes (or may become) visible: event source mappings poll then. */
  onVisible?: (at: number) => void;

  constructor(
    readonly name: string,
    private readonly cloud: MemoryCloud,
    readonly settings: QueueSpec,
  ) {}

  get arn() {
    return `arn:aws:sqs:${REGION}:${ACCOUNT}:${this.name}`;
  }

  get url() {
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.name}`;
  }

  send(body: string, delaySeconds = 0, attributes: QueueMessage['attributes'] = {}): string {
    if (Buffer.byteLength(body) > 262_144)
      throw new AwsError(
        'InvalidParameterValue',
        'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      );
    this.seq += 1;
    const id = `${this.name}-${this.seq}`;
    const now = this.cloud.clock.now();
    const visibleAt = now + delaySeconds * 1000;
    this.messages.set(id, { id, body, attributes, sentAt: now, visibleAt, receiveCount: 0 });
    this.onVisible?.(visibleAt);
    return id;
  }

  private dropExpired(now: number) {
    for (const message of this.messages.values()) {
      if (now - message.sentAt > this.settings.retentionSeconds * 1000) {
        this.messages.delete(message.id);
        this.expired.push(message);
      }
    }
  }

  /** Up to `max` visible messages, each hidden for `visibilitySeconds`; over-received ones go to the DLQ. */
  receive(max: number, visibilitySeconds = this.settings.visibilitySeconds): QueueMessage[] {
    const now = this.cloud.clock.now();
    this.dropExpired(now);
    const received: QueueMessage[] = [];
    const visible = [...this.messages.values()]
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt);
    for (const message of visible) {
      if (received.length >= max) break;
      const redrive = this.settings.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.messages.delete(message.id);
        this.cloud.queueByArn(redrive.targetArn).send(message.body, 0, message.attributes);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receipt = `${message.id}#${message.receiveCount}`;
      this.onVisible?.(message.visibleAt);
      received.push({ ...message });
    }
    return received;
  }

  private byReceipt(receipt: string) {
    const id = receipt.split('#')[0] as string;
    const message = this.messages.get(id);
    return message && message.receipt === receipt ? message : undefined;
  }

  delete(receipt: string): void {
    const message = this.byReceipt(receipt);
    if (!message) return;
    this.messages.delete(message.id);
    this.deleted.push({ ...message, deletedAt: this.cloud.clock.now() });
  }

  changeVisibility(receipt: string, seconds: number): void {
    const message = this.byReceipt(receipt);
    if (!message) throw new AwsError('ReceiptHandleIsInvalid', `The receipt handle "${receipt}" is not valid.`);
    if (seconds > 43_200) throw new AwsError('InvalidParameterValue', 'VisibilityTimeout must be at most 43200');
    message.visibleAt = this.cloud.clock.now() + seconds * 1000;
    this.onVisible?.(message.visibleAt);
  }

  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }
}

type Subscription = SubscriptionSpec;

export interface Delivered {
  at: number;
  topicArn: string;
  /** The body this protocol received. */
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  subject?: string;
}

export class MemoryTopic {
  readonly subscriptions: Subscription[] = [];
  /** Every message the topic accepted, as published. */
  readonly published: Array<{
    at: number;
    message: string;
    structured: boolean;
    subject?: string;
    attributes: Delivered['attributes'];
  }> = [];

  constructor(readonly arn: string) {}
}

type Target = RuleSpec['targets'][number];

export class MemoryBus {
  readonly rules: RuleSpec[] = [];
  /** Every event the bus accepted. */
  readonly events: Array<Record<string, unknown>> = [];

  constructor(readonly name: string) {}

  get arn() {
    return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${this.name}`;
  }
}

/** SQS answers every message with its body's MD5, which the SDK checks. */
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const suffix = (text: string, length: number) =>
  createHash('sha256').update(text).digest('base64url').replace(/[-_]/g, 'x').slice(0, length);

export class MemoryCloud {
  readonly tables = new Map<string, MemoryTable>();
  readonly queues = new Map<string, MemoryQueue>();
  readonly topics = new Map<string, MemoryTopic>();
  readonly secrets = new Map<string, { arn: string; value: string }>();
  readonly parameters = new Map<string, string>();
  readonly buses = new Map<string, MemoryBus>();
  /** What email (and other non-queue) subscribers received, by endpoint. */
  readonly inboxes = new Map<string, Delivered[]>();
  /** TTL deletes expired items within this long (DynamoDB: usually within days; here, a few hours). */
  ttlSweepMs = 3 * 3_600_000;
  private lastTtlSweep = 0;
  /**
   * Whether an eventually consistent read (GetItem, BatchGetItem without `ConsistentRead`) of an
   * item written in the last `staleWindowMs` misses that write; never, unless a harness injects it.
   * DynamoDB: "usually within a second", no bound promised (kept at most a minute here).
   */
  staleRead: () => boolean = () => false;
  staleWindowMs = 1_000;

  constructor(
    readonly clock: CloudClock,
    /** How long SNS and EventBridge take to deliver after accepting. */
    readonly deliveryDelayMs: () => number = () => 0,
  ) {
    this.buses.set('default', new MemoryBus('default'));
  }

  // --- provisioning (what CloudFormation would create) ----------------------------------------

  createTable(spec: TableSpec): string {
    this.tables.set(spec.name, new MemoryTable(spec));
    return spec.name;
  }

  createQueue(name: string, settings: MemoryQueue['settings']): MemoryQueue {
    const queue = new MemoryQueue(name, this, settings);
    this.queues.set(name, queue);
    return queue;
  }

  createTopic(name: string): string {
    const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
    this.topics.set(arn, new MemoryTopic(arn));
    return arn;
  }

  subscribe(topicArn: string, subscription: Subscription): void {
    this.topic(topicArn).subscriptions.push(subscription);
  }

  createSecret(name: string, value: string): string {
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix(name, 6)}`;
    this.secrets.set(name, { arn, value });
    return arn;
  }

  putParameter(name: string, value: string): void {
    this.parameters.set(name, value);
  }

  createBus(name: string): MemoryBus {
    const bus = this.buses.get(name) ?? new MemoryBus(name);
    this.buses.set(name, bus);
    return bus;
  }

  putRule(busName: string, rule: RuleSpec): void {
    this.bus(busName).rules.push(rule);
  }

  // --- lookups ----------------------------------------------------------------------------------

  table(name: string): MemoryTable {
    this.sweepTtl();
    const table = this.tables.get(name);
    if (!table) throw new AwsError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  /** By URL (its last part) or ARN. */
  queue(urlOrArn: string): MemoryQueue {
    const name = urlOrArn.split(/[/:]/).pop() as string;
    const queue = this.queues.get(name);
    if (!queue)
      throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', 400, {
        queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
      });
    return queue;
  }

  queueByArn(arn: string): MemoryQueue {
    return this.queue(arn);
  }

  topic(arn: string): MemoryTopic {
    const topic = this.topics.get(arn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  bus(nameOrArn: string): MemoryBus {
    const name = nameOrArn.split('/').pop() as string;
    const bus = this.buses.get(name);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  secretValue(id: string): string {
    for (const [name, secret] of this.secrets)
      if (id === name || id === secret.arn || secret.arn.startsWith(`${id}-`)) return secret.value;
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  /** DynamoDB's TTL: expired items go some time after they expire, not at once. */
  private sweepTtl() {
    const now = this.clock.now();
    if (now - this.lastTtlSweep < this.ttlSweepMs) return;
    this.lastTtlSweep = now;
    const cutoff = (now - this.ttlSweepMs) / 1000;
    for (const table of this.tables.values()) {
      const ttl = table.spec.ttlAttribute;
      if (!ttl) continue;
      for (const [key, item] of table.items) {
        const at = item[ttl] as { N?: string } | undefined;
        if (at?.N !== undefined && Number(at.N) < cutoff) table.items.delete(key);
      }
    }
  }

  // --- DynamoDB ---------------------------------------------------------------------------------

  /** Items go in and out as JSON (wire.ts), so nothing stored is shared with a caller. */
  dynamodb(operation: string, input: Record<string, unknown>): unknown {
    const expression = (names?: unknown, values?: unknown) => ({
      ...(names ? { names: names as Record<string, string> } : {}),
      ...(values ? { values: values as Record<string, Item[string]> } : {}),
    });
    const checked = (table: MemoryTable, current: Item | undefined, input: Record<string, unknown>) => {
      if (typeof input.ConditionExpression !== 'string') return;
      const test = condition(
        input.ConditionExpression,
        expression(input.ExpressionAttributeNames, input.ExpressionAttributeValues),
      );
      if (!test(current ?? {}))
        throw new AwsError('ConditionalCheckFailedException', 'The conditional request failed', 400, {
          ...(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current ? { Item: current } : {}),
        });
      void table;
    };
    const read = (table: MemoryTable, key: Item, consistent: boolean) =>
      consistent
        ? table.items.get(table.keyOf(key))
        : table.readEventually(
            table.keyOf(key),
            this.clock.now(),
            Math.min(this.staleWindowMs, 60_000),
            this.staleRead,
          );
    switch (operation) {
      case 'GetItem': {
        const table = this.table(input.TableName as string);
        const item = read(table, input.Key as Item, input.ConsistentRead === true);
        return item ? { Item: item } : {};
      }
      case 'PutItem': {
        const table = this.table(input.TableName as string);
        const item = input.Item as Item;
        const key = table.keyOf({ [table.spec.hashKey]: item[table.spec.hashKey] as Item[string] });
        checked(table, table.items.get(key), input);
        table.write(key, item, this.clock.now());
        return {};
      }
      case 'UpdateItem': {
        const table = this.table(input.TableName as string);
        const keyItem = input.Key as Item;
        const key = table.keyOf(keyItem);
        const current = table.items.get(key);
        checked(table, current, input);
        const next = update(
          input.UpdateExpression as string,
          expression(input.ExpressionAttributeNames, input.ExpressionAttributeValues),
        )({ ...(current ?? {}), ...keyItem });
        table.write(key, next, this.clock.now());
        return input.ReturnValues === 'ALL_NEW' ? { Attributes: next } : {};
      }
      case 'DeleteItem': {
        const table = this.table(input.TableName as string);
        const key = table.keyOf(input.Key as Item);
        checked(table, table.items.get(key), input);
        table.write(key, undefined, this.clock.now());
        return {};
      }
      case 'BatchGetItem': {
        const responses: Record<string, Item[]> = {};
        type Request = { Keys: Item[]; ConsistentRead?: boolean };
        for (const [name, request] of Object.entries(input.RequestItems as Record<string, Request>)) {
          const table = this.table(name);
          responses[name] = request.Keys.flatMap((k) => {
            const item = read(table, k, request.ConsistentRead === true);
            return item ? [item] : [];
          });
        }
        return { Responses: responses, UnprocessedKeys: {} };
      }
      case 'Query':
        return queryIndex(this.table(input.TableName as string), input as unknown as QueryInput);
      default:
        throw new AwsError('UnknownOperationException', `DynamoDB ${operation} is not modelled`);
    }
  }

  // --- SQS --------------------------------------------------------------------------------------

  sqs(operation: string, input: Record<string, unknown>): unknown {
    const queue = () => this.queue(input.QueueUrl as string);
    type Attributes = QueueMessage['attributes'];
    switch (operation) {
      case 'SendMessage':
        return {
          MessageId: queue().send(
            input.MessageBody as string,
            (input.DelaySeconds as number | undefined) ?? 0,
            (input.MessageAttributes as Attributes | undefined) ?? {},
          ),
          MD5OfMessageBody: md5(input.MessageBody as string),
        };
      case 'SendMessageBatch': {
        const q = queue();
        const entries = input.Entries as Array<{
          Id: string;
          MessageBody: string;
          DelaySeconds?: number;
          MessageAttributes?: Attributes;
        }>;
        if (entries.length > 10)
          throw new AwsError(
            'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
            'Maximum number of entries per request are 10.',
          );
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const entry of entries) {
          try {
            Successful.push({
              Id: entry.Id,
              MessageId: q.send(entry.MessageBody, entry.DelaySeconds ?? 0, entry.MessageAttributes ?? {}),
              MD5OfMessageBody: md5(entry.MessageBody),
            });
          } catch (error) {
            Failed.push({
              Id: entry.Id,
              Code: (error as AwsError).code,
              SenderFault: true,
              Message: (error as Error).message,
            });
          }
        }
        return { Successful, Failed };
      }
      case 'ChangeMessageVisibility':
        queue().changeVisibility(input.ReceiptHandle as string, input.VisibilityTimeout as number);
        return {};
      case 'ReceiveMessage':
        return {
          Messages: queue()
            .receive(
              (input.MaxNumberOfMessages as number | undefined) ?? 1,
              input.VisibilityTimeout as number | undefined,
            )
            .map((m) => ({
              MessageId: m.id,
              ReceiptHandle: m.receipt,
              Body: m.body,
              MD5OfBody: md5(m.body),
              Attributes: {
                ApproximateReceiveCount: String(m.receiveCount),
                SentTimestamp: String(m.sentAt),
                ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
              },
              MessageAttributes: m.attributes,
            })),
        };
      case 'DeleteMessage':
        queue().delete(input.ReceiptHandle as string);
        return {};
      case 'GetQueueAttributes': {
        const q = queue();
        const now = this.clock.now();
        const messages = [...q.messages.values()];
        return {
          Attributes: {
            QueueArn: q.arn,
            ApproximateNumberOfMessages: String(messages.filter((m) => m.visibleAt <= now).length),
            ApproximateNumberOfMessagesNotVisible: String(messages.filter((m) => m.visibleAt > now).length),
          },
        };
      }
      default:
        throw new AwsError('UnsupportedOperation', `SQS ${operation} is not modelled`);
    }
  }

  // --- SNS --------------------------------------------------------------------------------------

  /** Publish, as SNS does it: a body per protocol when the message is structured, then fan-out. */
  publish(input: {
    TopicArn: string;
    Message: string;
    Subject?: string;
    MessageStructure?: string;
    MessageAttributes?: Delivered['attributes'];
  }): string {
    const topic = this.topic(input.TopicArn);
    const attributes = input.MessageAttributes ?? {};
    const size =
      Buffer.byteLength(input.Message) +
      Buffer.byteLength(input.Subject ?? '') +
      Object.entries(attributes).reduce(
        (sum, [name, v]) =>
          sum + Buffer.byteLength(name) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue ?? ''),
        0,
      );
    if (size > 262_144)
      throw new AwsError('InvalidParameter', `Invalid parameter: Message too long (${size} bytes > 262144)`);
    const structured = input.MessageStructure === 'json';
    let bodies: Record<string, string> = {};
    if (structured) {
      bodies = JSON.parse(input.Message) as Record<string, string>;
      if (typeof bodies.default !== 'string')
        throw new AwsError(
          'InvalidParameter',
          'Invalid parameter: Message Structure - No default entry in JSON message body',
        );
    }
    const now = this.clock.now();
    topic.published.push({
      at: now,
      message: input.Message,
      structured,
      ...(input.Subject ? { subject: input.Subject } : {}),
      attributes,
    });
    for (const subscription of topic.subscriptions) {
      if (subscription.filterPolicy && !matchesFilterPolicy(subscription.filterPolicy, attributes)) continue;
      const body = structured ? (bodies[subscription.protocol] ?? (bodies.default as string)) : input.Message;
      this.clock.later(this.deliveryDelayMs(), () => {
        if (subscription.protocol === 'sqs') {
          this.queueByArn(subscription.endpoint).send(
            subscription.raw ? body : JSON.stringify({ Type: 'Notification', TopicArn: topic.arn, Message: body }),
            0,
            subscription.raw ? attributes : {},
          );
        } else {
          const inbox = this.inboxes.get(subscription.endpoint) ?? [];
          inbox.push({
            at: this.clock.now(),
            topicArn: topic.arn,
            body,
            attributes,
            ...(input.Subject ? { subject: input.Subject } : {}),
          });
          this.inboxes.set(subscription.endpoint, inbox);
        }
      });
    }
    return `${topic.published.length}-${suffix(`${topic.arn}${now}`, 8)}`;
  }

  // --- EventBridge ------------------------------------------------------------------------------

  putEvents(
    entries: Array<{ EventBusName?: string; Source?: string; DetailType?: string; Detail?: string; Time?: unknown }>,
  ) {
    // A bus that does not exist refuses the call, as moto does (EventBridge itself drops the event).
    for (const entry of entries) this.bus(entry.EventBusName ?? 'default');
    const results = entries.map((entry) => {
      const bus = this.bus(entry.EventBusName ?? 'default');
      const id = `${bus.events.length + 1}-${suffix(`${bus.name}${this.clock.now()}${entry.Detail}`, 12)}`;
      const event = {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: ACCOUNT,
        time: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: REGION,
        resources: [],
        detail: JSON.parse(entry.Detail ?? '{}') as unknown,
      };
      bus.events.push(event);
      for (const rule of bus.rules) {
        if (!matchesPattern(rule.pattern, event)) continue;
        for (const target of rule.targets) {
          this.clock.later(this.deliveryDelayMs(), () => this.deliverEvent(event, target));
        }
      }
      return { EventId: id };
    });
    return { FailedEntryCount: 0, Entries: results };
  }

  private deliverEvent(event: Record<string, unknown>, target: Target) {
    try {
      const body = target.inputTransformer ? transformInput(target.inputTransformer, event) : JSON.stringify(event);
      this.queueByArn(target.arn).send(body);
    } catch (error) {
      if (!target.deadLetterArn) return;
      this.queueByArn(target.deadLetterArn).send(JSON.stringify(event), 0, {
        ERROR_CODE: { DataType: 'String', StringValue: (error as AwsError).code ?? 'Error' },
      });
    }
  }
}
