import { invalid, notFound, preconditionFailed } from '../errors';
import {
  type AnswerValue,
  DONT_KNOW,
  type GivenAnswer,
  type Outcome,
  type PathStep,
  type Pathway,
  type Question,
  type SessionInput,
  type StepResult,
  type TriageContent,
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

/** The outcomes a question can lead to, "don't know" included. */
export const outcomesOf = (q: Question): Outcome[] => [
  ...(q.type === 'number' ? q.bands : q.answers.values()),
  ...(q.dontKnow ? [q.dontKnow] : []),
];

/** How urgent the most urgent disposition reachable from an outcome is (1 is most urgent). */
export function worstRank(
  content: TriageContent,
  pw: Pathway,
  o: Outcome,
  seen: ReadonlySet<string> = new Set(),
): number {
  const t = o.target;
  if (t.kind === 'disposition')
    return content.dispositions.byCode.get(t.code)?.urgencyRank ?? Number.POSITIVE_INFINITY;
  if (t.kind === 'continue') return Number.POSITIVE_INFINITY;
  const q = pw.questions.get(t.questionId);
  if (!q || seen.has(q.id)) return Number.POSITIVE_INFINITY;
  const next = new Set(seen).add(q.id);
  return Math.min(...outcomesOf(q).map((x) => worstRank(content, pw, x, next)));
}

const cautious = new WeakMap<Question, { outcome: Outcome; takenAs: AnswerValue | null }>();

/**
 * What "don't know" means for a question: its own `dont_know` outcome, else its safe default's path. Module
 * 0's safe defaults are "no" (evidence mode takes a caller who can describe symptoms to have no immediate
 * threat), so there "don't know" takes the answer that can lead to the most urgent disposition instead: a
 * caller who cannot say whether the patient is breathing is treated as if they are not.
 */
export function dontKnowPath(
  content: TriageContent,
  pw: Pathway,
  q: Question,
): { readonly outcome: Outcome; readonly takenAs: AnswerValue | null } {
  const had = cautious.get(q);
  if (had) return had;
  let found: { outcome: Outcome; takenAs: AnswerValue | null };
  if (q.dontKnow) found = { outcome: q.dontKnow, takenAs: null };
  else if (pw.kind !== 'module0' || q.type === 'number')
    found = { outcome: outcomeFor(content, q, q.safeDefault), takenAs: q.safeDefault };
  else {
    const ranked = [...q.answers].map(([value, o]) => ({ value, o, rank: worstRank(content, pw, o) }));
    // Ties keep the file's order of answers (yes before no).
    const best = ranked.reduce((a, b) => (b.rank < a.rank ? b : a));
    found = { outcome: best.o, takenAs: best.value };
  }
  cautious.set(q, found);
  return found;
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
    let o: Outcome;
    let takenAs: AnswerValue | null = answer.value;
    if (answer.value === DONT_KNOW) {
      const dk = dontKnowPath(content, current, q);
      o = dk.outcome;
      takenAs = dk.takenAs;
      // The call record says the caller did not know, and which way the triage went because of it.
      report.push(
        `Not known: ${content.findings.get(q.finding)?.label ?? q.finding} (${
          takenAs === null ? 'the pathway’s route for “don’t know”' : `taken as ${labelOfValue(q, takenAs)}`
        })`,
      );
    } else o = outcomeFor(content, q, answer.value);
    path.push({
      pathwayId: current.id,
      questionId: q.id,
      value: answer.value,
      takenAs,
      sd: o.sd,
      report: o.report,
    });
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

/** An answer as a person reads it: "Yes", a choice's label, a number with its unit, "Don't know". */
export function labelOfValue(q: Question | undefined, value: AnswerValue): string {
  if (value === DONT_KNOW) return 'Don’t know';
  if (!q || q.type === 'number') return `${value}${q?.type === 'number' ? ` ${q.unit}` : ''}`;
  if (q.type === 'yes_no') return value === 'yes' ? 'Yes' : 'No';
  return q.options.find((o) => o.value === value)?.label ?? String(value);
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
