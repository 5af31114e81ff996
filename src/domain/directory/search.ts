import type { Disposition } from '../dispositions/index';
import { invalid } from '../errors';
import { formatClock, toLondon } from './london-time';
import { NearestWalk } from './nearest-walk';
import { compiledOpening, type OpenVerdict, openInWindow, type SearchWindow, searchWindow } from './opening';
import {
  acceptsDisposition,
  circle,
  type DirectoryIndex,
  distanceKm as greatCircleKm,
  type IndexedService,
  roleBit,
  type ServiceClass,
  type ServiceGroup,
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

/**
 * Whether a referral for a disposition may go to a service: one that accepts the disposition, or an
 * emergency department, which is the Directory's own answer when nothing matches (the search then offers
 * the two nearest). Without the second, a dental call at night, with no dental service open, was offered
 * an emergency department that the referral then refused (found by the four-node benchmark).
 */
export function takesReferral(service: IndexedService, dispositionCode: string): boolean {
  return acceptsDisposition(service, dispositionCode) || service.record.typeId === ED_TYPE_ID;
}
export const DEFAULT_GAP_LIMIT = 50;
/** A class verdict: every class-wide filter passed, not yet decided, or two or more failed; else the FILTERS index that failed. */
const PASS = 254;
const UNKNOWN = 253;
const TWO_OR_MORE = 255;
const filterIndex = (f: FilterName): number => FILTERS.indexOf(f);
const F_STATUS = filterIndex('status');
const F_DISPOSITION = filterIndex('disposition');
const F_SYMPTOM_GROUP = filterIndex('symptom_group');
const F_SYMPTOM_DISCRIMINATOR = filterIndex('symptom_discriminator');
const F_SEX = filterIndex('sex');
const F_AGE = filterIndex('age');
const F_REFERRAL_ROLE = filterIndex('referral_role');
const F_CAPACITY = filterIndex('capacity');
const F_COMMISSIONING = filterIndex('commissioning');
const F_OPENING_TIMES = filterIndex('opening_times');

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

/** One walk at a time (a search runs to the end without yielding), its queue reused by every search. */
const walker = new NearestWalk();

/** The `limit` nearest gaps seen, kept in a max-heap on distance (then slot), so keeping costs O(log limit). */
class NearestGaps {
  private readonly d: number[] = [];
  private readonly slot: number[] = [];
  private readonly filter: number[] = [];
  constructor(private readonly limit: number) {}

  private after(i: number, j: number): boolean {
    const di = this.d[i] as number;
    const dj = this.d[j] as number;
    return di > dj || (di === dj && (this.slot[i] as number) > (this.slot[j] as number));
  }
  private swap(i: number, j: number): void {
    const d = this.d[i] as number;
    const slot = this.slot[i] as number;
    const filter = this.filter[i] as number;
    this.d[i] = this.d[j] as number;
    this.slot[i] = this.slot[j] as number;
    this.filter[i] = this.filter[j] as number;
    this.d[j] = d;
    this.slot[j] = slot;
    this.filter[j] = filter;
  }

  offer(d: number, slot: number, filter: number): void {
    if (this.limit <= 0) return;
    if (this.d.length < this.limit) {
      this.d.push(d);
      this.slot.push(slot);
      this.filter.push(filter);
      for (let i = this.d.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!this.after(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    const top = this.d[0] as number;
    if (d > top || (d === top && slot > (this.slot[0] as number))) return;
    this.d[0] = d;
    this.slot[0] = slot;
    this.filter[0] = filter;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let big = i;
      if (l < this.d.length && this.after(l, big)) big = l;
      if (r < this.d.length && this.after(r, big)) big = r;
      if (big === i) break;
      this.swap(i, big);
      i = big;
    }
  }

  /** The distance a gap must not exceed to be kept (infinite until `limit` are kept). */
  worst(): number {
    if (this.limit <= 0) return Number.NEGATIVE_INFINITY;
    return this.d.length < this.limit ? Number.POSITIVE_INFINITY : (this.d[0] as number);
  }

  /** The kept gaps' positions, nearest first, equal distances by slot (an insertion sort: they are few). */
  order(): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.d.length; i++) {
      let j = order.length;
      order.push(i);
      while (j > 0 && this.after(order[j - 1] as number, i)) {
        order[j] = order[j - 1] as number;
        j--;
      }
      order[j] = i;
    }
    return order;
  }

  slotAt(i: number): number {
    return this.slot[i] as number;
  }

  filterAt(i: number): number {
    return this.filter[i] as number;
  }
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

const CLOSED: OpenVerdict = { ok: false, interval: null, openNow: false };

/**
 * One search's state and steps. A class rather than closures inside `searchDirectory`: its methods
 * are made once, not on every search (measured: making and naming a dozen closures per search, one
 * per class verdict among them, was about a tenth of a search with gaps).
 */
class DirectoryQuery {
  readonly travel: TravelTime;
  readonly ageDays: number;
  readonly sex: number;
  readonly role: number;
  readonly atMs: number;
  readonly window: SearchWindow;
  readonly flags: Uint8Array;
  readonly redUntil: Float64Array;
  readonly classOf: Int32Array;
  /** Only the best two of each type can be shown: keep those, not every match. */
  readonly bestByType = new Map<number, Ranked[]>();
  private readonly rankOfType = new Map<number, { rank: number; source: 'area' | 'national' }>();
  private readonly verdictById: (OpenVerdict | undefined)[] = [];
  /** Each class's verdict in this search (see `classVerdict`), by class id. */
  readonly classVerdicts: Uint8Array;
  /** 1 for each class that accepts the disposition, by class id. */
  private readonly accepting: Uint8Array;

  constructor(
    readonly index: DirectoryIndex,
    readonly search: DirectorySearch,
    readonly options: SearchOptions,
  ) {
    this.travel = options.travelTime ?? straightLineTravel;
    this.ageDays = ageInDays(search.age);
    this.sex = sexBit(search.sex);
    this.role = roleBit(search.role);
    this.atMs = search.at.getTime();
    this.window = searchWindow(search.at, options.disposition.timeframeMinutes ?? 0);
    const c = index.columns;
    this.flags = c.flags;
    this.redUntil = c.redUntil;
    index.allGroups();
    this.classOf = index.classOf;
    this.classVerdicts = new Uint8Array(index.classCount).fill(UNKNOWN);
    this.accepting = index.classesAccepting(search.disposition);
  }

  verdictOfId(id: number): OpenVerdict {
    let v = this.verdictById[id];
    if (!v) {
      const compiled = compiledOpening(id);
      v = compiled ? openInWindow(compiled, this.window) : CLOSED;
      this.verdictById[id] = v;
    }
    return v;
  }

  /**
   * The class-wide filters (every one but status and capacity) of one class, in this search: PASS,
   * the one filter that fails (its index in FILTERS), or TWO_OR_MORE. Decided once per class.
   */
  classVerdict(k: ServiceClass): number {
    const known = this.classVerdicts[k.id] as number;
    if (known !== UNKNOWN) return known;
    const s = k.like;
    const q = this.search;
    let failed = PASS;
    if (this.accepting[k.id] !== 1) failed = F_DISPOSITION;
    const sg = q.symptomGroup;
    if (sg !== null && s.symptoms !== null) {
      const accepted = s.symptoms.get(sg);
      if (!accepted) failed = also(failed, F_SYMPTOM_GROUP);
      else
        for (const sd of q.symptomDiscriminators)
          if (!accepted.has(sd)) {
            failed = also(failed, F_SYMPTOM_DISCRIMINATOR);
            break;
          }
    }
    if (failed !== TWO_OR_MORE && (s.sexMask & this.sex) === 0) failed = also(failed, F_SEX);
    if (failed !== TWO_OR_MORE && (this.ageDays < s.ageMin || this.ageDays > s.ageMax))
      failed = also(failed, F_AGE);
    if (failed !== TWO_OR_MORE && (s.roleMask & this.role) === 0) failed = also(failed, F_REFERRAL_ROLE);
    if (failed !== TWO_OR_MORE && s.limited && s.areaCode !== q.areaCode)
      failed = also(failed, F_COMMISSIONING);
    if (failed !== TWO_OR_MORE && !this.verdictOfId(s.opening.id).ok) failed = also(failed, F_OPENING_TIMES);
    this.classVerdicts[k.id] = failed;
    return failed;
  }

  /** A service's filters in full (its class's verdict, then status and capacity): PASS, the one that failed, or TWO_OR_MORE. */
  verdictOfSlot(slot: number): number {
    const index = this.index;
    if (index.at(slot) === null) return TWO_OR_MORE;
    let failed = this.classVerdict(index.classes[this.classOf[slot] as number] as ServiceClass);
    if (failed === TWO_OR_MORE) return failed;
    if (((this.flags[slot] as number) & 1) === 0) {
      if (failed !== PASS) return TWO_OR_MORE;
      failed = F_STATUS;
    }
    if ((this.redUntil[slot] as number) > this.atMs) {
      if (failed !== PASS) return TWO_OR_MORE;
      failed = F_CAPACITY;
    }
    return failed;
  }

  rankOf(typeId: number): { rank: number; source: 'area' | 'national' } {
    let typeRank = this.rankOfType.get(typeId);
    if (!typeRank) {
      typeRank = typeRankFor(this.options.typeRanks, typeId, this.search.areaCode);
      this.rankOfType.set(typeId, typeRank);
    }
    return typeRank;
  }

  offer(s: IndexedService, distanceKm: number, open: OpenVerdict, minutes: number): void {
    const q = this.search;
    const candidate: Ranked = {
      service: s,
      distanceKm,
      open,
      typeRank: this.rankOf(s.typeId),
      travelMinutes: minutes,
      ownGp: q.gpPractice !== null && s.record.odsCode === q.gpPractice,
      commissioned: q.areaCode !== null && s.areaCode === q.areaCode,
    };
    const best = this.bestByType.get(s.typeId);
    if (!best) {
      this.bestByType.set(s.typeId, [candidate]);
      return;
    }
    if (best.length >= MAX_PER_TYPE) {
      if (compareRanked(candidate, best[MAX_PER_TYPE - 1] as Ranked) >= 0) return;
      best.pop();
    }
    // Kept in order by one insertion (a sort per offer allocated its work array).
    let i = best.length;
    best.push(candidate);
    while (i > 0 && compareRanked(candidate, best[i - 1] as Ranked) < 0) {
      best[i] = best[i - 1] as Ranked;
      i--;
    }
    best[i] = candidate;
  }

  /** Travel time only grows with distance, so once every live type holds two results nearer than this, stop. */
  allFull(types: readonly number[], minutes: number): boolean {
    for (const t of types) {
      const best = this.bestByType.get(t);
      if (!best || best.length < MAX_PER_TYPE || minutes <= (best[MAX_PER_TYPE - 1] as Ranked).travelMinutes)
        return false;
    }
    return true;
  }
}

/** A verdict with one more filter failed: that filter if none had, else TWO_OR_MORE. */
const also = (failed: number, f: number): number => (failed === PASS ? f : TWO_OR_MORE);

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
  const wantGaps = options.gaps ?? true;
  const at = search.at;
  const atMs = at.getTime();
  const travel = options.travelTime ?? straightLineTravel;
  const gapCounts = Object.fromEntries(FILTERS.map((f) => [f, 0])) as Record<FilterName, number>;
  const run = new DirectoryQuery(index, search, options);
  const { bestByType, classVerdicts, classOf, flags, redUntil } = run;

  // The ranked answer: only groups with a class that passes every class-wide filter, each walked
  // nearest first, reading only status and capacity per service. A filter no service of a group can
  // pass (a symptom group no pharmacy accepts, a child too young for any) skips the group unwalked.
  let visited = 0;
  for (const g of index.groupsFor(search.disposition)) {
    const live: number[] = [];
    for (const k of g.classes)
      if (run.classVerdict(k) === PASS && !live.includes(k.like.typeId)) live.push(k.like.typeId);
    if (live.length === 0) continue;
    const pooled = g.classes.length > 1;
    walker.start(search.latitude, search.longitude, search.distanceKm);
    walker.add(g, 0);
    for (let slot = walker.next(); slot >= 0; slot = walker.next()) {
      const s = index.at(slot);
      if (s === null) continue;
      visited++;
      const distanceKm = walker.distanceKm;
      const minutes = travel(distanceKm);
      if (run.allFull(live, minutes)) break;
      if (((flags[slot] as number) & 1) === 0 || (redUntil[slot] as number) > atMs) continue;
      if (pooled && classVerdicts[classOf[slot] as number] !== PASS) continue;
      run.offer(s, distanceKm, run.verdictOfId(s.opening.id), minutes);
    }
  }

  // The gaps: every service within the distance that failed exactly one filter. Exact — not bounded
  // to filters that failed near the top of the ranking — because the counts are what the gap report
  // adds up for commissioners, and a bound would make an area's report depend on how dense its
  // services are. Made fast by an index of their own instead: counted class by class rather than read
  // service by service (docs/directory.md, "Search at England scale"):
  //  - a class failing two or more class-wide filters has no gaps, and is not read at all (one k-d
  //    tree of every service counts `considered`, a node well inside the circle counted whole);
  //  - a class failing exactly one has every member in the circle as a gap, save the few exceptions
  //    (removed, inactive or red, read one by one below): counted by the k-d tree (a node well inside
  //    the circle counts whole), and walked nearest first only for the nearest `gapLimit` to list;
  //  - a class passing all has no gaps but its exceptions that fail exactly status or capacity;
  //  - a pooled group (past MAX_GROUPS classes) is read service by service.
  const nearestGaps = new NearestGaps(options.gapLimit ?? DEFAULT_GAP_LIMIT);
  let considered = visited;
  if (wantGaps) {
    const lat0 = search.latitude;
    const lng0 = search.longitude;
    const radius = search.distanceKm;
    const area0 = circle(lat0, lng0, radius);
    // First the counts; gaps found one by one (pooled groups, exceptions) are kept aside for the list.
    const oneByOne: { d: number; slot: number; f: number }[] = [];
    const toList: { g: ServiceGroup; v: number; n: number }[] = [];
    considered = index.countAll(area0);
    for (const g of index.allGroups()) {
      if (g.classes.length > 1) {
        index.scanGroup(g, lat0, lng0, radius, (slot, d) => {
          const f = run.verdictOfSlot(slot);
          if (f === PASS || f === TWO_OR_MORE) return;
          gapCounts[FILTERS[f] as FilterName]++;
          oneByOne.push({ d, slot, f });
        });
        continue;
      }
      const v = run.classVerdict(g.classes[0] as ServiceClass);
      if (v === PASS || v === TWO_OR_MORE) continue;
      const n = index.countWithin(g, area0);
      if (n === 0) continue;
      gapCounts[FILTERS[v] as FilterName] += n;
      toList.push({ g, v, n });
    }
    const pooled = index.pooledClasses;
    for (const slot of index.exceptionsWithin(area0)) {
      const k = classOf[slot] as number;
      if (k < 0) continue; // removed before the groups were built: in no tree
      const d = index.distanceIfWithin(slot, area0);
      if (d < 0) continue;
      if (index.at(slot) === null) considered--; // a removed service still in the trees
      if (pooled[k] === 1) continue; // read service by service already
      const v = classVerdicts[k] as number;
      if (v === TWO_OR_MORE || v === UNKNOWN) continue;
      const f = run.verdictOfSlot(slot);
      // Counted with its class (which failed one filter), but it is removed or fails a second.
      if (v !== PASS && f !== v) gapCounts[FILTERS[v] as FilterName]--;
      // Its class passes all, and it fails exactly status or capacity.
      if (v === PASS && f !== PASS && f !== TWO_OR_MORE) {
        gapCounts[FILTERS[f] as FilterName]++;
        oneByOne.push({ d, slot, f });
      }
    }
    // Then the nearest gaps to list. Where gaps are most of the services (half or more), one
    // nearest-first walk of every service finds them soonest; else each class that has them is walked,
    // densest first, so the others stop soonest (measured: the better of the two on the bench's mix).
    let total = 0;
    for (const f of FILTERS) total += gapCounts[f];
    if (total > 0 && total * 2 >= considered) {
      const every = index.everyGroup();
      walker.start(lat0, lng0, radius);
      if (every) walker.add(every, 0);
      for (let slot = walker.next(); slot >= 0; slot = walker.next()) {
        const d = walker.distanceKm;
        if (d > nearestGaps.worst()) break;
        const f = run.verdictOfSlot(slot);
        if (f === PASS || f === TWO_OR_MORE) continue;
        nearestGaps.offer(d, slot, f);
        walker.tighten(nearestGaps.worst());
      }
    } else if (total > 0) {
      for (const x of oneByOne) nearestGaps.offer(x.d, x.slot, x.f);
      // Every class that has gaps in one walk, nearest first: the first `gapLimit` gaps it gives are the list.
      walker.start(lat0, lng0, radius);
      walker.tighten(nearestGaps.worst());
      for (const { g, v } of toList) walker.add(g, v);
      for (let slot = walker.next(); slot >= 0; slot = walker.next()) {
        const d = walker.distanceKm;
        if (d > nearestGaps.worst()) break;
        const v = walker.tag;
        if (run.verdictOfSlot(slot) !== v) continue;
        nearestGaps.offer(d, slot, v);
        walker.tighten(nearestGaps.worst());
      }
    }
  }

  const ranked = [...bestByType.values()].flat().sort(compareRanked);

  const results: DirectoryResult[] = [];
  // Services with one timetable share one verdict: its words and instants are written once.
  const timings = new Map<OpenVerdict, Timing>();
  for (const c of ranked) {
    const r = c.service.record;
    const typeName = options.typeRanks.national.get(r.typeId)?.name ?? `type ${r.typeId}`;
    const capacity = effectiveCapacity(r, at);
    const openNow = c.open.openNow;
    let timing = timings.get(c.open);
    if (!timing) {
      timing = timingOf(c.open, atMs);
      timings.set(c.open, timing);
    }
    const why = [
      `${c.distanceKm.toFixed(1)} km away, about ${c.travelMinutes} min`,
      `${typeName}: type rank ${c.typeRank.rank} (${c.typeRank.source === 'area' ? `area ${search.areaCode}` : 'national'})`,
      ...(c.ownGp ? ["the patient's own GP practice"] : []),
      ...(c.commissioned ? ["commissioned for the patient's area"] : []),
      timing.phrase,
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
      opensAt: timing.opensAt,
      closesAt: timing.closesAt,
      capacity,
      why,
    });
  }

  let fallback = false;
  if (results.length === 0) {
    fallback = true;
    // Only the groups that hold emergency departments are walked, not all 50,000 services.
    const edGroups = index.allGroups().filter((g) => g.classes.some((k) => k.like.typeId === ED_TYPE_ID));
    const eds = index.nearestIn(
      edGroups,
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
    gaps: gapList(index, search, nearestGaps),
    gapCounts,
    considered,
  };
}

/** The listed gaps, nearest first, with the reason each failed. */
function gapList(index: DirectoryIndex, search: DirectorySearch, nearest: NearestGaps): DirectoryGap[] {
  const out: { gap: DirectoryGap; d: number; slot: number }[] = [];
  const { latitude, longitude } = index.columns;
  for (const i of nearest.order()) {
    const slot = nearest.slotAt(i);
    const service = index.at(slot);
    if (!service) continue;
    const r = service.record;
    const failed = FILTERS[nearest.filterAt(i)] as FilterName;
    // The position from the columns (the record's own, copied): one record fewer read per gap.
    const d = greatCircleKm(
      search.latitude,
      search.longitude,
      latitude[slot] as number,
      longitude[slot] as number,
    );
    out.push({
      gap: { service: r, distanceKm: round2(d), failed, reason: reasons[failed](r, search) },
      d,
      slot,
    });
  }
  // Nearest first by the distance listed, from the services' current positions: the order the gaps were
  // kept in can differ from it by metres (a property run listed 17.15 km before 17.14 km), cause not yet found.
  out.sort((a, b) => a.d - b.d || a.slot - b.slot);
  return out.map((x) => x.gap);
}

interface Timing {
  readonly phrase: string;
  readonly opensAt: string | null;
  readonly closesAt: string | null;
}

function timingOf(open: OpenVerdict, atMs: number): Timing {
  const interval = open.interval;
  return {
    phrase: openingPhrase(open.openNow, interval),
    opensAt:
      interval && Number.isFinite(interval.start)
        ? new Date(Math.max(interval.start, atMs)).toISOString()
        : null,
    closesAt: interval && Number.isFinite(interval.end) ? new Date(interval.end).toISOString() : null,
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
