/**
 * In-memory stand-ins for the AWS ports, with the semantics the pipeline relies on: conditional
 * writes with versions, TTLs, leases, visibility timeouts, receive counts, redrive to a DLQ,
 * message size limits. Every call goes through an `Invocation`, which is how crashes and Lambda
 * timeouts are injected: a crash kills the invocation before one of its writes, and a dead
 * invocation's every later call fails, as if the process were gone.
 */

import type { SQSRecord } from 'aws-lambda';
import { publishSize, SNS_MAX_MESSAGE_BYTES, toPublishInput } from '#lib/adapters/publish.js';
import type { Alert } from '#lib/domain/alert.js';
import type { MissingRecord, StateStore, StoredRecord } from '#lib/domain/attempt-store.js';
import { StateConflictError, UpstreamError } from '#lib/domain/errors.js';
import type { AttemptState } from '#lib/domain/lifecycle.js';
import { type Notification, notificationKey } from '#lib/domain/notification.js';
import type { SlotStore } from '#lib/domain/pacing.js';
import type { CursorStore, SweepCursor } from '#lib/domain/sweep-cursor.js';
import type { Random } from './random.js';
import type { VirtualTime } from './virtual-time.js';

/** The process died (crash or timeout): nothing after this point happens. */
export class Crash extends Error {
  override name = 'Crash';
}

export class Invocation {
  private dead = false;
  crashedAt?: string;

  constructor(
    readonly name: string,
    private readonly time: VirtualTime,
    private readonly rng: Random,
    readonly deadline: number,
    private readonly crashRate: number,
    private readonly onCrash: (where: string) => void = () => undefined,
  ) {}

  alive = (): void => {
    if (this.dead || this.time.now() >= this.deadline) {
      this.dead = true;
      throw new Crash(`${this.name} is gone`);
    }
  };

  /** Before each write: the process may die here, between its previous write and this one. */
  write(what: string): void {
    this.alive();
    if (this.rng.chance(this.crashRate)) {
      this.dead = true;
      this.crashedAt = what;
      this.onCrash(what);
      throw new Crash(`${this.name} crashed before ${what}`);
    }
  }

  remainingMs(): number {
    return this.deadline - this.time.now();
  }

  get crashed(): boolean {
    return this.dead;
  }
}

// --- SQS ---------------------------------------------------------------------------------------

export interface SimMessage {
  id: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
  firstReceivedAt?: number;
}

export class SimQueue {
  readonly messages = new Map<string, SimMessage>();
  /** Every message that ever left this queue by deletion (done) or redrive (to the DLQ). */
  readonly deleted: SimMessage[] = [];
  private seq = 0;
  onVisible?: (at: number) => void;

  constructor(
    readonly name: string,
    private readonly time: VirtualTime,
    readonly visibilitySeconds: number,
    readonly redrive?: { deadLetters: SimQueue; maxReceiveCount: number },
  ) {}

  send(body: string, delaySeconds = 0, attributes: Record<string, string> = {}): string {
    this.seq += 1;
    const id = `${this.name}-${this.seq}`;
    const visibleAt = this.time.now() + delaySeconds * 1000;
    this.messages.set(id, { id, body, attributes, sentAt: this.time.now(), visibleAt, receiveCount: 0 });
    this.onVisible?.(visibleAt);
    return id;
  }

  /** Up to `max` visible messages, each hidden for the visibility timeout; over-received ones go to the DLQ. */
  receive(max: number): SQSRecord[] {
    const now = this.time.now();
    const visible = [...this.messages.values()]
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt);
    const records: SQSRecord[] = [];
    for (const message of visible) {
      if (records.length >= max) break;
      if (this.redrive && message.receiveCount >= this.redrive.maxReceiveCount) {
        this.messages.delete(message.id);
        this.redrive.deadLetters.send(message.body, 0, { ...message.attributes, movedBy: 'redrive-policy' });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.visibilitySeconds * 1000;
      message.receipt = `${message.id}#${message.receiveCount}`;
      this.onVisible?.(message.visibleAt);
      records.push({
        messageId: message.id,
        receiptHandle: message.receipt,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        } as SQSRecord['attributes'],
        messageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([k, v]) => [k, { dataType: 'String', stringValue: v }]),
        ) as SQSRecord['messageAttributes'],
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:sim:0:${this.name}`,
        awsRegion: 'sim',
      });
    }
    return records;
  }

  private byReceipt(receipt: string) {
    for (const message of this.messages.values()) if (message.receipt === receipt) return message;
    return undefined;
  }

  delete(receipt: string): void {
    const message = this.byReceipt(receipt);
    if (!message) return;
    this.messages.delete(message.id);
    this.deleted.push(message);
  }

  changeVisibility(receipt: string, seconds: number): void {
    const message = this.byReceipt(receipt);
    if (!message) return;
    message.visibleAt = this.time.now() + Math.min(seconds, 12 * 3600) * 1000;
    this.onVisible?.(message.visibleAt);
  }

  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }
}

// --- DynamoDB-backed ports ----------------------------------------------------------------------

export class MemoryStates {
  readonly items = new Map<string, StoredRecord>();

  constructor(
    private readonly time: VirtualTime,
    private readonly trace: (line: string) => void = () => undefined,
  ) {}

  for(inv: Invocation): StateStore {
    const copy = <T>(x: T): T => structuredClone(x);
    return {
      get: async (id) => {
        inv.alive();
        const item = this.items.get(id);
        return item && copy(item);
      },
      getMany: async (ids) => {
        inv.alive();
        const found = new Map<string, StoredRecord>();
        for (const id of ids) {
          const item = this.items.get(id);
          if (item) found.set(id, copy(item));
        }
        return found;
      },
      put: async (state: AttemptState) => {
        inv.write(`saving the state of ${state.attemptId}`);
        const stored = this.items.get(state.attemptId);
        const storedVersion = stored && 'version' in stored ? stored.version : 0;
        if (storedVersion !== state.version)
          throw new StateConflictError(`the state of ${state.attemptId} changed since it was read`);
        this.items.set(state.attemptId, copy({ ...state, version: state.version + 1 }));
        this.trace(
          `${inv.name} saved "${state.attemptId}": ${state.lastDecision}, reminders ${state.remindersSent}${state.closedAt ? ', closed' : ''}${state.nextCheckAt ? `, re-check ${state.nextCheckAt}` : ''}`,
        );
      },
      rememberMissing: async (key, until) => {
        inv.write(`remembering a 404 for ${key}`);
        const stored = this.items.get(key);
        if (stored && !('missingUntil' in stored)) return;
        this.items.set(key, { attemptId: key, missingUntil: until.toISOString() } satisfies MissingRecord);
      },
    };
  }

  /** What the awaiting-review index holds now. */
  awaiting(): AttemptState[] {
    return [...this.items.values()].filter((r): r is AttemptState => 'version' in r && r.awaiting !== undefined);
  }

  now(): number {
    return this.time.now();
  }
}

export class MemoryCursor {
  private item: SweepCursor & { leaseUntil?: string; leaseOwner?: string } = { nextPage: 1 };

  for(inv: Invocation, owner: string): CursorStore {
    return {
      acquire: async (now, leaseUntil) => {
        inv.write('taking the sweep lease');
        if (this.item.leaseUntil !== undefined && this.item.leaseUntil >= now.toISOString()) return undefined;
        this.item = { ...this.item, leaseUntil: leaseUntil.toISOString(), leaseOwner: owner };
        const { leaseUntil: _u, leaseOwner: _o, ...cursor } = structuredClone(this.item);
        return cursor;
      },
      release: async (cursor) => {
        inv.write('saving the sweep cursor');
        if (this.item.leaseOwner !== owner) throw new StateConflictError('the sweep lease was lost');
        this.item = structuredClone(cursor);
      },
    };
  }

  get current(): SweepCursor {
    return this.item;
  }
}

/** The dedupe table: keys with a time to live, pending until settled (the ingest port). */
export class MemoryDedupe {
  readonly items = new Map<string, { expiresAt: number; pending: boolean }>();

  constructor(private readonly time: VirtualTime) {}

  for(inv: Invocation) {
    return {
      remember: async (key: string, ttlSeconds: number) => {
        inv.write(`remembering ${key.slice(0, 40)}`);
        const item = this.items.get(key);
        if (item && item.expiresAt > this.time.now() && !item.pending) return false;
        this.items.set(key, { expiresAt: this.time.now() + ttlSeconds * 1000, pending: true });
        return true;
      },
      settle: async (keys: string[]) => {
        for (const key of keys) {
          inv.write('settling a key');
          const item = this.items.get(key);
          if (item) item.pending = false;
        }
      },
      forget: async (key: string) => {
        inv.write('forgetting a key');
        this.items.delete(key);
      },
    };
  }
}

export class MemorySlots {
  private readonly slots = new Map<string, number>();

  for(inv: Invocation): SlotStore {
    return {
      read: async (key) => {
        inv.alive();
        return this.slots.get(key);
      },
      swap: async (key, expected, next) => {
        inv.write(`booking a slot on ${key}`);
        if (this.slots.get(key) !== expected) return false;
        this.slots.set(key, next);
        return true;
      },
    };
  }
}

// --- SNS and exactly-once -----------------------------------------------------------------------

export class SnsTooLargeError extends Error {
  override name = 'InvalidParameterException';
}

export interface Published {
  at: number;
  notification: Notification;
  bytes: number;
}

export class MemoryTopic {
  readonly published: Published[] = [];

  constructor(
    private readonly time: VirtualTime,
    private readonly trace: (line: string) => void = () => undefined,
  ) {}

  publish(notification: Notification): void {
    const input = toPublishInput('arn:aws:sns:sim:0:alerts', notification);
    const bytes = publishSize(input);
    if (bytes > SNS_MAX_MESSAGE_BYTES)
      throw new SnsTooLargeError(`Invalid parameter: Message too long (${bytes} bytes > ${SNS_MAX_MESSAGE_BYTES})`);
    this.published.push({ at: this.time.now(), notification, bytes });
    this.trace(
      `published ${notification.eventType} for "${'attemptId' in notification ? notification.attemptId : 'all'}"`,
    );
  }
}

/**
 * Powertools idempotency as the pipeline uses it: an in-progress record (expiring with the
 * invocation), the effect, then the completed record; a failed effect deletes the record so a
 * retry can act. The crash window between SNS accepting a message and the completed record is
 * not injected: no design closes it without a transactional SNS (it is the one at-least-once
 * window, and the key makes it a duplicate only if the process dies in that instant).
 */
export class MemoryIdempotency {
  readonly items = new Map<string, { status: 'in-progress' | 'done'; until: number }>();

  constructor(
    private readonly time: VirtualTime,
    private readonly topic: MemoryTopic,
  ) {}

  for(inv: Invocation) {
    return async (notification: Notification): Promise<'published' | 'duplicate'> => {
      const key = notificationKey(notification);
      inv.write(`claiming ${key}`);
      const item = this.items.get(key);
      if (item?.status === 'done') return 'duplicate';
      if (item && item.until > this.time.now()) throw new UpstreamError(`${key} is being published by another run`);
      this.items.set(key, { status: 'in-progress', until: inv.deadline });
      inv.write(`publishing ${key}`);
      try {
        this.topic.publish(notification);
      } catch (error) {
        this.items.delete(key);
        throw error;
      }
      this.items.set(key, { status: 'done', until: Number.POSITIVE_INFINITY });
      return 'published';
    };
  }
}

export type { Alert };
