import type { Disposition } from '../dispositions/index';
import { type FieldProblem, invalid } from '../errors';
import { type Evidence, evaluateEvidence, type Unreported } from './evidence';
import { SEXES, type Sex, type TriageContent } from './types';

/**
 * The triage evaluation: written cases run through evidence mode, each disposition read as a level of
 * care and compared with the level public guidance points to. Pure: the cases and content come in.
 */

/** Levels of care, most urgent first. */
export const LEVELS = ['emergency', 'ae', 'urgent', 'routine', 'self_care'] as const;
export type Level = (typeof LEVELS)[number];
const rankOfLevel = (l: Level) => LEVELS.indexOf(l);

/**
 * The level a disposition is: an ambulance is `emergency`; the emergency department within the hour is
 * `ae`; a clinician within hours up to the next working day (urgent treatment centre, GP or out-of-hours,
 * dentist, community nursing; urgency ranks 5–12) is `urgent`; own GP within days to weeks (ranks 13–14)
 * is `routine`; home care or a pharmacist is `self_care`.
 */
export function levelOf(d: Disposition): Level {
  if (d.group === 'ambulance') return 'emergency';
  if (d.group === 'emergency_department') return 'ae';
  if (d.group === 'self_care') return 'self_care';
  return d.urgencyRank <= 12 ? 'urgent' : 'routine';
}

/** A written case: the caller, what they report, and the level guidance points to. */
export interface TriageCase {
  readonly id: string;
  readonly age: number;
  readonly sex: Sex;
  /** The caller's own words: the pathway is chosen from them by the engine's symptom search. */
  readonly says: string;
  readonly present: readonly string[];
  readonly absent: readonly string[];
  readonly values: Readonly<Record<string, number | string>>;
  readonly level: Level;
  /** Other levels the same guidance allows ("call 999 or go to A&E"). */
  readonly also: readonly Level[];
  /** The pathway a person would choose, if the case names one: a different choice is reported. */
  readonly pathway: string | null;
  readonly rationale: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined =>
  v === undefined ? [] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
const isLevel = (v: unknown): v is Level =>
  typeof v === 'string' && (LEVELS as readonly string[]).includes(v);

/** Reads the parsed cases file; every bad case is listed, each naming its field. */
export function readTriageCases(doc: unknown): TriageCase[] {
  const problems: FieldProblem[] = [];
  const list = isObj(doc) ? doc.cases : undefined;
  if (!Array.isArray(list)) throw invalid('The cases file needs a "cases" list.');
  const out: TriageCase[] = [];
  const seen = new Set<string>();
  const readOne = (raw: unknown, i: number): undefined => {
    const at = `/cases/${i}`;
    const bad = (field: string, message: string): undefined => {
      problems.push({ pointer: `${at}/${field}`, message });
      return undefined;
    };
    if (!isObj(raw)) return bad('', 'expected a case');
    const id = typeof raw.id === 'string' && raw.id ? raw.id : undefined;
    if (!id) return bad('id', 'a case needs an id');
    if (seen.has(id)) return bad('id', `duplicate case id ${id}`);
    seen.add(id);
    const present = strings(raw.present);
    const absent = strings(raw.absent);
    const also = strings(raw.also);
    if (typeof raw.age !== 'number') return bad('age', 'age must be a number of years');
    if (!SEXES.includes(raw.sex as Sex)) return bad('sex', 'sex must be female or male');
    if (typeof raw.says !== 'string' || !raw.says.trim()) return bad('says', 'give the caller’s words');
    if (!present) return bad('present', 'expected a list of finding codes');
    if (!absent) return bad('absent', 'expected a list of finding codes');
    if (raw.values !== undefined && !isObj(raw.values)) return bad('values', 'expected finding: value pairs');
    if (!isLevel(raw.level)) return bad('level', `level must be one of ${LEVELS.join(', ')}`);
    if (!also?.every(isLevel)) return bad('also', `also lists levels: ${LEVELS.join(', ')}`);
    if (typeof raw.rationale !== 'string' || !raw.rationale.trim())
      return bad('rationale', 'say in one line which guidance the level follows');
    if (raw.pathway !== undefined && typeof raw.pathway !== 'string') return bad('pathway', 'a pathway id');
    out.push({
      id,
      age: raw.age,
      sex: raw.sex as Sex,
      says: raw.says,
      present,
      absent,
      values: (raw.values ?? {}) as Record<string, number | string>,
      level: raw.level,
      also: also.filter(isLevel),
      pathway: typeof raw.pathway === 'string' ? raw.pathway : null,
      rationale: raw.rationale,
    });
    return undefined;
  };
  list.forEach((raw: unknown, i) => {
    readOne(raw, i);
  });
  if (problems.length > 0)
    throw invalid(
      `The cases are not valid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`,
      problems,
    );
  return out;
}

export interface CaseOutcome {
  readonly id: string;
  readonly expected: Level;
  readonly also: readonly Level[];
  /** The level reached, or null when the triage could not run (no pathway found, bad evidence). */
  readonly level: Level | null;
  readonly dx: string | null;
  readonly pathway: string | null;
  readonly expectedPathway: string | null;
  readonly error: string | null;
  readonly right: boolean;
  /** Reached a less urgent level than any the guidance allows (or no disposition at all). */
  readonly under: boolean;
  /** Reached a more urgent level than any the guidance allows. */
  readonly over: boolean;
}

const EMERGENCY: readonly Level[] = ['emergency', 'ae'];

export interface EvaluationReport {
  readonly unreported: Unreported;
  readonly cases: number;
  readonly right: number;
  readonly rightPct: number;
  readonly byLevel: Readonly<Record<Level, { readonly cases: number; readonly right: number }>>;
  /** Emergency cases (999 or A&E now) that ended anywhere but an ambulance or the emergency department. */
  readonly emergenciesUnderTriaged: readonly string[];
  readonly emergencyCases: number;
  readonly underTriaged: readonly string[];
  readonly overTriaged: readonly string[];
  /** Over-triaged cases as a share of all cases (%). */
  readonly overTriagePct: number;
  readonly selfCareCases: number;
  /** Self-care cases that ended at self-care (home or pharmacist). */
  readonly selfCareKept: number;
  readonly selfCareKeptPct: number;
  /** Cases naming a pathway where the search chose another. */
  readonly searchMismatches: readonly {
    readonly id: string;
    readonly expected: string;
    readonly chosen: string | null;
  }[];
  /** Cases that reached no disposition, with why. */
  readonly noDisposition: readonly { readonly id: string; readonly error: string }[];
  readonly outcomes: readonly CaseOutcome[];
}

const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((1000 * n) / d) / 10);

/** Runs one case through evidence mode, choosing the pathway by the engine's own symptom search. */
export function runCase(content: TriageContent, c: TriageCase, unreported: Unreported): CaseOutcome {
  const evidence: Evidence = {
    age: c.age,
    sex: c.sex,
    complaint: c.says,
    present: c.present,
    absent: c.absent,
    values: c.values,
    unreported,
  };
  const allowed = [c.level, ...c.also];
  const base = { id: c.id, expected: c.level, also: c.also, expectedPathway: c.pathway };
  let r: ReturnType<typeof evaluateEvidence>;
  try {
    r = evaluateEvidence(content, evidence);
  } catch (err) {
    // A case with no disposition is a failure of the triage, counted as under-triage (nobody was sent anywhere).
    const error = err instanceof Error ? err.message : String(err);
    return { ...base, level: null, dx: null, pathway: null, error, right: false, under: true, over: false };
  }
  const level = levelOf(r.disposition);
  const right = allowed.includes(level);
  const mostUrgentAllowed = Math.min(...allowed.map(rankOfLevel));
  const leastUrgentAllowed = Math.max(...allowed.map(rankOfLevel));
  return {
    ...base,
    level,
    dx: r.disposition.code,
    pathway: r.pathway.id,
    error: null,
    right,
    under: !right && rankOfLevel(level) > leastUrgentAllowed,
    over: !right && rankOfLevel(level) < mostUrgentAllowed,
  };
}

/** Runs every case and counts what matters: right level, emergencies under-triaged, over-triage, self-care kept. */
export function evaluateCases(
  content: TriageContent,
  cases: readonly TriageCase[],
  unreported: Unreported,
): EvaluationReport {
  const outcomes = cases.map((c) => runCase(content, c, unreported));
  const byLevel = Object.fromEntries(
    LEVELS.map((l) => {
      const of = outcomes.filter((o) => o.expected === l);
      return [l, { cases: of.length, right: of.filter((o) => o.right).length }];
    }),
  ) as Record<Level, { cases: number; right: number }>;
  const emergencies = outcomes.filter((o) => EMERGENCY.includes(o.expected));
  const selfCare = outcomes.filter((o) => o.expected === 'self_care');
  const right = outcomes.filter((o) => o.right).length;
  const over = outcomes.filter((o) => o.over).map((o) => o.id);
  const kept = selfCare.filter((o) => o.level === 'self_care').length;
  return {
    unreported,
    cases: outcomes.length,
    right,
    rightPct: pct(right, outcomes.length),
    byLevel,
    emergencyCases: emergencies.length,
    emergenciesUnderTriaged: emergencies
      .filter((o) => o.level === null || !EMERGENCY.includes(o.level))
      .map((o) => o.id),
    underTriaged: outcomes.filter((o) => o.under).map((o) => o.id),
    overTriaged: over,
    overTriagePct: pct(over.length, outcomes.length),
    selfCareCases: selfCare.length,
    selfCareKept: kept,
    selfCareKeptPct: pct(kept, selfCare.length),
    searchMismatches: outcomes
      .filter((o) => o.expectedPathway !== null && o.pathway !== o.expectedPathway)
      .map((o) => ({ id: o.id, expected: o.expectedPathway as string, chosen: o.pathway })),
    noDisposition: outcomes.flatMap((o) => (o.error ? [{ id: o.id, error: o.error }] : [])),
    outcomes,
  };
}
