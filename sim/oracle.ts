/**
 * The invariants the product promises, checked against the simulated world's truth (the model of
 * IA) and what the pipeline did (what the topic, Slack, Amazon Q and the bus received, what the
 * check function recorded, what the queues and the state table hold). Every invariant bites both
 * ways: nothing before it is due or while it is not so, nothing after it is due. Safety is checked
 * as things happen; liveness ("by its deadline") once the run is over, for every deadline inside
 * it. Each invariant counts how often it was evaluated, and one that should have applied in a run
 * but never was fails the run: a check that never fires proves nothing.
 */

import { DEFAULT_ACCOUNT } from '#lib/domain/accounts.js';
import type { Alert, AlertType } from '#lib/domain/alert.js';
import { CHAT_EVENT_TYPES, DIGEST_TYPE, PEOPLE_EVENT_TYPES } from '#lib/domain/alert.js';
import { sweepPagesPerRun } from '#lib/domain/defaults.js';
import type { Digest } from '#lib/domain/digest.js';
import { alertKey, digestKey, isDigest, type Notification, notificationKey } from '#lib/domain/notification.js';
import { chatNotification } from '#lib/domain/render/chat.js';
import { emailBody, emailSubject } from '#lib/domain/render/email.js';
import { slackMessage } from '#lib/domain/render/slack.js';
import { IaModel, LIST_LAG_MS, type SimAssignment, type SimAttempt, STALE_304_MS, TIME } from './ia-model.js';
import { OPERATOR_REDRIVES_WITHIN, type World } from './pipeline.js';
import {
  chatDigestProblems,
  chatProblems,
  digestEmailProblems,
  emailProblems,
  fewestProblems,
  plainName,
  slackClaimReplyProblems,
  slackDigestMade,
  slackDigestProblems,
  slackProblems,
  slackSubject,
  type Truth,
} from './renderings.js';

export interface Violation {
  invariant: string;
  at: number;
  /** The event-loop step at which it was seen (safety) or its deadline passed (liveness). */
  step?: number;
  attemptId?: string;
  detail: string;
}

/** How soon things must follow: after a trigger, and the slowest look once something is due. */
export const BOUNDS = {
  triggered: 15 * TIME.MINUTE,
  /**
   * Reminders, escalation, completion and stalled scoring after they fall due, at least: the next
   * look (an hour apart) and the minutes that look may wait for its message, its container and its
   * turn on IA's 1 request/s behind the other looks due at that moment (found at 400 a day: 1 s).
   */
  followUp: TIME.HOUR + 5 * TIME.MINUTE,
  /** Once only closing is left, a watched attempt is looked at at most a day apart (lifecycle.ts). */
  settled: 25 * TIME.HOUR,
  /**
   * What falls due at a time known in advance (a reminder, an escalation, the scoring deadline),
   * where no sweep carries the watch: the check schedules its own look for that moment ("not up to a
   * watch interval later", lifecycle.ts), so only the re-check's delivery and its turn lie between.
   */
  timed: 10 * TIME.MINUTE,
} as const;

/**
 * How old what an alert is based on may be when it goes out: the list lags an attempt's GET, a
 * cache answers 304 for a minute-old version, and a sweep run publishes what its page said a few
 * minutes into the run. An alert "while reviews wait" is right if they waited at some instant of it.
 */
export const STALENESS = LIST_LAG_MS + STALE_304_MS + 5 * TIME.MINUTE;
/** A minute between a scheduled look and the next, less what two containers' clocks may differ by. */
const MINUTE_APART = TIME.MINUTE - 1000;
/** Clocks of two containers, and a publish that lands a moment after its decision: "not before" tolerates this. */
const EARLY_TOLERANCE = TIME.MINUTE;
/**
 * A look that read the state before a claim was written may still publish after it: its IA call
 * (paced, with retries, up to its total timeout) and its publish (three tries) lie between. An
 * alert this long after a claim was recorded must know it.
 */
export const CLAIM_TOLERANCE = 10 * TIME.MINUTE;

type Account = World['accounts'][number];

/** The instants at which an attempt's state may change in [from, to], and the ends. */
const instants = (a: SimAttempt, from: number, to: number, also: Array<number | undefined>) => {
  const points = [from, to];
  for (const at of [a.completeAt, ...a.reviewDoneAts, a.scoringDoneAt, ...also])
    if (at !== undefined && at > from && at < to) points.push(at);
  return points;
};
/** Whether `test` holds at some instant of [from, to]; `also`: other instants where its answer may change. */
const somewhere = (
  a: SimAttempt,
  from: number,
  to: number,
  test: (t: number) => boolean,
  also: Array<number | undefined> = [],
) => instants(a, from, to, also).some(test);
const throughout = (
  a: SimAttempt,
  from: number,
  to: number,
  test: (t: number) => boolean,
  also: Array<number | undefined> = [],
) => instants(a, from, to, also).every(test);

const iso = (ms: number) => new Date(ms).toISOString();

export class Oracle {
  readonly violations: Violation[] = [];
  /** How many times each invariant was evaluated. */
  readonly evaluated: Record<string, number> = {};
  private checkedPublished = 0;
  private checkedSlackPosts = 0;
  /** Every alert published, by what its Slack post's context line names. */
  private readonly alertsByPost = new Map<string, Alert>();
  /** The same, by the alert's key (Amazon Q's notification carries it as its id): a key SNS took twice, both. */
  private readonly alertsByKey = new Map<string, Alert[]>();
  /** Every digest published, by when it was made (its Slack post's context names that). */
  private readonly digestsMade = new Map<string, Digest>();
  private checkedRequests = new Map<string, number>();
  private checkedOutcomes = 0;
  /** Each attempt's last look of the check's own accord (a re-check it scheduled, no event). */
  private readonly ownLooks = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  /** The awaiting-review index, sampled along the run: per account, the attempt ids in it. */
  private readonly samples: Array<{ at: number; index: Map<string, Set<string>> }> = [];
  private nextSample: number;
  readonly sweep: ReturnType<typeof sweepSettings>;

  constructor(private readonly world: World) {
    this.nextSample = world.start + TIME.HOUR;
    this.sweep = sweepSettings(world);
    for (const name of REQUIRED) this.evaluated[name] = 0;
  }

  /** Evaluates one instance of an invariant. */
  private check(invariant: string, ok: boolean, violation: () => Omit<Violation, 'invariant'>) {
    this.evaluated[invariant] = (this.evaluated[invariant] ?? 0) + 1;
    if (!ok) this.violations.push({ invariant, ...violation() });
  }

  // --- as things happen --------------------------------------------------------------------------

  step(): void {
    const { world } = this;
    // Dead letters as they arrive: the operator's redrive takes them out of the queue again.
    for (const [id, message] of world.dlq.messages) {
      if (this.deadLetters.has(id)) continue;
      const eventId = (JSON.parse(message.body) as { eventId?: string }).eventId;
      this.deadLetters.set(id, { ...(eventId ? { eventId } : {}), at: message.sentAt });
    }
    const published = world.topic.published;
    for (; this.checkedPublished < published.length; this.checkedPublished++)
      this.onPublished(published[this.checkedPublished] as World['topic']['published'][number]);
    for (; this.checkedSlackPosts < world.slackPosts.length; this.checkedSlackPosts++)
      this.onSlackPost(world.slackPosts[this.checkedSlackPosts] as World['slackPosts'][number]);
    for (const account of world.accounts) this.onRequests(account);
    for (; this.checkedOutcomes < world.checkOutcomes.length; this.checkedOutcomes++) {
      const outcome = world.checkOutcomes[this.checkedOutcomes] as World['checkOutcomes'][number];
      this.ownLook(outcome);
      if (outcome.source !== 'eventbridge') continue;
      this.check(
        'the product’s own events never come back as checks',
        !world.alertEventIds().has(outcome.eventId ?? ''),
        () => ({
          at: outcome.at,
          attemptId: outcome.attemptId,
          detail: `checked because of alert event ${outcome.eventId}`,
        }),
      );
    }
    if (world.time.now() >= this.nextSample) {
      this.samples.push({ at: world.time.now(), index: world.awaitingIndex() });
      this.nextSample += TIME.HOUR;
    }
  }

  /**
   * IA's one request a second is shared by every attempt watched: the check schedules its own next
   * look at an attempt a minute after its last at the soonest (`firstDelaySeconds`, and never under
   * 60 s before a reminder or an escalation). With no sweep every look without an event is such a
   * re-check; a look sooner after the last spends the budget of the others.
   */
  private ownLook(outcome: World['checkOutcomes'][number]) {
    if (this.sweep.on || outcome.eventId !== undefined || !outcome.action.startsWith('checked')) return;
    const key = `${outcome.account ?? DEFAULT_ACCOUNT}/${outcome.attemptId}`;
    const last = this.ownLooks.get(key);
    this.ownLooks.set(key, outcome.at);
    if (last === undefined) return;
    this.check(
      'the watch looks again a minute after its last look at the soonest',
      outcome.at - last >= MINUTE_APART,
      () => ({
        at: outcome.at,
        attemptId: outcome.attemptId,
        detail: `looked at ${iso(last)} and again at ${iso(outcome.at)}`,
      }),
    );
  }

  /** What IA holds of an alert's attempt, for what its renderings must say. */
  private truthOf(alert: Alert): Truth | undefined {
    const ia = this.accountOf(alert)?.ia;
    const attempt = ia?.attempts.get(alert.attemptId);
    const name = attempt && ia?.assignment(attempt.assignmentId)?.candidate;
    if (attempt?.completeAt === undefined) return undefined;
    const plain = name === undefined ? undefined : plainName(name);
    return {
      completedAt: attempt.completeAt,
      assignmentId: attempt.assignmentId,
      ...(plain === undefined ? {} : { plainName: plain }),
    };
  }

  private accountOf(notification: Alert): Account | undefined {
    const name = notification.account ?? DEFAULT_ACCOUNT;
    return this.world.accounts.find((a) => a.name === name);
  }

  /** A Slack post says what its alert says; one that names no alert is as wrong. */
  private onSlackPost({ at, body }: World['slackPosts'][number]) {
    const made = slackDigestMade(body);
    if (made !== undefined) {
      const digest = this.digestsMade.get(made);
      const problems = digest ? slackDigestProblems(digest, body) : ['it names no digest that was published'];
      this.check('the digest’s Slack post and Amazon Q notification say what it says', problems.length === 0, () => ({
        at,
        detail: problems.join('; '),
      }));
      return;
    }
    const about = slackSubject(body);
    const alert = about && this.alertsByPost.get(`${about.attemptId} ${about.eventType} ${about.occurredAt}`);
    // The simulated stack has claims on: Slack's posts carry the button.
    const problems = alert
      ? slackProblems(alert, body, this.truthOf(alert), { claimButtons: true })
      : ['it names no alert that was published'];
    this.check('every Slack post says what happened and what to do', problems.length === 0, () => ({
      at,
      ...(about ? { attemptId: about.attemptId } : {}),
      detail: problems.join('; '),
    }));
  }

  private onPublished({ at, notification, email }: World['topic']['published'][number]) {
    if (isDigest(notification)) {
      this.digestsMade.set(notification.occurredAt, notification as Digest);
      const problems = digestEmailProblems(notification as Digest, email.subject, email.body);
      this.check('the digest’s email says how many wait and lists the oldest', problems.length === 0, () => ({
        at,
        detail: problems.join('; '),
      }));
      return;
    }
    const alert = notification as Alert;
    this.alertsByPost.set(`${alert.attemptId} ${alert.eventType} ${alert.occurredAt}`, alert);
    this.alertsByKey.set(alertKey(alert), [...(this.alertsByKey.get(alertKey(alert)) ?? []), alert]);
    const problems = emailProblems(alert, email.subject, email.body, this.truthOf(alert));
    this.check('every alert’s email says what happened and what to do', problems.length === 0, () => ({
      at,
      attemptId: alert.attemptId,
      detail: problems.join('; '),
    }));
    const key = notificationKey(alert);
    const account = this.accountOf(alert);
    const attempt = account?.ia.attempts.get(alert.attemptId);
    const add = (invariant: string, ok: boolean, detail: () => string) =>
      this.check(invariant, ok, () => ({ at, attemptId: alert.attemptId, detail: detail() }));
    /** Who held it, recorded long enough before this alert that its look read the claim. */
    const holder = () => this.claimBefore(alert.account ?? DEFAULT_ACCOUNT, alert.attemptId, at - CLAIM_TOLERANCE);
    const before = this.seen.get(key);
    this.seen.set(key, at);
    // Again after its process died between SNS accepting it and its key completing: the window
    // no design closes without a transactional SNS. Counted (stats), not a violation.
    add(
      'no alert twice',
      before === undefined || this.sentAgainBetween(key, before, at),
      () => `${key} published again (before at ${iso(before as number)})`,
    );
    add(
      'alerts only for real attempts, in their account',
      attempt !== undefined,
      () => `${alert.eventType} for an attempt IA never had`,
    );
    if (!attempt || !account) return;
    add(
      'alerts only for completed attempts',
      IaModel.completed(attempt, at),
      () => `${alert.eventType} before the attempt completed`,
    );
    const live = liveLink(alert);
    add('no live link from IA text in any rendering', live === undefined, () => live as string);
    const window = (test: (t: number) => boolean) => somewhere(attempt, at - STALENESS, at, test);
    const needed = this.firstAlert(account, alert.attemptId, 'review.needed');
    // The reminders' and escalation's clock: the review.needed the product recorded.
    const clock = this.recordedAlert(account, alert.attemptId, 'review.needed');
    const maybe = this.unknownOutcome(account, alert.attemptId, 'review.needed');
    switch (alert.eventType) {
      case 'review.needed':
        add(
          'review.needed only while reviews wait',
          window((t) => IaModel.pending(attempt, t) > 0),
          () => `no review pending between ${iso(at - STALENESS)} and ${iso(at)}`,
        );
        break;
      case 'review.overdue': {
        const n = alert.reminder ?? 0;
        const due = (clock?.at ?? Number.POSITIVE_INFINITY) + n * this.world.watch.reviewSlaSeconds * 1000;
        add(
          'reminder n not before review.needed + n × SLA',
          clock !== undefined && at >= due - EARLY_TOLERANCE,
          () => `reminder ${n} at ${iso(at)}, review.needed ${clock ? iso(clock.at) : 'never'}, due ${iso(due)}`,
        );
        add(
          'reminders only while reviews wait',
          window((t) => IaModel.pending(attempt, t) > 0),
          () => `reminder ${n}; reviews done ${iso(attempt.reviewDoneAt ?? 0)}`,
        );
        add('at most maxReminders reminders', n >= 1 && n <= this.world.watch.maxReminders, () => `reminder ${n}`);
        const held = holder();
        if (held)
          add(
            'reminders name who claimed it',
            alert.claimedBy === held.by,
            () => `claimed by ${held.by} at ${iso(held.at)}; reminder ${n} names ${alert.claimedBy ?? 'nobody'}`,
          );
        break;
      }
      case 'review.escalated': {
        const due = (clock?.at ?? Number.POSITIVE_INFINITY) + this.world.watch.escalateAfterSeconds * 1000;
        add(
          'escalation not before escalateAfter',
          clock !== undefined && at >= due - EARLY_TOLERANCE,
          () => `escalated ${iso(at)}, review.needed ${clock ? iso(clock.at) : 'never'}, due ${iso(due)}`,
        );
        add(
          'escalation only while reviews wait',
          window((t) => IaModel.pending(attempt, t) > 0),
          () => `escalated ${iso(at)}; reviews done ${iso(attempt.reviewDoneAt ?? 0)}`,
        );
        const held = holder();
        add(
          'no escalation once claimed',
          held === undefined,
          () => `escalated ${iso(at)}; claimed by ${held?.by} at ${iso(held?.at ?? 0)}`,
        );
        break;
      }
      case 'scoring.stalled': {
        const due = (attempt.completeAt as number) + this.world.watch.scoringDeadlineSeconds * 1000;
        add(
          'scoring.stalled only a deadline after first seen, still unscored',
          at >= due - EARLY_TOLERANCE && window((t) => !IaModel.scored(attempt, t)),
          () =>
            `stalled ${iso(at)}; completed ${iso(attempt.completeAt as number)}, scored ${attempt.scoringDoneAt ? iso(attempt.scoringDoneAt) : 'never'}`,
        );
        add(
          'scoring.stalled only when nothing waits for a review',
          needed === undefined || needed.at > at,
          () => `stalled after review.needed ${iso(needed?.at ?? 0)}`,
        );
        break;
      }
      case 'review.completed':
        add(
          'review.completed only when IA says scored, after review.needed',
          ((needed !== undefined && needed.at <= at) || (maybe !== undefined && maybe.at <= at)) &&
            window((t) => IaModel.scored(attempt, t)),
          () =>
            `completed ${iso(at)}; scored ${attempt.scoringDoneAt ? iso(attempt.scoringDoneAt) : 'never'}, review.needed ${needed ? iso(needed.at) : 'never'}`,
        );
        {
          const held = holder();
          if (held)
            add(
              'review.completed names who claimed it',
              alert.claimedBy === held.by && alert.minutesFromClaim !== undefined,
              () => `claimed by ${held.by} at ${iso(held.at)}; review.completed names ${alert.claimedBy ?? 'nobody'}`,
            );
        }
        break;
      case 'attempt.scored':
        add(
          'attempt.scored only when IA says scored, with no review asked',
          (needed === undefined || needed.at > at) &&
            (maybe === undefined || maybe.at > at) &&
            window((t) => IaModel.scored(attempt, t)),
          () =>
            `scored alert ${iso(at)}; scored ${attempt.scoringDoneAt ? iso(attempt.scoringDoneAt) : 'never'}, review.needed ${needed ? iso(needed.at) : 'never'}`,
        );
        break;
    }
  }

  /** At most one IA request in any one-second window per key, whoever sent it (check, sweep, CLI). */
  private onRequests(account: Account) {
    const requests = account.ia.requests;
    let checked = this.checkedRequests.get(account.name) ?? 1;
    for (; checked < requests.length; checked++) {
      const [a, b] = [requests[checked - 1], requests[checked]];
      if (!a || !b) continue;
      this.check('IA requests per key within 1/s', b.at - a.at >= 1000, () => ({
        at: b.at,
        detail: `${account.name}: ${a.caller} ${a.path} and ${b.caller} ${b.path} ${Math.round(b.at - a.at)} ms apart`,
      }));
    }
    this.checkedRequests.set(account.name, checked);
  }

  // --- at the end ------------------------------------------------------------------------------

  /** The recorded claim of an attempt made at or before `by` (claims are never released in the simulation). */
  private claimBefore(account: string, attemptId: string, by: number) {
    return this.world.claims.find((c) => c.claimed && c.account === account && c.attemptId === attemptId && c.at <= by);
  }

  /** Two people claiming at once: one wins, and the other is told who. */
  private claimRaces() {
    const races = new Map<string, World['claims']>();
    for (const claim of this.world.claims.filter((c) => c.racing && c.statusCode !== undefined)) {
      const key = `${claim.account}:${claim.attemptId}`;
      races.set(key, [...(races.get(key) ?? []), claim]);
    }
    for (const race of races.values()) {
      const winners = race.filter((c) => c.claimed);
      const first = race[0] as World['claims'][number];
      this.check('a claim is recorded once', winners.length <= 1, () => ({
        at: first.at,
        attemptId: first.attemptId,
        detail: `${winners.map((w) => w.by).join(' and ')} both claimed it`,
      }));
      const [winner] = winners;
      if (winner)
        for (const loser of race.filter((c) => !c.claimed && c.held))
          this.check('the second claimant is told who holds it', loser.heldBy === winner.by, () => ({
            at: loser.at,
            attemptId: loser.attemptId,
            detail: `${loser.by} was told ${loser.heldBy ?? 'nothing'}; ${winner.by} holds it`,
          }));
    }
  }

  /** Each answered click in Slack updated its message or told the one who clicked why not. */
  private slackClicks() {
    for (const claim of this.world.claims) {
      if (claim.slack === undefined || claim.statusCode !== 200) continue;
      const { post, status, reply } = claim.slack;
      const problems =
        reply === undefined
          ? ['nothing was sent to its response_url']
          : slackClaimReplyProblems({
              by: claim.by,
              attemptId: claim.attemptId,
              ...(this.world.labelled ? { account: claim.account } : {}),
              ...(status === undefined ? {} : { status }),
              post: post.body,
              reply,
            });
      this.check('a click in Slack updates its message or says why not', problems.length === 0, () => ({
        at: claim.at,
        attemptId: claim.attemptId,
        detail: problems.join('; '),
      }));
    }
  }

  finish(): void {
    this.claimRaces();
    this.slackClicks();
    for (const account of this.world.accounts) {
      for (const attempt of account.ia.attempts.values()) this.liveness(account, attempt);
      this.index(account);
    }
    this.digests();
    this.deliveries();
    this.outcomes();
    this.conservation();
    for (const { at, task, error } of this.world.time.escaped)
      this.violations.push({
        invariant: 'no unexpected error',
        at,
        detail: `${task}: ${(error as Error)?.stack ?? String(error)}`,
      });
    // An invariant that should have applied and never did proves nothing.
    for (const name of REQUIRED.filter((n) => applies(n, this.world)))
      if (!this.evaluated[name])
        this.violations.push({
          invariant: 'every invariant that applies is evaluated',
          at: this.world.end,
          detail: `"${name}" was never evaluated`,
        });
  }

  /** Every message the checks' dead-letter queue took, by its SQS id: the event it carried, and when. */
  private readonly deadLetters = new Map<string, { eventId?: string; at: number }>();

  /** The first alert of each account, attempt, type (and reminder), indexed as the topic takes them. */
  private readonly firstAlerts = new Map<string, World['topic']['published'][number]>();
  /** Every copy of each account, attempt and type, in the order the topic took them. */
  private readonly copies = new Map<string, Array<World['topic']['published'][number]>>();
  private alertsIndexed = 0;

  firstAlert(account: Account, attemptId: string, eventType: string, reminder?: number) {
    const { published } = this.world.topic;
    for (; this.alertsIndexed < published.length; this.alertsIndexed++) {
      const entry = published[this.alertsIndexed] as (typeof published)[number];
      const n = entry.notification;
      if (isDigest(n)) continue;
      const key = `${n.account ?? DEFAULT_ACCOUNT}/${n.attemptId}/${n.eventType}`;
      for (const k of [key, `${key}/${n.reminder}`]) if (!this.firstAlerts.has(k)) this.firstAlerts.set(k, entry);
      const copies = this.copies.get(key);
      if (copies) copies.push(entry);
      else this.copies.set(key, [entry]);
    }
    const key = `${account.name}/${attemptId}/${eventType}`;
    return this.firstAlerts.get(reminder === undefined ? key : `${key}/${reminder}`);
  }

  /**
   * The copy of an alert the product recorded: the first, or a later one sent again because the
   * copy before it was never recorded — a process died between SNS taking it and its key
   * completing (the at-least-once window `no alert twice` allows, between those two copies). The
   * product's clocks (reminders, escalation) run from the one it recorded (seed 4055: review.needed
   * went out, its check died, the key was refused for 80 minutes, and the redriven check sent it
   * again). A copy sent again for any other reason does not move the clock.
   */
  recordedAlert(account: Account, attemptId: string, eventType: string) {
    this.firstAlert(account, attemptId, eventType);
    const copies = this.copies.get(`${account.name}/${attemptId}/${eventType}`) ?? [];
    let recorded = copies[0];
    for (const copy of copies.slice(1)) {
      if (!this.sentAgainBetween(notificationKey(copy.notification as Alert), (recorded as typeof copy).at, copy.at))
        break;
      recorded = copy;
    }
    return recorded;
  }

  /** When the watch settles: after its last reminder and its escalation, from the recorded review.needed. */
  private settledFrom(recordedAt: number) {
    const { watch } = this.world;
    return recordedAt + Math.max(watch.maxReminders * watch.reviewSlaSeconds, watch.escalateAfterSeconds) * 1000;
  }

  /** Whether the at-least-once window opened for this key between a copy at `from` and one at `to`. */
  private sentAgainBetween(key: string, from: number, to: number) {
    return this.world.atLeastOnce.some((w) => w.key === key && w.at >= from && w.at <= to);
  }

  /**
   * When a process died about to publish this alert, holding its key, or put its key in progress
   * and lost the answer (so never published, and never let the key go): whether it went out nobody
   * can tell, and the product takes it as sent when it closes the attempt.
   */
  unknownOutcome(account: Account, attemptId: string, eventType: AlertType): { at: number } | undefined {
    const died = this.world.unknownOutcome.find(
      ({ notification: n }) =>
        !isDigest(n) &&
        (n.account ?? DEFAULT_ACCOUNT) === account.name &&
        n.attemptId === attemptId &&
        n.eventType === eventType,
    );
    if (died) return died;
    const id = this.world.recordId(alertKey({ attemptId, eventType, account: account.name }));
    return this.world.lostKeyWrites.find((write) => write.id === id);
  }

  /**
   * A deadline `bound` after `from`, pushed back by what kept the pipeline from seeing the attempt:
   * IA's outages (down, not answering, refusing the key) and, where the sweep's walk carries it
   * (`walk`: the attempt's assignment), the time IA hid the assignment from its list and the sweep
   * runs that died. After an outage, and the retry delay a record failing through it has reached
   * (it doubles up to an hour: record-disposition.ts), or after a hidden stretch, the whole bound
   * starts again: a walk that passed the page then saw nothing, and the next comes within the
   * bound. Each run that died holds the walk up an interval (its lease). An outage or a hidden
   * stretch counts when it begins before the deadline as pushed back so far, or before `reach`
   * (the deadline held up by something else: a check that died, seeds 4052 and 4049). A `timed`
   * deadline (`BOUNDS.timed`, shorter than a retry's longest delay) is also held up by an outage
   * that ended within that delay before `from`: a record failing through it may still be waiting
   * out its hour (seed 3).
   */
  extended(
    account: Account,
    from: number,
    bound: number,
    { walk, reach = 0, timed = false }: { walk?: SimAssignment; reach?: number; timed?: boolean } = {},
  ) {
    const after = (start: number) => (walk ? this.sweep.afterDeaths(start, start + bound) : start + bound);
    let deadline = after(from);
    for (let changed = true; changed; ) {
      changed = false;
      const until = Math.max(deadline, reach);
      const restarts: number[] = [];
      for (const outage of account.ia.outages) {
        // Retries come back within their backoff; what IA refused the key for was dead-lettered
        // and comes back when the operator redrives it, which holds the watch up to then.
        const refused = outage.kind === 'unauthorized';
        const since = timed ? from - BOUNDS.followUp : from;
        if (outage.start >= until || outage.end + (refused ? OPERATOR_REDRIVES_WITHIN : 0) <= since) continue;
        // A record failing since `from` has doubled its delay over every outage since then, not
        // only this one: a short outage right after a long one still costs up to an hour (seed 1212);
        // one failing since before `from` may be anywhere in its hour.
        const failing = timed ? BOUNDS.followUp : outage.end - from;
        restarts.push(outage.end + (refused ? OPERATOR_REDRIVES_WITHIN : Math.min(failing, BOUNDS.followUp)));
      }
      if (walk?.hiddenFrom !== undefined && walk.hiddenFrom < until && (walk.hiddenUntil as number) > from)
        restarts.push(walk.hiddenUntil as number);
      for (const restart of restarts) {
        const later = after(restart);
        if (later > deadline) {
          deadline = later;
          changed = true;
        }
      }
    }
    return deadline;
  }

  /** `due(reach)` again until no outage or hidden stretch begins inside the deadline that it has not waited out. */
  private settle(due: (reach: number) => number) {
    for (let reach = 0; ; ) {
      const deadline = due(reach);
      if (deadline <= reach) return deadline;
      reach = deadline;
    }
  }

  /**
   * The instant before `t` from which `available` of IA being up (and retries coming back) had
   * passed by `t`; with `walk`, of the sweep seeing the assignment too (as `extended` counts it);
   * with `attemptId`, of its checks not dying either (as `lookDue` counts them).
   */
  lookback(account: Account, t: number, available: number, walk?: SimAssignment, attemptId?: string) {
    const due = (from: number) => {
      const deadline = this.extended(account, from, available, walk ? { walk } : {});
      return attemptId === undefined ? deadline : this.afterLostChecks(account, attemptId, from, deadline);
    };
    let from = t - available;
    for (let round = 0; round < 20; round++) {
      const next = t - (due(from) - from);
      if (next >= from) break;
      from = next;
    }
    return from;
  }

  /** When the pipeline can first have seen a completed attempt: through a trigger, or the sweep's walk. */
  discovery(account: Account, attempt: SimAttempt, parent: SimAssignment | undefined) {
    const completeAt = attempt.completeAt as number;
    const heard = this.world.deliveries
      .filter(
        (d) =>
          d.account === account.name &&
          (d.attemptId === attempt.id || d.assignmentId === attempt.assignmentId) &&
          d.at >= completeAt &&
          d.statuses.some((s) => s < 300),
      )
      // From the first answer that was not an ingest dying under it: the sender's retry brings the
      // event back, as the check-outcome bound counts it (seed 4062: three deaths in a row).
      .map((d) => d.countFrom ?? d.at)
      .sort((a, b) => a - b)[0];
    // A check refused for the key is dead-lettered at once (by design) and redriven by the operator.
    const byTrigger = heard === undefined ? Number.POSITIVE_INFINITY : this.extended(account, heard, BOUNDS.triggered);
    let bySweep = Number.POSITIVE_INFINITY;
    if (parent && this.sweep.on) {
      const inHead = completeAt - parent.createdAt < this.sweep.headDays * TIME.DAY - TIME.HOUR;
      const inHorizon = completeAt - parent.createdAt < this.sweep.horizonDays * TIME.DAY - TIME.DAY;
      if (inHorizon) {
        const bound = inHead ? this.sweep.headBound(account, completeAt) : this.sweep.wholeBound(account, completeAt);
        bySweep = this.extended(account, completeAt, bound, { walk: parent });
      }
    }
    return { heard, by: Math.min(byTrigger, bySweep) };
  }

  /** How long a look at a watched attempt may take once something is due. */
  followUp(account: Account, at: number, settled: boolean, timed = false) {
    if (this.sweep.on) return Math.max(BOUNDS.followUp, this.sweep.wholeBound(account, at));
    return settled ? BOUNDS.settled : timed ? BOUNDS.timed : BOUNDS.followUp;
  }

  /**
   * When a look at a watched attempt is due by, once something is due at `from`: the next look,
   * pushed back by IA's outages and, where the sweep carries the watch, by the time IA hid the
   * assignment from its list (nothing can be seen then).
   */
  private lookDue(
    account: Account,
    attemptId: string,
    parent: SimAssignment | undefined,
    from: number,
    settled: boolean,
    timed = false,
  ) {
    const bound = this.followUp(account, from, settled, timed);
    const walk = this.sweep.on ? parent : undefined;
    return this.settle((reach) =>
      this.afterLostChecks(
        account,
        attemptId,
        from,
        this.extended(account, from, bound, { reach, timed: bound === BOUNDS.timed, ...(walk ? { walk } : {}) }),
      ),
    );
  }

  /**
   * A check that died (or timed out) holding this attempt's message before `due`: the message
   * comes back after the queue's visibility timeout, and the look then waits its turn as any other.
   */
  private afterLostChecks(account: Account, attemptId: string, from: number, due: number) {
    return this.afterDeaths(this.world.lostChecks.get(`${account.name}/${attemptId}`) ?? [], from, due);
  }

  /** `due`, pushed back past each death in [from, due] by the checks queue's visibility timeout and a look's turn. */
  private afterDeaths(deaths: readonly number[], from: number, due: number) {
    const visibleAgain = this.world.checks.settings.visibilitySeconds * 1000;
    let deadline = due;
    for (const at of deaths)
      if (at >= from && at <= deadline) deadline = Math.max(deadline, at + visibleAgain + 5 * TIME.MINUTE);
    return deadline;
  }

  private liveness(account: Account, attempt: SimAttempt) {
    const { world } = this;
    const end = world.time.now();
    const watch = world.watch;
    const completeAt = attempt.completeAt;
    if (completeAt === undefined || completeAt > end) return;
    const parent = account.ia.assignment(attempt.assignmentId);
    const deleted = parent?.deletedAt ?? Number.POSITIVE_INFINITY;
    const add = (invariant: string, ok: boolean, at: number, detail: () => string) =>
      this.check(invariant, ok, () => ({ at, attemptId: attempt.id, detail: `${account.name}: ${detail()}` }));
    const discovered = this.discovery(account, attempt, parent);
    const needed = this.firstAlert(account, attempt.id, 'review.needed');
    // The watch ends 14 days after the first look, at the earliest completion.
    const watchEnds = completeAt + watch.maxWatchSeconds * 1000;
    const horizon = Math.min(end, watchEnds, deleted);

    if (attempt.reviews > 0 && discovered.by < horizon && IaModel.pending(attempt, discovered.by) > 0)
      add(
        'review.needed when due',
        needed !== undefined && needed.at <= discovered.by,
        discovered.by,
        () =>
          `completed ${iso(completeAt)}, ${discovered.heard === undefined ? 'sweep only' : `announced ${iso(discovered.heard)}`}; due by ${iso(discovered.by)}, ${needed ? `published ${iso(needed.at)}` : 'never published'}`,
      );

    if (needed) {
      // The product's reminder and escalation clocks run from the review.needed it recorded, and
      // its watch settles after the last of them.
      const clock = (this.recordedAlert(account, attempt.id, 'review.needed') ?? needed).at;
      const settledFrom = this.settledFrom(clock);
      for (let n = 1; n <= watch.maxReminders; n++) {
        const dueFrom = clock + n * watch.reviewSlaSeconds * 1000;
        const due = this.lookDue(account, attempt.id, parent, dueFrom, false, true);
        if (due >= horizon || !throughout(attempt, dueFrom, due, (t) => IaModel.pending(attempt, t) > 0)) continue;
        const reminder = this.firstAlert(account, attempt.id, 'review.overdue', n);
        add(
          'reminders when due',
          reminder !== undefined && reminder.at <= due,
          due,
          () => `reminder ${n} due by ${iso(due)}, ${reminder ? `sent ${iso(reminder.at)}` : 'never sent'}`,
        );
      }
      if (watch.escalateAfterSeconds > 0) {
        const dueFrom = clock + watch.escalateAfterSeconds * 1000;
        const due = this.lookDue(account, attempt.id, parent, dueFrom, false, true);
        if (due < horizon && throughout(attempt, dueFrom, due, (t) => IaModel.pending(attempt, t) > 0)) {
          const escalated = this.firstAlert(account, attempt.id, 'review.escalated');
          // Claimed before it was due: nobody is to be escalated to.
          if (!this.claimBefore(account.name, attempt.id, due))
            add(
              'escalation when due',
              escalated !== undefined && escalated.at <= due,
              due,
              () => `due by ${iso(due)}, ${escalated ? `sent ${iso(escalated.at)}` : 'never sent'}`,
            );
        }
      }
      const scored = attempt.scoringDoneAt;
      if (scored !== undefined) {
        const from = Math.max(scored, needed.at);
        const due = this.lookDue(account, attempt.id, parent, from, from >= settledFrom);
        if (due < horizon) {
          const completed = this.firstAlert(account, attempt.id, 'review.completed');
          add(
            'review.completed when the review is done',
            completed !== undefined && completed.at <= due,
            due,
            () =>
              `scored ${iso(scored)}; due by ${iso(due)}, ${completed ? `sent ${iso(completed.at)}` : 'never sent'}`,
          );
        }
      }
    }

    if (attempt.reviews === 0 && discovered.by < horizon) {
      const deadline = discovered.by + watch.scoringDeadlineSeconds * 1000;
      const stalledDue = this.lookDue(account, attempt.id, parent, deadline, false, true);
      const stalled = this.firstAlert(account, attempt.id, 'scoring.stalled');
      if (stalledDue < horizon && !IaModel.scored(attempt, stalledDue))
        add(
          'scoring.stalled when due',
          stalled !== undefined && stalled.at <= stalledDue,
          stalledDue,
          () =>
            `completed ${iso(completeAt)}, unscored; due by ${iso(stalledDue)}, ${stalled ? `sent ${iso(stalled.at)}` : 'never sent'}`,
        );
      const scored = attempt.scoringDoneAt;
      if (scored !== undefined) {
        const from = Math.max(scored, discovered.by);
        const due = this.lookDue(account, attempt.id, parent, from, stalled !== undefined && stalled.at < from);
        const scoredAlert = this.firstAlert(account, attempt.id, 'attempt.scored');
        if (due < horizon)
          add(
            'attempt.scored when scored',
            scoredAlert !== undefined && scoredAlert.at <= due,
            due,
            () =>
              `scored ${iso(scored)}; due by ${iso(due)}, ${scoredAlert ? `sent ${iso(scoredAlert.at)}` : 'never sent'}`,
          );
      }
    }
  }

  /**
   * Whether the model says the attempt waits for a review the pipeline announced, at `t`. The watch
   * ends 14 days after the pipeline first saw the attempt, which the model only bounds: after its
   * completion (`watchEnd` 'earliest', for what must be in the index) and by review.needed, and the
   * look that ends it comes up to a settled interval later ('latest', for what may be there: nothing
   * on its page changed, so the page's 304 stands until that look is due).
   */
  private waiting(account: Account, attempt: SimAttempt, t: number, watchEnd: 'earliest' | 'latest') {
    const needed = this.firstAlert(account, attempt.id, 'review.needed');
    if (needed === undefined || needed.at > t) return false;
    // Deleted in IA, it waits for no one; a watch's own look learns so from its 404. Where the sweep
    // runs, a watch it carries never learns (the list hides and deletes alike), nor of what IA does
    // with its reviews after: it may stay (a known limit).
    const deleted = account.ia.assignment(attempt.assignmentId)?.deletedAt;
    if (deleted !== undefined && t >= deleted) return watchEnd === 'latest' && this.sweep.on;
    // The look that alerted may have read a view STALENESS old (the list lags): reviews done just
    // before it leave the attempt in the index until the next look, which the lag allows (seed 2604).
    const alertedOnStale =
      watchEnd === 'latest' && t - needed.at < 1_000 && IaModel.pending(attempt, needed.at - STALENESS) > 0;
    if (IaModel.pending(attempt, t) === 0 && !alertedOnStale) return false;
    const ends =
      watchEnd === 'earliest'
        ? (attempt.completeAt as number) + this.world.watch.maxWatchSeconds * 1000
        : needed.at + this.world.watch.maxWatchSeconds * 1000 + BOUNDS.settled;
    return t < ends;
  }

  /** Where `waiting` may change besides the attempt's own instants: review.needed, the watch's ends. */
  private waitingChanges(account: Account, attempt: SimAttempt) {
    const needed = this.firstAlert(account, attempt.id, 'review.needed');
    const watch = this.world.watch.maxWatchSeconds * 1000;
    return needed === undefined
      ? []
      : [
          needed.at,
          (attempt.completeAt as number) + watch,
          needed.at + watch + BOUNDS.settled,
          account.ia.assignment(attempt.assignmentId)?.deletedAt,
        ];
  }

  /** How long the index may lag what waits at `t`: the next look, and a day once only closing is left. */
  private indexLag(account: Account, attempt: SimAttempt, t: number) {
    const recorded = this.recordedAlert(account, attempt.id, 'review.needed');
    const settledFrom = this.settledFrom(recorded?.at ?? 0);
    const parent = account.ia.assignment(attempt.assignmentId);
    const listed = parent !== undefined && t - parent.createdAt < this.sweep.horizonDays * TIME.DAY - TIME.DAY;
    const lag = this.followUp(account, t, t >= settledFrom || !listed);
    // Pushed back as a look's deadline is (extended): by IA's outages and, where the sweep carries
    // the watch, by the time the list hid the assignment and the sweep runs that died, together.
    return t - this.lookback(account, t, lag, this.sweep.on ? parent : undefined, attempt.id);
  }

  /** The awaiting-review index, all along: nothing in it that does not wait, nothing waiting missing from it. */
  private index(account: Account) {
    for (const { at, index } of this.samples) {
      const inIndex = index.get(account.name) ?? new Set<string>();
      for (const attempt of account.ia.attempts.values()) {
        if (attempt.completeAt === undefined || attempt.completeAt > at) continue;
        const listed = inIndex.has(attempt.id);
        // Neither in the index nor ever announced: nothing to hold against it (the lag is never negative).
        const needed = this.firstAlert(account, attempt.id, 'review.needed');
        if (!listed && (!needed || needed.at > at)) continue;
        const lag = this.indexLag(account, attempt, at);
        if (listed) {
          // The look that followed the reviews may have read a stale view (check: a 304 up to a
          // minute old; the sweep: a lagging list page): the index lags by the next look after that
          // one (seed 3480: reviews done 18:54:21, a 304 at 18:54:52, the next look an hour on).
          const stale = this.sweep.on ? STALENESS : STALE_304_MS;
          this.check(
            'the awaiting index holds only what waits',
            somewhere(
              attempt,
              at - lag - stale,
              at,
              (t) => this.waiting(account, attempt, t, 'latest'),
              this.waitingChanges(account, attempt),
            ),
            () => ({
              at,
              attemptId: attempt.id,
              detail: `${account.name}: in the index at ${iso(at)}, not waiting since ${iso(at - lag - stale)} (reviews done ${attempt.reviewDoneAt ? iso(attempt.reviewDoneAt) : 'never'})`,
            }),
          );
        } else {
          if (!needed || needed.at > at - lag) continue;
          this.check(
            'the awaiting index holds everything that waits',
            !throughout(
              attempt,
              at - lag,
              at,
              (t) => this.waiting(account, attempt, t, 'earliest'),
              this.waitingChanges(account, attempt),
            ),
            () => ({
              at,
              attemptId: attempt.id,
              detail: `${account.name}: waiting since ${iso(needed.at)} with ${IaModel.pending(attempt, at)} review(s), not in the index at ${iso(at)}`,
            }),
          );
        }
      }
    }
  }

  /** Each digest lists what waits at its time (within the index's lag), counts and items both ways. */
  private digests() {
    const { world } = this;
    for (const { at, notification } of world.topic.published) {
      if (!isDigest(notification)) continue;
      const digest = notification as Digest;
      let strict = 0;
      let loose = 0;
      const looseIds = new Set<string>();
      for (const account of world.accounts) {
        for (const attempt of account.ia.attempts.values()) {
          if (attempt.completeAt === undefined || attempt.completeAt > at) continue;
          const lag = this.indexLag(account, attempt, at);
          const needed = this.firstAlert(account, attempt.id, 'review.needed');
          if (
            somewhere(
              attempt,
              at - lag,
              at,
              (t) => this.waiting(account, attempt, t, 'latest'),
              this.waitingChanges(account, attempt),
            )
          ) {
            loose += 1;
            looseIds.add(`${account.name}/${attempt.id}`);
          }
          if (
            needed &&
            needed.at <= at - lag &&
            throughout(
              attempt,
              at - lag,
              at,
              (t) => this.waiting(account, attempt, t, 'earliest'),
              this.waitingChanges(account, attempt),
            )
          )
            strict += 1;
        }
      }
      this.check('the digest counts what waits', digest.waiting >= strict && digest.waiting <= loose, () => ({
        at,
        detail: `digest of ${digest.period} counts ${digest.waiting}; between ${strict} and ${loose} wait`,
      }));
      for (const item of digest.oldest)
        this.check(
          'the digest lists only what waits',
          looseIds.has(`${item.account ?? DEFAULT_ACCOUNT}/${item.attemptId}`),
          () => ({
            at,
            attemptId: item.attemptId,
            detail: `digest of ${digest.period} lists ${item.account ?? DEFAULT_ACCOUNT}/${item.attemptId}, which does not wait`,
          }),
        );
    }
  }

  /**
   * What each audience received, both ways: Slack (its channel's filter, once per alert, never
   * faster than Slack allows), Amazon Q's chat topic (once per alert), the alert bus (the same
   * alert as an event, once).
   */
  private deliveries() {
    const { world } = this;
    // A retry the sweep carries comes a run later for each run that died meanwhile.
    const end = world.time.now();
    const reach = (look: number) => (this.sweep.on ? this.sweep.beforeDeaths(end, look) : look);
    // After the last actionable alert the watch looks a day apart: a copy refused then comes that late.
    const settles = (n: Notification) =>
      n.eventType === 'review.escalated' ||
      n.eventType === 'scoring.stalled' ||
      (n.eventType === 'review.overdue' && (n as Alert).reminder === world.watch.maxReminders);
    const owedBy = (n: Notification) => end - reach(settles(n) ? BOUNDS.settled : BOUNDS.followUp);
    const alerts = world.topic.published.filter((p) => !isDigest(p.notification));
    // Distinct alerts: a copy SNS took twice (its process died before the key completed) is one
    // alert to the channels, whose own keys drop the second. Those published in the run's last
    // stretch may or may not have reached a channel yet.
    const perAttempt = (types: readonly string[]) => {
      const owed = new Map<string, { settled: number; all: number }>();
      const counted = new Set<string>();
      for (const { at, notification } of alerts) {
        if (!types.includes(notification.eventType)) continue;
        const alert = notification as Alert;
        const key = `${alert.account ?? DEFAULT_ACCOUNT}:${alert.attemptId}:${alert.eventType}:${alert.reminder ?? ''}`;
        if (counted.has(key)) continue;
        counted.add(key);
        const sum = owed.get(alert.attemptId) ?? { settled: 0, all: 0 };
        owed.set(alert.attemptId, { settled: sum.settled + (at < owedBy(alert) ? 1 : 0), all: sum.all + 1 });
      }
      return owed;
    };
    /** An audience's copy sent again after its process died before its key completed. */
    const tolerated = (prefix: string, id: string) =>
      world.atLeastOnce.some((w) => w.key === `${prefix}:${id}` || w.key.endsWith(`:${id}`));
    // Slack: posts naming the attempt, as many as alerts for it that the channel takes.
    const slackCount = new Map<string, number>();
    for (const post of world.slackPosts) {
      // Its context line names the attempt: "attempt <id>, assessment …".
      const match = /"attempt ([A-Za-z0-9_-]+)[,"]/.exec(JSON.stringify(post.body));
      if (match) slackCount.set(match[1] as string, (slackCount.get(match[1] as string) ?? 0) + 1);
    }
    for (const [id, owed] of perAttempt(PEOPLE_EVENT_TYPES)) {
      const got = slackCount.get(id) ?? 0;
      this.check(
        'Slack gets each alert its channel takes, once',
        got >= owed.settled && (got <= owed.all || tolerated('slack', id)),
        () => ({
          at: world.time.now(),
          attemptId: id,
          detail: `${owed.settled}–${owed.all} alert(s) for the channel, ${got} Slack post(s)`,
        }),
      );
    }
    for (let i = 1; i < world.slackPosts.length; i++)
      this.check(
        'Slack posts never faster than Slack allows',
        (world.slackPosts[i]?.at ?? 0) - (world.slackPosts[i - 1]?.at ?? 0) >= 1000,
        () => ({
          at: world.slackPosts[i]?.at ?? 0,
          detail: 'two posts to one webhook within a second',
        }),
      );
    this.check('Slack never asked to slow down', world.slackThrottled() === 0, () => ({
      at: world.time.now(),
      detail: `Slack answered 429 ${world.slackThrottled()} time(s)`,
    }));
    // Amazon Q: the chat topic's custom notifications, threaded by attempt.
    const chatCount = new Map<string, number>();
    for (const message of world.chatMessages()) {
      const notification = JSON.parse(message.body) as Parameters<typeof chatProblems>[1];
      const thread = notification.metadata?.threadId ?? '';
      const id = thread.split(':').pop() as string;
      chatCount.set(id, (chatCount.get(id) ?? 0) + 1);
      if (notification.metadata?.eventType === DIGEST_TYPE) {
        const found = fewestProblems(
          [...this.digestsMade.values()]
            .filter((d) => digestKey(d) === notification.id)
            .map((d) => chatDigestProblems(d, notification)),
          'it names no digest that was published',
        );
        this.check('the digest’s Slack post and Amazon Q notification say what it says', found.length === 0, () => ({
          at: message.at,
          detail: found.join('; '),
        }));
        continue;
      }
      const problems = fewestProblems(
        (this.alertsByKey.get(notification.id ?? '') ?? []).map((alert) =>
          chatProblems(alert, notification, this.truthOf(alert)),
        ),
        'it names no alert that was published',
      );
      this.check('every Amazon Q notification says what happened and what to do', problems.length === 0, () => ({
        at: message.at,
        attemptId: id,
        detail: problems.join('; '),
      }));
    }
    for (const [id, owed] of perAttempt(CHAT_EVENT_TYPES)) {
      const got = chatCount.get(id) ?? 0;
      this.check(
        'Amazon Q gets each alert its channel takes, once',
        got >= owed.settled && (got <= owed.all || tolerated('chat', id)),
        () => ({
          at: world.time.now(),
          attemptId: id,
          detail: `${owed.settled}–${owed.all} alert(s) for the chat channel, ${got} notification(s)`,
        }),
      );
    }
    if (!world.alertBus) return;
    const events = new Map<string, number>();
    for (const detail of world.alertEventDetails()) {
      if (isDigest(detail as Notification)) continue;
      const key = notificationKey(detail as Alert);
      events.set(key, (events.get(key) ?? 0) + 1);
    }
    const copies = new Map<string, number>();
    for (const { notification } of alerts) {
      const key = notificationKey(notification);
      copies.set(key, (copies.get(key) ?? 0) + 1);
    }
    // SNS took it and its process died before the key's completing write (seed 2573): the key
    // held in progress says "may have gone out" to every later look, which sends it again only if
    // it is still due (and then to the bus as well, with a second copy on the topic). Once IA moved
    // on, nobody can tell the event is owed; a stale alert is not sent again to find out.
    const unknowable = (key: string) =>
      copies.get(key) === 1 && world.atLeastOnce.some((w) => w.key === key && w.cause === 'died');
    for (const { at, notification } of alerts) {
      const key = notificationKey(notification);
      const got = events.get(key) ?? 0;
      this.check(
        'every alert goes to the alert bus, once',
        got === 1 ||
          (got === 0 && (at >= owedBy(notification) || unknowable(key))) ||
          (got > 1 && world.atLeastOnce.some((w) => w.key === key || w.key === `bus:${key}`)),
        () => ({
          at: world.time.now(),
          attemptId: (notification as Alert).attemptId,
          detail: `${key}: ${got} event(s)`,
        }),
      );
    }
  }

  /** Every accepted event ends in a check outcome the check function recorded (or a dead letter that says why). */
  private outcomes() {
    const { world } = this;
    const ended = new Map<string, number>();
    for (const outcome of world.checkOutcomes)
      if (outcome.eventId && !ended.has(outcome.eventId)) ended.set(outcome.eventId, outcome.at);
    for (const { eventId, at } of this.deadLetters.values()) if (eventId && !ended.has(eventId)) ended.set(eventId, at);
    for (const delivery of world.deliveries) {
      const account = world.accounts.find((a) => a.name === delivery.account) as Account;
      const named = delivery.attemptId !== undefined || delivery.assignmentId !== undefined;
      if (delivery.via === 'webhook')
        this.check('a signed event is never refused', !delivery.statuses.some((s) => s >= 400 && s < 500), () => ({
          at: delivery.at,
          detail: `${delivery.eventId} answered ${delivery.statuses.join(', ')}`,
        }));
      // Taken at the stack's 2xx, due 15 minutes from its first answer that was not a 502 from an
      // ingest that died: those are no acceptance, and the sender's own retries brought the event
      // back (seed 2458: three crashes, 35 minutes). A 5xx the product answered itself counts.
      const { acceptedAt, countFrom } = delivery;
      if (!named || acceptedAt === undefined || countFrom === undefined) continue;
      // Dropped as a repeat of a reference enqueued moments ago: that one's check stands for it.
      if (delivery.bodies.some((b) => b.reason === 'recently enqueued')) continue;
      const ids = [delivery.eventId, ...delivery.bodies.map((b) => String(b.eventId))];
      const at = ids.map((id) => ended.get(id)).find((x) => x !== undefined);
      // A check that died holding the event's message gives it back only after the visibility timeout.
      const deaths = ids.flatMap((id) => world.lostEvents.get(id) ?? []).sort((a, b) => a - b);
      const due = this.settle((reach) =>
        this.afterDeaths(deaths, countFrom, this.extended(account, countFrom, BOUNDS.triggered, { reach })),
      );
      if (due > world.time.now()) continue;
      this.check('every accepted event ends in a check outcome', at !== undefined && at <= due, () => ({
        at: due,
        ...(delivery.attemptId ? { attemptId: delivery.attemptId } : {}),
        detail: `${delivery.via} ${delivery.eventId} accepted ${iso(acceptedAt)} (counted from ${iso(countFrom)}); due by ${iso(due)}, ${at === undefined ? 'never checked' : `checked ${iso(at)}`}`,
      }));
    }
  }

  /** Every dead letter says why; no message lingers. */
  private conservation() {
    const { world } = this;
    const end = world.time.now();
    for (const message of world.dlq.messages.values())
      this.check('a dead letter says why', message.attributes.failureCode?.StringValue !== undefined, () => ({
        at: message.sentAt,
        detail: `${message.body} dead-lettered by the redrive policy, no reason`,
      }));
    for (const message of world.checks.messages.values())
      this.check('no message lingers', !(end - message.sentAt > 3 * TIME.DAY && message.visibleAt < end), () => ({
        at: message.sentAt,
        detail: `${message.body} still queued`,
      }));
    this.check('no message expires unread', world.checks.expired.length === 0, () => ({
      at: end,
      detail: `${world.checks.expired.length} message(s) outlived the queue's retention`,
    }));
  }
}

/** Every invariant a run can evaluate; `applies` says when a run must have evaluated it. */
const REQUIRED = [
  'no alert twice',
  'alerts only for completed attempts',
  'review.needed only while reviews wait',
  'review.needed when due',
  'reminder n not before review.needed + n × SLA',
  'reminders only while reviews wait',
  'reminders when due',
  'escalation not before escalateAfter',
  'escalation when due',
  'scoring.stalled only a deadline after first seen, still unscored',
  'scoring.stalled when due',
  'review.completed only when IA says scored, after review.needed',
  'review.completed when the review is done',
  'attempt.scored only when IA says scored, with no review asked',
  'attempt.scored when scored',
  'the awaiting index holds only what waits',
  'the awaiting index holds everything that waits',
  'the digest counts what waits',
  'the digest’s email says how many wait and lists the oldest',
  'the digest’s Slack post and Amazon Q notification say what it says',
  'every alert’s email says what happened and what to do',
  'every Slack post says what happened and what to do',
  'every Amazon Q notification says what happened and what to do',
  'Slack gets each alert its channel takes, once',
  'Amazon Q gets each alert its channel takes, once',
  'every alert goes to the alert bus, once',
  'every accepted event ends in a check outcome',
  'the product’s own events never come back as checks',
  'IA requests per key within 1/s',
  'the watch looks again a minute after its last look at the soonest',
] as const;

/** Whether a run's world is such that the invariant must have been evaluated in it. */
const applies = (name: (typeof REQUIRED)[number], world: World): boolean => {
  const days = (world.end - world.start) / TIME.DAY;
  const attempts = world.accounts.flatMap((a) => [...a.ia.attempts.values()]);
  const completed = attempts.filter((a) => a.completeAt !== undefined && a.completeAt < world.end - TIME.DAY);
  const waitedLong = (ms: number) =>
    completed.some(
      (a) =>
        a.reviews > 0 &&
        IaModel.pending(a, (a.completeAt as number) + ms + 3 * TIME.HOUR) > 0 &&
        (a.completeAt as number) + ms + 3 * TIME.HOUR < world.end,
    );
  switch (name) {
    case 'reminder n not before review.needed + n × SLA':
    case 'reminders only while reviews wait':
    case 'reminders when due':
      return waitedLong(world.watch.reviewSlaSeconds * 1000);
    case 'escalation not before escalateAfter':
    case 'escalation when due':
      return world.watch.escalateAfterSeconds > 0 && waitedLong(world.watch.escalateAfterSeconds * 1000);
    case 'scoring.stalled only a deadline after first seen, still unscored':
    case 'scoring.stalled when due':
      return completed.some(
        (a) =>
          a.reviews === 0 &&
          (a.scoringDoneAt === undefined || a.scoringDoneAt > (a.completeAt as number) + 2 * TIME.DAY) &&
          (a.completeAt as number) + 2 * TIME.DAY < world.end,
      );
    case 'review.completed only when IA says scored, after review.needed':
    case 'review.completed when the review is done':
      return completed.some(
        (a) => a.reviews > 0 && a.scoringDoneAt !== undefined && a.scoringDoneAt < world.end - TIME.DAY,
      );
    case 'the digest counts what waits':
    case 'the digest’s email says how many wait and lists the oldest':
    case 'the digest’s Slack post and Amazon Q notification say what it says':
      return days >= 3;
    case 'every alert goes to the alert bus, once':
      return world.alertBus;
    case 'the watch looks again a minute after its last look at the soonest':
      return world.sweepMode === 'off' && days >= 1;
    case 'the product’s own events never come back as checks':
      return world.deliveries.some((d) => d.via === 'eventbridge');
    case 'every accepted event ends in a check outcome':
      return world.deliveries.some((d) => d.statuses.some((s) => s < 300) && (d.attemptId || d.assignmentId));
    default:
      return completed.length > 0;
  }
};

/** The sweep as deployed, and how long a walk takes to look at everything, from the list's size then. */
const sweepSettings = (world: World) => {
  const env = world.deployment.function('sweep').env;
  const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  const intervalMs = number('SWEEP_INTERVAL_SECONDS', 300) * 1000;
  const horizonDays = number('SWEEP_HORIZON_DAYS', 30);
  const headDays = number('SWEEP_HEAD_DAYS', 5);
  const share = number('SWEEP_BUDGET_SHARE', 0.5);
  const pageSize = number('SWEEP_PAGE_SIZE', 100);
  const fullWalkEveryMs = number('SWEEP_FULL_WALK_EVERY_SECONDS', 1800) * 1000;
  const runSeconds = Math.max(1, Math.floor((intervalMs / 1000) * 0.9) - 5);
  const pagesPerRun = sweepPagesPerRun(runSeconds, share, number('IA_RATE_PER_SECOND', 1));
  const headPagesPerRun = Math.max(1, Math.floor(pagesPerRun * 0.6));
  const pages = (account: Account, t: number, days: number) => {
    const listed = account.ia.listView(t).filter((s) => t - s.createdAt < days * TIME.DAY).length;
    return Math.max(1, Math.ceil(listed / account.ia.servedPerPage(t, pageSize)));
  };
  const margin = 10 * TIME.MINUTE;
  const died = world.services.get('sweep')?.died ?? [];
  return {
    on: world.sweepMode !== 'off',
    /**
     * A deadline the sweep carries, pushed back a run for each run that died before it: its lease
     * holds until that run's deadline, so Lambda's retries find it busy and the next scheduled run
     * takes over (a known cost: an hour a death when the sweep runs hourly).
     */
    afterDeaths: (from: number, due: number) => {
      let until = due;
      for (const at of died) if (at >= from && at <= until) until += intervalMs;
      return until;
    },
    /** The same, looking back from `t`: how far back a look that is due by `t` may have to reach. */
    beforeDeaths: (t: number, back: number) => {
      let reach = back;
      for (let i = died.length - 1; i >= 0; i--) {
        const at = died[i] as number;
        if (at <= t && at >= t - reach) reach += intervalMs;
      }
      return reach;
    },
    horizonDays,
    headDays,
    /** The head is walked every run; a head longer than a run's share takes several. */
    headBound: (account: Account, t: number) =>
      Math.ceil(pages(account, t, headDays) / headPagesPerRun) * intervalMs + intervalMs + margin,
    /** A walk of the whole horizon starts at most every fullWalkEvery, and takes as many runs as its pages need. */
    wholeBound: (account: Account, t: number) =>
      Math.max(
        TIME.HOUR,
        (Math.ceil(pages(account, t, horizonDays) / (pagesPerRun - headPagesPerRun)) + 1) * intervalMs +
          Math.max(fullWalkEveryMs, intervalMs) +
          margin,
      ),
  };
};

/**
 * The simulated candidates' names and prompts carry links in every disguise (fullwidth, after an
 * underscore or a digit, long schemes, www., bare domains): none may reach a person alive.
 */
const liveLink = (alert: Alert): string | undefined => {
  const chat = chatNotification(alert);
  const renderings = {
    'email subject': emailSubject(alert),
    'email body': emailBody(alert),
    Slack: JSON.stringify(slackMessage(alert)),
    'Amazon Q': [chat.content.title, chat.content.description, chat.metadata.summary].join('\n'),
  };
  for (const [where, text] of Object.entries(renderings)) {
    const found = /evil\.example|[:：]\/\/evil|www\./i.exec(text);
    if (found) return `${where}: …${text.slice(Math.max(0, found.index - 30), found.index + 30)}…`;
  }
  return undefined;
};
