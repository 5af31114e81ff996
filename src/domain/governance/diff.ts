import type { DispositionCatalogue } from '../dispositions/index';
import type { AnswerValue, Outcome, Pathway, Question, Target } from '../triage/index';

/**
 * The review of a pathway change as a clinician reads it: what was added, removed or changed, and above
 * all every path through the pathway whose disposition changes. The paths come from walking both versions
 * side by side over the same answers, so a change anywhere upstream (a re-pointed answer, a moved number
 * band, a new question) shows up as the patients it sends somewhere else. Pure.
 */

export interface DispositionRef {
  readonly code: string;
  readonly title: string;
  readonly urgencyRank: number;
  readonly timeframeMinutes: number | null;
}

/** Where a walk through one version ends. */
export type PathEnd =
  | ({ readonly kind: 'disposition' } & DispositionRef)
  /** Module 0 only: no threat to life, on to the symptom pathway. */
  | { readonly kind: 'continue' }
  /** The version asks this question but cannot take the answer the other version's question took. */
  | { readonly kind: 'unanswerable'; readonly questionId: string };

export interface PathAnswer {
  readonly questionId: string;
  readonly question: string;
  readonly value: AnswerValue;
  readonly label: string;
}

export interface ChangedPath {
  readonly answers: readonly PathAnswer[];
  /** null: the pathway is new. */
  readonly before: PathEnd | null;
  readonly after: PathEnd;
  readonly change: 'more urgent' | 'less urgent' | 'same urgency' | 'new' | 'different kind of end';
}

export interface FieldChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

export interface QuestionSummary {
  readonly id: string;
  readonly text: string;
}

export interface PathwayDiff {
  readonly pathwayId: string;
  readonly fromVersion: number | null;
  readonly toVersion: number;
  /** Title, age band, sex, keywords, the first question. */
  readonly pathway: readonly FieldChange[];
  readonly questionsAdded: readonly QuestionSummary[];
  readonly questionsRemoved: readonly QuestionSummary[];
  readonly questionsChanged: readonly (QuestionSummary & { readonly changes: readonly FieldChange[] })[];
  readonly dispositionsAdded: readonly DispositionRef[];
  readonly dispositionsRemoved: readonly DispositionRef[];
  readonly pathsCompared: number;
  readonly changedPaths: readonly ChangedPath[];
  /** True when the walk stopped at `MAX_PATHS` (no demonstration pathway comes near it). */
  readonly truncated: boolean;
}

export const MAX_PATHS = 5000;

const outcomesOf = (q: Question): Outcome[] => (q.type === 'number' ? [...q.bands] : [...q.answers.values()]);

function targetWords(t: Target): string {
  if (t.kind === 'question') return `next question ${t.questionId}`;
  if (t.kind === 'disposition') return `disposition ${t.code}`;
  return 'on to the symptom pathway';
}

function outcomeWords(o: Outcome): string {
  return [
    targetWords(o.target),
    o.sd ? `discriminator ${o.sd}` : null,
    o.report ? `report “${o.report}”` : null,
    o.advice ? `advice “${o.advice}”` : null,
  ]
    .filter((s) => s !== null)
    .join('; ');
}

const bandWords = (from: number | null, below: number | null, unit: string): string =>
  from === null
    ? `under ${below} ${unit}`
    : below === null
      ? `${from} ${unit} or more`
      : `from ${from} to under ${below} ${unit}`;

/** Each answer a question takes, by the words an adviser would say, and what it leads to. */
function answersOf(q: Question): Map<string, string> {
  const out = new Map<string, string>();
  if (q.type === 'number') {
    for (const b of q.bands) out.set(bandWords(b.from, b.below, q.unit), outcomeWords(b));
    return out;
  }
  for (const [value, o] of q.answers) {
    const labelled =
      q.type === 'choice' ? (q.options.find((opt) => opt.value === value)?.label ?? value) : value;
    out.set(labelled, outcomeWords(o));
  }
  return out;
}

function questionChanges(a: Question, b: Question): FieldChange[] {
  const changes: FieldChange[] = [];
  const field = (name: string, x: string, y: string) => {
    if (x !== y) changes.push({ field: name, before: x, after: y });
  };
  field('text', a.text, b.text);
  field('rationale', a.rationale, b.rationale);
  field('finding', a.finding, b.finding);
  field('type', a.type, b.type);
  field('safe default', String(a.safeDefault), String(b.safeDefault));
  const before = answersOf(a);
  const after = answersOf(b);
  for (const [answer, leads] of after) {
    const had = before.get(answer);
    if (had === undefined) changes.push({ field: `answer “${answer}”`, before: '(none)', after: leads });
    else field(`answer “${answer}”`, had, leads);
  }
  for (const [answer, leads] of before)
    if (!after.has(answer)) changes.push({ field: `answer “${answer}”`, before: leads, after: '(removed)' });
  return changes;
}

function dispositionRef(code: string, catalogue: DispositionCatalogue): DispositionRef {
  const d = catalogue.byCode.get(code);
  return {
    code,
    title: d?.title ?? code,
    urgencyRank: d?.urgencyRank ?? Number.POSITIVE_INFINITY,
    timeframeMinutes: d?.timeframeMinutes ?? null,
  };
}

const dispositionsIn = (pw: Pathway): Set<string> => {
  const out = new Set<string>();
  for (const q of pw.questions.values())
    for (const o of outcomesOf(q)) if (o.target.kind === 'disposition') out.add(o.target.code);
  return out;
};

/** The values worth trying at a question: one per answer, or one per band of the two versions' bands. */
function candidateValues(a: Question | undefined, b: Question | undefined): AnswerValue[] {
  const values: AnswerValue[] = [];
  const bounds = new Set<number>();
  for (const q of [a, b]) {
    if (!q) continue;
    if (q.type === 'number')
      for (const band of q.bands) {
        if (band.from !== null) bounds.add(band.from);
        if (band.below !== null) bounds.add(band.below);
      }
    else for (const v of q.answers.keys()) if (!values.includes(v)) values.push(v);
  }
  if (bounds.size > 0 || a?.type === 'number' || b?.type === 'number') {
    const sorted = [...bounds].sort((x, y) => x - y);
    // One value inside each interval the two versions' boundaries make: the walk then takes every band
    // of either version, and every place where a moved boundary sends a value to a different band.
    if (sorted.length === 0) values.push(0);
    else values.push((sorted[0] as number) - 1, ...sorted);
  }
  return values;
}

function outcomeOf(q: Question, value: AnswerValue): Outcome | undefined {
  if (q.type === 'number') {
    if (typeof value !== 'number') return undefined;
    return q.bands.find((b) => (b.from === null || value >= b.from) && (b.below === null || value < b.below));
  }
  return typeof value === 'string' ? q.answers.get(value) : undefined;
}

type Position =
  | { readonly kind: 'ask'; readonly question: Question }
  | { readonly kind: 'end'; end: PathEnd };

/** Follows the answers given so far through one version: the question it now asks, or where it ends. */
function follow(
  pw: Pathway,
  answers: ReadonlyMap<string, AnswerValue>,
  catalogue: DispositionCatalogue,
): Position {
  let q = pw.questions.get(pw.start) as Question;
  for (let guard = 0; guard <= pw.questions.size; guard++) {
    if (!answers.has(q.id)) return { kind: 'ask', question: q };
    const o = outcomeOf(q, answers.get(q.id) as AnswerValue);
    if (!o) return { kind: 'end', end: { kind: 'unanswerable', questionId: q.id } };
    if (o.target.kind === 'disposition')
      return { kind: 'end', end: { kind: 'disposition', ...dispositionRef(o.target.code, catalogue) } };
    if (o.target.kind === 'continue') return { kind: 'end', end: { kind: 'continue' } };
    q = pw.questions.get(o.target.questionId) as Question;
  }
  // The validator refuses cycles; a pathway that still loops is reported where it stops.
  return { kind: 'end', end: { kind: 'unanswerable', questionId: q.id } };
}

const sameEnd = (a: PathEnd, b: PathEnd): boolean =>
  a.kind === b.kind &&
  (a.kind !== 'disposition' || (b.kind === 'disposition' && a.code === b.code)) &&
  (a.kind !== 'unanswerable' || (b.kind === 'unanswerable' && a.questionId === b.questionId));

function changeOf(before: PathEnd | null, after: PathEnd): ChangedPath['change'] {
  if (!before) return 'new';
  if (before.kind !== 'disposition' || after.kind !== 'disposition') return 'different kind of end';
  if (after.urgencyRank < before.urgencyRank) return 'more urgent';
  if (after.urgencyRank > before.urgencyRank) return 'less urgent';
  return 'same urgency';
}

function answerLabel(q: Question, value: AnswerValue, other: Question | undefined): string {
  if (q.type === 'yes_no') return value === 'yes' ? 'Yes' : 'No';
  if (q.type === 'choice') return q.options.find((o) => o.value === value)?.label ?? String(value);
  // The interval the value stands for, between the boundaries of both versions.
  const bounds = new Set<number>();
  for (const x of [q, other])
    if (x?.type === 'number')
      for (const b of x.bands) {
        if (b.from !== null) bounds.add(b.from);
        if (b.below !== null) bounds.add(b.below);
      }
  const sorted = [...bounds].sort((x, y) => x - y);
  const v = value as number;
  const below = sorted.find((b) => b > v) ?? null;
  const from = [...sorted].reverse().find((b) => b <= v) ?? null;
  return bandWords(from, below, q.unit);
}

/** The review of `after` against `before` (undefined: a new pathway). */
export function diffPathways(
  before: Pathway | undefined,
  after: Pathway,
  catalogue: DispositionCatalogue,
): PathwayDiff {
  const pathway: FieldChange[] = [];
  if (before) {
    const field = (name: string, x: string, y: string) => {
      if (x !== y) pathway.push({ field: name, before: x, after: y });
    };
    field('title', before.title, after.title);
    field('symptom group', before.symptomGroup, after.symptomGroup);
    field('sex', before.sex, after.sex);
    field(
      'age',
      `${before.age.minYears}–${before.age.maxYears} years`,
      `${after.age.minYears}–${after.age.maxYears} years`,
    );
    field('keywords', before.keywords.join(', '), after.keywords.join(', '));
    field('first question', before.start, after.start);
  }
  const summary = (q: Question): QuestionSummary => ({ id: q.id, text: q.text });
  const questionsAdded = [...after.questions.values()]
    .filter((q) => !before?.questions.has(q.id))
    .map(summary);
  const questionsRemoved = before
    ? [...before.questions.values()].filter((q) => !after.questions.has(q.id)).map(summary)
    : [];
  const questionsChanged = before
    ? [...after.questions.values()].flatMap((q) => {
        const was = before.questions.get(q.id);
        const changes = was ? questionChanges(was, q) : [];
        return changes.length > 0 ? [{ ...summary(q), changes }] : [];
      })
    : [];
  const dxBefore = before ? dispositionsIn(before) : new Set<string>();
  const dxAfter = dispositionsIn(after);
  const dispositionsAdded = [...dxAfter]
    .filter((c) => !dxBefore.has(c))
    .map((c) => dispositionRef(c, catalogue));
  const dispositionsRemoved = [...dxBefore]
    .filter((c) => !dxAfter.has(c))
    .map((c) => dispositionRef(c, catalogue));

  const changedPaths: ChangedPath[] = [];
  let pathsCompared = 0;
  let truncated = false;
  const walk = (answers: Map<string, AnswerValue>, order: readonly string[]): void => {
    if (truncated) return;
    const a = before ? follow(before, answers, catalogue) : undefined;
    const b = follow(after, answers, catalogue);
    const asking = b.kind === 'ask' ? b.question : a?.kind === 'ask' ? a.question : undefined;
    if (!asking) {
      pathsCompared++;
      if (pathsCompared > MAX_PATHS) {
        truncated = true;
        return;
      }
      const endBefore = a?.kind === 'end' ? a.end : null;
      const endAfter = (b as { end: PathEnd }).end;
      if (endBefore && sameEnd(endBefore, endAfter)) return;
      changedPaths.push({
        answers: order.map((id) => {
          const q = (after.questions.get(id) ?? before?.questions.get(id)) as Question;
          const other = after.questions.has(id) ? before?.questions.get(id) : undefined;
          const value = answers.get(id) as AnswerValue;
          return { questionId: id, question: q.text, value, label: answerLabel(q, value, other) };
        }),
        before: endBefore,
        after: endAfter,
        change: changeOf(endBefore, endAfter),
      });
      return;
    }
    for (const value of candidateValues(before?.questions.get(asking.id), after.questions.get(asking.id))) {
      const next = new Map(answers);
      next.set(asking.id, value);
      walk(next, [...order, asking.id]);
    }
  };
  walk(new Map(), []);

  return {
    pathwayId: after.id,
    fromVersion: before?.version ?? null,
    toVersion: after.version,
    pathway,
    questionsAdded,
    questionsRemoved,
    questionsChanged,
    dispositionsAdded,
    dispositionsRemoved,
    pathsCompared: Math.min(pathsCompared, MAX_PATHS),
    changedPaths,
    truncated,
  };
}
