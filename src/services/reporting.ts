import type { ListScope } from '../domain/auth/index';
import { type CallKpis, callKpis, TARGETS } from '../domain/calls/index';
import { invalid } from '../domain/errors';
import { type Area, areaWithRegion, type Geography } from '../domain/geography/index';
import {
  type CapacityAssumptions,
  DEFAULT_ASSUMPTIONS,
  type HourPlan,
  capacityPlan as hourlyCapacity,
} from '../sim/capacity';
import type { DayType } from '../sim/demand';
import { simulateQueue } from '../sim/simulate';
import { type CallFilter, callAreaCodes, listCalls, type StoredCall } from '../store/calls';
import type { ServiceContext } from './context';
import { authorize, type Caller, listScope } from './use-case';

const MAX_RANGE_DAYS = 92;
const DAY_MS = 86_400_000;

/** Whose calls a report counts, in words for its heading, and the filter that selects them. */
export interface KpiScope {
  /** "England", the SHA's name, the CCG's areas, or the provider's calls. */
  readonly label: string;
  /** Set when only one provider's calls are counted (provider staff). */
  readonly providerCode?: string;
  /** Set when only some areas' calls are counted (a commissioner, or one area asked for). */
  readonly areaCodes?: readonly string[];
}

export interface KpiQuery {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  /** One area of the caller's scope; all of it when not given. */
  readonly area?: string | undefined;
}

export interface HourKpis {
  readonly hour: string;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly answeredWithin60sPercent: number | null;
}

export interface KpiReport {
  readonly from: Date;
  readonly to: Date;
  readonly scope: KpiScope;
  readonly targets: typeof TARGETS;
  readonly kpis: CallKpis;
  readonly series: readonly HourKpis[];
}

function dateRange(q: KpiQuery, now: Date): { from: Date; to: Date } {
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - 7 * DAY_MS);
  if (from >= to) throw invalid('"from" must be before "to".');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw invalid(`Ask for at most ${MAX_RANGE_DAYS} days at a time.`);
  return { from, to };
}

const byName = (a: Area, b: Area) => a.name.localeCompare(b.name);

function areasOf(geo: Geography, codes: Iterable<string>): Area[] {
  return [...codes].flatMap((c) => geo.areas.get(c) ?? []).sort(byName);
}

/** A commissioner's areas in words: its SHA's name, or the areas themselves (a CCG's, a PCT's). */
function areasLabel(geo: Geography, organisationCode: string, areas: readonly Area[]): string {
  const region = geo.regions.get(organisationCode);
  if (region) return region.name;
  if (areas.length === 0) return `No areas under ${organisationCode}`;
  if (areas.length <= 3) return areas.map((a) => a.name).join(', ');
  return `${areas.length} areas of ${organisationCode}`;
}

/** The calls a report may count for this caller, asked of the policy under `kpi.read`. */
export async function kpiScope(
  ctx: ServiceContext,
  caller: Caller,
  area: string | undefined,
): Promise<{ scope: KpiScope; filter: Pick<CallFilter, 'providerCode' | 'areaCode' | 'areaCodes'> }> {
  const reach: ListScope = await listScope(ctx, caller, 'kpi.read', { type: 'kpi' });
  const geo = await ctx.geography();
  const provider = reach.kind === 'provider' ? { providerCode: reach.providerCode } : {};
  if (area) {
    const { area: one } = areaWithRegion(geo, area);
    // Provider staff count their own provider's calls from the area; a commissioner only its own areas.
    await authorize(
      ctx,
      caller,
      'kpi.read',
      { areaCode: one.code, providerCode: provider.providerCode ?? null },
      { type: 'kpi', id: one.code },
    );
    return {
      scope: {
        label: provider.providerCode ? `${one.name}: calls answered by ${provider.providerCode}` : one.name,
        ...provider,
        areaCodes: [one.code],
      },
      filter: { ...provider, areaCode: one.code },
    };
  }
  switch (reach.kind) {
    case 'all':
      return { scope: { label: 'England' }, filter: {} };
    case 'provider':
      return { scope: { label: `Calls answered by ${reach.providerCode}`, ...provider }, filter: provider };
    case 'areas': {
      const areas = areasOf(geo, reach.areaCodes);
      return {
        scope: {
          label: areasLabel(geo, caller.actor.organisationCode, areas),
          areaCodes: [...reach.areaCodes].sort(),
        },
        filter: { areaCodes: reach.areaCodes },
      };
    }
  }
}

function hourlySeries(calls: readonly StoredCall[]): HourKpis[] {
  const byHour = new Map<string, StoredCall[]>();
  for (const c of calls) {
    const hour = `${c.offeredAt.toISOString().slice(0, 13)}:00Z`;
    const list = byHour.get(hour);
    if (list) list.push(c);
    else byHour.set(hour, [c]);
  }
  return [...byHour.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([hour, cs]) => {
      const k = callKpis(cs);
      return {
        hour,
        offered: k.offered,
        answered: k.answered,
        abandoned: k.abandoned,
        answeredWithin60sPercent: k.answeredWithin60sPercent,
      };
    });
}

/**
 * The national call-handling KPIs (NHS 111 MDS / IUC ADC) over a period, with an hourly series: over a
 * provider's own calls for its staff, over the areas under a commissioner's organisation (an SHA's PCTs,
 * a CCG's PCTs, England for the Department of Health), or over one of those areas.
 */
export async function kpis(ctx: ServiceContext, caller: Caller, query: KpiQuery): Promise<KpiReport> {
  const range = dateRange(query, ctx.now());
  const { scope, filter } = await kpiScope(ctx, caller, query.area);
  const calls = await listCalls(ctx.store.db, { ...filter, ...range });
  return { ...range, scope, targets: TARGETS, kpis: callKpis(calls), series: hourlySeries(calls) };
}

export interface KpiAreas {
  /** `england`: every area; `areas`: a commissioner's; `provider`: the areas a provider took calls from. */
  readonly kind: 'england' | 'areas' | 'provider';
  readonly label: string;
  readonly areas: readonly { readonly code: string; readonly name: string }[];
}

/** The areas the caller may report on, for the Reports screen's area picker. */
export async function kpiAreas(ctx: ServiceContext, caller: Caller): Promise<KpiAreas> {
  const reach = await listScope(ctx, caller, 'kpi.read', { type: 'kpi' });
  const geo = await ctx.geography();
  const summary = (areas: readonly Area[]) => areas.map((a) => ({ code: a.code, name: a.name }));
  switch (reach.kind) {
    case 'all':
      return { kind: 'england', label: 'England', areas: summary([...geo.areas.values()].sort(byName)) };
    case 'provider':
      return {
        kind: 'provider',
        label: `Calls answered by ${reach.providerCode}`,
        areas: summary(areasOf(geo, await callAreaCodes(ctx.store.db, reach.providerCode))),
      };
    case 'areas': {
      const areas = areasOf(geo, reach.areaCodes);
      return {
        kind: 'areas',
        label: areasLabel(geo, caller.actor.organisationCode, areas),
        areas: summary(areas),
      };
    }
  }
}

export interface CapacityQuery {
  readonly area: string;
  readonly day?: DayType | undefined;
  readonly adviserHandleSeconds?: number | undefined;
  readonly clinicianShare?: number | undefined;
}

export interface CapacityPlan {
  readonly area: { readonly code: string; readonly name: string; readonly population2011: number };
  readonly day: DayType;
  readonly assumptions: CapacityAssumptions;
  readonly hours: readonly HourPlan[];
  readonly totals: {
    readonly calls: number;
    readonly adviserHours: number;
    readonly clinicianHours: number;
    readonly peakAdvisers: number;
    readonly peakClinicians: number;
  };
  /** The plan simulated for a day and measured with the KPI code, the way it will be judged. */
  readonly simulated: CallKpis;
}

/** Advisers and clinicians an area needs each hour to meet the targets (Erlang C), checked by simulation. */
export async function capacityPlan(
  ctx: ServiceContext,
  caller: Caller,
  query: CapacityQuery,
): Promise<CapacityPlan> {
  const { area } = areaWithRegion(await ctx.geography(), query.area);
  await authorize(
    ctx,
    caller,
    'capacity_plan.read',
    { areaCode: area.code },
    { type: 'capacity_plan', id: area.code },
  );
  const assumptions: CapacityAssumptions = {
    ...DEFAULT_ASSUMPTIONS,
    ...(query.adviserHandleSeconds ? { adviserHandleSeconds: query.adviserHandleSeconds } : {}),
    ...(query.clinicianShare !== undefined ? { clinicianShare: query.clinicianShare } : {}),
  };
  const day = query.day ?? 'weekday';
  const hours = hourlyCapacity(area.population2011, day, assumptions);
  const simulated = callKpis(
    simulateQueue({
      callsByHour: hours.map((h) => h.calls),
      advisersByHour: hours.map((h) => h.advisers),
      handleSeconds: assumptions.adviserHandleSeconds,
      patienceSeconds: 300,
      start: new Date('2012-03-05T00:00:00Z'),
      seed: 111,
    }),
  );
  return {
    area: { code: area.code, name: area.name, population2011: area.population2011 },
    day,
    assumptions,
    hours,
    totals: {
      calls: hours.reduce((n, h) => n + h.calls, 0),
      adviserHours: hours.reduce((n, h) => n + h.advisers, 0),
      clinicianHours: hours.reduce((n, h) => n + h.clinicians, 0),
      peakAdvisers: Math.max(...hours.map((h) => h.advisers)),
      peakClinicians: Math.max(...hours.map((h) => h.clinicians)),
    },
    simulated,
  };
}
