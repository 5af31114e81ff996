import type { Disposition } from '../dispositions/index';
import { invalid } from '../errors';
import { formatClock, toLondon } from './london-time';
import { openWithin } from './opening';
import { type DirectoryIndex, type IndexedService, type Nearby, roleBit, sexBit } from './spatial';
import type {
  AgeUnit,
  CapacityStatus,
  DirectorySearch,
  FilterName,
  PatientAge,
  ServiceRecord,
  ServiceType,
} from './types';

/** Days in one unit of age. A month is 30.4375 days (the DoS convention); a year 365.25. */
export const DAYS_PER_UNIT: Record<AgeUnit, number> = { days: 1, weeks: 7, months: 30.4375, years: 365.25 };

export function ageInDays(age: PatientAge): number {
  return Math.floor(age.value * DAYS_PER_UNIT[age.unit]);
}

export const DEFAULT_DISTANCE_KM = 60;
export const MIN_DISTANCE_KM = 1;
export const MAX_DISTANCE_KM = 99;
export const MAX_PER_TYPE = 2;
export const ED_TYPE_ID = 105;

/** Minutes to travel a straight-line distance: the pluggable part of "travel distance". */
export type TravelTime = (distanceKm: number) => number;

/** The default: straight line at 40 km/h, in whole minutes (so services a minute apart tie). */
export const straightLineTravel: TravelTime = (km) => Math.ceil((km / 40) * 60);

/** National service-type ranks, overridable per commissioning area. */
export interface TypeRanks {
  readonly national: ReadonlyMap<number, ServiceType>;
  readonly byArea: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

export function typeRankFor(
  ranks: TypeRanks,
  typeId: number,
  areaCode: string | null,
): { rank: number; source: 'area' | 'national' } {
  const local = areaCode ? ranks.byArea.get(areaCode)?.get(typeId) : undefined;
  if (local !== undefined) return { rank: local, source: 'area' };
  return { rank: ranks.national.get(typeId)?.rank ?? 99, source: 'national' };
}

/** The capacity that holds at an instant: a manual status past its reset time is green again. */
export function effectiveCapacity(service: ServiceRecord, at: Date): CapacityStatus {
  const c = service.capacity;
  if (c.status === 'green') return 'green';
  if (c.resetAt !== null && Date.parse(c.resetAt) <= at.getTime()) return 'green';
  return c.status;
}

export interface DirectoryResult {
  readonly position: number;
  readonly service: ServiceRecord;
  readonly distanceKm: number;
  readonly travelMinutes: number;
  readonly typeRank: number;
  readonly typeRankSource: 'area' | 'national';
  readonly ownGp: boolean;
  readonly commissioned: boolean;
  readonly openNow: boolean;
  readonly opensAt: string | null;
  readonly closesAt: string | null;
  readonly capacity: CapacityStatus;
  /** Why the service is here, and why in this place, in words. */
  readonly why: readonly string[];
}

export interface DirectoryGap {
  readonly service: ServiceRecord;
  readonly distanceKm: number;
  readonly failed: FilterName;
  readonly reason: string;
}

export interface DirectoryAnswer {
  readonly results: readonly DirectoryResult[];
  /** True when nothing matched and the two nearest emergency departments are offered instead. */
  readonly fallback: boolean;
  /** Services within the distance that failed exactly one filter: where the directory is thin. */
  readonly gaps: readonly DirectoryGap[];
  /** How many services lay within the search distance. */
  readonly considered: number;
}

export interface SearchOptions {
  readonly disposition: Disposition;
  readonly typeRanks: TypeRanks;
  readonly travelTime?: TravelTime;
  /** Compute gaps (default true); the benchmark measures both. */
  readonly gaps?: boolean;
}

/** Checks the shape of a search that the edge could not (ranges and codes); throws `invalid`. */
export function checkSearch(search: DirectorySearch, disposition: Disposition | undefined): Disposition {
  const problems = [];
  if (!disposition)
    problems.push({
      pointer: '/disposition',
      message: `"${search.disposition}" is not a known disposition (Dx) code.`,
    });
  if (!(search.distanceKm >= MIN_DISTANCE_KM && search.distanceKm <= MAX_DISTANCE_KM))
    problems.push({
      pointer: '/distanceKm',
      message: `distance must be ${MIN_DISTANCE_KM}–${MAX_DISTANCE_KM} km.`,
    });
  if (!(search.age.value >= 0) || ageInDays(search.age) > 125 * 365.25)
    problems.push({ pointer: '/age', message: 'age must be between 0 and 125 years.' });
  if (Math.abs(search.latitude) > 90 || Math.abs(search.longitude) > 180)
    problems.push({ pointer: '/latitude', message: 'latitude/longitude out of range.' });
  if (disposition && disposition.timeframeMinutes === null)
    problems.push({
      pointer: '/disposition',
      message: `${disposition.code} is self-care: there is no service to search for.`,
    });
  if (problems.length > 0 || !disposition)
    throw invalid(problems[0]?.message ?? 'The search is not valid.', problems);
  return disposition;
}

interface Candidate {
  readonly near: Nearby;
  readonly failed: FilterName | null;
  readonly reason: string;
}

const reasons: Record<FilterName, (s: ServiceRecord, q: DirectorySearch) => string> = {
  status: (s) => `status is ${s.status}`,
  disposition: (_s, q) => `does not accept ${q.disposition}`,
  symptom_group: (_s, q) => `does not accept symptom group ${q.symptomGroup}`,
  symptom_discriminator: (_s, q) =>
    `does not accept every discriminator of ${q.symptomGroup} (${q.symptomDiscriminators.join(', ')})`,
  sex: (_s, q) => `does not see ${q.sex} patients`,
  age: (s) => `sees ages ${s.ageMinDays}–${s.ageMaxDays} days`,
  referral_role: (_s, q) => `does not take referrals from a ${q.role.replace('_', ' ')}`,
  capacity: () => 'capacity is red',
  commissioning: (s) => `limited to patients in area ${s.areaCode}`,
  opening_times: () => 'not open long enough within the timeframe',
};

/**
 * The DoS search: filters exactly as the national directory applies them, ranking by travel time,
 * then service-type rank, then own GP, then commissioned; at most two per service type; the two
 * nearest emergency departments when nothing matches; and the services that failed exactly one filter.
 */
export function searchDirectory(
  index: DirectoryIndex,
  search: DirectorySearch,
  options: SearchOptions,
): DirectoryAnswer {
  const disposition = options.disposition;
  const travel = options.travelTime ?? straightLineTravel;
  const wantGaps = options.gaps ?? true;
  const ageDays = ageInDays(search.age);
  const sex = sexBit(search.sex);
  const role = roleBit(search.role);
  const at = search.at;
  const atMs = at.getTime();
  const timeframe = disposition.timeframeMinutes ?? 0;
  const nearby = index.within(search.latitude, search.longitude, search.distanceKm);

  const matched: { near: Nearby; open: ReturnType<typeof openWithin> }[] = [];
  const gaps: Candidate[] = [];
  for (const near of nearby) {
    const s = near.service;
    const r = s.record;
    let failed = null as FilterName | null;
    let failures = 0;
    const fail = (f: FilterName): boolean => {
      failures++;
      if (failed === null) failed = f;
      return failures >= 2;
    };
    if (r.status !== 'active' && fail('status')) continue;
    if (!s.dispositions.has(search.disposition) && fail('disposition')) continue;
    if (search.symptomGroup !== null && s.symptoms !== null) {
      const sds = s.symptoms.get(search.symptomGroup);
      if (!sds) {
        if (fail('symptom_group')) continue;
      } else {
        if (search.symptomDiscriminators.some((sd) => !sds.has(sd)) && fail('symptom_discriminator'))
          continue;
      }
    }
    if ((s.sexMask & sex) === 0 && fail('sex')) continue;
    if ((ageDays < r.ageMinDays || ageDays > r.ageMaxDays) && fail('age')) continue;
    if ((s.roleMask & role) === 0 && fail('referral_role')) continue;
    if (
      r.capacity.status === 'red' &&
      (r.capacity.resetAt === null || Date.parse(r.capacity.resetAt) > atMs) &&
      fail('capacity')
    )
      continue;
    if (r.limited && r.areaCode !== search.areaCode && fail('commissioning')) continue;
    if (!wantGaps && failures > 0) continue;
    const open = openWithin(r.openingTimes, at, timeframe);
    if (!open.ok && fail('opening_times')) continue;
    if (failures === 0) matched.push({ near, open });
    else if (failed !== null) gaps.push({ near, failed, reason: reasons[failed](r, search) });
  }

  const ranked = matched
    .map(({ near, open }) => {
      const r = near.service.record;
      const typeRank = typeRankFor(options.typeRanks, r.typeId, search.areaCode);
      const ownGp = search.gpPractice !== null && r.odsCode !== null && r.odsCode === search.gpPractice;
      const commissioned = search.areaCode !== null && r.areaCode === search.areaCode;
      return { near, open, typeRank, ownGp, commissioned, travelMinutes: travel(near.distanceKm) };
    })
    .sort(
      (a, b) =>
        a.travelMinutes - b.travelMinutes ||
        a.typeRank.rank - b.typeRank.rank ||
        Number(b.ownGp) - Number(a.ownGp) ||
        Number(b.commissioned) - Number(a.commissioned) ||
        a.near.distanceKm - b.near.distanceKm ||
        (a.near.service.record.id < b.near.service.record.id ? -1 : 1),
    );

  const perType = new Map<number, number>();
  const results: DirectoryResult[] = [];
  for (const c of ranked) {
    const r = c.near.service.record;
    const n = perType.get(r.typeId) ?? 0;
    if (n >= MAX_PER_TYPE) continue;
    perType.set(r.typeId, n + 1);
    const typeName = options.typeRanks.national.get(r.typeId)?.name ?? `type ${r.typeId}`;
    const capacity = effectiveCapacity(r, at);
    const openNow = c.open.openNow;
    const interval = c.open.interval;
    const why = [
      `${c.near.distanceKm.toFixed(1)} km away, about ${c.travelMinutes} min`,
      `${typeName}: type rank ${c.typeRank.rank} (${c.typeRank.source === 'area' ? `area ${search.areaCode}` : 'national'})`,
      ...(c.ownGp ? ["the patient's own GP practice"] : []),
      ...(c.commissioned ? ["commissioned for the patient's area"] : []),
      openingPhrase(openNow, interval),
      `capacity ${capacity}`,
    ];
    results.push({
      position: results.length + 1,
      service: r,
      distanceKm: round2(c.near.distanceKm),
      travelMinutes: c.travelMinutes,
      typeRank: c.typeRank.rank,
      typeRankSource: c.typeRank.source,
      ownGp: c.ownGp,
      commissioned: c.commissioned,
      openNow,
      opensAt:
        interval && Number.isFinite(interval.start)
          ? new Date(Math.max(interval.start, atMs)).toISOString()
          : null,
      closesAt: interval && Number.isFinite(interval.end) ? new Date(interval.end).toISOString() : null,
      capacity,
      why,
    });
  }

  let fallback = false;
  if (results.length === 0) {
    fallback = true;
    const eds = index.nearest(
      search.latitude,
      search.longitude,
      2,
      (s) => s.record.typeId === ED_TYPE_ID && s.record.status === 'active',
    );
    eds.forEach((near, i) => {
      const r = near.service.record;
      const typeRank = typeRankFor(options.typeRanks, r.typeId, search.areaCode);
      results.push({
        position: i + 1,
        service: r,
        distanceKm: round2(near.distanceKm),
        travelMinutes: travel(near.distanceKm),
        typeRank: typeRank.rank,
        typeRankSource: typeRank.source,
        ownGp: false,
        commissioned: search.areaCode !== null && r.areaCode === search.areaCode,
        openNow: true,
        opensAt: null,
        closesAt: null,
        capacity: effectiveCapacity(r, at),
        why: [
          `${near.distanceKm.toFixed(1)} km away`,
          `no service matched ${search.disposition}: one of the two nearest emergency departments`,
        ],
      });
    });
  }

  return {
    results,
    fallback,
    gaps: gaps
      .sort((a, b) => a.near.distanceKm - b.near.distanceKm)
      .map((g) => ({
        service: g.near.service.record,
        distanceKm: round2(g.near.distanceKm),
        failed: g.failed as FilterName,
        reason: g.reason,
      })),
    considered: nearby.length,
  };
}

function openingPhrase(openNow: boolean, interval: { start: number; end: number } | null): string {
  if (!interval) return 'open';
  if (!Number.isFinite(interval.end)) return 'open 24 hours';
  const close = toLondon(interval.end);
  if (openNow) return `open now until ${formatClock(close.minuteOfDay)}`;
  const open = toLondon(interval.start);
  return `opens ${open.date} ${formatClock(open.minuteOfDay)} (London time)`;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export type { IndexedService };
