import { conflict, invalid } from '../errors';
import { answersInForce, backTo, type SessionEvent, step } from './engine';
import { pathwayFits } from './search';
import type { GivenAnswer, Pathway, Sex, TriageContent } from './types';

/**
 * What changes a triage session may take, decided on the session as stored. Each decision is pure: the
 * service loads the session (locked), asks the access policy, calls one of these, then appends what it
 * returns. The engine (`step`) judges the order and the value; these functions ask it first, so a refusal
 * is phrased for the person at the console rather than as a replay error.
 */

/** A stored session as the decisions read it: what it runs on, whether it is finished, its events. */
export interface TriageSessionRecord {
  readonly id: string;
  readonly pathwayId: string;
  readonly pathwayVersion: number;
  readonly module0Version: number;
  readonly status: 'in_progress' | 'finished';
  readonly events: readonly SessionEvent[];
}

/** An event to append, and what the audit trail says about it. */
export interface SessionEventDecision {
  readonly event: SessionEvent;
  readonly detail: Record<string, unknown>;
}

const inputOf = (s: TriageSessionRecord) => ({
  pathwayId: s.pathwayId,
  pathwayVersion: s.pathwayVersion,
  module0Version: s.module0Version,
});

function assertOpen(s: TriageSessionRecord): void {
  if (s.status === 'finished') throw conflict(`Triage session ${s.id} is finished; it cannot be changed.`);
}

/** The pathway a new session runs on: the current version, and only for a patient it fits. */
export function pathwayToStart(
  content: TriageContent,
  pathwayId: string,
  patient: { readonly ageYears: number; readonly sex: Sex },
): Pathway {
  const pathway = content.current.get(pathwayId);
  if (!pathway)
    throw invalid(`There is no pathway "${pathwayId}".`, [
      { pointer: '/body/pathwayId', message: 'unknown pathway' },
    ]);
  if (!pathwayFits(pathway, patient.ageYears, patient.sex))
    throw invalid(
      `${pathway.title} is for ${pathway.sex === 'any' ? 'patients' : `${pathway.sex} patients`} aged ${pathway.age.minYears} to under ${pathway.age.maxYears}; it does not fit this patient.`,
      [
        {
          pointer: '/body/patient',
          message: 'the pathway does not fit the patient’s age or sex',
          rule: 'pathway-fits-patient',
        },
      ],
    );
  return pathway;
}

/** An answer to the question being asked: refused when another question is waiting, or the value does not fit. */
export function decideAnswer(
  content: TriageContent,
  s: TriageSessionRecord,
  answer: GivenAnswer,
): SessionEventDecision {
  assertOpen(s);
  const answers = answersInForce(s.events);
  const now = step(content, { ...inputOf(s), answers });
  if (now.kind === 'disposition')
    throw invalid('This triage has reached its disposition: go back to change an answer, or finish.');
  if (now.pathwayId !== answer.pathwayId || now.question.id !== answer.questionId)
    throw invalid(
      `The question being asked is ${now.pathwayId}/${now.question.id}, not ${answer.pathwayId}/${answer.questionId}.`,
      [{ pointer: '/body/questionId', message: `expected ${now.question.id}`, rule: 'answer-in-order' }],
    );
  const given = { pathwayId: answer.pathwayId, questionId: answer.questionId, value: answer.value };
  // The engine checks the value (its type, a plausible range) before anything is stored.
  step(content, { ...inputOf(s), answers: [...answers, given] });
  return {
    event: { kind: 'answer', ...given },
    detail: { answered: `${answer.pathwayId}/${answer.questionId}` },
  };
}

/** Going back: to the last answer, or to a named question (of the session's pathway unless one is named). */
export function decideBack(
  s: TriageSessionRecord,
  target: { readonly pathwayId?: string; readonly questionId?: string },
): SessionEventDecision {
  assertOpen(s);
  const to =
    target.questionId !== undefined
      ? { pathwayId: target.pathwayId ?? s.pathwayId, questionId: target.questionId }
      : undefined;
  const keep = backTo(answersInForce(s.events), to);
  return { event: { kind: 'back', keep }, detail: { backTo: keep } };
}

/** Finishing: only at a disposition, which the session then keeps. */
export function decideFinish(
  content: TriageContent,
  s: TriageSessionRecord,
): { readonly dispositionCode: string; readonly detail: Record<string, unknown> } {
  assertOpen(s);
  const r = step(content, { ...inputOf(s), answers: answersInForce(s.events) });
  if (r.kind !== 'disposition')
    throw invalid(
      `The triage has not reached a disposition yet: question ${r.pathwayId}/${r.question.id} is waiting.`,
    );
  return { dispositionCode: r.disposition.code, detail: { finished: r.disposition.code } };
}
