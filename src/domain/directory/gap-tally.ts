import type { FilterName } from './types';

/** One service that failed exactly one filter in one search: what the gap log counts. */
export interface GapSeen {
  readonly at: Date;
  readonly areaCode: string | null;
  readonly disposition: string;
  readonly serviceId: string;
  readonly filter: FilterName;
}

/** How often a service failed a filter for a disposition, in an area, within one hour (UTC). */
export interface GapCount {
  readonly hour: Date;
  readonly areaCode: string | null;
  readonly disposition: string;
  readonly serviceId: string;
  readonly filter: FilterName;
  readonly count: number;
}

const HOUR_MS = 3_600_000;

/** The start of the hour (UTC) an instant falls in: the gap log's unit of time. */
export const hourOf = (at: Date): Date => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Gaps counted in memory between writes: a search adds its gaps (about 50) and the counts go to the
 * database together every few seconds, one row per hour, area, disposition, service and filter, instead
 * of a row per gap on every search. Bounded: past `maxKeys` different counts (a database down for long),
 * further gaps are not kept but counted in `dropped`, so the loss is told, not hidden.
 */
export class GapTally {
  private pending = new Map<string, GapCount>();
  private droppedSoFar = 0;

  constructor(private readonly maxKeys = 100_000) {}

  /** Gaps not kept because the tally was full, since it was made. */
  get dropped(): number {
    return this.droppedSoFar;
  }

  /** How many different counts wait to be written. */
  get size(): number {
    return this.pending.size;
  }

  add(gaps: readonly GapSeen[]): void {
    for (const g of gaps) this.count({ ...g, hour: hourOf(g.at), count: 1 });
  }

  /** The counts so far, leaving the tally empty (to be written). */
  take(): GapCount[] {
    const counts = [...this.pending.values()];
    this.pending = new Map();
    return counts;
  }

  /** Puts back counts that could not be written, added to any counted meanwhile. */
  restore(counts: readonly GapCount[]): void {
    for (const c of counts) this.count(c);
  }

  private count(c: GapCount): void {
    const key = [c.hour.getTime(), c.areaCode ?? '', c.disposition, c.serviceId, c.filter].join('\u0000');
    const held = this.pending.get(key);
    if (held) {
      this.pending.set(key, { ...held, count: held.count + c.count });
    } else if (this.pending.size < this.maxKeys) {
      this.pending.set(key, c);
    } else {
      this.droppedSoFar += c.count;
    }
  }
}
