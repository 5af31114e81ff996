import { around } from 'geokdbush';
import KDBush from 'kdbush';
import type { ReferralRole, ServiceRecord, Sex } from './types';

const SEX_BIT: Record<Sex, number> = { female: 1, male: 2, indeterminate: 4 };
const ROLE_BIT: Record<ReferralRole, number> = { health_adviser: 1, clinician: 2 };

export const sexBit = (s: Sex): number => SEX_BIT[s];
export const roleBit = (r: ReferralRole): number => ROLE_BIT[r];

/** A service prepared for fast filtering: sets and bit masks instead of arrays. */
export interface IndexedService {
  readonly record: ServiceRecord;
  readonly dispositions: ReadonlySet<string>;
  readonly sexMask: number;
  readonly roleMask: number;
  /** Symptom group → accepted discriminators; null when the service accepts any symptom group. */
  readonly symptoms: ReadonlyMap<string, ReadonlySet<string>> | null;
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
  };
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

  constructor(records: Iterable<ServiceRecord> = []) {
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
        return;
      }
      this.slots[slot] = null;
    }
    this.slotById.set(record.id, this.slots.length);
    this.slots.push(indexed);
    this.tree = null;
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    this.slots[slot] = null;
    this.slotById.delete(id);
    return true;
  }

  private ensureTree(): KDBush {
    if (this.tree && this.treeSize === this.slots.length) return this.tree;
    // Compact away removed and moved slots before rebuilding.
    if (this.slots.length > this.slotById.size * 1.5 + 64) {
      this.slots = this.slots.filter((s): s is IndexedService => s !== null);
      this.slotById.clear();
      this.slots.forEach((s, i) => {
        if (s) this.slotById.set(s.record.id, i);
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

  /** Every service within `radiusKm` of a point, unordered. */
  within(latitude: number, longitude: number, radiusKm: number): Nearby[] {
    const tree = this.ensureTree();
    const dLat = radiusKm / 110.574;
    const dLng = radiusKm / (111.32 * Math.max(0.01, Math.cos(latitude * RAD)));
    const ids = tree.range(longitude - dLng, latitude - dLat, longitude + dLng, latitude + dLat);
    const out: Nearby[] = [];
    for (const id of ids) {
      const s = this.slots[id];
      if (!s) continue;
      const d = distanceKm(latitude, longitude, s.record.latitude, s.record.longitude);
      if (d <= radiusKm) out.push({ service: s, distanceKm: d });
    }
    return out;
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
