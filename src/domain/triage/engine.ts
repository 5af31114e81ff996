import { invalid, notFound, preconditionFailed } from '../errors';
import type {
  AnswerValue,
  GivenAnswer,
  Outcome,
  PathStep,
  Pathway,
  Question,
  SessionInput,
  StepResult,
  TriageContent,
} from './types';

/** The pathway a session runs on, at the version it recorded. */
export function pathwayAt(content: TriageContent, id: string, version: number): Pathway {
  const pw = content.pathways.get(`${id}@${version}`);
  if (!pw) {
    if (content.pathways.size > 0 && [...content.pathways.values()].some((p) => p.id === id))
      throw preconditionFailed(
        `Pathway ${id} version ${version} is no longer in the content; it cannot be replayed here.`,
      );
    throw notFound(`There is no pathway "${id}".`);
  }
  return pw;
}

/** Which outcome a value selects; throws `invalid` for a value the question does not take. */
export function outcomeFor(content: TriageContent, q: Question, value: AnswerValue): Outcome {
  if (q.type === 'number') {
    const finding = content.findings.get(q.finding);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw invalid(`Question ${q.id} takes a number (${q.unit}), not "${String(value)}".`, [
        { pointer: `/value`, message: 'expected a number' },
      ]);
    if (finding?.kind === 'number' && (value < finding.min || value > finding.max))
      throw invalid(
        `${value} ${q.unit} is not a plausible ${finding.label.toLowerCase()} (${finding.min}–${finding.max}).`,
        [{ pointer: '/value', message: `must be between ${finding.min} and ${finding.max}` }],
      );
    for (const b of q.bands) {
      if ((b.from === null || value >= b.from) && (b.below === null || value < b.below)) return b;
    }
    // The validator guarantees the bands cover the line; this cannot happen with valid content.
    throw invalid(`No answer range of question ${q.id} covers ${value}.`);
  }
  const o = typeof value === 'string' ? q.answers.get(value) : undefined;
  if (!o)
    throw invalid(
      `Question ${q.id} takes one of ${[...q.answers.keys()].join(', ')}, not "${String(value)}".`,
      [{ pointer: '/value', message: `expected one of ${[...q.answers.keys()].join(', ')}` }],
    );
  return o;
}

/**
 * The engine: module 0 first, then the pathway; consumes the answers in order and returns the next
 * question, or the disposition. Pure and deterministic: the same content and answers give the same result.
 */
export function step(content: TriageContent, session: SessionInput): StepResult {
  const module0 = pathwayAt(content, content.module0.id, session.module0Version);
  const pathway = pathwayAt(content, session.pathwayId, session.pathwayVersion);
  let current: Pathway = module0;
  let q = module0.questions.get(module0.start) as Question;
  const path: PathStep[] = [];
  const sds: string[] = [];
  const report: string[] = [];
  const advice: string[] = [];
  for (let i = 0; ; i++) {
    const answer: GivenAnswer | undefined = session.answers[i];
    if (!answer) return { kind: 'question', pathwayId: current.id, question: q, path };
    if (answer.pathwayId !== current.id || answer.questionId !== q.id)
      throw invalid(
        `Answer ${i + 1} is for ${answer.pathwayId}/${answer.questionId}, but the question asked is ${current.id}/${q.id}.`,
        [
          {
            pointer: `/answers/${i}`,
            message: `expected an answer to ${current.id}/${q.id}`,
            rule: 'answer-in-order',
          },
        ],
      );
    const o = outcomeFor(content, q, answer.value);
    path.push({ pathwayId: current.id, questionId: q.id, value: answer.value, sd: o.sd, report: o.report });
    if (o.sd) sds.push(o.sd);
    if (o.report) report.push(o.report);
    if (o.advice) advice.push(o.advice);
    const t = o.target;
    if (t.kind === 'disposition') {
      if (i + 1 < session.answers.length)
        throw invalid(
          `The triage ended at answer ${i + 1} with ${t.code}; ${session.answers.length - i - 1} more answers were given.`,
          [
            {
              pointer: `/answers/${i + 1}`,
              message: 'the triage has already reached a disposition',
              rule: 'answer-in-order',
            },
          ],
        );
      const disposition = content.dispositions.byCode.get(t.code);
      if (!disposition) throw invalid(`Disposition ${t.code} is not in the catalogue.`);
      return {
        kind: 'disposition',
        disposition,
        endedIn: current.id,
        path,
        discriminators: sds,
        report,
        careAdvice: [disposition.careAdvice, ...advice],
      };
    }
    if (t.kind === 'continue') {
      current = pathway;
      q = pathway.questions.get(pathway.start) as Question;
    } else q = current.questions.get(t.questionId) as Question;
  }
}

/** What a session stores: answers, and goings-back, appended in order and never rewritten. */
export type SessionEvent =
  | {
      readonly kind: 'answer';
      readonly pathwayId: string;
      readonly questionId: string;
      readonly value: AnswerValue;
    }
  | { readonly kind: 'back' /** How many answers stay in force. */; readonly keep: number };

/** Folds the appended events into the answers in force: going back drops answers from that point. */
export function answersInForce<E extends SessionEvent>(events: readonly E[]): (E & { kind: 'answer' })[] {
  const answers: (E & { kind: 'answer' })[] = [];
  for (const e of events) {
    if (e.kind === 'answer') answers.push(e as E & { kind: 'answer' });
    else answers.length = Math.min(answers.length, e.keep);
  }
  return answers;
}

/** How many answers to keep to go back to (and re-ask) the given question, or the last one when none is named. */
export function backTo(
  answers: readonly GivenAnswer[],
  target?: { pathwayId: string; questionId: string },
): number {
  if (answers.length === 0) throw invalid('There is no answer to go back to.');
  if (!target) return answers.length - 1;
  const i = answers.findIndex((a) => a.pathwayId === target.pathwayId && a.questionId === target.questionId);
  if (i < 0)
    throw invalid(`Question ${target.pathwayId}/${target.questionId} has not been answered in this session.`);
  return i;
}

export interface ReplayTrace {
  /** Every question shown, in order (including the one waiting for an answer, if any). */
  readonly shown: readonly string[];
  readonly result: StepResult;
}

/** Replays a stored session event by event: which questions were shown, and where it ended. */
export function replay(
  content: TriageContent,
  session: Omit<SessionInput, 'answers'>,
  events: readonly SessionEvent[],
): ReplayTrace {
  const shown: string[] = [];
  const answers: GivenAnswer[] = [];
  let result = step(content, { ...session, answers });
  if (result.kind === 'question') shown.push(`${result.pathwayId}/${result.question.id}`);
  for (const e of events) {
    if (e.kind === 'answer')
      answers.push({ pathwayId: e.pathwayId, questionId: e.questionId, value: e.value });
    else answers.length = Math.min(answers.length, e.keep);
    result = step(content, { ...session, answers });
    if (result.kind === 'question') shown.push(`${result.pathwayId}/${result.question.id}`);
  }
  return { shown, result };
}
