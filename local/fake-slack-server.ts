/**
 * A fake Slack incoming-webhook server on loopback. Records every post per webhook path and
 * answers like Slack: `200 ok`, or a scripted error (429 + Retry-After, 400 invalid_blocks,
 * 404 no_service, 410 channel_is_archived, 500), consumed one per post.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackPost {
  at: number;
  path: string;
  body: unknown;
  status: number;
}

export type SlackAnswer =
  | { status: 200 }
  | { status: 429; retryAfter: number }
  | { status: 400; error: 'invalid_blocks' | 'invalid_payload' | 'no_text' }
  | { status: 403; error: 'action_prohibited' | 'invalid_token' }
  | { status: 404; error: 'no_service' | 'channel_not_found' }
  | { status: 410; error: 'channel_is_archived' }
  | { status: 500 | 502 | 503; error?: string };

export class FakeSlackServer {
  readonly posts: SlackPost[] = [];
  private readonly server: Server;
  private readonly scripted = new Map<string, SlackAnswer[]>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const answer = this.scripted.get(path)?.shift() ?? this.scripted.get('*')?.shift() ?? { status: 200 };
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        this.posts.push({ at: Date.now(), path, body, status: answer.status });
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (answer.status === 429) headers['retry-after'] = String(answer.retryAfter);
        res.writeHead(answer.status, headers);
        res.end(answer.status === 200 ? 'ok' : 'error' in answer && answer.error ? answer.error : 'rate_limited');
      });
    });
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A webhook URL shaped like Slack's, on this server. */
  webhookUrl(channel = 'alerts'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T000/B000/${channel}`;
  }

  /** Answers for posts to `path` (or `*`), used in order, one per post; afterwards `200 ok`. */
  script(path: string, ...answers: SlackAnswer[]): void {
    this.scripted.set(path, [...(this.scripted.get(path) ?? []), ...answers]);
  }

  reset(): void {
    this.posts.length = 0;
    this.scripted.clear();
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
