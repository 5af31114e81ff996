import type { Disposition } from '../dispositions/index';
import { invalid, notFound } from '../errors';
import { step } from './engine';
import { pathwayFits, searchPathways } from './search';
import type { AnswerValue, GivenAnswer, Pathway, Question, Sex, TriageContent } from './types';

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
}

export interface EvidenceStep {
  readonly pathwayId: string;
  readonly questionId: string;
  readonly finding: string;
  readonly question: string;
  readonly value: AnswerValue;
  /** True when the evidence did not say, and the content's safe default was taken. */
  readonly assumed: boolean;
}

export interface EvidenceResult {
  readonly pathway: Pathway;
  readonly disposition: Disposition;
  readonly endedIn: string;
  readonly path: readonly EvidenceStep[];
  readonly assumed: readonly EvidenceStep[];
  readonly discriminators: readonly string[];
  readonly report: readonly string[];
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
    path: r.path,
    assumed: r.assumed,
    discriminators: r.discriminators,
    report: r.report,
  };
}

/** The finding code for the patient's age in years: taken from the evidence's `age`. */
export const AGE_FINDING = 'age';

function choosePathway(content: TriageContent, e: Evidence): Pathway {
  if (e.pathwayId) {
    const pw = content.current.get(e.pathwayId);
    if (!pw) throw notFound(`There is no pathway "${e.pathwayId}".`);
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
  const best = searchPathways(content, e.complaint, { ageYears: e.age, sex: e.sex })[0];
  if (!best) throw notFound(`No pathway matches "${e.complaint}" for a ${e.age}-year-old ${e.sex}.`);
  return best.pathway;
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
  for (const c of e.absent ?? [])
    if (present.has(c))
      problems.push({ pointer: `/absent`, message: `${c} cannot be both present and absent` });
  if (problems.length > 0)
    throw invalid(
      `The evidence is not valid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`,
      problems,
    );
}

function answerFromEvidence(content: TriageContent, e: Evidence, q: Question): AnswerValue | undefined {
  if (q.finding === AGE_FINDING) return e.age;
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

/**
 * Evidence mode: picks the pathway, then answers each question from the evidence; where the evidence is
 * silent, the question's safe default is taken and reported as assumed.
 */
export function evaluateEvidence(content: TriageContent, e: Evidence): EvidenceResult {
  checkEvidence(content, e);
  const pathway = choosePathway(content, e);
  const session = {
    pathwayId: pathway.id,
    pathwayVersion: pathway.version,
    module0Version: content.module0.version,
  };
  const answers: GivenAnswer[] = [];
  const path: EvidenceStep[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const r = step(content, { ...session, answers });
    if (r.kind === 'disposition') {
      return {
        pathway,
        disposition: r.disposition,
        endedIn: r.endedIn,
        path,
        assumed: path.filter((s) => s.assumed),
        discriminators: r.discriminators,
        report: r.report,
      };
    }
    const known = answerFromEvidence(content, e, r.question);
    const value = known ?? r.question.safeDefault;
    answers.push({ pathwayId: r.pathwayId, questionId: r.question.id, value });
    path.push({
      pathwayId: r.pathwayId,
      questionId: r.question.id,
      finding: r.question.finding,
      question: r.question.text,
      value,
      assumed: known === undefined,
    });
  }
  throw invalid('The triage did not end: the content has a loop.');
}
