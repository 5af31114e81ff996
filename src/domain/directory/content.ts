import { type FieldProblem, invalid } from '../errors';
import { checkOpeningTimes } from './rules';
import {
  type OpeningTimes,
  REFERRAL_ROLES,
  type ReferralRole,
  type Session,
  type SymptomPair,
  WEEKDAYS,
  type Weekday,
} from './types';

/** A service type as content: its national rank and the template services of the type are made from. */
export interface ServiceTypeTemplate {
  readonly id: number;
  readonly name: string;
  readonly rank: number;
  readonly weight: number;
  readonly perArea: number;
  readonly hours: OpeningTimes;
  readonly lateHours: OpeningTimes | null;
  readonly lateShare: number;
  readonly ageDays: readonly [number, number];
  readonly roles: readonly ReferralRole[];
  readonly limited: boolean;
  readonly dispositions: readonly string[];
  readonly symptoms: readonly SymptomPair[];
}

export interface DirectoryContent {
  readonly version: string;
  readonly types: readonly ServiceTypeTemplate[];
  readonly symptomGroups: ReadonlyMap<string, string>;
  readonly symptomDiscriminators: ReadonlyMap<string, string>;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function sessionsOf(v: unknown, where: string): Session[] {
  if (!Array.isArray(v)) throw invalid(`${where}: expected a list of "HH:MM-HH:MM"`);
  return v.map((x) => {
    const m = typeof x === 'string' ? /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(x) : null;
    if (!m) throw invalid(`${where}: "${String(x)}" is not "HH:MM-HH:MM"`);
    return { open: m[1] as string, close: m[2] as string };
  });
}

function hoursOf(v: unknown, where: string): OpeningTimes {
  if (!isObj(v)) throw invalid(`${where}: expected an opening-hours profile`);
  const weekly: Partial<Record<Weekday, Session[]>> = {};
  if (v.weekly !== undefined) {
    if (!isObj(v.weekly)) throw invalid(`${where}.weekly: expected days`);
    for (const [day, sessions] of Object.entries(v.weekly)) {
      if (!(WEEKDAYS as readonly string[]).includes(day))
        throw invalid(`${where}.weekly: "${day}" is not a weekday`);
      weekly[day as Weekday] = sessionsOf(sessions, `${where}.weekly.${day}`);
    }
  }
  const times: OpeningTimes = {
    alwaysOpen: v.always_open === true,
    weekly,
    bankHolidays: v.bank_holidays === undefined ? [] : sessionsOf(v.bank_holidays, `${where}.bank_holidays`),
    specifiedDates: [],
  };
  const problems: FieldProblem[] = checkOpeningTimes(times, where);
  if (problems.length > 0) throw invalid(`${where}: ${problems[0]?.message}`, problems);
  return times;
}

/** Validates content/directory/service-types.yaml (parsed) into types and templates; errors name the entry. */
export function readDirectoryContent(raw: unknown, knownDispositions: ReadonlySet<string>): DirectoryContent {
  if (!isObj(raw) || !Array.isArray(raw.types) || !isObj(raw.hours))
    throw invalid('service types: expected "hours" and "types"');
  const hours = new Map<string, OpeningTimes>();
  for (const [name, h] of Object.entries(raw.hours)) hours.set(name, hoursOf(h, `hours.${name}`));
  const codes = (v: unknown, where: string): Map<string, string> => {
    if (!isObj(v)) throw invalid(`${where}: expected code: name`);
    return new Map(Object.entries(v).map(([k, n]) => [k, String(n)]));
  };
  const ids = new Set<number>();
  const types = raw.types.map((t: unknown, i: number): ServiceTypeTemplate => {
    const where = `types[${i}]`;
    if (!isObj(t)) throw invalid(`${where}: expected a type`);
    const fail = (m: string) => invalid(`${where}${typeof t.name === 'string' ? ` (${t.name})` : ''}: ${m}`);
    if (!Number.isInteger(t.id) || ids.has(t.id as number)) throw fail('id must be a unique whole number');
    ids.add(t.id as number);
    if (typeof t.name !== 'string') throw fail('name is required');
    if (!Number.isInteger(t.rank) || (t.rank as number) < 1) throw fail('rank must be a whole number ≥ 1');
    if (typeof t.weight !== 'number' || t.weight < 0) throw fail('weight must be ≥ 0');
    const h = hours.get(String(t.hours));
    if (!h) throw fail(`hours "${String(t.hours)}" is not a profile`);
    const late = t.late_hours === undefined ? null : hours.get(String(t.late_hours));
    if (late === undefined) throw fail(`late_hours "${String(t.late_hours)}" is not a profile`);
    const age = t.age_days;
    if (!Array.isArray(age) || age.length !== 2 || !age.every(Number.isInteger) || age[0] > age[1])
      throw fail('age_days must be [min, max] days');
    const roles = Array.isArray(t.roles) ? t.roles : [];
    if (roles.length === 0 || !roles.every((r) => (REFERRAL_ROLES as readonly unknown[]).includes(r)))
      throw fail(`roles must be some of ${REFERRAL_ROLES.join(', ')}`);
    const dispositions = Array.isArray(t.dispositions) ? t.dispositions.map(String) : [];
    for (const d of dispositions)
      if (!knownDispositions.has(d)) throw fail(`${d} is not in content/dispositions.yaml`);
    const pairs = Array.isArray(t.sg_sd) ? t.sg_sd.map(String) : [];
    const symptoms = pairs.map((p) => {
      const m = /^(SG\d{4})\/(SD\d{4})$/.exec(p);
      if (!m) throw fail(`"${p}" is not SGnnnn/SDnnnn`);
      return { sg: m[1] as string, sd: m[2] as string };
    });
    return {
      id: t.id as number,
      name: t.name,
      rank: t.rank as number,
      weight: t.weight,
      perArea: Number.isInteger(t.per_area) ? (t.per_area as number) : 0,
      hours: h,
      lateHours: late,
      lateShare: typeof t.late_share === 'number' ? t.late_share : 0,
      ageDays: [age[0] as number, age[1] as number],
      roles: roles as ReferralRole[],
      limited: t.limited === true,
      dispositions,
      symptoms,
    };
  });
  return {
    version: String(raw.version ?? 'unversioned'),
    types,
    symptomGroups: codes(raw.symptom_groups, 'symptom_groups'),
    symptomDiscriminators: codes(raw.symptom_discriminators, 'symptom_discriminators'),
  };
}
