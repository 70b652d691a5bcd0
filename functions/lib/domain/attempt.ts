/**
 * Normalisation: from a parsed IA attempt to what a decision and a notification need.
 */
import type { RawAssignment, RawAttempt, RawStepProgression } from './attempt-schema.js';
import { compact } from './compact.js';

export interface ReviewItem {
  /** The step's name as IA shows it, e.g. "A audio interview step". */
  step: string;
  kind: 'answer' | 'audio' | 'video';
  /** The question label or recording prompt, when known. */
  prompt?: string;
}

export interface Attempt {
  id: string;
  scoringCompleted: boolean;
  pendingReviewCount: number;
  assessment: { id?: string; name?: string };
  /** `score / possible_score` in 0..1; `percentage_score` is ignored, its scale changed over time. */
  scoreRatio?: number;
  score?: number;
  possibleScore?: number;
  level?: string;
  startedAt?: string;
  completedAt?: string;
  durationSeconds?: number;
  /** Answers without scores and audio/video recordings: what a human grader looks at (the first 50). */
  reviewItems: ReviewItem[];
  /** How many there are in all, when more than the listed ones. */
  reviewItemCount?: number;
  candidate?: { name?: string; email?: string };
  role?: string;
  assignmentId?: string;
  resultsUrl?: string;
}

/**
 * The list is IA's to make as long as it likes; an alert, a state item (DynamoDB: 400 KB) and an
 * SNS message (256 KB) are not. Renderers list far fewer anyway and count the rest.
 */
export const MAX_REVIEW_ITEMS = 50;

// `completion_time_in_seconds` is sometimes an epoch (1512740297); only believe durations under a week.
const PLAUSIBLE_DURATION_SECONDS = 7 * 24 * 3600;

const isAnswered = (value: unknown): boolean =>
  value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);

/** Each question appears twice (once empty, once answered): keep the answered copy. */
const dedupeAnswers = (answers: RawStepProgression['answers']) => {
  const byQuestion = new Map<string, RawStepProgression['answers'][number]>();
  const anonymous: RawStepProgression['answers'] = [];
  for (const answer of answers) {
    const id = answer.question?.id;
    if (id === undefined) {
      anonymous.push(answer);
      continue;
    }
    const kept = byQuestion.get(id);
    if (!kept || !isAnswered(kept.value) || isAnswered(answer.value)) byQuestion.set(id, answer);
  }
  return [...byQuestion.values(), ...anonymous];
};

const reviewItemsOf = (progression: RawStepProgression, index: number): ReviewItem[] => {
  const step = progression.step?.name ?? `Step ${index + 1}`;
  const withPrompt = (item: ReviewItem, prompt: string | undefined): ReviewItem =>
    prompt === undefined ? item : { ...item, prompt };
  return [
    ...dedupeAnswers(progression.answers)
      .filter((answer) => isAnswered(answer.value) && answer.scores.length === 0)
      .map((answer) => withPrompt({ step, kind: 'answer' }, answer.question?.label)),
    ...progression.audio_recordings.map((rec) => withPrompt({ step, kind: 'audio' }, rec.audio_prompt?.name)),
    ...progression.video_recordings.map((rec) =>
      withPrompt({ step, kind: 'video' }, rec.video_prompt?.name ?? rec.video_prompt?.text_prompt),
    ),
  ];
};

const durationOf = (raw: RawAttempt): number | undefined => {
  if (raw.started_at && raw.completed_at) {
    const seconds = (Date.parse(raw.completed_at) - Date.parse(raw.started_at)) / 1000;
    if (seconds >= 0) return Math.round(seconds);
  }
  const reported = raw.completion_time_in_seconds;
  return reported !== undefined && reported >= 0 && reported < PLAUSIBLE_DURATION_SECONDS ? reported : undefined;
};

const scoreRatioOf = (raw: RawAttempt): number | undefined =>
  raw.score !== undefined && raw.possible_score !== undefined && raw.possible_score > 0
    ? raw.score / raw.possible_score
    : undefined;

/** Finished by the candidate: only then is there anything to score, review or alert on. */
export const isCompleted = (attempt: Pick<Attempt, 'completedAt'>): boolean => attempt.completedAt !== undefined;

/** Builds the normalised attempt; `assignment` adds candidate, role and results link when known. */
export const normaliseAttempt = (raw: RawAttempt, assignment?: RawAssignment): Attempt => {
  const user = assignment?.user ?? raw.user;
  const candidate = user ? compact({ name: user.name, email: user.email }) : undefined;
  const reviewItems = raw.step_progressions.flatMap(reviewItemsOf);
  return compact({
    id: raw.id,
    scoringCompleted: raw.scoring_completed,
    pendingReviewCount: raw.pending_review_count,
    assessment: compact({ id: raw.assessment?.id, name: raw.assessment?.name }),
    scoreRatio: scoreRatioOf(raw),
    score: raw.score,
    possibleScore: raw.possible_score,
    level: raw.level,
    startedAt: raw.started_at,
    completedAt: raw.completed_at,
    durationSeconds: durationOf(raw),
    reviewItems: reviewItems.slice(0, MAX_REVIEW_ITEMS),
    reviewItemCount: reviewItems.length > MAX_REVIEW_ITEMS ? reviewItems.length : undefined,
    candidate: candidate && Object.keys(candidate).length > 0 ? candidate : undefined,
    role: (assignment?.role ?? raw.role)?.name,
    assignmentId: assignment?.id,
    resultsUrl: assignment?.public_results_url ?? raw.public_results_url,
  });
};
