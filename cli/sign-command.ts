/**
 * `ia-review-alerts sign --source <name> --body <file>`: prints a curl command that delivers the
 * file as that source's sender would, correctly signed. Against `npm start` it needs nothing
 * else; against a deployment give --url (the stack's WebhookUrl without {source}), --kind, and
 * the signing secret in WEBHOOK_SECRET.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '#lib/domain/errors.js';
import { SOURCE_KINDS, type SourceKind } from '#lib/domain/webhooks/kinds.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import { type Io, UsageError } from './io.js';
import { readLocalState } from './local-state.js';

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

export const signCommand = async (
  _positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  const sourceName = flags.source;
  const bodyFile = flags.body;
  if (typeof sourceName !== 'string' || typeof bodyFile !== 'string')
    throw new UsageError('sign needs --source <name> and --body <file>');
  let body: string;
  try {
    body = readFileSync(bodyFile, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${bodyFile}`);
  }
  const local = readLocalState(io.env, flags.local === true);
  const localSource = local?.sources.find((s) => s.name === sourceName);
  const kind = (typeof flags.kind === 'string' ? flags.kind : localSource?.kind) as SourceKind | undefined;
  if (!kind || !SOURCE_KINDS.includes(kind)) {
    throw new UsageError(
      `unknown source "${sourceName}": give --kind (${SOURCE_KINDS.join(', ')}) or start the local pipeline`,
    );
  }
  const secret = io.env.WEBHOOK_SECRET ?? localSource?.secretValue;
  if (!secret) throw new ConfigurationError("set WEBHOOK_SECRET to the source's signing secret");
  const base = typeof flags.url === 'string' ? flags.url.replace(/\/(\{source\})?$/, '') : local?.webhookUrl;
  if (!base)
    throw new ConfigurationError('give --url (the stack output WebhookUrl), or --local with npm start running');

  if (kind === 'lever' || kind === 'standard-webhooks' || kind === 'greenhouse') {
    try {
      JSON.parse(body);
    } catch {
      throw new UsageError(`${bodyFile} is not JSON`);
    }
  }
  const signed = signRequest(kind, body, secret);
  const query = new URLSearchParams(signed.query).toString();
  const url = `${base}/${encodeURIComponent(sourceName)}${query ? `?${query}` : ''}`;
  const headers = Object.entries(signed.headers).map(([name, value]) => `  -H ${shellQuote(`${name}: ${value}`)} \\`);
  io.out(
    [
      'curl -sS -X POST \\',
      ...headers,
      `  --data-binary ${shellQuote(signed.body)} \\`,
      `  ${shellQuote(url)}`,
      '',
    ].join('\n'),
  );
};
