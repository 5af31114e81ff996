import { around } from 'geokdbush';
import KDBush from 'kdbush';
import type { WalkTree } from './nearest-walk';
import { type CompiledOpening, compileOpening } from './opening';
import type { ReferralRole, ServiceRecord, Sex } from './types';

const SEX_BIT: Record<Sex, number> = { female: 1, male: 2, indeterminate: 4 };
const ROLE_BIT: Record<ReferralRole, number> = { health_adviser: 1, clinician: 2 };

export const sexBit = (s: Sex): number => SEX_BIT[s];

/** Disposition codes as bit positions (62 fit in two 31-bit words); codes beyond that are checked by set. */
const dispositionBits = new Map<string, number>();
export function dispositionBit(code: string): number {
  let bit = dispositionBits.get(code);
  if (bit === undefined) {
    bit = dispositionBits.size < 62 ? dispositionBits.size : -1;
    dispositionBits.set(code, bit);
  }
  return bit;
}

/** The filter fields of every slot, column by column: a search reads contiguous memory, not 50,000 objects. */
export interface IndexColumns {
  readonly latitude: Float64Array;
  readonly longitude: Float64Array;
  readonly dispositionsLo: Int32Array;
  readonly dispositionsHi: Int32Array;
  /** bit 0 active, bit 1 limited, bit 2 has dispositions beyond the bit words, bit 3 has symptom pairs. */
  readonly flags: Uint8Array;
  readonly sexMask: Uint8Array;
  readonly roleMask: Uint8Array;
  readonly ageMin: Int32Array;
  readonly ageMax: Int32Array;
  readonly redUntil: Float64Array;
  readonly area: Int32Array;
  readonly opening: Int32Array;
}

const areaIds = new Map<string, number>();
export function areaId(code: string | null): number {
  if (code === null) return -1;
  let id = areaIds.get(code);
  if (id === undefined) {
    id = areaIds.size;
    areaIds.set(code, id);
  }
  return id;
}
export const roleBit = (r: ReferralRole): number => ROLE_BIT[r];

/** A service prepared for fast filtering: sets and bit masks instead of arrays. */
export interface IndexedService {
  readonly record: ServiceRecord;
  readonly dispositions: ReadonlySet<string>;
  readonly sexMask: number;
  readonly roleMask: number;
  /** Symptom group → accepted discriminators; null when the service accepts any symptom group. */
  readonly symptoms: ReadonlyMap<string, ReadonlySet<string>> | null;
  readonly opening: CompiledOpening;
  /** Red until this instant (ms); 0 when not red. A red without a reset time stays red. */
  readonly redUntil: number;
  // The record's filter fields, copied flat so the search loop reads one object of one shape.
  readonly active: boolean;
  readonly ageMin: number;
  readonly ageMax: number;
  readonly limited: boolean;
  readonly areaCode: string;
  readonly typeId: number;
  readonly latitude: number;
  readonly longitude: number;
}

export function indexService(record: ServiceRecord): IndexedService {
  let symptoms: Map<string, Set<string>> | null = null;
  if (record.symptoms.length > 0) {
    symptoms = new Map();
    for (const p of record.symptoms) {
      const sds = symptoms.get(p.sg) ?? new Set<string>();
      sds.add(p.sd);
      symptoms.set(p.sg, sds);
    }
  }
  return {
    record,
    dispositions: new Set(record.dispositions),
    sexMask: record.sexes.reduce((m, s) => m | SEX_BIT[s], 0),
    roleMask: record.referralRoles.reduce((m, r) => m | ROLE_BIT[r], 0),
    symptoms,
    opening: compileOpening(record.openingTimes),
    redUntil:
      record.capacity.status !== 'red'
        ? 0
        : record.capacity.resetAt === null
          ? Number.POSITIVE_INFINITY
          : Date.parse(record.capacity.resetAt),
    active: record.status === 'active',
    ageMin: record.ageMinDays,
    ageMax: record.ageMaxDays,
    limited: record.limited,
    areaCode: record.areaCode,
    typeId: record.typeId,
    latitude: record.latitude,
    longitude: record.longitude,
  };
}

/**
 * The directory's acceptance rule: the service takes patients with this disposition. The index's
 * per-disposition groups, the search's disposition filter and the cases module's check of a chosen
 * service all read it here.
 */
export function acceptsDisposition(service: IndexedService, dispositionCode: string): boolean {
  return service.dispositions.has(dispositionCode);
}

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle (straight-line) distance in kilometres. */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The fields a search can decide once for many services: type, dispositions, symptom pairs, sexes,
 * referral roles, ages, timetable, and for a limited service its area. Services that agree on all of
 * them are one class, and every filter but status and capacity (which change service by service and
 * minute by minute) has the same verdict for the whole class in one search.
 */
export function classKey(s: IndexedService): string {
  const symptoms =
    s.symptoms === null
      ? '*'
      : [...s.symptoms]
          .map(([sg, sds]) => `${sg}:${[...sds].sort().join('+')}`)
          .sort()
          .join(';');
  return [
    s.typeId,
    [...s.dispositions].sort().join(','),
    symptoms,
    s.sexMask,
    s.roleMask,
    s.ageMin,
    s.ageMax,
    s.opening.id,
    s.limited ? s.areaCode : '',
  ].join('|');
}

/** A class of services (see `classKey`): `like` is any member, they agree on every field that matters. */
export interface ServiceClass {
  readonly id: number;
  readonly like: IndexedService;
}

/**
 * Services walked together, with their own k-d tree: one class, or (past MAX_GROUPS classes) the
 * smallest classes pooled. A search skips a whole group whose classes all fail, and walks a live one
 * nearest first, stopping early.
 */
export interface ServiceGroup extends WalkTree {
  readonly classes: readonly ServiceClass[];
  readonly tree: KDBush;
  readonly slots: Int32Array;
  /** The box around its services (as they were when the group was built). */
  readonly box: Box;
}

/**
 * Past this many classes (a directory where services differ one by one) the smallest are pooled into
 * one group, read service by service: the search then costs what a plain scan costs, not more.
 */
export const MAX_GROUPS = 1024;

export interface Nearby {
  readonly service: IndexedService;
  readonly distanceKm: number;
}

/**
 * The in-memory directory: every service, and a k-d tree (kdbush) over their positions. Built from the
 * database at start and kept current on every change: a capacity or detail change replaces the record
 * in place; a new service or a move marks the tree stale, and it is rebuilt before the next query.
 */
export class DirectoryIndex {
  private slots: (IndexedService | null)[] = [];
  private readonly slotById = new Map<string, number>();
  private tree: KDBush | null = null;
  private treeSize = 0;
  private cols: IndexColumns = DirectoryIndex.columnsFor(0);
  private groups: ServiceGroup[] | null = null;
  private groupsByDisposition = new Map<string, ServiceGroup[]>();
  private acceptingByDisposition = new Map<string, Uint8Array>();
  private classOfSlot = new Int32Array(0);
  private classList: ServiceClass[] = [];
  private classPooled = new Uint8Array(0);
  /** Every service in one tree with small leaves: counts `considered` with a thin rim, and finds common gaps. */
  private everyService: ServiceGroup | null = null;
  private readonly exceptional = new Set<number>();
  private exceptionList: { slots: Int32Array; tree: KDBush } | null = null;
  /** What `exceptionsWithin` returns a view of: reused, so a search allocates no list of them. */
  private exceptionBuffer = new Int32Array(0);

  private static columnsFor(n: number): IndexColumns {
    return {
      latitude: new Float64Array(n),
      longitude: new Float64Array(n),
      dispositionsLo: new Int32Array(n),
      dispositionsHi: new Int32Array(n),
      flags: new Uint8Array(n),
      sexMask: new Uint8Array(n),
      roleMask: new Uint8Array(n),
      ageMin: new Int32Array(n),
      ageMax: new Int32Array(n),
      redUntil: new Float64Array(n),
      area: new Int32Array(n),
      opening: new Int32Array(n),
    };
  }

  private writeColumns(slot: number, s: IndexedService | null): void {
    if (slot >= this.cols.latitude.length) {
      const bigger = DirectoryIndex.columnsFor(Math.max(64, slot * 2));
      for (const key of Object.keys(bigger) as (keyof IndexColumns)[]) {
        (bigger[key] as Float64Array).set(this.cols[key] as Float64Array);
      }
      this.cols = bigger;
    }
    const c = this.cols;
    // Removed, inactive or ever red: the few services a count of a class cannot take on trust.
    if (s === null || !s.active || s.redUntil > 0) this.exceptional.add(slot);
    else this.exceptional.delete(slot);
    this.exceptionList = null;
    if (!s) {
      c.flags[slot] = 0;
      c.dispositionsLo[slot] = 0;
      c.dispositionsHi[slot] = 0;
      return;
    }
    let lo = 0;
    let hi = 0;
    let overflow = 0;
    for (const d of s.dispositions) {
      const bit = dispositionBit(d);
      if (bit < 0) overflow = 4;
      else if (bit < 31) lo |= 1 << bit;
      else hi |= 1 << (bit - 31);
    }
    c.latitude[slot] = s.latitude;
    c.longitude[slot] = s.longitude;
    c.dispositionsLo[slot] = lo;
    c.dispositionsHi[slot] = hi;
    c.flags[slot] = (s.active ? 1 : 0) | (s.limited ? 2 : 0) | overflow | (s.symptoms !== null ? 8 : 0);
    c.sexMask[slot] = s.sexMask;
    c.roleMask[slot] = s.roleMask;
    c.ageMin[slot] = s.ageMin;
    c.ageMax[slot] = s.ageMax;
    c.redUntil[slot] = s.redUntil;
    c.area[slot] = areaId(s.areaCode);
    c.opening[slot] = s.opening.id;
  }

  /** The columns, for the search loop (read only). Call after `scanSlots` has built the tree. */
  get columns(): IndexColumns {
    return this.cols;
  }

  /** The service in a slot (null for a removed one). */
  at(slot: number): IndexedService | null {
    return this.slots[slot] ?? null;
  }

  private readonly maxGroups: number;

  /** `maxGroups` (default MAX_GROUPS): past it, the smallest classes share one pooled group. */
  constructor(records: Iterable<ServiceRecord> = [], options: { maxGroups?: number } = {}) {
    this.maxGroups = Math.max(1, options.maxGroups ?? MAX_GROUPS);
    for (const r of records) this.upsert(r);
  }

  get size(): number {
    return this.slotById.size;
  }

  get(id: string): ServiceRecord | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : (this.slots[slot]?.record ?? undefined);
  }

  *records(): IterableIterator<ServiceRecord> {
    for (const s of this.slots) if (s) yield s.record;
  }

  upsert(record: ServiceRecord): void {
    const indexed = indexService(record);
    const slot = this.slotById.get(record.id);
    if (slot !== undefined) {
      const old = this.slots[slot];
      if (old && old.record.latitude === record.latitude && old.record.longitude === record.longitude) {
        this.slots[slot] = indexed;
        this.writeColumns(slot, indexed);
        // Status and capacity are read per service; any other change may move it to another class.
        if (classKey(old) !== classKey(indexed)) this.dropGroups();
        return;
      }
      this.slots[slot] = null;
      this.writeColumns(slot, null);
    }
    this.slotById.set(record.id, this.slots.length);
    this.writeColumns(this.slots.length, indexed);
    this.slots.push(indexed);
    this.tree = null;
    this.dropGroups();
  }

  private dropGroups(): void {
    this.groups = null;
    this.groupsByDisposition.clear();
    this.acceptingByDisposition.clear();
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    this.slots[slot] = null;
    this.writeColumns(slot, null);
    this.slotById.delete(id);
    return true;
  }

  private ensureTree(): KDBush {
    if (this.tree && this.treeSize === this.slots.length) return this.tree;
    // Compact away removed and moved slots before rebuilding.
    if (this.slots.length > this.slotById.size * 1.5 + 64) {
      this.slots = this.slots.filter((s): s is IndexedService => s !== null);
      this.slotById.clear();
      this.cols = DirectoryIndex.columnsFor(this.slots.length);
      this.exceptional.clear();
      this.slots.forEach((s, i) => {
        if (s) this.slotById.set(s.record.id, i);
        this.writeColumns(i, s);
      });
    }
    const tree = new KDBush(Math.max(1, this.slots.length), 64, Float64Array);
    for (const s of this.slots) {
      if (s) tree.add(s.record.longitude, s.record.latitude);
      else tree.add(0, -90); // a removed slot: a point nowhere near England, skipped on read
    }
    if (this.slots.length === 0) tree.add(0, -90);
    tree.finish();
    this.tree = tree;
    this.treeSize = this.slots.length;
    return tree;
  }

  /** Every group, built on first use (after the tree, whose compaction renumbers slots). */
  allGroups(): readonly ServiceGroup[] {
    this.ensureTree();
    if (this.groups) return this.groups;
    const classByKey = new Map<string, { cls: ServiceClass; slots: number[] }>();
    const classOf = new Int32Array(this.slots.length).fill(-1);
    const members: { cls: ServiceClass; slots: number[] }[] = [];
    this.slots.forEach((s, slot) => {
      if (!s) return;
      const key = classKey(s);
      let m = classByKey.get(key);
      if (!m) {
        m = { cls: { id: members.length, like: s }, slots: [] };
        classByKey.set(key, m);
        members.push(m);
      }
      m.slots.push(slot);
      classOf[slot] = m.cls.id;
    });
    // Largest classes get their own group; past MAX_GROUPS - 1, the rest share one.
    const bySize = [...members].sort((x, y) => y.slots.length - x.slots.length);
    const max = this.maxGroups;
    const own = members.length <= max ? bySize : bySize.slice(0, max - 1);
    const pooled = members.length <= max ? [] : bySize.slice(max - 1);
    const sets = own.map((m) => ({ classes: [m.cls], slots: m.slots }));
    if (pooled.length > 0)
      sets.push({ classes: pooled.map((m) => m.cls), slots: pooled.flatMap((m) => m.slots) });
    this.groups = sets.map((g) => ({
      classes: g.classes,
      slots: Int32Array.from(g.slots),
      ...this.treeOf(g.slots, 16),
    }));
    const every = members.flatMap((m) => m.slots);
    this.everyService =
      every.length > 0 ? { classes: [], slots: Int32Array.from(every), ...this.treeOf(every, 8) } : null;
    this.classOfSlot = classOf;
    this.classList = members.map((m) => m.cls);
    this.classPooled = new Uint8Array(members.length);
    for (const m of pooled) this.classPooled[m.cls.id] = 1;
    return this.groups;
  }

  /** A k-d tree over some slots (its ids index `slots`), their box, and cos(latitude) by tree position. */
  private treeOf(
    slots: readonly number[],
    nodeSize: number,
  ): { tree: KDBush; box: Box; cosLat: Float64Array } {
    const tree = new KDBush(slots.length, nodeSize, Float64Array);
    const box = { minX: 180, minY: 90, maxX: -180, maxY: -90 };
    for (const slot of slots) {
      const x = this.cols.longitude[slot] as number;
      const y = this.cols.latitude[slot] as number;
      tree.add(x, y);
      box.minX = Math.min(box.minX, x);
      box.maxX = Math.max(box.maxX, x);
      box.minY = Math.min(box.minY, y);
      box.maxY = Math.max(box.maxY, y);
    }
    tree.finish();
    const cosLat = new Float64Array(slots.length);
    for (let i = 0; i < slots.length; i++) cosLat[i] = Math.cos((tree.coords[2 * i + 1] as number) * RAD);
    return { tree, box, cosLat };
  }

  /** The class id of every slot (-1 for none); read after `allGroups`. */
  get classOf(): Int32Array {
    return this.classOfSlot;
  }

  /** 1 for a class that shares a pooled group (read service by service), by class id; after `allGroups`. */
  get pooledClasses(): Uint8Array {
    return this.classPooled;
  }

  /**
   * The slots of every removed, inactive or ever-red service in the circle's box: all a search must
   * read one by one besides the groups it walks, as every other service of a class shares the
   * class's verdict. Kept in a k-d tree of their own, rebuilt on the next search after one changes.
   */
  exceptionsWithin(c: Circle): Int32Array {
    if (!this.exceptionList) {
      const slots = Int32Array.from(this.exceptional);
      const tree = new KDBush(Math.max(1, slots.length), 16, Float64Array);
      for (const slot of slots)
        tree.add(this.cols.longitude[slot] as number, this.cols.latitude[slot] as number);
      if (slots.length === 0) tree.add(0, -90);
      tree.finish();
      this.exceptionList = { slots, tree };
    }
    const { slots, tree } = this.exceptionList;
    if (slots.length === 0) return this.exceptionBuffer.subarray(0, 0); // the tree holds only a placeholder
    if (this.exceptionBuffer.length < slots.length) this.exceptionBuffer = new Int32Array(slots.length);
    const n = rangeInto(tree, slots, c.box, this.exceptionBuffer);
    return this.exceptionBuffer.subarray(0, n);
  }

  /** Every class, by id; read after `allGroups`. */
  get classes(): readonly ServiceClass[] {
    return this.classList;
  }

  /** The nearest services of the given groups that satisfy `accept`, nearest first, at any distance. */
  nearestIn(
    groups: readonly ServiceGroup[],
    latitude: number,
    longitude: number,
    count: number,
    accept: (s: IndexedService) => boolean,
  ): Nearby[] {
    const found: Nearby[] = [];
    for (const g of groups) {
      const ids = around(g.tree, longitude, latitude, count, undefined, (i) => {
        const s = this.slots[g.slots[i] as number];
        return s !== null && s !== undefined && accept(s);
      });
      for (const i of ids) {
        const s = this.slots[g.slots[i] as number];
        if (s)
          found.push({
            service: s,
            distanceKm: distanceKm(latitude, longitude, s.record.latitude, s.record.longitude),
          });
      }
    }
    return found
      .sort(
        (a, b) =>
          a.distanceKm - b.distanceKm ||
          (a.service.record.id < b.service.record.id
            ? -1
            : a.service.record.id > b.service.record.id
              ? 1
              : 0),
      )
      .slice(0, count);
  }

  /** How many classes there are; read after `allGroups`. */
  get classCount(): number {
    return this.classList.length;
  }

  /** 1 for each class (by id) that accepts the disposition, else 0: a search reads it, not each class's set. */
  classesAccepting(disposition: string): Uint8Array {
    this.allGroups();
    let accepting = this.acceptingByDisposition.get(disposition);
    if (!accepting) {
      accepting = new Uint8Array(this.classList.length);
      for (const k of this.classList) accepting[k.id] = acceptsDisposition(k.like, disposition) ? 1 : 0;
      this.acceptingByDisposition.set(disposition, accepting);
    }
    return accepting;
  }

  /** The groups holding a class that accepts the disposition: the only ones a ranked answer can come from. */
  groupsFor(disposition: string): readonly ServiceGroup[] {
    const all = this.allGroups();
    let groups = this.groupsByDisposition.get(disposition);
    if (!groups) {
      groups = all.filter((g) => g.classes.some((k) => acceptsDisposition(k.like, disposition)));
      this.groupsByDisposition.set(disposition, groups);
    }
    return groups;
  }

  /** One group of every service (as of when the groups were built), for a walk of them all; null when empty. */
  everyGroup(): ServiceGroup | null {
    this.allGroups();
    return this.everyService;
  }

  /** Visits every service of a group within `radiusKm` (unordered), with its distance; returns how many. */
  scanGroup(
    g: ServiceGroup,
    latitude: number,
    longitude: number,
    radiusKm: number,
    visit: ((slot: number, distanceKm: number) => void) | null,
  ): number {
    return this.scanTree(g.tree, g.slots, latitude, longitude, radiusKm, visit);
  }

  /**
   * How many of a group's slots lie within `radiusKm` (removed ones included: the caller subtracts
   * them with the exceptions). The same decision as `scanSlots` point by point, but a k-d node whose
   * four corners are well inside the circle is counted whole, unread: the cost follows the circle's
   * rim, not its area.
   */
  countWithin(g: ServiceGroup, c: Circle): number {
    return countInCircle(g.tree, g.box, c);
  }

  /**
   * How many services lie within the circle (removed ones since the groups were built included:
   * they are among the exceptions). One k-d tree of every service, with small leaves, so its rim is thin.
   */
  countAll(c: Circle): number {
    this.allGroups();
    const all = this.everyService;
    return all ? countInCircle(all.tree, all.box, c) : 0;
  }

  /** The distance of a slot if it lies within `radiusKm` (the same decision as `scanSlots`), else -1. */
  distanceIfWithin(slot: number, c: Circle): number {
    const sLat = this.cols.latitude[slot] as number;
    const sLng = this.cols.longitude[slot] as number;
    if (!c.within(sLat, sLng)) return -1;
    return distanceKm(c.latitude, c.longitude, sLat, sLng);
  }

  /** Every service within `radiusKm` of a point, unordered. */
  within(latitude: number, longitude: number, radiusKm: number): Nearby[] {
    const out: Nearby[] = [];
    this.scan(latitude, longitude, radiusKm, (service, distanceKm) => {
      out.push({ service, distanceKm });
    });
    return out;
  }

  /** Visits every service within `radiusKm` of a point (unordered), with its distance, allocating nothing per service. */
  scan(
    latitude: number,
    longitude: number,
    radiusKm: number,
    visit: (s: IndexedService, distanceKm: number) => void,
  ): number {
    return this.scanSlots(latitude, longitude, radiusKm, (slot, d) => {
      const s = this.slots[slot];
      if (s) visit(s, d);
    });
  }

  /** Visits the slot of every service within `radiusKm` (unordered), with its great-circle distance. */
  scanSlots(
    latitude: number,
    longitude: number,
    radiusKm: number,
    visit: (slot: number, distanceKm: number) => void,
  ): number {
    return this.scanTree(this.ensureTree(), null, latitude, longitude, radiusKm, visit);
  }

  /** A range query on a tree whose ids are slots (`slots` null) or index `slots`; `visit` null only counts. */
  private scanTree(
    tree: KDBush,
    slots: Int32Array | null,
    latitude: number,
    longitude: number,
    radiusKm: number,
    visit: ((slot: number, distanceKm: number) => void) | null,
  ): number {
    const box = searchBox(latitude, longitude, radiusKm);
    const ids = tree.range(box.minX, box.minY, box.maxX, box.maxY);
    const lat = this.cols.latitude;
    const lng = this.cols.longitude;
    const flags = this.cols.flags;
    const cosLat = Math.cos(latitude * RAD);
    const kmPerDegree = EARTH_RADIUS_KM * RAD;
    const inner = radiusKm * 0.98;
    const outer = radiusKm * 1.02;
    let n = 0;
    for (let k = 0; k < ids.length; k++) {
      const slot = slots ? (slots[ids[k] as number] as number) : (ids[k] as number);
      if (flags[slot] === 0 && this.slots[slot] === null) continue;
      // A flat-earth distance decides all but the services near the edge, which get the great circle.
      const sLat = lat[slot] as number;
      const sLng = lng[slot] as number;
      const x = (sLng - longitude) * cosLat;
      const y = sLat - latitude;
      const flat = kmPerDegree * Math.sqrt(x * x + y * y);
      const d = flat < inner || flat > outer ? flat : distanceKm(latitude, longitude, sLat, sLng);
      if (d <= radiusKm) {
        n++;
        visit?.(slot, d);
      }
    }
    return n;
  }

  /** The nearest services that satisfy `accept`, nearest first, at any distance. */
  nearest(
    latitude: number,
    longitude: number,
    count: number,
    accept: (s: IndexedService) => boolean,
  ): Nearby[] {
    const tree = this.ensureTree();
    const ids = around(tree, longitude, latitude, count, undefined, (id) => {
      const s = this.slots[id];
      return s !== null && s !== undefined && accept(s);
    });
    return ids.flatMap((id) => {
      const s = this.slots[id];
      return s
        ? [{ service: s, distanceKm: distanceKm(latitude, longitude, s.record.latitude, s.record.longitude) }]
        : [];
    });
  }
}

type Box = { minX: number; minY: number; maxX: number; maxY: number };

const KM_PER_DEGREE = EARTH_RADIUS_KM * RAD;

/** A search's circle, prepared once: its box, its "within" test, and the radius a whole node must be inside. */
export class Circle {
  readonly box: Box;
  readonly cosLat: number;
  /** Flat-earth distances below `inner` or above `outer` decide "within"; between them, the great circle. */
  readonly inner: number;
  readonly outer: number;

  constructor(
    readonly latitude: number,
    readonly longitude: number,
    readonly radiusKm: number,
  ) {
    this.box = searchBox(latitude, longitude, radiusKm);
    this.cosLat = Math.cos(latitude * RAD);
    this.inner = radiusKm * 0.98;
    this.outer = radiusKm * 1.02;
  }

  /**
   * "Within the radius", as every scan decides it: a flat-earth distance decides all but the points
   * near the rim, which get the great circle.
   */
  within(sLat: number, sLng: number): boolean {
    const box = this.box;
    if (sLng < box.minX || sLng > box.maxX || sLat < box.minY || sLat > box.maxY) return false;
    const x = (sLng - this.longitude) * this.cosLat;
    const y = sLat - this.latitude;
    const flat = KM_PER_DEGREE * Math.sqrt(x * x + y * y);
    const d =
      flat < this.inner || flat > this.outer ? flat : distanceKm(this.latitude, this.longitude, sLat, sLng);
    return d <= this.radiusKm;
  }
}

export function circle(latitude: number, longitude: number, radiusKm: number): Circle {
  return new Circle(latitude, longitude, radiusKm);
}

/**
 * The longitude/latitude box that holds a circle. A degree of longitude is shortest at the box's
 * poleward edge: size the box there, or services within the radius but north (or south) of the
 * centre fall outside it.
 */
function searchBox(latitude: number, longitude: number, radiusKm: number): Box {
  const dLat = radiusKm / 110.574;
  const poleward = Math.min(89, Math.abs(latitude) + dLat);
  const dLng = radiusKm / (111.32 * Math.max(0.01, Math.cos(poleward * RAD)));
  return { minX: longitude - dLng, minY: latitude - dLat, maxX: longitude + dLng, maxY: latitude + dLat };
}

/** The nodes still to read by `countInCircle`, seven numbers each; reused (a count runs to the end). */
let countStack = new Float64Array(7 * 64);

/** The kdbush range query, writing `slots[id]` of each point in the box into `out`; returns how many. */
function rangeInto(tree: KDBush, slots: Int32Array, box: Box, out: Int32Array): number {
  const { ids, coords, nodeSize } = tree;
  const { minX, minY, maxX, maxY } = box;
  let stack = countStack;
  stack[0] = 0;
  stack[1] = ids.length - 1;
  stack[2] = 0;
  let top = 3;
  let n = 0;
  while (top > 0) {
    top -= 3;
    const left = stack[top] as number;
    const right = stack[top + 1] as number;
    const axis = stack[top + 2] as number;
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++) {
        const x = coords[2 * i] as number;
        const y = coords[2 * i + 1] as number;
        if (x >= minX && x <= maxX && y >= minY && y <= maxY) out[n++] = slots[ids[i] as number] as number;
      }
      continue;
    }
    const m = (left + right) >> 1;
    const x = coords[2 * m] as number;
    const y = coords[2 * m + 1] as number;
    if (x >= minX && x <= maxX && y >= minY && y <= maxY) out[n++] = slots[ids[m] as number] as number;
    if (top + 6 > stack.length) {
      const bigger = new Float64Array(stack.length * 2);
      bigger.set(stack);
      countStack = bigger;
      stack = bigger;
    }
    if (axis === 0 ? minX <= x : minY <= y) {
      stack[top++] = left;
      stack[top++] = m - 1;
      stack[top++] = 1 - axis;
    }
    if (axis === 0 ? maxX >= x : maxY >= y) {
      stack[top++] = m + 1;
      stack[top++] = right;
      stack[top++] = 1 - axis;
    }
  }
  return n;
}

/** A count of a tree's points within a circle: see `DirectoryIndex.countWithin`. */
function countInCircle(tree: KDBush, bounds: Box, c: Circle): number {
  const box = c.box;
  if (bounds.maxX < box.minX || bounds.minX > box.maxX || bounds.maxY < box.minY || bounds.minY > box.maxY)
    return 0;
  const ids = tree.ids;
  const coords = tree.coords;
  const nodeSize = tree.nodeSize;
  const { latitude, longitude, cosLat, inner, outer } = c;
  // [left, right, axis, minX, minY, maxX, maxY] per node still to read.
  let stack = countStack;
  stack[0] = 0;
  stack[1] = ids.length - 1;
  stack[2] = 0;
  stack[3] = bounds.minX;
  stack[4] = bounds.minY;
  stack[5] = bounds.maxX;
  stack[6] = bounds.maxY;
  let top = 7;
  let n = 0;
  while (top > 0) {
    top -= 7;
    const left = stack[top] as number;
    const right = stack[top + 1] as number;
    const axis = stack[top + 2] as number;
    const minX = stack[top + 3] as number;
    const minY = stack[top + 4] as number;
    const maxX = stack[top + 5] as number;
    const maxY = stack[top + 6] as number;
    if (maxX < box.minX || minX > box.maxX || maxY < box.minY || minY > box.maxY) continue;
    // The flat-earth distance grows with each of |Δlongitude| and |Δlatitude|, so over a node it is
    // least at its nearest point and greatest at its farthest corner. Nearest beyond the rim band:
    // every point is out, as `within` decides it. Farthest corner inside the band, and the node
    // inside the box: every point is in. Either way the node is not read.
    const nx = (longitude < minX ? minX - longitude : longitude > maxX ? longitude - maxX : 0) * cosLat;
    const ny = latitude < minY ? minY - latitude : latitude > maxY ? latitude - maxY : 0;
    if (KM_PER_DEGREE * Math.sqrt(nx * nx + ny * ny) > outer) continue;
    if (minX >= box.minX && maxX <= box.maxX && minY >= box.minY && maxY <= box.maxY) {
      const fx = Math.max(Math.abs(minX - longitude), Math.abs(maxX - longitude)) * cosLat;
      const fy = Math.max(Math.abs(minY - latitude), Math.abs(maxY - latitude));
      if (KM_PER_DEGREE * Math.sqrt(fx * fx + fy * fy) < inner) {
        n += right - left + 1;
        continue;
      }
    }
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++)
        if (c.within(coords[2 * i + 1] as number, coords[2 * i] as number)) n++;
      continue;
    }
    const m = (left + right) >> 1;
    const x = coords[2 * m] as number;
    const y = coords[2 * m + 1] as number;
    if (c.within(y, x)) n++;
    if (top + 14 > stack.length) {
      const bigger = new Float64Array(stack.length * 2);
      bigger.set(stack);
      countStack = bigger;
      stack = bigger;
    }
    stack[top] = left;
    stack[top + 1] = m - 1;
    stack[top + 2] = 1 - axis;
    stack[top + 7] = m + 1;
    stack[top + 8] = right;
    stack[top + 9] = 1 - axis;
    if (axis === 0) {
      stack[top + 3] = minX;
      stack[top + 4] = minY;
      stack[top + 5] = x;
      stack[top + 6] = maxY;
      stack[top + 10] = x;
      stack[top + 11] = minY;
      stack[top + 12] = maxX;
      stack[top + 13] = maxY;
    } else {
      stack[top + 3] = minX;
      stack[top + 4] = minY;
      stack[top + 5] = maxX;
      stack[top + 6] = y;
      stack[top + 10] = minX;
      stack[top + 11] = y;
      stack[top + 12] = maxX;
      stack[top + 13] = maxY;
    }
    top += 14;
  }
  return n;
}

/** The postcode district whose centroid is nearest a point: how a bare latitude/longitude finds its area. */
export function nearestDistrict<T extends { latitude: number; longitude: number }>(
  districts: Iterable<T>,
  latitude: number,
  longitude: number,
): T | undefined {
  let best: T | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  const k = Math.cos(latitude * RAD);
  for (const d of districts) {
    const dy = d.latitude - latitude;
    const dx = (d.longitude - longitude) * k;
    const dist = dx * dx + dy * dy;
    if (dist < bestD) {
      bestD = dist;
      best = d;
    }
  }
  return best;
}
