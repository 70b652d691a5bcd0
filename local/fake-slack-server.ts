/**
 * A fake Slack incoming-webhook server on loopback. Records every post per webhook path and
 * answers like Slack: `200 ok`, or a scripted error (429 + Retry-After, 400 invalid_blocks,
 * 404 no_service, 410 channel_is_archived, 500), consumed one per post. Made `interactive`, it is
 * also the Slack app's interactivity: `click` (or `POST /_click` with `{"attemptId","user"}`)
 * sends the app a signed interaction for the newest message's button, and the app's reply to the
 * interaction's `response_url` (`/actions/…`) is recorded like any post.
 */
import { createHmac } from 'node:crypto';
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
  private interactivity?: { requestUrl: string; signingSecret: string };
  private replies = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const path = req.url ?? '/';
        if (path === '/_click' && req.method === 'POST') {
          const { attemptId, user } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
            string,
            string
          >;
          const status = await this.click(String(attemptId), String(user ?? 'someone')).catch(() => 502);
          res.writeHead(status, { 'content-type': 'text/plain' });
          return void res.end(status === 200 ? 'clicked' : 'no such button, or the app refused the click');
        }
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
    return `${this.origin()}/services/T000/B000/${channel}`;
  }

  /** Like a Slack app with Interactivity on: where its buttons' clicks go, signed with its signing secret. */
  interactive(requestUrl: string, signingSecret: string): void {
    this.interactivity = { requestUrl, signingSecret };
  }

  /**
   * What Slack sends the app when `user` clicks the claim (or release) button about `attemptId` on
   * the newest message that has one (or on `blocks`): a form POST of the `block_actions` payload,
   * signed `v0` with the app's signing secret (or `signingSecret`, to forge one) at `timestamp`.
   */
  interaction(
    attemptId: string,
    user: string,
    options: { blocks?: Array<Record<string, unknown>>; signingSecret?: string; timestamp?: number } = {},
  ): { body: string; headers: Record<string, string> } | undefined {
    const buttons = (blocks: unknown) =>
      ((blocks ?? []) as Array<{ type: string; elements?: Array<Record<string, unknown>> }>)
        .filter((block) => block.type === 'actions')
        .flatMap((block) => block.elements ?? [])
        .filter((element) => typeof element.action_id === 'string' && String(element.value).includes(`"${attemptId}"`));
    const blocks =
      options.blocks ??
      (this.posts.map((post) => (post.body as { blocks?: unknown }).blocks).findLast((b) => buttons(b).length > 0) as
        | Array<Record<string, unknown>>
        | undefined);
    const button = buttons(blocks)[0];
    if (!blocks || !button) return undefined;
    this.replies += 1;
    const payload = {
      type: 'block_actions',
      user: { id: `U${this.replies}`, name: user },
      response_url: `${this.origin()}/actions/T000/${this.replies}`,
      message: { blocks },
      actions: [{ action_id: button.action_id, value: button.value }],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const secret = options.signingSecret ?? this.interactivity?.signingSecret ?? '';
    const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': `v0=${signature}`,
      },
    };
  }

  /** `user` clicks, and Slack delivers the interaction to the app: its HTTP status (404: no such button). */
  async click(attemptId: string, user: string): Promise<number> {
    if (!this.interactivity) throw new Error('the fake Slack is not interactive');
    const request = this.interaction(attemptId, user);
    if (!request) return 404;
    return (await fetch(this.interactivity.requestUrl, { method: 'POST', ...request })).status;
  }

  /** Where this fake answers: webhooks under `/services/…`, interaction replies under `/actions/…`, clicks at `/_click`. */
  origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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
