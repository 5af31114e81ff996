import type KDBush from 'kdbush';

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;
/** A node's bound is shrunk by this much, so rounding can never make it prune a point it holds. */
const SLACK = 1e-9;

/** What a walk reads of a k-d tree: the tree, the slot of each of its ids, its box, cos(latitude) by position. */
export interface WalkTree {
  readonly tree: KDBush;
  readonly slots: Int32Array;
  readonly box: { minX: number; minY: number; maxX: number; maxY: number };
  /** Math.cos(latitude × π/180) of the point at each position of `tree.coords`: read, not recomputed. */
  readonly cosLat: Float64Array;
}

/**
 * A nearest-first walk over one or more k-d trees at once, in exact great-circle order: `next()`
 * gives the nearest service not yet given, so a caller stops the moment it has what it needs.
 *
 * geokdbush (which the search used before) checks every service of a node when it opens the node,
 * in no order, and allocates an object per node and per service. Here one priority queue holds
 * nodes, keyed by a lower bound of the haversine term of any point in their box, and services,
 * keyed by their exact haversine term (the one `distanceKm` computes, so distances and their order
 * are the same to the last bit); only a service taken from the queue pays for the square root and
 * arcsine. The queue lives in typed arrays reused from one walk to the next: a search allocates nothing.
 */
export class NearestWalk {
  /** The distance (km) of the service `next()` last gave. */
  distanceKm = 0;
  /** The tag of the tree it came from (`add`). */
  tag = 0;

  // Entries, in a pool that only grows within a walk: key, and for a node its range, axis and box.
  private key = new Float64Array(1024);
  /** A node's left index, or for a service its slot. */
  private left = new Int32Array(1024);
  /** A node's right index, or -1 for a service. */
  private right = new Int32Array(1024);
  private axis = new Uint8Array(1024);
  private treeOf = new Int32Array(1024);
  private box = new Float64Array(4096);
  private size = 0;
  /** A binary min-heap of entry numbers, on `key`. */
  private heap = new Int32Array(1024);
  private heapSize = 0;
  private trees: WalkTree[] = [];
  private tags: number[] = [];

  private lat = 0;
  private lng = 0;
  private cos0 = 1;
  private radiusKm = 0;
  /** Services and nodes whose key passes this are never queued (the radius, or a caller's tighter bound). */
  private maxKey = 0;

  /** Starts a new walk around a point, within a radius. */
  start(latitude: number, longitude: number, radiusKm: number): void {
    this.lat = latitude;
    this.lng = longitude;
    this.cos0 = Math.cos(latitude * RAD);
    this.radiusKm = radiusKm;
    this.maxKey = NearestWalk.keyOf(radiusKm) * (1 + SLACK);
    this.size = 0;
    this.heapSize = 0;
    this.trees.length = 0;
    this.tags.length = 0;
  }

  /** Adds a tree to the walk; services from it come back with `tag`. */
  add(t: WalkTree, tag: number): void {
    if (t.tree.ids.length === 0) return;
    this.trees.push(t);
    this.tags.push(tag);
    const e = this.entry();
    const b = 4 * e;
    this.box[b] = t.box.minX;
    this.box[b + 1] = t.box.minY;
    this.box[b + 2] = t.box.maxX;
    this.box[b + 3] = t.box.maxY;
    this.queueNode(e, 0, t.tree.ids.length - 1, 0, this.trees.length - 1);
  }

  /** Nothing farther than this (km) is wanted any more: it is not queued (what is queued still comes). */
  tighten(km: number): void {
    const k = NearestWalk.keyOf(km) * (1 + SLACK);
    if (k < this.maxKey) this.maxKey = k;
  }

  /** The slot of the nearest service not yet given, within the radius; -1 when there is none. */
  next(): number {
    while (this.heapSize > 0) {
      const e = this.pop();
      if (this.right[e] === -1) {
        const d = 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(this.key[e] as number)));
        if (d > this.radiusKm) continue;
        this.distanceKm = d;
        this.tag = this.tags[this.treeOf[e] as number] as number;
        return this.left[e] as number;
      }
      this.open(e);
    }
    return -1;
  }

  /**
   * Queues a node's services (a leaf) or its middle service and two halves. (Boxes go through the
   * typed arrays, not as arguments: a double passed to a call that is not inlined is boxed, and
   * that was most of what a walk allocated.)
   */
  private open(e: number): void {
    const ti = this.treeOf[e] as number;
    const t = this.trees[ti] as WalkTree;
    const coords = t.tree.coords;
    const left = this.left[e] as number;
    const right = this.right[e] as number;
    if (right - left <= t.tree.nodeSize) {
      for (let i = left; i <= right; i++) this.queuePoint(t, ti, i);
      return;
    }
    const m = (left + right) >> 1;
    this.queuePoint(t, ti, m);
    const axis = this.axis[e] as number;
    const next = 1 - axis;
    const b = 4 * e;
    if (m - 1 >= left) {
      const l = this.entry();
      this.box.copyWithin(4 * l, b, b + 4);
      this.box[4 * l + 2 + axis] = coords[2 * m + axis] as number; // its max on the split axis
      this.queueNode(l, left, m - 1, next, ti);
    }
    if (right >= m + 1) {
      const r = this.entry();
      this.box.copyWithin(4 * r, b, b + 4);
      this.box[4 * r + axis] = coords[2 * m + axis] as number; // its min on the split axis
      this.queueNode(r, m + 1, right, next, ti);
    }
  }

  /** Queues a node whose box is written at entry `e`, unless no point in it can be within reach. */
  private queueNode(e: number, left: number, right: number, axis: number, ti: number): void {
    const lb = this.boxKey(e);
    if (lb > this.maxKey) {
      this.size--; // the last entry taken: give it back
      return;
    }
    this.key[e] = lb;
    this.left[e] = left;
    this.right[e] = right;
    this.axis[e] = axis;
    this.treeOf[e] = ti;
    this.push(e);
  }

  /** A service: its exact haversine term, as `distanceKm` in spatial.ts computes it. */
  private queuePoint(t: WalkTree, ti: number, i: number): void {
    const coords = t.tree.coords;
    const dLat = ((coords[2 * i + 1] as number) - this.lat) * RAD;
    const dLng = ((coords[2 * i] as number) - this.lng) * RAD;
    const a = Math.sin(dLat / 2) ** 2 + this.cos0 * (t.cosLat[i] as number) * Math.sin(dLng / 2) ** 2;
    if (a > this.maxKey) return;
    const e = this.entry();
    this.key[e] = a;
    this.left[e] = t.slots[t.tree.ids[i] as number] as number;
    this.right[e] = -1;
    this.treeOf[e] = ti;
    this.push(e);
  }

  /**
   * A lower bound of the haversine term of any point in entry `e`'s box: each of its two terms at
   * its least (the nearest latitude, the nearest longitude, the smallest cosine, at the poleward edge).
   */
  private boxKey(e: number): number {
    const b = 4 * e;
    const minX = this.box[b] as number;
    const minY = this.box[b + 1] as number;
    const maxX = this.box[b + 2] as number;
    const maxY = this.box[b + 3] as number;
    const lat = this.lat;
    const lng = this.lng;
    const dLat = lat < minY ? minY - lat : lat > maxY ? lat - maxY : 0;
    let dLng = lng < minX ? minX - lng : lng > maxX ? lng - maxX : 0;
    if (dLng > 180) dLng = 0; // across the antimeridian: no bound from longitude
    const cosMin = Math.cos(Math.min(90, Math.max(Math.abs(minY), Math.abs(maxY))) * RAD);
    const sLat = Math.sin((dLat * RAD) / 2);
    const sLng = Math.sin((dLng * RAD) / 2);
    return (sLat * sLat + this.cos0 * Math.max(0, cosMin) * sLng * sLng) * (1 - SLACK);
  }

  private static keyOf(km: number): number {
    const s = Math.sin(Math.min(Math.PI / 2, km / (2 * EARTH_RADIUS_KM)));
    return s * s;
  }

  private entry(): number {
    if (this.size === this.key.length) this.grow();
    return this.size++;
  }

  private grow(): void {
    const n = this.key.length * 2;
    const more = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.key = more(this.key, (k) => new Float64Array(k));
    this.left = more(this.left, (k) => new Int32Array(k));
    this.right = more(this.right, (k) => new Int32Array(k));
    this.axis = more(this.axis, (k) => new Uint8Array(k));
    this.treeOf = more(this.treeOf, (k) => new Int32Array(k));
    this.heap = more(this.heap, (k) => new Int32Array(k));
    const box = new Float64Array(4 * n);
    box.set(this.box);
    this.box = box;
  }

  private push(e: number): void {
    const heap = this.heap;
    const key = this.key;
    const k = key[e] as number;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as number;
      if ((key[p] as number) <= k) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = e;
  }

  private pop(): number {
    const heap = this.heap;
    const key = this.key;
    const top = heap[0] as number;
    const n = --this.heapSize;
    if (n === 0) return top;
    const last = heap[n] as number;
    const k = key[last] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (key[heap[r] as number] as number) < (key[heap[c] as number] as number)) c = r;
      if ((key[heap[c] as number] as number) >= k) break;
      heap[i] = heap[c] as number;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}
