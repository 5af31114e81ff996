import { addMonths, format, parseISO, startOfMonth } from 'date-fns';
import { londonMidnight } from './dates';
import { type AreaState, areaStateOn, COVERED_STATES, type RoutingTable } from './routing';
import type { IsoDate, RolloutPlan } from './types';

export interface CoverageTotals {
  readonly areas: number;
  readonly areasCovered: number;
  readonly population: number;
  readonly populationCovered: number;
}

export interface RegionCoverage extends CoverageTotals {
  readonly regionCode: string;
}

export interface AreaCoverage {
  readonly areaCode: string;
  readonly areaName: string;
  readonly regionCode: string;
  readonly population: number;
  readonly state: AreaState;
  readonly covered: boolean;
}

export interface Coverage {
  readonly date: IsoDate;
  readonly national: CoverageTotals;
  readonly regions: readonly RegionCoverage[];
  readonly areas: readonly AreaCoverage[];
}

const empty = (): { areas: number; areasCovered: number; population: number; populationCovered: number } => ({
  areas: 0,
  areasCovered: 0,
  population: 0,
  populationCovered: 0,
});

/** Areas and population covered by 111 on a date (from local midnight), per SHA and nationally. */
export function coverageOn(
  table: RoutingTable,
  plans: ReadonlyMap<string, RolloutPlan>,
  date: IsoDate,
): Coverage {
  const national = empty();
  const regions = new Map<string, ReturnType<typeof empty>>();
  const areas: AreaCoverage[] = [];
  const start = londonMidnight(date);
  for (const { area } of table.areas.values()) {
    const state = areaStateOn(table, plans.get(area.code), area.code, date, start);
    const covered = COVERED_STATES.includes(state);
    const region = regions.get(area.regionCode) ?? empty();
    regions.set(area.regionCode, region);
    for (const t of [national, region]) {
      t.areas += 1;
      t.population += area.population;
      if (covered) {
        t.areasCovered += 1;
        t.populationCovered += area.population;
      }
    }
    areas.push({
      areaCode: area.code,
      areaName: area.name,
      regionCode: area.regionCode,
      population: area.population,
      state,
      covered,
    });
  }
  return {
    date,
    national,
    regions: [...regions.entries()]
      .map(([regionCode, t]) => ({ regionCode, ...t }))
      .sort((a, b) => a.regionCode.localeCompare(b.regionCode)),
    areas: areas.sort((a, b) => a.areaCode.localeCompare(b.areaCode)),
  };
}

export interface CoveragePoint {
  readonly date: IsoDate;
  readonly areasCovered: number;
  readonly populationCovered: number;
  readonly populationPercent: number;
}

/** Coverage on the first of each month from `from` to `to` (both included as months), for a chart. */
export function coverageSeries(
  table: RoutingTable,
  plans: ReadonlyMap<string, RolloutPlan>,
  from: IsoDate,
  to: IsoDate,
): CoveragePoint[] {
  const points: CoveragePoint[] = [];
  const last = startOfMonth(parseISO(to));
  for (let m = startOfMonth(parseISO(from)); m <= last; m = addMonths(m, 1)) {
    const date = format(m, 'yyyy-MM-dd');
    const { national } = coverageOn(table, plans, date);
    points.push({
      date,
      areasCovered: national.areasCovered,
      populationCovered: national.populationCovered,
      populationPercent:
        national.population === 0
          ? 0
          : Math.round((1000 * national.populationCovered) / national.population) / 10,
    });
  }
  return points;
}

export interface GoLive {
  readonly date: IsoDate;
  readonly areaCode: string;
  readonly areaName: string;
  readonly basis: string;
}

/** Every go-live in the routing table, in date order: the rollout's timeline. */
export function goLiveTimeline(table: RoutingTable): GoLive[] {
  const out: GoLive[] = [];
  for (const { area, segments } of table.areas.values()) {
    for (const s of segments) {
      if (s.fromDate !== null && s.basis !== null)
        out.push({ date: s.fromDate, areaCode: area.code, areaName: area.name, basis: s.basis });
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.areaCode.localeCompare(b.areaCode));
}
