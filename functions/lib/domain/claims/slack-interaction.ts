/**
 * The "I'm on it" button of a Slack alert, as Slack's app interactivity delivers it: a form POST
 * (`payload=<JSON>`) signed with the app's signing secret — `v0=` hex HMAC-SHA256 of
 * `v0:<timestamp>:<body>` in `X-Slack-Signature`, the timestamp in `X-Slack-Request-Timestamp`,
 * refused outside five minutes. Everything in it is hostile until verified, and bounded after:
 * the claimant's name is made safe, the reply goes only to a Slack `response_url`, and the
 * message's blocks are echoed back only within Slack's own limits. Pure: secrets and clock are
 * arguments.
 */
import { createHash } from 'node:crypto';
import { ACCOUNT_NAME, IA_ID } from '../ids.js';
import { anySafeEqual, hmacSha256 } from '../webhooks/crypto.js';
import { DEFAULT_TOLERANCE_SECONDS, type InboundRequest, type Verification } from '../webhooks/verify.js';
import { type ClaimChannel, claimant } from './claim.js';

/** The buttons' `action_id`s; their `value` is `{"attemptId","account"?}`. */
export const CLAIM_ACTION = 'ia-review-claim';
export const RELEASE_ACTION = 'ia-review-release';

/** The context line that says who holds the claim: replaced, not repeated, at each click. */
export const CLAIM_STATUS_BLOCK = 'ia-review-claim-status';

/** An interaction payload is a few KB; a message of 50 blocks with long texts stays under this. */
export const MAX_INTERACTION_BYTES = 64 * 1024;
const MAX_BLOCKS = 50;

export const verifySlackRequest = (
  request: InboundRequest,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  const timestamp = request.headers['x-slack-request-timestamp'];
  const signature = request.headers['x-slack-signature'];
  if (!timestamp || !signature) return { ok: false, reason: 'missing_signature' };
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'malformed_signature' };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() - Number(timestamp) * 1000) > toleranceSeconds * 1000)
    return { ok: false, reason: 'stale_timestamp' };
  const expected = secrets.map(
    (secret) => `v0=${hmacSha256(secret, `v0:${timestamp}:${request.rawBody}`).toString('hex')}`,
  );
  if (!anySafeEqual([signature], expected)) return { ok: false, reason: 'bad_signature' };
  // Slack signs the timestamp and the body: the same pair again is a replay.
  return {
    ok: true,
    replayKey: `slack:${timestamp}:${createHash('sha256').update(request.rawBody).digest('hex')}`,
  };
};

export interface SlackClaimAction {
  action: 'claim' | 'release';
  attemptId: string;
  account?: string;
  /** The clicking user's display name, made safe. */
  by: string;
  via: ClaimChannel;
  /** Where the message is updated in place: always `https://hooks.slack.com/…`. */
  responseUrl: string;
  /** The message's blocks, to repeat with the claim's line (bounded; the claim's button and line left out). */
  blocks: Array<Record<string, unknown>>;
}

export class InvalidInteractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInteractionError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Slack `response_url` (on one of the origins the deployment's Slack channels post to), and nothing a forged payload could point us at instead. */
const slackResponseUrl = (value: unknown, origins: readonly string[]): string => {
  if (typeof value !== 'string' || value.length > 512) throw new InvalidInteractionError('no response_url');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInteractionError('response_url is not a URL');
  }
  if (!origins.includes(url.origin) || url.username !== '' || url.password !== '')
    throw new InvalidInteractionError('response_url is not a Slack hooks URL');
  return url.toString();
};

const isClaimButton = (element: unknown) =>
  isObject(element) && (element.action_id === CLAIM_ACTION || element.action_id === RELEASE_ACTION);

/** An actions block keeps its other buttons (the link to IA); the claim's is added back by the update. */
const withoutClaimButtons = (block: Record<string, unknown>): Record<string, unknown> =>
  block.type === 'actions'
    ? { ...block, elements: (Array.isArray(block.elements) ? block.elements : []).filter((e) => !isClaimButton(e)) }
    : block;

/**
 * A verified interaction's form body → the claim it asks for. The reply goes to its `response_url`
 * only on one of `slackOrigins` (each an origin, `https://hooks.slack.com` or a GovSlack's).
 */
export const parseSlackInteraction = (rawBody: string, slackOrigins: readonly string[]): SlackClaimAction => {
  if (Buffer.byteLength(rawBody) > MAX_INTERACTION_BYTES) throw new InvalidInteractionError('interaction too large');
  const form = new URLSearchParams(rawBody);
  let payload: unknown;
  try {
    payload = JSON.parse(form.get('payload') ?? '');
  } catch {
    throw new InvalidInteractionError('payload is not JSON');
  }
  if (!isObject(payload) || payload.type !== 'block_actions') throw new InvalidInteractionError('not a block action');
  const actions = Array.isArray(payload.actions) ? payload.actions : [];
  const action = actions.find((a): a is Record<string, unknown> => isClaimButton(a));
  if (!action) throw new InvalidInteractionError('no claim or release button');
  let value: unknown;
  try {
    value = JSON.parse(typeof action.value === 'string' ? action.value : '');
  } catch {
    throw new InvalidInteractionError("the button's value is not JSON");
  }
  if (!isObject(value) || typeof value.attemptId !== 'string' || !IA_ID.test(value.attemptId))
    throw new InvalidInteractionError("the button's value names no attempt");
  if (value.account !== undefined && (typeof value.account !== 'string' || !ACCOUNT_NAME.test(value.account)))
    throw new InvalidInteractionError("the button's value names no account");
  const user = isObject(payload.user) ? payload.user : {};
  const name = [user.name, user.username, user.id].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (name === undefined) throw new InvalidInteractionError('no user');
  const message = isObject(payload.message) ? payload.message : {};
  const blocks = (Array.isArray(message.blocks) ? message.blocks : [])
    .filter((block): block is Record<string, unknown> => isObject(block) && block.block_id !== CLAIM_STATUS_BLOCK)
    .map(withoutClaimButtons)
    .filter((block) => block.type !== 'actions' || (block.elements as unknown[]).length > 0)
    .slice(0, MAX_BLOCKS - 2);
  return {
    action: action.action_id === CLAIM_ACTION ? 'claim' : 'release',
    attemptId: value.attemptId,
    ...(typeof value.account === 'string' ? { account: value.account } : {}),
    by: claimant(name),
    via: 'slack',
    responseUrl: slackResponseUrl(payload.response_url, slackOrigins),
    blocks,
  };
};
