import { notFound } from '../errors';
import { londonDate, londonMidnight } from './dates';
import { isConfirmed, ownServiceStart } from './rules';
import type { IsoDate, Provider, RolloutArea, RolloutCalendar, RolloutPlan } from './types';

/** Why a provider answers: a live contract, a pilot, or the default provider the area was opted in to. */
export type RouteBasis = 'live_contract' | 'pilot' | 'default_provider';

export interface ProviderRef {
  readonly code: string;
  readonly name: string;
}

/** One stretch of an area's routing: from an instant until the next segment begins. */
export interface RouteSegment {
  /** Epoch milliseconds when this segment begins (local midnight of `fromDate`); -Infinity for the first. */
  readonly from: number;
  readonly fromDate: IsoDate | null;
  readonly basis: RouteBasis | null;
  readonly provider: ProviderRef | null;
  readonly partners: readonly ProviderRef[];
  readonly reason: string;
}

/** An area's routing over all time, sorted by `from`; precomputed so a call is routed without reading plans. */
export interface AreaTimeline {
  readonly area: RolloutArea;
  readonly segments: readonly RouteSegment[];
}

export interface RoutingTable {
  readonly areas: ReadonlyMap<string, AreaTimeline>;
  readonly calendar: RolloutCalendar;
}

/** The answer to "who takes a 111 call from this area at this instant, and why". */
export interface RouteDecision {
  readonly areaCode: string;
  readonly areaName: string;
  readonly at: string;
  readonly live: boolean;
  readonly basis: RouteBasis | null;
  readonly provider: ProviderRef | null;
  readonly partners: readonly ProviderRef[];
  /** The local date this routing began, and the date it is next due to change (if known). */
  readonly since: IsoDate | null;
  readonly until: IsoDate | null;
  readonly reason: string;
  /** Where 111 is not live: what the caller should do instead. */
  readonly advice: string | null;
}

function refs(codes: readonly string[], providers: ReadonlyMap<string, Provider>): ProviderRef[] {
  return codes.map((code) => ({ code, name: providers.get(code)?.name ?? code }));
}

/** Builds one area's routing timeline from its plan. Pure; rebuilt whenever the plan changes. */
export function buildAreaTimeline(
  area: RolloutArea,
  plan: RolloutPlan | undefined,
  providers: ReadonlyMap<string, Provider>,
): AreaTimeline {
  const segments: RouteSegment[] = [
    {
      from: Number.NEGATIVE_INFINITY,
      fromDate: null,
      basis: null,
      provider: null,
      partners: [],
      reason: `NHS 111 is not live in ${area.name} yet.`,
    },
  ];
  const own = ownServiceStart(plan);
  const optIn = plan?.defaultOptIn ?? null;
  if (optIn && (own === null || optIn.goLiveDate < own)) {
    const [lead, ...partners] = refs(optIn.providerCodes, providers);
    segments.push({
      from: londonMidnight(optIn.goLiveDate).getTime(),
      fromDate: optIn.goLiveDate,
      basis: 'default_provider',
      provider: lead ?? null,
      partners,
      reason: `Opted in to the default provider at the submission deadline ${optIn.at}; default service live from ${optIn.goLiveDate}${own ? ` until the area's own plan goes live on ${own}` : ''}.`,
    });
  }
  if (plan && own !== null) {
    const [lead, ...partners] = refs(plan.providerCodes, providers);
    const pilot = plan.status === 'pilot_live';
    segments.push({
      from: londonMidnight(own).getTime(),
      fromDate: own,
      basis: pilot ? 'pilot' : 'live_contract',
      provider: lead ?? null,
      partners,
      reason: pilot
        ? `${area.name} is a 111 pilot site, live since ${own}.`
        : `${area.name}'s own commissioned service, live from ${own} (${plan.operatingModel.replaceAll('_', ' ')}).`,
    });
  }
  segments.sort((a, b) => a.from - b.from);
  return { area, segments };
}

export function buildRoutingTable(
  areas: readonly RolloutArea[],
  plans: ReadonlyMap<string, RolloutPlan>,
  calendar: RolloutCalendar,
  providers: ReadonlyMap<string, Provider>,
): RoutingTable {
  return {
    calendar,
    areas: new Map(areas.map((a) => [a.code, buildAreaTimeline(a, plans.get(a.code), providers)])),
  };
}

/** Rebuilds one area's timeline after its plan changed; the rest of the table is shared. */
export function withPlan(
  table: RoutingTable,
  areaCode: string,
  plan: RolloutPlan | undefined,
  providers: ReadonlyMap<string, Provider>,
): RoutingTable {
  const current = table.areas.get(areaCode);
  if (!current) throw notFound(`There is no commissioning area with code "${areaCode}".`);
  const areas = new Map(table.areas);
  areas.set(areaCode, buildAreaTimeline(current.area, plan, providers));
  return { ...table, areas };
}

/** The last segment that has begun by `t`: binary search over a handful of segments. */
function segmentAt(segments: readonly RouteSegment[], t: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid]?.from ?? Number.POSITIVE_INFINITY) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Who answers a 111 call from an area at an instant, and why. A map look-up and a tiny binary search. */
export function route(table: RoutingTable, areaCode: string, at: Date): RouteDecision {
  const timeline = table.areas.get(areaCode.toUpperCase());
  if (!timeline) throw notFound(`There is no commissioning area with code "${areaCode}".`);
  const i = segmentAt(timeline.segments, at.getTime());
  const s = timeline.segments[i];
  if (!s) throw notFound(`Area ${areaCode} has no routing.`);
  const next = timeline.segments[i + 1];
  const live = s.basis !== null;
  return {
    areaCode: timeline.area.code,
    areaName: timeline.area.name,
    at: at.toISOString(),
    live,
    basis: s.basis,
    provider: s.provider,
    partners: s.partners,
    since: s.fromDate,
    until: next?.fromDate ?? null,
    reason: s.reason,
    advice: live ? null : table.calendar.fallbackAdvice,
  };
}

/** How an area stands on a date, for the map: live (and on what basis), or how far its plan has got. */
export type AreaState =
  | 'pilot'
  | 'live'
  | 'default'
  | 'confirmed'
  | 'opted_in'
  | 'planning'
  | 'withdrawn'
  | 'none';

export const COVERED_STATES: readonly AreaState[] = ['pilot', 'live', 'default'];

export function areaStateOn(
  table: RoutingTable,
  plan: RolloutPlan | undefined,
  areaCode: string,
  date: IsoDate,
  /** The instant `date` begins in England, when the caller has it already (coverage over many areas). */
  start: Date = londonMidnight(date),
): AreaState {
  const r = route(table, areaCode, start);
  if (r.basis === 'pilot') return 'pilot';
  if (r.basis === 'live_contract') return 'live';
  if (r.basis === 'default_provider') return 'default';
  if (isConfirmed(plan)) return 'confirmed';
  if (plan?.defaultOptIn && date >= plan.defaultOptIn.at) return 'opted_in';
  if (plan?.status === 'withdrawn') return 'withdrawn';
  if (plan && plan.status !== 'opted_in_default') return 'planning';
  return 'none';
}

/** The calendar date of an instant in England, re-exported for callers that route "today". */
export const dateInEngland = londonDate;
