/**
 * "I'm on it", from outside: a Slack button (`POST /claims/slack`) and an alert email's link
 * (`GET /claims/email` shows a form, its `POST` claims). Each request is verified before anything
 * is read (Slack's signature with the app's signing secret, replays refused; the link's token,
 * signed per deployment), and its answer says nothing a stranger could use: no state unless the
 * token or signature proved the request ours.
 */

import type { ClaimView } from '#lib/adapters/claim-store.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import {
  type Claim,
  type ClaimChannel,
  claim,
  claimant,
  InvalidClaimantError,
  lookAfterRelease,
  release,
  reviewWaits,
  type StoredClaimAnswer,
} from '#lib/domain/claims/claim.js';
import { type ClaimLinkSubject, verifyClaimLink } from '#lib/domain/claims/claim-link.js';
import {
  InvalidInteractionError,
  MAX_INTERACTION_BYTES,
  parseSlackInteraction,
  verifySlackRequest,
} from '#lib/domain/claims/slack-interaction.js';
import { claimFormPage, claimResultPage, holderText, PAGE_HEADERS } from '#lib/domain/render/claim-page.js';
import { claimReply, claimUpdate } from '#lib/domain/render/slack.js';
import { formatTime } from '#lib/domain/render/wording.js';

/** Slack's signature is good for five minutes: a replay is refused for longer than that. */
export const SLACK_REPLAY_SECONDS = 600;

export interface ClaimDeps {
  /** The Slack app's signing secrets (several while rotating); throws ConfigurationError when unset. */
  slackSigningSecrets(): Promise<string[]>;
  /** The keys the email links are signed with (the first signs; all verify). */
  claimLinkKeys(): Promise<string[]>;
  /** As ingest's dedupe: false when a settled record holds the key. */
  remember(key: string, ttlSeconds: number): Promise<boolean>;
  settle(keys: string[]): Promise<void>;
  forget(key: string): Promise<void>;
  /** Reads the attempt's claim view in its account, decides, writes under its version. */
  decide(
    subject: ClaimLinkSubject,
    decide: (view: ClaimView) => ReturnType<typeof claim<ClaimView>> | ReturnType<typeof release<ClaimView>>,
  ): Promise<StoredClaimAnswer<ClaimView>>;
  lookup(subject: ClaimLinkSubject): Promise<ClaimView | undefined>;
  /** Sends a check of the attempt to the checks queue (lookAfterRelease). */
  requestCheck(message: CheckMessage): Promise<void>;
  /** Posts to a Slack `response_url` (already checked to be Slack's). */
  respondToSlack(responseUrl: string, message: Record<string, unknown>): Promise<void>;
  /** Where interaction replies may go: Slack's hooks origin and each Slack channel's `webhookOrigin`. */
  slackOrigins: readonly string[];
  now(): Date;
}

export interface ClaimResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** What changed, for the log line the dashboard lists claims from: a claim made or let go. */
  recorded?: {
    action: 'claimed' | 'released';
    attemptId: string;
    account?: string;
    by: string;
    at: string;
    via: ClaimChannel;
  };
}

/** The change an answer made, if any. */
const recordedBy = (
  subject: ClaimLinkSubject,
  answer: StoredClaimAnswer<ClaimView>,
  by: string,
  via: ClaimChannel,
  now: Date,
): ClaimResponse['recorded'] =>
  answer.result === 'claimed'
    ? { action: 'claimed', ...subject, by, at: (answer.state.claim as Claim).at, via }
    : answer.result === 'released'
      ? { action: 'released', ...subject, by, at: now.toISOString(), via }
      : undefined;

const withRecord = (response: ClaimResponse, recorded: ClaimResponse['recorded']): ClaimResponse =>
  recorded ? { ...response, recorded } : response;

const json = (statusCode: number, body: object): ClaimResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const html = (statusCode: number, body: string): ClaimResponse => ({ statusCode, headers: { ...PAGE_HEADERS }, body });

const where = (subject: ClaimLinkSubject) =>
  `attempt ${subject.attemptId}${subject.account ? ` in account ${subject.account}` : ''}`;

/** One sentence for the person, whatever the channel. */
const claimMessage = (subject: ClaimLinkSubject, answer: StoredClaimAnswer<ClaimView>, by: string): string => {
  switch (answer.result) {
    case 'claimed':
      return `${by} is on it: ${where(subject)} claimed at ${formatTime((answer.state.claim as Claim).at)}. Escalation stops; reminders and the digest name ${by}.`;
    case 'already-yours':
      return `${where(subject)} is already yours, since ${formatTime(answer.claim.at)}.`;
    case 'held':
      return `${where(subject)} is already claimed by ${holderText(answer.claim)}.`;
    case 'released':
      return `${by} let go of ${where(subject)} (claimed by ${answer.claim.by}); escalation applies again.`;
    case 'not-claimed':
      return `${where(subject)} is not claimed: nothing to let go.`;
    case 'not-waiting':
      return `No review waits on ${where(subject)} now: nothing to claim.`;
    case 'unknown':
      return `${where(subject)} is not watched: nothing to claim.`;
  }
};

const deciding = (action: 'claim' | 'release', by: string, via: ClaimChannel, now: Date) => (view: ClaimView) =>
  action === 'claim' ? claim(view, by, via, now) : release(view, by);

export const slackClaimRequest = async (
  request: { headers: Record<string, string | undefined>; rawBody: string },
  deps: ClaimDeps,
): Promise<ClaimResponse> => {
  if (Buffer.byteLength(request.rawBody) > MAX_INTERACTION_BYTES)
    return json(413, { error: 'body_too_large', message: 'the interaction is too large' });
  const verification = verifySlackRequest(
    { headers: request.headers, query: {}, rawBody: request.rawBody },
    await deps.slackSigningSecrets(),
    deps.now(),
  );
  if (!verification.ok) return json(401, { error: verification.reason, message: 'the Slack signature does not hold' });
  let action: ReturnType<typeof parseSlackInteraction>;
  try {
    action = parseSlackInteraction(request.rawBody, deps.slackOrigins);
  } catch (error) {
    if (error instanceof InvalidClaimantError || error instanceof InvalidInteractionError)
      return json(400, { error: 'invalid_interaction', message: error.message });
    throw error;
  }
  const key = `claims#slack#${verification.replayKey}`;
  if (!(await deps.remember(key, SLACK_REPLAY_SECONDS)))
    return json(409, { error: 'replayed', message: 'this interaction was already taken' });
  const subject = { attemptId: action.attemptId, ...(action.account ? { account: action.account } : {}) };
  let answer: StoredClaimAnswer<ClaimView>;
  try {
    answer = await deps.decide(subject, deciding(action.action, action.by, action.via, deps.now()));
    await deps.settle([key]);
  } catch (error) {
    // Nothing was recorded (or we cannot tell): Slack's retry of the click may try again.
    await deps.forget(key);
    throw error;
  }
  const update =
    answer.result === 'claimed' || answer.result === 'released'
      ? claimUpdate(
          action.blocks,
          subject,
          answer.result === 'claimed'
            ? `:raising_hand: ${action.by} is on it (claimed ${formatTime((answer.state.claim as Claim).at)})`
            : `:leftwards_arrow_with_hook: ${action.by} let it go at ${formatTime(deps.now().toISOString())}`,
          answer.result === 'claimed' ? 'release' : 'claim',
        )
      : claimReply(claimMessage(subject, answer, action.by));
  const recorded = recordedBy(subject, answer, action.by, action.via, deps.now());
  // Let go: escalation due meanwhile goes out now. The release stands if the check cannot be
  // sent; escalation then waits for the attempt's next look.
  const checked =
    answer.result !== 'released' ||
    (await deps.requestCheck(lookAfterRelease(subject)).then(
      () => true,
      () => false,
    ));
  const status = { status: answer.result, ...(checked ? {} : { check: 'not_requested' }) };
  try {
    await deps.respondToSlack(action.responseUrl, update);
  } catch {
    // The claim stands whether or not Slack takes the update: reminders and the digest name the holder.
    return withRecord(json(200, { ...status, update: 'not_delivered' }), recorded);
  }
  return withRecord(json(200, status), recorded);
};

const linkProblems = {
  malformed: [400, 'This link is not a claim link. Open it from the alert email as it arrived.'],
  bad_signature: [400, 'This link is not a claim link. Open it from the alert email as it arrived.'],
  expired: [410, 'This link has expired. Claim from the newest alert, or with the CLI: ia-review-alerts ack.'],
} as const;

/** `GET /claims/email?t=…`: who holds it, or the form; never a claim. */
export const emailClaimPage = async (token: string, deps: ClaimDeps): Promise<ClaimResponse> => {
  const link = verifyClaimLink(await deps.claimLinkKeys(), token, deps.now());
  if (!link.ok)
    return html(linkProblems[link.reason][0], claimResultPage('Cannot claim', linkProblems[link.reason][1]));
  const { ok: _ok, ...subject } = link;
  const view = await deps.lookup(subject);
  return html(
    200,
    claimFormPage({
      ...subject,
      token,
      waits: view !== undefined && reviewWaits(view),
      ...(view?.claim ? { held: view.claim } : {}),
    }),
  );
};

/** `POST /claims/email` with `t` and `by`, as the form sends them. */
export const emailClaimPost = async (rawBody: string, deps: ClaimDeps): Promise<ClaimResponse> => {
  if (Buffer.byteLength(rawBody) > 4096) return html(413, claimResultPage('Cannot claim', 'The form is too large.'));
  const form = new URLSearchParams(rawBody);
  const link = verifyClaimLink(await deps.claimLinkKeys(), form.get('t') ?? '', deps.now());
  if (!link.ok)
    return html(linkProblems[link.reason][0], claimResultPage('Cannot claim', linkProblems[link.reason][1]));
  const { ok: _ok, ...subject } = link;
  let by: string;
  try {
    by = claimant(form.get('by') ?? '');
  } catch (error) {
    if (error instanceof InvalidClaimantError) return html(400, claimResultPage('Cannot claim', error.message));
    throw error;
  }
  const answer = await deps.decide(subject, deciding('claim', by, 'email', deps.now()));
  const ok = answer.result === 'claimed' || answer.result === 'already-yours';
  return withRecord(
    html(ok ? 200 : 409, claimResultPage(ok ? 'Claimed' : 'Not claimed', claimMessage(subject, answer, by))),
    recordedBy(subject, answer, by, 'email', deps.now()),
  );
};
