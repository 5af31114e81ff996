import type { Disposition } from '../dispositions/index';
import { invalid, notFound } from '../errors';
import { step } from './engine';
import { pathwayFits, searchPathways } from './search';
import {
  type AnswerValue,
  DONT_KNOW,
  type GivenAnswer,
  type Pathway,
  type Question,
  type Sex,
  type TriageContent,
} from './types';

/**
 * What evidence mode does with a finding the evidence does not mention. `unknown` (the default): the
 * caller was not asked, so the question is answered "don't know" and takes its cautious path. `absent`:
 * the caller reported what they had, so a yes/no finding they did not mention is "no", as they would
 * answer if asked; a number or a choice they did not give is still "don't know" (no value is not a value).
 */
export const UNREPORTED = ['unknown', 'absent'] as const;
export type Unreported = (typeof UNREPORTED)[number];

/**
 * How an answer in evidence mode was decided: `evidence` (stated: present, absent, values or unknown),
 * `age` (from the evidence's age), `unreported_absent` (not mentioned, taken as "no"), `dont_know` (not
 * mentioned or no value, answered "don't know"), `module0_default` (module 0 not mentioned: taken as "no",
 * since a caller who can describe symptoms has no immediate threat to life unless the evidence says so).
 */
export type DecidedBy = 'evidence' | 'age' | 'unreported_absent' | 'dont_know' | 'module0_default';

/** What is known about a caller, as a clinician would summarise it. */
export interface Evidence {
  readonly age: number;
  readonly sex: Sex;
  /** The caller's words, used to choose the pathway when no symptom group or pathway is given. */
  readonly complaint?: string;
  readonly symptomGroup?: string;
  readonly pathwayId?: string;
  readonly present?: readonly string[];
  readonly absent?: readonly string[];
  readonly values?: Readonly<Record<string, number | string>>;
  /** Findings the caller was asked about and did not know: answered "don't know". */
  readonly unknown?: readonly string[];
  /** What a finding the evidence does not mention is taken as (default `unknown`). */
  readonly unreported?: Unreported;
}

export interface EvidenceStep {
  readonly pathwayId: string;
  readonly questionId: string;
  readonly finding: string;
  readonly question: string;
  readonly value: AnswerValue;
  /** For "don't know": the answer whose path was followed (null: the question's own dont_know route). */
  readonly takenAs: AnswerValue | null;
  /** True when the evidence did not say, and the answer was decided as `decidedBy` says. */
  readonly assumed: boolean;
  readonly decidedBy: DecidedBy;
}

export interface EvidenceResult {
  readonly pathway: Pathway;
  readonly disposition: Disposition;
  readonly endedIn: string;
  readonly path: readonly EvidenceStep[];
  readonly assumed: readonly EvidenceStep[];
  readonly discriminators: readonly string[];
  readonly report: readonly string[];
  readonly unreported: Unreported;
}

/** The result as it is shown to a person or another system (API and CLI alike): codes and text, no content objects. */
export function evidenceSummary(r: EvidenceResult) {
  return {
    pathway: { id: r.pathway.id, version: r.pathway.version, title: r.pathway.title },
    disposition: {
      code: r.disposition.code,
      title: r.disposition.title,
      timeframeMinutes: r.disposition.timeframeMinutes,
    },
    endedIn: r.endedIn,
    unreported: r.unreported,
    path: r.path,
    assumed: r.assumed,
    discriminators: r.discriminators,
    report: r.report,
  };
}

/** The finding code for the patient's age in years: taken from the evidence's `age`. */
export const AGE_FINDING = 'age';

function choosePathway(content: TriageContent, e: Evidence): Pathway | null {
  if (e.pathwayId) {
    const pw = content.current.get(e.pathwayId);
    if (!pw) throw notFound(`There is no pathway "${e.pathwayId}".`);
    // The pathway named must fit the patient, as it must when an adviser starts a session on it.
    if (!pathwayFits(pw, e.age, e.sex))
      throw invalid(`${pw.title} does not fit a ${e.age}-year-old ${e.sex}: choose a pathway that does.`, [
        { pointer: '/pathwayId', message: 'the pathway does not fit the patient’s age or sex' },
      ]);
    return pw;
  }
  if (e.symptomGroup) {
    const pw = [...content.current.values()].find(
      (p) => p.symptomGroup === e.symptomGroup && pathwayFits(p, e.age, e.sex),
    );
    if (!pw)
      throw notFound(`No pathway of symptom group ${e.symptomGroup} fits a ${e.age}-year-old ${e.sex}.`);
    return pw;
  }
  if (!e.complaint)
    throw invalid('Say what the problem is: give a complaint, a symptomGroup or a pathwayId.');
  // The caller's words choose among the pathways, and what they report counts too, for the pathway that
  // asks about it: "fell off a ladder, the bone is showing" with a deformity reported is a limb injury
  // more than a fall. A reported finding counts 10 shared among the pathways that ask about it: one only
  // one pathway asks (tonsils with pus) points to it, one that many ask (fever) barely counts.
  const current = [...content.current.values()];
  const asks = new Map(current.map((pw) => [pw, new Set([...pw.questions.values()].map((q) => q.finding))]));
  const askedBy = (f: string) => current.filter((pw) => asks.get(pw)?.has(f)).length;
  const reported = e.present ?? [];
  const overlap = (pw: Pathway) =>
    reported.filter((f) => asks.get(pw)?.has(f)).reduce((sum, f) => sum + 10 / Math.max(1, askedBy(f)), 0);
  const matches = searchPathways(content, e.complaint, { ageYears: e.age, sex: e.sex });
  const words = new Map(matches.map((m) => [m.pathway, m.score]));
  // The search's own order breaks ties (the more specific pathway), never the alphabet.
  const order = new Map(matches.map((m, i) => [m.pathway, i]));
  const ranked = current
    .filter((pw) => pathwayFits(pw, e.age, e.sex))
    .map((pathway) => ({ pathway, score: (words.get(pathway) ?? 0) + overlap(pathway) }))
    .filter((x) => x.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        (order.get(a.pathway) ?? Number.MAX_SAFE_INTEGER) -
          (order.get(b.pathway) ?? Number.MAX_SAFE_INTEGER) ||
        b.pathway.questions.size - a.pathway.questions.size ||
        (a.pathway.id < b.pathway.id ? -1 : 1),
    );
  if (ranked[0]) return ranked[0].pathway;
  // Module 0 runs before every pathway: when it alone ends the call, no pathway is needed.
  return null;
}

function checkEvidence(content: TriageContent, e: Evidence): void {
  const problems: { pointer: string; message: string }[] = [];
  if (!Number.isFinite(e.age) || e.age < 0 || e.age > 130)
    problems.push({ pointer: '/age', message: 'age must be a number of years, 0–130' });
  if (e.sex !== 'female' && e.sex !== 'male')
    problems.push({ pointer: '/sex', message: 'sex must be female or male' });
  const present = new Set(e.present ?? []);
  for (const [list, codes] of [
    ['present', e.present ?? []],
    ['absent', e.absent ?? []],
    ['values', Object.keys(e.values ?? {})],
    ['unknown', e.unknown ?? []],
  ] as const) {
    codes.forEach((c, i) => {
      if (!content.findings.has(c))
        problems.push({
          pointer: `/${list}/${list === 'values' ? c : i}`,
          message: `${c} is not a known finding`,
        });
    });
  }
  for (const [code, value] of Object.entries(e.values ?? {})) {
    const f = content.findings.get(code);
    if (!f) continue;
    const ok =
      f.kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value) && value >= f.min && value <= f.max
        : f.kind === 'choice'
          ? f.options.some((o) => o.value === value)
          : value === 'yes' || value === 'no';
    if (!ok)
      problems.push({
        pointer: `/values/${code}`,
        message:
          f.kind === 'number'
            ? `must be a number of ${f.unit}, ${f.min}–${f.max}`
            : f.kind === 'choice'
              ? `must be one of ${f.options.map((o) => o.value).join(', ')}`
              : 'must be yes or no (or list the finding under present or absent)',
      });
  }
  if (e.unreported !== undefined && !UNREPORTED.includes(e.unreported))
    problems.push({ pointer: '/unreported', message: `unreported must be one of ${UNREPORTED.join(', ')}` });
  (e.absent ?? []).forEach((c, i) => {
    if (present.has(c))
      problems.push({ pointer: `/absent/${i}`, message: `${c} cannot be both present and absent` });
  });
  const stated = new Set([...(e.present ?? []), ...(e.absent ?? []), ...Object.keys(e.values ?? {})]);
  (e.unknown ?? []).forEach((c, i) => {
    if (stated.has(c))
      problems.push({
        pointer: `/unknown/${i}`,
        message: `${c} is stated elsewhere; it cannot also be unknown`,
      });
  });
  if (problems.length > 0)
    throw invalid(
      `The evidence is not valid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`,
      problems,
    );
}

function answerFromEvidence(content: TriageContent, e: Evidence, q: Question): AnswerValue | undefined {
  if (q.finding === AGE_FINDING) return e.age;
  if (e.unknown?.includes(q.finding)) return DONT_KNOW;
  const given = e.values?.[q.finding];
  if (q.type === 'yes_no') {
    if (e.present?.includes(q.finding)) return 'yes';
    if (e.absent?.includes(q.finding)) return 'no';
    if (given === 'yes' || given === 'no') return given;
    return undefined;
  }
  if (given === undefined) return undefined;
  const finding = content.findings.get(q.finding);
  if (q.type === 'number' && typeof given !== 'number')
    throw invalid(`values.${q.finding} must be a number (${q.unit}).`);
  if (q.type === 'choice' && !q.answers.has(String(given)))
    throw invalid(
      `values.${q.finding} must be one of ${[...q.answers.keys()].join(', ')} (${finding?.label ?? q.finding}).`,
    );
  return given;
}

/** The answer for a question the evidence does not mention, and how it was decided. */
function unreportedAnswer(
  q: Question,
  inModule0: boolean,
  mode: Unreported,
): { value: AnswerValue; decidedBy: DecidedBy } {
  if (inModule0 && q.type === 'yes_no')
    return mode === 'absent'
      ? { value: 'no', decidedBy: 'unreported_absent' }
      : { value: 'no', decidedBy: 'module0_default' };
  if (mode === 'absent' && q.type === 'yes_no') return { value: 'no', decidedBy: 'unreported_absent' };
  return { value: DONT_KNOW, decidedBy: 'dont_know' };
}

/**
 * Evidence mode: picks the pathway, then answers each question from the evidence; where the evidence is
 * silent, the answer is decided by `unreported` (see {@link Unreported}) and reported as assumed.
 */
export function evaluateEvidence(content: TriageContent, e: Evidence): EvidenceResult {
  checkEvidence(content, e);
  const chosen = choosePathway(content, e);
  // Without a pathway, module 0 runs alone (its "continue" comes back to its start, which ends the run).
  const pathway = chosen ?? content.module0;
  const session = {
    pathwayId: pathway.id,
    pathwayVersion: pathway.version,
    module0Version: content.module0.version,
  };
  const mode: Unreported = e.unreported ?? 'unknown';
  const answers: GivenAnswer[] = [];
  const path: EvidenceStep[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const r = step(content, { ...session, answers });
    if (r.kind === 'disposition') {
      const takenAs = r.path.map((p) => p.takenAs);
      return {
        pathway,
        unreported: mode,
        disposition: r.disposition,
        endedIn: r.endedIn,
        path: path.map((s, i) => ({ ...s, takenAs: takenAs[i] ?? null })),
        assumed: path
          .filter((s) => s.assumed)
          .map((s) => ({ ...s, takenAs: takenAs[path.indexOf(s)] ?? null })),
        discriminators: r.discriminators,
        report: r.report,
      };
    }
    if (!chosen && path.some((p) => p.questionId === r.question.id))
      throw notFound(
        `No pathway matches "${e.complaint}" for a ${e.age}-year-old ${e.sex}, and module 0 found no immediate threat to life.`,
      );
    const known = answerFromEvidence(content, e, r.question);
    const decided =
      known !== undefined
        ? {
            value: known,
            decidedBy: r.question.finding === AGE_FINDING ? ('age' as const) : ('evidence' as const),
          }
        : unreportedAnswer(r.question, r.pathwayId === content.module0.id, mode);
    answers.push({ pathwayId: r.pathwayId, questionId: r.question.id, value: decided.value });
    path.push({
      pathwayId: r.pathwayId,
      questionId: r.question.id,
      finding: r.question.finding,
      question: r.question.text,
      value: decided.value,
      takenAs: decided.value,
      assumed: known === undefined,
      decidedBy: decided.decidedBy,
    });
  }
  throw invalid('The triage did not end: the content has a loop.');
}
