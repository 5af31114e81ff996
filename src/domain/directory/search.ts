import type { Disposition } from '../dispositions/index';
import { invalid } from '../errors';
import { formatClock, toLondon } from './london-time';
import { compiledOpening, type OpenVerdict, openInWindow, searchWindow } from './opening';
import {
  acceptsDisposition,
  areaId,
  type DirectoryIndex,
  dispositionBit,
  distanceKm as greatCircleKm,
  type IndexedService,
  roleBit,
  sexBit,
} from './spatial';
import {
  type AgeUnit,
  type CapacityStatus,
  type DirectorySearch,
  FILTERS,
  type FilterName,
  type PatientAge,
  type ServiceRecord,
  type ServiceType,
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
export const DEFAULT_GAP_LIMIT = 50;
const TWO_OR_MORE = 'two_or_more' as const;

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
  /** Services within the distance that failed exactly one filter (nearest first): where the directory is thin. */
  readonly gaps: readonly DirectoryGap[];
  /** How many services failed exactly one filter, by filter. */
  readonly gapCounts: Readonly<Record<FilterName, number>>;
  /** How many services lay within the search distance. */
  readonly considered: number;
}

export interface SearchOptions {
  readonly disposition: Disposition;
  readonly typeRanks: TypeRanks;
  readonly travelTime?: TravelTime;
  /** Compute gaps (default true); the benchmark measures both. */
  readonly gaps?: boolean;
  /** How many gaps (nearest first) to return; all are counted. */
  readonly gapLimit?: number;
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

interface Ranked {
  readonly service: IndexedService;
  readonly distanceKm: number;
  readonly open: OpenVerdict;
  readonly typeRank: { rank: number; source: 'area' | 'national' };
  readonly travelMinutes: number;
  readonly ownGp: boolean;
  readonly commissioned: boolean;
}

/** Travel time, then type rank, then own GP, then commissioned; then distance and id, so ties are stable. */
function compareRanked(a: Ranked, b: Ranked): number {
  return (
    a.travelMinutes - b.travelMinutes ||
    a.typeRank.rank - b.typeRank.rank ||
    Number(b.ownGp) - Number(a.ownGp) ||
    Number(b.commissioned) - Number(a.commissioned) ||
    a.distanceKm - b.distanceKm ||
    (a.service.record.id < b.service.record.id ? -1 : a.service.record.id > b.service.record.id ? 1 : 0)
  );
}

/** Indices of the `limit` smallest distances, nearest first. */
function nearestGaps(distances: readonly number[], limit: number): number[] {
  if (distances.length <= limit)
    return distances.map((_, i) => i).sort((a, b) => (distances[a] as number) - (distances[b] as number));
  const sorted = Float64Array.from(distances).sort();
  const threshold = sorted[limit - 1] as number;
  const picked: number[] = [];
  for (let i = 0; i < distances.length && picked.length < limit; i++)
    if ((distances[i] as number) <= threshold) picked.push(i);
  return picked.sort((a, b) => (distances[a] as number) - (distances[b] as number));
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

  const window = searchWindow(at, timeframe);
  const dx = search.disposition;
  const sg = search.symptomGroup;
  const sds = search.symptomDiscriminators;
  const area = search.areaCode;
  const gp = search.gpPractice;

  // Only the best two of each type can be shown: keep those, not every match.
  const bestByType = new Map<number, Ranked[]>();
  const rankOfType = new Map<number, { rank: number; source: 'area' | 'national' }>();
  const gapSlots: number[] = [];
  const gapDistances: number[] = [];
  const gapFilters: FilterName[] = [];
  const gapCounts = Object.fromEntries(FILTERS.map((f) => [f, 0])) as Record<FilterName, number>;
  const c = index.columns;
  const bit = dispositionBit(dx);
  const bitLo = bit >= 0 && bit < 31 ? 1 << bit : 0;
  const bitHi = bit >= 31 ? 1 << (bit - 31) : 0;
  const patientArea = areaId(area);
  /** Beyond the bit words, the service's own set answers (the same rule as the partitions). */
  const acceptsAt = (slot: number): boolean => {
    const s = index.at(slot);
    return s !== null && acceptsDisposition(s, dx);
  };
  const verdictById: (OpenVerdict | undefined)[] = [];
  const verdictOfId = (id: number): OpenVerdict => {
    let v = verdictById[id];
    if (!v) {
      const compiled = compiledOpening(id);
      v = compiled ? openInWindow(compiled, window) : { ok: false, interval: null, openNow: false };
      verdictById[id] = v;
    }
    return v;
  };

  /**
   * The filters, in order, reading the columns: null when all pass, the filter when exactly one fails,
   * TWO_OR_MORE otherwise. The disposition and the opening times are checked only when asked (the
   * fast path has already chosen services by both).
   */
  const check = (slot: number, full: boolean): FilterName | null | typeof TWO_OR_MORE => {
    let failed: FilterName | null = null;
    const flags = c.flags[slot] as number;
    if ((flags & 1) === 0) failed = 'status';
    if (full) {
      const accepts =
        ((c.dispositionsLo[slot] as number) & bitLo) !== 0 ||
        ((c.dispositionsHi[slot] as number) & bitHi) !== 0 ||
        ((flags & 4) !== 0 && acceptsAt(slot));
      if (!accepts) {
        if (failed !== null) return TWO_OR_MORE;
        failed = 'disposition';
      }
    }
    if (sg !== null && (flags & 8) !== 0) {
      const accepted = index.at(slot)?.symptoms?.get(sg);
      if (!accepted) {
        if (failed !== null) return TWO_OR_MORE;
        failed = 'symptom_group';
      } else if (sds.length > 0 && !sds.every((sd) => accepted.has(sd))) {
        if (failed !== null) return TWO_OR_MORE;
        failed = 'symptom_discriminator';
      }
    }
    if (((c.sexMask[slot] as number) & sex) === 0) {
      if (failed !== null) return TWO_OR_MORE;
      failed = 'sex';
    }
    if (ageDays < (c.ageMin[slot] as number) || ageDays > (c.ageMax[slot] as number)) {
      if (failed !== null) return TWO_OR_MORE;
      failed = 'age';
    }
    if (((c.roleMask[slot] as number) & role) === 0) {
      if (failed !== null) return TWO_OR_MORE;
      failed = 'referral_role';
    }
    if ((c.redUntil[slot] as number) > atMs) {
      if (failed !== null) return TWO_OR_MORE;
      failed = 'capacity';
    }
    if ((flags & 2) !== 0 && c.area[slot] !== patientArea) {
      if (failed !== null) return TWO_OR_MORE;
      failed = 'commissioning';
    }
    if (full && !verdictOfId(c.opening[slot] as number).ok) {
      if (failed !== null) return TWO_OR_MORE;
      failed = 'opening_times';
    }
    return failed;
  };

  const rankOf = (typeId: number) => {
    let typeRank = rankOfType.get(typeId);
    if (!typeRank) {
      typeRank = typeRankFor(options.typeRanks, typeId, area);
      rankOfType.set(typeId, typeRank);
    }
    return typeRank;
  };
  const offer = (s: IndexedService, distanceKm: number, open: OpenVerdict, minutes: number): void => {
    const candidate: Ranked = {
      service: s,
      distanceKm,
      open,
      typeRank: rankOf(s.typeId),
      travelMinutes: minutes,
      ownGp: gp !== null && s.record.odsCode === gp,
      commissioned: area !== null && s.areaCode === area,
    };
    const best = bestByType.get(s.typeId);
    if (!best) bestByType.set(s.typeId, [candidate]);
    else if (best.length < MAX_PER_TYPE) {
      best.push(candidate);
      best.sort(compareRanked);
    } else if (compareRanked(candidate, best[MAX_PER_TYPE - 1] as Ranked) < 0) {
      best[MAX_PER_TYPE - 1] = candidate;
      best.sort(compareRanked);
    }
  };
  /** Travel time only grows with distance, so once every type of a partition holds two results nearer than this, stop. */
  const allFull = (types: ReadonlySet<number>, minutes: number): boolean => {
    for (const t of types) {
      const best = bestByType.get(t);
      if (!best || best.length < MAX_PER_TYPE || minutes <= (best[MAX_PER_TYPE - 1] as Ranked).travelMinutes)
        return false;
    }
    return true;
  };

  // The ranked answer: only services that accept the disposition, a timetable at a time, nearest first.
  let visited = 0;
  for (const p of index.partitionsFor(dx)) {
    const verdict = openInWindow(p.opening, window);
    verdictById[p.opening.id] = verdict;
    if (!verdict.ok) continue;
    index.walk(p, search.latitude, search.longitude, search.distanceKm, (slot, distanceKm) => {
      visited++;
      const minutes = travel(distanceKm);
      if (allFull(p.types, minutes)) return true;
      const s = index.at(slot);
      if (s && check(slot, false) === null) offer(s, distanceKm, verdict, minutes);
      return false;
    });
  }

  // The gaps: every service within the distance, all filters, keeping those that failed exactly one.
  const considered = !wantGaps
    ? visited
    : index.scanSlots(search.latitude, search.longitude, search.distanceKm, (slot, distanceKm) => {
        const failed = check(slot, true);
        if (failed === null || failed === TWO_OR_MORE) return;
        gapSlots.push(slot);
        gapDistances.push(distanceKm);
        gapFilters.push(failed);
        gapCounts[failed]++;
      });

  const ranked = [...bestByType.values()].flat().sort(compareRanked);

  const results: DirectoryResult[] = [];
  for (const c of ranked) {
    const r = c.service.record;
    const typeName = options.typeRanks.national.get(r.typeId)?.name ?? `type ${r.typeId}`;
    const capacity = effectiveCapacity(r, at);
    const openNow = c.open.openNow;
    const interval = c.open.interval;
    const why = [
      `${c.distanceKm.toFixed(1)} km away, about ${c.travelMinutes} min`,
      `${typeName}: type rank ${c.typeRank.rank} (${c.typeRank.source === 'area' ? `area ${search.areaCode}` : 'national'})`,
      ...(c.ownGp ? ["the patient's own GP practice"] : []),
      ...(c.commissioned ? ["commissioned for the patient's area"] : []),
      openingPhrase(openNow, interval),
      `capacity ${capacity}`,
    ];
    results.push({
      position: results.length + 1,
      service: r,
      distanceKm: round2(c.distanceKm),
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
    gaps: nearestGaps(gapDistances, options.gapLimit ?? DEFAULT_GAP_LIMIT).flatMap((i) => {
      const service = index.at(gapSlots[i] as number);
      const failed = gapFilters[i] as FilterName;
      return service
        ? [
            {
              service: service.record,
              distanceKm: round2(
                greatCircleKm(
                  search.latitude,
                  search.longitude,
                  service.record.latitude,
                  service.record.longitude,
                ),
              ),
              failed,
              reason: reasons[failed](service.record, search),
            },
          ]
        : [];
    }),
    gapCounts,
    considered,
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
