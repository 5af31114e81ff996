import { conflict } from '../errors';

/** The review form's fixed scales. */
export const DISPOSITION_SCORES = ['correct', 'too_urgent', 'not_urgent_enough'] as const;
export const SAFETY_SCORES = ['safe', 'safe_with_concerns', 'unsafe'] as const;
/** Communication, 1 (poor) to 5 (excellent). */
export const COMMUNICATION_SCORES = [1, 2, 3, 4, 5] as const;

export type DispositionScore = (typeof DISPOSITION_SCORES)[number];
export type SafetyScore = (typeof SAFETY_SCORES)[number];

export const SCORE_WORDS = {
  disposition: { correct: 'correct', too_urgent: 'too urgent', not_urgent_enough: 'not urgent enough' },
  safety: { safe: 'safe', safe_with_concerns: 'safe, with concerns', unsafe: 'unsafe' },
  communication: { 1: 'poor', 2: 'fair', 3: 'good', 4: 'very good', 5: 'excellent' },
} as const;

export interface ReviewScore {
  readonly disposition: DispositionScore;
  readonly safety: SafetyScore;
  readonly communication: 1 | 2 | 3 | 4 | 5;
  readonly findings: string;
  readonly learning: string;
}

/** May this reviewer score this review? Once only, and never a review of their own call. */
export function decideScore(
  review: { readonly scoredAt: Date | null; readonly adviserId: number | null; readonly caseId: string },
  reviewerId: number,
): void {
  if (review.scoredAt)
    throw conflict(
      `The review of case ${review.caseId} was scored on ${review.scoredAt.toISOString().slice(0, 10)}; a review is scored once.`,
    );
  if (review.adviserId !== null && review.adviserId === reviewerId)
    throw conflict(`Case ${review.caseId} is one of your own calls; someone else must review it.`);
}

export const isCommunicationScore = (n: number | null): n is ReviewScore['communication'] =>
  n !== null && (COMMUNICATION_SCORES as readonly number[]).includes(n);
