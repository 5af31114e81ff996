import { shippedScenarioTexts } from '../content/scenarios';
import type { CallKpis, OutcomeKpis } from '../domain/calls/index';
import { invalid, notFound } from '../domain/errors';
import { simulateFlow } from '../sim/flow';
import { compileScenario, parseScenario, type Rota, type Scenario, type Shift } from '../sim/scenario';
import type { ServiceContext } from './context';
import { authorize, type Caller } from './use-case';

/** At most this many days on the Reports screen (the command line runs any length). */
const MAX_SCREEN_DAYS = 14;

let cache: Map<string, Scenario> | undefined;
function shipped(): Map<string, Scenario> {
  cache ??= new Map([...shippedScenarioTexts()].map(([id, text]) => [id, parseScenario(text)]));
  return cache;
}

export interface ScenarioSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly start: string;
  readonly days: number;
  readonly rota: 'erlang plan' | 'shifts';
}

/** The shipped scenarios, for the Reports screen's picker. */
export async function listScenarios(ctx: ServiceContext, caller: Caller): Promise<ScenarioSummary[]> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'scenario' });
  return [...shipped()].map(([id, s]) => ({
    id,
    name: s.name,
    description: s.description,
    start: s.start,
    days: s.days,
    rota: 'plan' in s.rota ? 'erlang plan' : 'shifts',
  }));
}

export interface ScenarioRun {
  readonly id: string;
  readonly name: string;
  readonly start: string;
  readonly days: number;
  /** The multiple of the scenario's rota that was run (1: as shipped). */
  readonly staffing: number;
  readonly sources: readonly string[];
  readonly calls: CallKpis;
  readonly outcomes: OutcomeKpis;
  readonly daily: readonly {
    readonly date: string;
    readonly offered: number;
    readonly answeredWithin60sPercent: number | null;
    readonly abandonedAfter30sPercent: number | null;
    readonly peakAdvisers: number;
  }[];
}

/** The rota scaled: an Erlang plan for a multiple of its demand, or every shift's staff multiplied. */
export function scaledRota(rota: Rota, factor: number): Rota {
  if ('plan' in rota) return { plan: 'erlang', plannedDemand: (rota.plannedDemand ?? 1) * factor };
  const scale = (shifts: readonly Shift[]): Shift[] =>
    shifts.map((s) => ({
      ...s,
      advisers: Math.max(0, Math.round(s.advisers * factor)),
      clinicians: Math.max(0, Math.round(s.clinicians * factor)),
    }));
  return { weekday: scale(rota.weekday), weekend_or_bank_holiday: scale(rota.weekend_or_bank_holiday) };
}

/**
 * Runs a shipped scenario through the whole-flow simulator for the Reports screen, optionally for fewer
 * days and with its rota scaled (a planner trying more or fewer staff), and reports its KPIs by the
 * same code as the recorded calls'.
 */
export async function runScenario(
  ctx: ServiceContext,
  caller: Caller,
  query: { id: string; days?: number | undefined; staffing?: number | undefined },
): Promise<ScenarioRun> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'scenario', id: query.id });
  const base = shipped().get(query.id);
  if (!base)
    throw notFound(
      `There is no shipped scenario "${query.id}"; the scenarios are ${[...shipped().keys()].join(', ')}.`,
    );
  const days = query.days ?? Math.min(base.days, MAX_SCREEN_DAYS);
  if (days > MAX_SCREEN_DAYS)
    throw invalid(`"days" may be at most ${MAX_SCREEN_DAYS} here; run longer ones with open111 simulate.`, [
      { pointer: 'days', message: `at most ${MAX_SCREEN_DAYS}` },
    ]);
  const staffing = query.staffing ?? 1;
  const uplift = Array.isArray(base.demand.uplift) ? base.demand.uplift.slice(0, days) : base.demand.uplift;
  const scenario: Scenario = {
    ...base,
    days,
    demand: { ...base.demand, ...(uplift !== undefined ? { uplift } : {}) },
    rota: scaledRota(base.rota, staffing),
  };
  const { model, start } = compileScenario(scenario, { hourly: true });
  const result = simulateFlow(model);
  const daily = [];
  for (let d = 0; d < days; d++) {
    const hours = result.series.slice(d * 24, d * 24 + 24);
    const offered = hours.reduce((n, h) => n + h.calls.offered, 0);
    const answered = hours.reduce((n, h) => n + h.calls.answered, 0);
    const within = hours.reduce((n, h) => n + h.calls.answeredWithin60s, 0);
    const late = hours.reduce(
      (n, h) => n + h.calls.abandonedAfter30sWithin60s + h.calls.abandonedAfter60s,
      0,
    );
    daily.push({
      date: new Date(start.getTime() + d * 86_400_000).toISOString().slice(0, 10),
      offered,
      answeredWithin60sPercent: answered ? (100 * within) / answered : null,
      abandonedAfter30sPercent: offered ? (100 * late) / offered : null,
      peakAdvisers: Math.max(...hours.map((h) => h.advisers)),
    });
  }
  return {
    id: query.id,
    name: base.name,
    start: base.start,
    days,
    staffing,
    sources: base.sources,
    calls: result.calls,
    outcomes: result.outcomes,
    daily,
  };
}
