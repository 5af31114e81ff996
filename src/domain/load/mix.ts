import type { DispositionGroup } from '../dispositions/index';
import { type FieldProblem, invalid } from '../errors';

/**
 * What a call ends in, in the five groups the national outcome mix is quoted in. The load generator
 * offers calls in these proportions, so the server does the work a real day's calls would make it do:
 * dispatches, referrals with their Directory searches, clinician call-backs and self-care advice.
 */
export const OUTCOME_CLASSES = ['ambulance', 'ae', 'primary_care', 'other', 'self_care'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];
export type OutcomeMix = Readonly<Record<OutcomeClass, number>>;

/** England's 111 outcome mix (per cent of triaged calls), as the scale issue quotes it. */
export const NATIONAL_MIX: OutcomeMix = { ambulance: 11, ae: 9, primary_care: 61, other: 4, self_care: 16 };

/** The group a disposition's own group is counted in. */
export function outcomeClassOf(group: DispositionGroup): OutcomeClass {
  switch (group) {
    case 'ambulance':
      return 'ambulance';
    case 'emergency_department':
      return 'ae';
    case 'self_care':
      return 'self_care';
    case 'urgent_treatment':
    case 'primary_care':
    case 'clinical':
      return 'primary_care';
    case 'dental':
    case 'prescription':
    case 'community':
      return 'other';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a mix file (`{ ambulance: 11, ae: 9, … }`, per cent or any weights); every bad field is named. */
export function readOutcomeMix(doc: unknown): OutcomeMix {
  if (!isObj(doc))
    throw invalid('The mix must be an object of weights, for example {"ambulance": 11, "ae": 9}.');
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(doc))
    if (!(OUTCOME_CLASSES as readonly string[]).includes(key))
      problems.push({
        pointer: `/${key}`,
        message: `unknown outcome group; use ${OUTCOME_CLASSES.join(', ')}`,
      });
  const mix: Record<OutcomeClass, number> = { ambulance: 0, ae: 0, primary_care: 0, other: 0, self_care: 0 };
  for (const c of OUTCOME_CLASSES) {
    const v = doc[c] ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      problems.push({ pointer: `/${c}`, message: 'a weight must be a number of zero or more' });
    else mix[c] = v;
  }
  if (problems.length === 0 && OUTCOME_CLASSES.every((c) => mix[c] === 0))
    problems.push({ pointer: '', message: 'at least one weight must be above zero' });
  if (problems.length > 0)
    throw invalid(
      `The mix is not valid: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`,
      problems,
    );
  return mix;
}

/**
 * Chooses what each call will end in: a group by its weight, then one of the callers known to end there.
 * Groups with no caller are left out and said so, rather than silently counted as another group.
 */
export function mixSampler<T>(
  mix: OutcomeMix,
  callers: ReadonlyMap<OutcomeClass, readonly T[]>,
  random: () => number,
): { next(): T; missing: readonly OutcomeClass[]; offered: OutcomeMix } {
  const usable = OUTCOME_CLASSES.filter((c) => mix[c] > 0 && (callers.get(c)?.length ?? 0) > 0);
  const missing = OUTCOME_CLASSES.filter((c) => mix[c] > 0 && !usable.includes(c));
  if (usable.length === 0) throw invalid('No caller ends in any outcome group the mix asks for.');
  const total = usable.reduce((s, c) => s + mix[c], 0);
  const offered: Record<OutcomeClass, number> = {
    ambulance: 0,
    ae: 0,
    primary_care: 0,
    other: 0,
    self_care: 0,
  };
  for (const c of usable) offered[c] = (100 * mix[c]) / total;
  return {
    missing,
    offered,
    next() {
      let r = random() * total;
      let chosen = usable[usable.length - 1] as OutcomeClass;
      for (const c of usable) {
        r -= mix[c];
        if (r < 0) {
          chosen = c;
          break;
        }
      }
      const list = callers.get(chosen) as readonly T[];
      return list[Math.floor(random() * list.length)] as T;
    },
  };
}
