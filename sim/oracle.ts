/**
 * The invariants the product promises, checked against the simulated world's truth (IA's model)
 * and what the pipeline did (what the topic carried, what the queues and tables hold). Safety
 * properties are checked as things happen; liveness ("within a bound") once the run is over,
 * for everything whose deadline fell inside it.
 */
import type { Alert } from '#lib/domain/alert.js';
import { SWEEP_DEFAULTS } from '#lib/domain/defaults.js';
import { isDigest, notificationKey } from '#lib/domain/notification.js';
import { chatNotification } from '#lib/domain/render/chat.js';
import { emailBody, emailSubject } from '#lib/domain/render/email.js';
import { slackMessage } from '#lib/domain/render/slack.js';
import { IaModel, type SimAttempt, TIME } from './ia-model.js';
import type { World } from './pipeline.js';

export interface Violation {
  invariant: string;
  at: number;
  /** The event-loop step at which it was seen (safety) or its deadline passed (liveness). */
  step?: number;
  attemptId?: string;
  detail: string;
}

/** How soon `review.needed` must follow completion: through a trigger, and through the sweep alone. */
export const BOUNDS = {
  triggered: 15 * TIME.MINUTE,
  sweepOnly: TIME.HOUR,
  /** Through the sweep alone, for an attempt completed while its assignment is in the head of the list. */
  sweepHead: 20 * TIME.MINUTE,
  /** Reminders, completion and `scoring.stalled` after they are due. */
  followUp: TIME.HOUR,
} as const;

/** A deadline pushed back by the IA outages that overlap the wait (nothing can be seen while IA is down). */
export const extendedByOutages = (world: World, from: number, bound: number) => {
  let deadline = from + bound;
  for (const outage of world.ia.outages) {
    if (outage.start < deadline && outage.end > from) deadline += outage.end - Math.max(outage.start, from);
  }
  return deadline;
};

/** Safety of what the topic carried, checked as it is published: each call looks at what is new. */
export const publishedChecker = () => {
  const seen = new Set<string>();
  let checked = 0;
  return (world: World, violations: Violation[]) => {
    const fresh = world.topic.published.slice(checked);
    checked = world.topic.published.length;
    checkAlerts(world, fresh, seen, violations);
  };
};

const checkAlerts = (world: World, fresh: World['topic']['published'], seen: Set<string>, violations: Violation[]) => {
  for (const { at, notification } of fresh) {
    if (isDigest(notification)) continue;
    const alert = notification as Alert;
    const key = `${alert.attemptId}:${alert.eventType}:${alert.reminder ?? ''}`;
    const add = (invariant: string, detail: string) =>
      violations.push({ invariant, at, attemptId: alert.attemptId, detail });
    // Again after its process died between SNS accepting it and its key completing: the window
    // no design closes without a transactional SNS. Counted (stats), not a violation.
    if (seen.has(key) && !world.atLeastOnce.some((w) => w.key === notificationKey(alert) && w.at <= at))
      add('no alert twice', `${key} published again`);
    seen.add(key);
    const truth = world.ia.attempts.get(alert.attemptId);
    if (!truth) {
      add('alerts only for real attempts', `${alert.eventType} for an attempt IA never had`);
      continue;
    }
    if (!IaModel.completed(truth, at))
      add('alerts only for completed attempts', `${alert.eventType} before the attempt completed`);
    if (alert.eventType === 'review.needed' && truth.reviews === 0)
      add('review.needed only when reviews wait', 'no review was ever pending');
    const live = liveLink(alert);
    if (live) add('no live link from IA text in any rendering', live);
  }
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

const firstAlert = (world: World, attemptId: string, eventType: string, reminder?: number) =>
  world.topic.published.find(
    ({ notification: n }) =>
      !isDigest(n) &&
      n.attemptId === attemptId &&
      n.eventType === eventType &&
      (reminder === undefined || n.reminder === reminder),
  );

/** When a trigger accepted at or after completion named the attempt (one on start announces nothing). */
const announcedAt = (world: World, attempt: SimAttempt) => {
  const times = world.deliveries
    .filter(
      (d) =>
        (d.attemptId === attempt.id || d.assignmentId === attempt.assignmentId) &&
        d.at >= (attempt.completeAt as number) &&
        d.statuses.some((s) => s < 300),
    )
    .map((d) => d.at);
  return times.length > 0 ? Math.min(...times) : undefined;
};

export const checkLiveness = (world: World, violations: Violation[]) => {
  const end = world.time.now();
  const watch = world.watch;
  for (const attempt of world.ia.attempts.values()) {
    const add = (invariant: string, at: number, detail: string) =>
      violations.push({ invariant, at, attemptId: attempt.id, detail });
    const completeAt = attempt.completeAt;
    if (completeAt === undefined || completeAt > end) continue;
    const parent = world.ia.assignments.find((a) => a.id === attempt.assignmentId);
    // An assignment IA hides or deletes is out of sight for a while: not held against the pipeline.
    if (parent?.hiddenFrom !== undefined || parent?.deletedAt !== undefined) continue;
    const needed = firstAlert(world, attempt.id, 'review.needed');
    if (attempt.reviews > 0) {
      const heard = announcedAt(world, attempt);
      // The head walk looks at an assignment in every run while it is younger than the head (an hour of margin).
      const inHead =
        parent !== undefined && completeAt - parent.createdAt < SWEEP_DEFAULTS.headDays * TIME.DAY - TIME.HOUR;
      const sweepBound = inHead ? BOUNDS.sweepHead : BOUNDS.sweepOnly;
      const bound =
        heard !== undefined && heard - completeAt < sweepBound
          ? Math.max(heard - completeAt, 0) + BOUNDS.triggered
          : sweepBound;
      const due = extendedByOutages(world, completeAt, bound);
      const stillPending = attempt.reviewDoneAt === undefined || attempt.reviewDoneAt > due;
      if (stillPending && due < end && (!needed || needed.at > due))
        add(
          'review.needed within its bound',
          due,
          `completed ${iso(completeAt)}, ${heard === undefined ? 'sweep only' : `announced ${iso(heard)}`}; due by ${iso(due)}, ${needed ? `published ${iso(needed.at)}` : 'never published'}`,
        );
    }
    if (!needed) continue;
    const watchEnds = needed.at + watch.maxWatchSeconds * 1000 - BOUNDS.followUp;
    // Reminders while the review waits.
    for (let n = 1; n <= watch.maxReminders; n++) {
      const dueFrom = needed.at + n * watch.reviewSlaSeconds * 1000;
      const reminder = firstAlert(world, attempt.id, 'review.overdue', n);
      const due = extendedByOutages(world, dueFrom, BOUNDS.followUp);
      const waiting = attempt.reviewDoneAt === undefined || attempt.reviewDoneAt > due;
      if (waiting && due < Math.min(end, watchEnds) && (!reminder || reminder.at > due))
        add(
          'reminders when due',
          due,
          `reminder ${n} due by ${iso(due)}, ${reminder ? `sent ${iso(reminder.at)}` : 'never sent'}`,
        );
      if (reminder && attempt.reviewDoneAt !== undefined && attempt.reviewDoneAt < reminder.at - BOUNDS.followUp)
        add(
          'no reminder after the review',
          reminder.at,
          `reminder ${n} at ${iso(reminder.at)}, reviewed ${iso(attempt.reviewDoneAt)}`,
        );
    }
    // Escalation: once (the safety check counts keys), when due, never after the review.
    if (watch.escalateAfterSeconds > 0) {
      const escalated = firstAlert(world, attempt.id, 'review.escalated');
      const due = extendedByOutages(world, needed.at + watch.escalateAfterSeconds * 1000, BOUNDS.followUp);
      const waiting = attempt.reviewDoneAt === undefined || attempt.reviewDoneAt > due;
      if (waiting && due < Math.min(end, watchEnds) && (!escalated || escalated.at > due))
        add(
          'escalation when due',
          due,
          `due by ${iso(due)}, ${escalated ? `sent ${iso(escalated.at)}` : 'never sent'}`,
        );
      if (escalated && attempt.reviewDoneAt !== undefined && attempt.reviewDoneAt < escalated.at - BOUNDS.followUp)
        add(
          'no escalation after the review',
          escalated.at,
          `escalated ${iso(escalated.at)}, reviewed ${iso(attempt.reviewDoneAt)}`,
        );
    }
    // Completion inside the watch: review.completed, and out of the awaiting-review index.
    const scored = attempt.scoringDoneAt;
    if (scored !== undefined && scored < watchEnds) {
      const due = extendedByOutages(world, Math.max(scored, needed.at), BOUNDS.followUp);
      const completed = firstAlert(world, attempt.id, 'review.completed');
      if (due < end && (!completed || completed.at > due))
        add(
          'review.completed when the review is done',
          due,
          `scored ${iso(scored)}; due by ${iso(due)}, ${completed ? `sent ${iso(completed.at)}` : 'never sent'}`,
        );
    }
    const reviewed = attempt.reviewDoneAt;
    if (reviewed !== undefined && extendedByOutages(world, reviewed, BOUNDS.followUp) < Math.min(end, watchEnds)) {
      const state = world.states().items.get(attempt.id);
      if (state && 'awaiting' in state && state.awaiting !== undefined)
        add(
          'the awaiting-review index holds only what waits',
          end,
          `reviewed ${iso(reviewed)}, still awaiting at the end`,
        );
    }
  }
  // scoring.stalled: a completed attempt, nothing to review, scoring not done a day after it was first seen.
  for (const attempt of world.ia.attempts.values()) {
    if (attempt.completeAt === undefined || attempt.reviews > 0) continue;
    const parent = world.ia.assignments.find((a) => a.id === attempt.assignmentId);
    if (parent?.hiddenFrom !== undefined || parent?.deletedAt !== undefined) continue;
    const firstSeenBy = extendedByOutages(world, attempt.completeAt, BOUNDS.sweepOnly);
    const due = extendedByOutages(world, firstSeenBy + watch.scoringDeadlineSeconds * 1000, BOUNDS.followUp);
    const stalled = firstAlert(world, attempt.id, 'scoring.stalled');
    if (
      (attempt.scoringDoneAt === undefined || attempt.scoringDoneAt > due) &&
      due < end &&
      (!stalled || stalled.at > due)
    )
      violations.push({
        invariant: 'scoring.stalled when due',
        at: due,
        attemptId: attempt.id,
        detail: `completed ${iso(attempt.completeAt)}, never scored; due by ${iso(due)}`,
      });
  }
};

/** At most one IA request in any one-second window, whoever sent it (check, sweep, CLI); checked as they come. */
export const rateChecker = () => {
  let checked = 1;
  return (world: World, violations: Violation[]) => {
    const requests = world.ia.requests;
    for (; checked < requests.length; checked++) {
      const [a, b] = [requests[checked - 1], requests[checked]];
      if (a && b && b.at - a.at < 1000)
        violations.push({
          invariant: 'IA requests per key within 1/s',
          at: b.at,
          detail: `${a.caller} ${a.path} and ${b.caller} ${b.path} ${Math.round(b.at - a.at)} ms apart`,
        });
    }
  };
};

/** Every accepted event is checked; every message ends done, or dead-lettered with its reason. */
export const checkConservation = (world: World, violations: Violation[]) => {
  const end = world.time.now();
  for (const delivery of world.deliveries) {
    const add = (invariant: string, detail: string) =>
      violations.push({
        invariant,
        at: delivery.at,
        ...(delivery.attemptId ? { attemptId: delivery.attemptId } : {}),
        detail,
      });
    const signedWithoutId = delivery.attemptId === undefined && delivery.assignmentId === undefined;
    if (delivery.statuses.some((s) => s >= 400 && s < 500))
      add('a signed event is never refused', `${delivery.eventId} answered ${delivery.statuses.join(', ')}`);
    if (signedWithoutId || !delivery.statuses.some((s) => s < 300)) continue;
    // A webhook's checks carry its event id; an EventBridge event's, the id the bus gave it.
    const eventIds = new Set([delivery.eventId, ...delivery.bodies.map((b) => String(b.eventId))]);
    const enqueued = [...world.checks.messages.values(), ...world.checks.deleted, ...world.dlq.messages.values()].some(
      (m) => eventIds.has(String((JSON.parse(m.body) as { eventId?: string }).eventId)),
    );
    const dedupedByReference = delivery.bodies.some((b) => b.reason === 'recently enqueued');
    if (!enqueued && !dedupedByReference)
      add(
        'an accepted event is checked',
        `${delivery.eventId} answered ${delivery.statuses.join(', ')} and was never enqueued`,
      );
  }
  for (const message of world.dlq.messages.values()) {
    if (message.attributes.failureCode?.StringValue === undefined)
      violations.push({
        invariant: 'a dead letter says why',
        at: message.sentAt,
        detail: `${message.body} dead-lettered by the redrive policy after ${world.checks.settings.redrive?.maxReceiveCount} receives, no reason`,
      });
  }
  for (const message of world.checks.messages.values()) {
    if (end - message.sentAt > 3 * TIME.DAY && message.visibleAt < end)
      violations.push({ invariant: 'no message lingers', at: message.sentAt, detail: `${message.body} still queued` });
  }
};

export const checkEscapes = (world: World, violations: Violation[]) => {
  for (const { at, task, error } of world.time.escaped)
    violations.push({
      invariant: 'no unexpected error',
      at,
      detail: `${task}: ${(error as Error)?.stack ?? String(error)}`,
    });
};

const iso = (ms: number) => new Date(ms).toISOString();
