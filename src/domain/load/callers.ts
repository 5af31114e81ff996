import { invalid } from '../errors';
import type { TriageCase } from '../triage/evaluation';
import { type AnswerValue, evaluateEvidence, type Sex, type TriageContent } from '../triage/index';
import { type OutcomeClass, outcomeClassOf } from './mix';

/**
 * A simulated caller: who they are, what they say, and how they answer each question, worked out
 * beforehand by evidence mode on the same content the server triages on. Over HTTP the caller then
 * answers question by question as a person would; a question the script does not know (the server's
 * content has changed) is answered "don't know", which takes its cautious path.
 */
export interface ScriptedCaller {
  readonly id: string;
  readonly age: number;
  readonly sex: Sex;
  readonly says: string;
  readonly pathwayId: string;
  /** The answer to each question, by `pathwayId/questionId`. */
  readonly answers: ReadonlyMap<string, AnswerValue>;
  /** The disposition evidence mode reached, and the outcome group it is counted in. */
  readonly dispositionCode: string;
  readonly outcome: OutcomeClass;
}

export const answerKey = (pathwayId: string, questionId: string): string => `${pathwayId}/${questionId}`;

/** Scripts each written triage case as a caller ("absent": what they did not report they deny when asked). */
export function scriptedCallers(content: TriageContent, cases: readonly TriageCase[]): ScriptedCaller[] {
  const callers: ScriptedCaller[] = [];
  for (const c of cases) {
    let r: ReturnType<typeof evaluateEvidence>;
    try {
      r = evaluateEvidence(content, {
        age: c.age,
        sex: c.sex,
        complaint: c.says,
        present: c.present,
        absent: c.absent,
        values: c.values,
        unreported: 'absent',
      });
    } catch {
      // A case the engine cannot triage is the evaluation's business, not the load's: leave it out.
      continue;
    }
    // No symptom pathway matched and module 0 alone decided: the console always starts a symptom
    // pathway (module 0 runs inside it), so this caller has no flow to drive over HTTP.
    if (r.pathway.id === content.module0.id) continue;
    callers.push({
      id: c.id,
      age: c.age,
      sex: c.sex,
      says: c.says,
      pathwayId: r.pathway.id,
      answers: new Map(r.path.map((s) => [answerKey(s.pathwayId, s.questionId), s.value])),
      dispositionCode: r.disposition.code,
      outcome: outcomeClassOf(r.disposition.group),
    });
  }
  if (callers.length === 0)
    throw invalid('None of the cases reaches a disposition: there is no caller to simulate.');
  return callers;
}

/** The callers by the outcome group they end in. */
export function callersByOutcome(callers: readonly ScriptedCaller[]): Map<OutcomeClass, ScriptedCaller[]> {
  const by = new Map<OutcomeClass, ScriptedCaller[]>();
  for (const c of callers) by.set(c.outcome, [...(by.get(c.outcome) ?? []), c]);
  return by;
}
