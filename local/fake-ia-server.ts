/**
 * A fake Indeed Assessments API on loopback, written from the documented contract: token auth,
 * `/attempts/{id}` and `/assignments/{id}` (with or without `.json`), the assignment list
 * `/assignments.json?page=&per=` (newest created first, `per` clamped, `meta`, moving between
 * requests when a test adds assignments), ETag/If-None-Match → 304, 404, a per-key rate limit
 * answering 429 + Retry-After, and fault injection per id (`LIST` for the list, `LIST:<page>` for
 * one of its pages) or per run.
 * Used by the tests, `npm start`, the load test and the benchmarks.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number; body?: string }
  | { kind: 'latency'; ms: number }
  | { kind: 'malformed-json' }
  | { kind: 'content-type'; contentType: string }
  | { kind: 'reset' }
  | { kind: 'hang' };

export interface RecordedRequest {
  at: number;
  path: string;
  id?: string;
  /** The list page asked for. */
  page?: number;
  status: number | 'reset' | 'hang';
  authorized: boolean;
  /** The key it came with, when it was one of the server's (the load run counts per account). */
  key?: string;
}

export interface FakeIaOptions {
  apiKeys?: string[];
  /** Requests per second per key; `Infinity` turns the limit off. */
  ratePerSecond?: number;
  /** Arrival jitter forgiven by the limiter, in ms. */
  rateToleranceMs?: number;
  attempts?: Record<string, unknown>;
  assignments?: Record<string, unknown>;
  /** Answers for attempt ids it does not know (the benchmark's fresh ids); 404 without it. */
  anyAttempt?: (id: string) => unknown;
  /** The most assignments the list serves per page, whatever `per` asks (IA's clamp is undocumented). */
  maxPerPage?: number;
  /** Write `meta` counts as strings, as some API versions do. */
  countsAsStrings?: boolean;
  /** Whether list pages carry an ETag (undocumented for IA). */
  listEtags?: boolean;
  /** Called before every list page is served: a test moves the list here (new assignments arrive). */
  beforeListPage?: (page: number) => void;
  /**
   * Several IA accounts on one server: whether the account of `key` sees the attempt or
   * assignment `id` (each account its own data, as in IA). Every key sees everything without it.
   */
  visibleTo?: (key: string, id: string) => boolean;
}

const ROUTE = /^\/(?:v1\/)?(attempts|assignments)\/([^/.]+)(?:\.json)?$/;
const LIST_ROUTE = /^\/(?:v1\/)?assignments(?:\.json)?$/;
/** The fault-injection id of the assignment list. */
export const LIST = 'assignments-list';

const unwrapAssignment = (body: unknown) =>
  ((body as { assignment?: unknown }).assignment ?? body) as { id?: unknown; created_at?: string };

export class FakeIaServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly attempts = new Map<string, unknown>();
  private readonly assignments = new Map<string, unknown>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly allowedByKey = new Map<string, number[]>();
  private apiKeys: Set<string>;
  private readonly anyAttempt: ((id: string) => unknown) | undefined;
  ratePerSecond: number;
  private readonly toleranceMs: number;
  maxPerPage: number;
  private readonly countsAsStrings: boolean;
  private readonly listEtags: boolean;
  beforeListPage: ((page: number) => void) | undefined;
  private readonly visibleTo: ((key: string, id: string) => boolean) | undefined;

  constructor(options: FakeIaOptions = {}) {
    this.apiKeys = new Set(options.apiKeys ?? ['test-api-key']);
    this.ratePerSecond = options.ratePerSecond ?? 1;
    this.toleranceMs = options.rateToleranceMs ?? 25;
    this.anyAttempt = options.anyAttempt;
    this.maxPerPage = options.maxPerPage ?? 100;
    this.countsAsStrings = options.countsAsStrings ?? false;
    this.listEtags = options.listEtags ?? true;
    this.beforeListPage = options.beforeListPage;
    this.visibleTo = options.visibleTo;
    for (const [id, body] of Object.entries(options.attempts ?? {})) this.attempts.set(id, body);
    for (const [id, body] of Object.entries(options.assignments ?? {})) this.assignments.set(id, body);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setAttempt(id: string, body: unknown): void {
    this.attempts.set(id, body);
  }

  setAssignment(id: string, body: unknown): void {
    this.assignments.set(id, body);
  }

  removeAssignment(id: string): void {
    this.assignments.delete(id);
  }

  /** Every assignment, newest created first, as the list serves them. */
  listed(): Array<{ id?: unknown; created_at?: string }> {
    return [...this.assignments.values()]
      .map(unwrapAssignment)
      .sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? ''));
  }

  setApiKeys(keys: string[]): void {
    this.apiKeys = new Set(keys);
  }

  /** Faults for one id (or `*` for every request), consumed one per request, in order. */
  inject(id: string, ...faults: Fault[]): void {
    this.faults.set(id, [...(this.faults.get(id) ?? []), ...faults]);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.clear();
    this.allowedByKey.clear();
  }

  countRequests(filter: (request: RecordedRequest) => boolean = () => true): number {
    return this.requests.filter(filter).length;
  }

  private nextFault(id: string | undefined, page?: number): Fault | undefined {
    for (const key of [page === undefined ? undefined : `${id}:${page}`, id, '*']) {
      const queue = key === undefined ? undefined : this.faults.get(key);
      if (queue && queue.length > 0) return queue.shift();
    }
    return undefined;
  }

  /**
   * Seconds until the key may call again, or 0 when this call is within the limit: at most
   * `rate` requests in any sliding one-second window (for rates under 1/s, one request per
   * 1/rate seconds), as "N requests per second per key" is usually enforced.
   */
  private rateLimit(key: string, now: number): number {
    if (!Number.isFinite(this.ratePerSecond)) return 0;
    const windowMs = Math.max(1000, 1000 / this.ratePerSecond) - this.toleranceMs;
    const capacity = Math.max(1, Math.round((this.ratePerSecond * (windowMs + this.toleranceMs)) / 1000));
    const recent = (this.allowedByKey.get(key) ?? []).filter((at) => now - at < windowMs);
    if (recent.length >= capacity) {
      this.allowedByKey.set(key, recent);
      return Math.max(1, Math.ceil((windowMs - (now - (recent[0] as number))) / 1000));
    }
    recent.push(now);
    this.allowedByKey.set(key, recent);
    return 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const match = ROUTE.exec(path);
    const isList = LIST_ROUTE.test(path);
    const id = isList ? LIST : match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const page = isList ? Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1) : undefined;
    const auth = /^token (.+)$/.exec(req.headers.authorization ?? '');
    const key = auth?.[1];
    const authorized = key !== undefined && this.apiKeys.has(key);
    const record = (status: RecordedRequest['status']) =>
      this.requests.push({
        at,
        path,
        ...(id ? { id } : {}),
        ...(page ? { page } : {}),
        status,
        authorized,
        ...(authorized ? { key } : {}),
      });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };

    if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
    if (!authorized) return json(401, { error: 'invalid or missing API token' });
    const retryAfter = this.rateLimit(key as string, at);
    if (retryAfter > 0) return json(429, { error: 'rate limit exceeded' }, { 'retry-after': String(retryAfter) });

    let fault = this.nextFault(id, page);
    while (fault?.kind === 'latency') {
      await new Promise((resolve) => setTimeout(resolve, fault && fault.kind === 'latency' ? fault.ms : 0));
      fault = this.nextFault(id, page);
    }
    switch (fault?.kind) {
      case 'status': {
        record(fault.status);
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }),
        });
        return void res.end(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
      }
      case 'reset':
        record('reset');
        return void req.socket.destroy();
      case 'hang':
        record('hang');
        return; // never answers; stop() destroys the socket
      default:
        break;
    }

    const store = match?.[1] === 'attempts' ? this.attempts : this.assignments;
    const visible = (item: string) => this.visibleTo?.(key as string, item) ?? true;
    const body = isList
      ? this.listPage(page ?? 1, Number.parseInt(url.searchParams.get('per') ?? '25', 10) || 25, visible)
      : id === undefined || !visible(id)
        ? undefined
        : (store.get(id) ?? (store === this.attempts ? this.anyAttempt?.(id) : undefined));
    if ((!match && !isList) || body === undefined) return json(404, { error: 'not found' });
    const text = JSON.stringify(body);
    const etag =
      isList && !this.listEtags ? undefined : `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
    const etagHeader: Record<string, string> = etag ? { etag } : {};
    if (etag && req.headers['if-none-match'] === etag) {
      record(304);
      res.writeHead(304, etagHeader);
      return void res.end();
    }
    record(200);
    if (fault?.kind === 'malformed-json') {
      res.writeHead(200, { 'content-type': 'application/json', ...etagHeader });
      return void res.end(text.slice(0, Math.floor(text.length / 2)));
    }
    const contentType = fault?.kind === 'content-type' ? fault.contentType : 'application/json; charset=utf-8';
    res.writeHead(200, { 'content-type': contentType, ...etagHeader });
    res.end(text);
  }

  /** One page of the list as IA shapes it: `per` clamped, `meta` with the counts. */
  private listPage(page: number, requestedPer: number, visible: (id: string) => boolean) {
    this.beforeListPage?.(page);
    const per = Math.max(1, Math.min(requestedPer, this.maxPerPage));
    const all = this.listed().filter((assignment) => visible(String(assignment.id)));
    const results = all.slice((page - 1) * per, page * per).map((assignment) => ({ assignment }));
    const count = (n: number) => (this.countsAsStrings ? String(n) : n);
    return {
      meta: { total_count: count(all.length), count: count(results.length), pages: count(Math.ceil(all.length / per)) },
      results,
    };
  }
}
