import { parseDocument } from 'yaml';
import { OUTCOME_GROUPS } from '../domain/calls/index';
import { type FieldProblem, invalid } from '../domain/errors';
import { CALLS_PER_PERSON_YEAR, expectedCallsOnDay } from './demand';
import { agentsNeeded } from './erlang';
import type { FlowModel } from './flow';
import { compileDistribution, type Distribution } from './variates';

/** One shift of a day's rota: from and to on the hour ("08:00"–"16:00"; "24:00" ends the day). */
export interface Shift {
  readonly from: string;
  readonly to: string;
  readonly advisers: number;
  readonly clinicians: number;
}

/** Staff on duty: explicit shifts for each day type, or an Erlang C plan for the expected demand. */
export type Rota =
  | { readonly weekday: readonly Shift[]; readonly weekend_or_bank_holiday: readonly Shift[] }
  | {
      /** Staff each hour to the Erlang C plan (95% in 60 s; clinicians 90% within 10 minutes)… */
      readonly plan: 'erlang';
      /** …for this multiple of the model's demand (1 = planned for normal demand, whatever the uplift). */
      readonly plannedDemand?: number;
    };

/** A planning scenario, as a file in content/scenarios states it. Every figure is the file's own. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Where the figures come from, or that they are the file's own assumptions. */
  readonly sources: readonly string[];
  /** First day, YYYY-MM-DD (UTC). */
  readonly start: string;
  readonly days: number;
  readonly seed: number;
  readonly demand: {
    readonly population: number;
    readonly callsPerPersonYear?: number;
    /** Multiplies the demand model: one figure for every day, or one per day. */
    readonly uplift?: number | readonly number[];
    /** Days (YYYY-MM-DD) with the bank-holiday shape. */
    readonly bankHolidays?: readonly string[];
  };
  readonly handling: {
    readonly adviser: Distribution;
    readonly clinician: Distribution;
    readonly validation: Distribution;
  };
  readonly patience: Distribution | null;
  readonly clinical: {
    readonly clinicianShare: number;
    readonly outcomeMix: Readonly<Record<(typeof OUTCOME_GROUPS)[number], number>>;
    readonly ambulanceValidatedShare: number;
    readonly validateEmergencyDepartment: boolean;
    readonly assessmentDueSeconds: number;
    readonly validationDueSeconds: number;
  };
  readonly rota: Rota;
}

const DAY_MS = 86_400_000;
const MAX_DAYS = 3660;

type Problems = FieldProblem[];

function num(p: Problems, v: unknown, at: string, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = max === Number.POSITIVE_INFINITY ? `${min} or more` : `from ${min} to ${max}`;
    p.push({ pointer: at, message: `${at} must be a number ${range}, not ${JSON.stringify(v)}` });
    return min;
  }
  return v;
}

function str(p: Problems, v: unknown, at: string): string {
  if (typeof v !== 'string' || v.length === 0) {
    p.push({ pointer: at, message: `${at} must be text` });
    return '';
  }
  return v;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(p: Problems, v: unknown, at: string): Record<string, unknown> {
  if (!isRecord(v)) {
    p.push({ pointer: at, message: `${at} is missing or not a mapping` });
    return {};
  }
  return v;
}

function day(p: Problems, v: unknown, at: string): string {
  const s = str(p, v, at);
  if (s && !(/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))))
    p.push({ pointer: at, message: `${at} must be a date such as 2022-12-05, not "${s}"` });
  return s;
}

function distribution(p: Problems, v: unknown, at: string): Distribution {
  const d = obj(p, v, at);
  const mean = num(p, d.mean, `${at}.mean`, 1e-9);
  if (d.kind === 'exponential') return { kind: 'exponential', mean };
  if (d.kind === 'lognormal') return { kind: 'lognormal', mean, sd: num(p, d.sd, `${at}.sd`, 1e-9) };
  p.push({ pointer: `${at}.kind`, message: `${at}.kind must be exponential or lognormal` });
  return { kind: 'exponential', mean };
}

const HOUR_RE = /^([01]\d|2[0-4]):00$/;

function shifts(p: Problems, v: unknown, at: string): Shift[] {
  if (!Array.isArray(v) || v.length === 0) {
    p.push({ pointer: at, message: `${at} must list the day's shifts` });
    return [];
  }
  const out: Shift[] = v.map((raw, i) => {
    const s = obj(p, raw, `${at}[${i}]`);
    const from = str(p, s.from, `${at}[${i}].from`);
    const to = str(p, s.to, `${at}[${i}].to`);
    for (const [name, value] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (value && !HOUR_RE.test(value))
        p.push({
          pointer: `${at}[${i}].${name}`,
          message: `${at}[${i}].${name} must be on the hour, such as 08:00`,
        });
    return {
      from,
      to,
      advisers: Math.round(num(p, s.advisers, `${at}[${i}].advisers`, 0)),
      clinicians: Math.round(num(p, s.clinicians, `${at}[${i}].clinicians`, 0)),
    };
  });
  // The shifts must cover the day exactly once, in order: no gap, no overlap.
  const hour = (t: string) => Number(t.slice(0, 2));
  let covered = 0;
  out.forEach((s, i) => {
    if (!HOUR_RE.test(s.from) || !HOUR_RE.test(s.to)) return;
    const from = hour(s.from);
    const to = hour(s.to);
    if (to <= from)
      p.push({ pointer: `${at}[${i}]`, message: `${at}[${i}] ends (${s.to}) before it starts (${s.from})` });
    else if (from > covered)
      p.push({
        pointer: `${at}[${i}]`,
        message: `${at}[${i}] starts at ${s.from} but the shift before ends at ${String(covered).padStart(2, '0')}:00: a gap`,
      });
    else if (from < covered)
      p.push({
        pointer: `${at}[${i}]`,
        message: `${at}[${i}] starts at ${s.from}, overlapping the shift before (to ${String(covered).padStart(2, '0')}:00)`,
      });
    covered = Math.max(covered, to);
  });
  if (covered !== 24 && p.length === 0)
    p.push({
      pointer: at,
      message: `${at} ends at ${String(covered).padStart(2, '0')}:00: the day must be covered to 24:00`,
    });
  return out;
}

/** Checks a parsed scenario, naming every bad field; the scenario, or a DomainError listing them. */
export function checkScenario(input: unknown, overrides: { days?: number; seed?: number } = {}): Scenario {
  const p: Problems = [];
  const s = obj(p, input, 'scenario');
  const demand = obj(p, s.demand, 'demand');
  const handling = obj(p, s.handling, 'handling');
  const clinical = obj(p, s.clinical, 'clinical');
  const mix = obj(p, clinical.outcomeMix, 'clinical.outcomeMix');
  const rotaIn = obj(p, s.rota, 'rota');
  const days = Math.round(num(p, overrides.days ?? s.days, 'days', 1, MAX_DAYS));
  const upliftIn = demand.uplift ?? 1;
  const uplift = Array.isArray(upliftIn)
    ? upliftIn.map((u, i) => num(p, u, `demand.uplift[${i}]`, 0))
    : num(p, upliftIn, 'demand.uplift', 0);
  if (Array.isArray(uplift) && uplift.length !== days)
    p.push({
      pointer: 'demand.uplift',
      message: `demand.uplift lists ${uplift.length} days; the scenario has ${days}`,
    });
  const bankIn = demand.bankHolidays ?? [];
  const bankHolidays = Array.isArray(bankIn)
    ? bankIn.map((d, i) => day(p, d, `demand.bankHolidays[${i}]`))
    : [];
  if (!Array.isArray(bankIn))
    p.push({ pointer: 'demand.bankHolidays', message: 'demand.bankHolidays must be a list of dates' });
  let rota: Rota;
  if (rotaIn.plan !== undefined) {
    if (rotaIn.plan !== 'erlang') p.push({ pointer: 'rota.plan', message: 'rota.plan must be erlang' });
    rota = { plan: 'erlang', plannedDemand: num(p, rotaIn.plannedDemand ?? 1, 'rota.plannedDemand', 0.01) };
  } else {
    rota = {
      weekday: shifts(p, rotaIn.weekday, 'rota.weekday'),
      weekend_or_bank_holiday: shifts(p, rotaIn.weekend_or_bank_holiday, 'rota.weekend_or_bank_holiday'),
    };
  }
  const outcomeMix = {
    ambulance: num(p, mix.ambulance, 'clinical.outcomeMix.ambulance', 0),
    emergency_department: num(p, mix.emergency_department, 'clinical.outcomeMix.emergency_department', 0),
    primary_care: num(p, mix.primary_care, 'clinical.outcomeMix.primary_care', 0),
    other: num(p, mix.other, 'clinical.outcomeMix.other', 0),
    self_care: num(p, mix.self_care, 'clinical.outcomeMix.self_care', 0),
  };
  const sourcesIn = s.sources;
  const scenario: Scenario = {
    name: str(p, s.name, 'name'),
    description: typeof s.description === 'string' ? s.description : '',
    sources: Array.isArray(sourcesIn) ? sourcesIn.map((x, i) => str(p, x, `sources[${i}]`)) : [],
    start: day(p, s.start, 'start'),
    days,
    seed: Math.round(num(p, overrides.seed ?? s.seed ?? 1, 'seed', 0, 2 ** 32 - 1)),
    demand: {
      population: num(p, demand.population, 'demand.population', 0),
      callsPerPersonYear: num(
        p,
        demand.callsPerPersonYear ?? CALLS_PER_PERSON_YEAR,
        'demand.callsPerPersonYear',
        0,
      ),
      uplift,
      bankHolidays,
    },
    handling: {
      adviser: distribution(p, handling.adviser, 'handling.adviser'),
      clinician: distribution(p, handling.clinician, 'handling.clinician'),
      validation: distribution(p, handling.validation, 'handling.validation'),
    },
    patience: s.patience === null ? null : distribution(p, s.patience, 'patience'),
    clinical: {
      clinicianShare: num(p, clinical.clinicianShare, 'clinical.clinicianShare', 0, 1),
      outcomeMix,
      ambulanceValidatedShare: num(
        p,
        clinical.ambulanceValidatedShare,
        'clinical.ambulanceValidatedShare',
        0,
        1,
      ),
      validateEmergencyDepartment: clinical.validateEmergencyDepartment !== false,
      assessmentDueSeconds: num(p, clinical.assessmentDueSeconds ?? 600, 'clinical.assessmentDueSeconds', 0),
      validationDueSeconds: num(p, clinical.validationDueSeconds ?? 1800, 'clinical.validationDueSeconds', 0),
    },
    rota,
  };
  if (Object.values(outcomeMix).every((x) => x === 0))
    p.push({
      pointer: 'clinical.outcomeMix',
      message: 'clinical.outcomeMix must give at least one group a share',
    });
  if (p.length > 0)
    throw invalid(
      `The scenario has ${p.length} problem${p.length === 1 ? '' : 's'}: ${p.map((x) => x.message).join('; ')}.`,
      p,
    );
  return scenario;
}

/** Reads a scenario file's text (YAML or JSON); a syntax error names its line. */
export function parseScenario(text: string, overrides: { days?: number; seed?: number } = {}): Scenario {
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw invalid(
      `The scenario file cannot be read${line ? ` at line ${line}` : ''}: ${first.message.split('\n')[0]}`,
      [{ pointer: line ? `line ${line}` : 'file', message: first.message }],
    );
  }
  return checkScenario(doc.toJS(), overrides);
}

/** The share of answered calls that reach a clinician: assessment, plus validation of the rest. */
export function clinicalShare(c: Scenario['clinical']): { assess: number; validate: number } {
  const m = c.outcomeMix;
  const total = m.ambulance + m.emergency_department + m.primary_care + m.other + m.self_care;
  const validated =
    (m.ambulance * c.ambulanceValidatedShare + (c.validateEmergencyDepartment ? m.emergency_department : 0)) /
    total;
  return { assess: c.clinicianShare, validate: (1 - c.clinicianShare) * validated };
}

export interface CompiledScenario {
  readonly model: FlowModel;
  /** Midnight UTC of the first day, for labelling hours. */
  readonly start: Date;
  readonly days: number;
}

const hourOf = (t: string) => Number(t.slice(0, 2));

/** The scenario as the simulator's hour-by-hour model: demand from the model, staff from the rota. */
export function compileScenario(s: Scenario, options: { hourly?: boolean } = {}): CompiledScenario {
  const start = new Date(`${s.start}T00:00:00Z`);
  const hours = s.days * 24;
  const callsByHour = new Float64Array(hours);
  const plannedCalls = new Float64Array(hours);
  const advisersByHour = new Int32Array(hours);
  const cliniciansByHour = new Int32Array(hours);
  const bank = new Set(s.demand.bankHolidays ?? []);
  const planned = 'plan' in s.rota ? (s.rota.plannedDemand ?? 1) : 1;
  for (let d = 0; d < s.days; d++) {
    const date = new Date(start.getTime() + d * DAY_MS);
    const iso = date.toISOString().slice(0, 10);
    const uplift = Array.isArray(s.demand.uplift) ? (s.demand.uplift[d] ?? 1) : (s.demand.uplift ?? 1);
    const base = expectedCallsOnDay(s.demand.population, date, bank.has(iso), s.demand.callsPerPersonYear);
    const weekendish = bank.has(iso) || date.getUTCDay() === 0 || date.getUTCDay() === 6;
    base.forEach((c, h) => {
      callsByHour[d * 24 + h] = c * (typeof uplift === 'number' ? uplift : 1);
      plannedCalls[d * 24 + h] = c * planned;
    });
    if (!('plan' in s.rota)) {
      for (const shift of weekendish ? s.rota.weekend_or_bank_holiday : s.rota.weekday)
        for (let h = hourOf(shift.from); h < hourOf(shift.to); h++) {
          advisersByHour[d * 24 + h] = shift.advisers;
          cliniciansByHour[d * 24 + h] = shift.clinicians;
        }
    }
  }
  if ('plan' in s.rota) {
    // Erlang C per hour; the same load recurs (each weekday hour), so plans are cached by it.
    const share = clinicalShare(s.clinical);
    const clinicalMean =
      share.assess + share.validate === 0
        ? s.handling.clinician.mean
        : (share.assess * s.handling.clinician.mean + share.validate * s.handling.validation.mean) /
          (share.assess + share.validate);
    const cache = new Map<string, readonly [number, number]>();
    for (let h = 0; h < hours; h++) {
      const calls = plannedCalls[h] ?? 0;
      const key = calls.toFixed(3);
      let staff = cache.get(key);
      if (!staff) {
        const advisers = agentsNeeded({
          callsPerHour: calls,
          handleSeconds: s.handling.adviser.mean,
          serviceLevel: 0.95,
          withinSeconds: 60,
        }).agents;
        const clinicians = agentsNeeded({
          callsPerHour: calls * (share.assess + share.validate),
          handleSeconds: clinicalMean,
          serviceLevel: 0.9,
          withinSeconds: 600,
        }).agents;
        staff = [advisers, clinicians];
        cache.set(key, staff);
      }
      advisersByHour[h] = staff[0];
      cliniciansByHour[h] = staff[1];
    }
  }
  const mix = s.clinical.outcomeMix;
  return {
    start,
    days: s.days,
    model: {
      callsByHour,
      advisersByHour,
      cliniciansByHour,
      adviserHandling: compileDistribution(s.handling.adviser),
      clinicianHandling: compileDistribution(s.handling.clinician),
      validationHandling: compileDistribution(s.handling.validation),
      patience: s.patience === null ? null : compileDistribution(s.patience),
      clinical: true,
      clinicianShare: s.clinical.clinicianShare,
      outcomeMix: OUTCOME_GROUPS.map((g) => mix[g]),
      ambulanceValidatedShare: s.clinical.ambulanceValidatedShare,
      validateEmergencyDepartment: s.clinical.validateEmergencyDepartment,
      assessmentDueSeconds: s.clinical.assessmentDueSeconds,
      validationDueSeconds: s.clinical.validationDueSeconds,
      seed: s.seed,
      hourly: options.hourly ?? true,
    },
  };
}
