/**
 * Binary min-heaps over typed arrays: the simulator's event list and its free-agent list, with no
 * object per entry, so millions of calls pass through without garbage.
 */

/** Times only (when each agent is next free). */
export class TimeHeap {
  private keys: Float64Array;
  size = 0;

  constructor(capacity = 64) {
    this.keys = new Float64Array(Math.max(4, capacity));
  }

  min(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.keys[0] as number);
  }

  push(t: number): void {
    if (this.size === this.keys.length) {
      const bigger = new Float64Array(this.keys.length * 2);
      bigger.set(this.keys);
      this.keys = bigger;
    }
    const k = this.keys;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = k[parent] as number;
      if (pk <= t) break;
      k[i] = pk;
      i = parent;
    }
    k[i] = t;
  }

  pop(): number {
    const k = this.keys;
    const top = k[0] as number;
    const last = k[--this.size] as number;
    if (this.size > 0) this.siftDown(last);
    return top;
  }

  /** Replaces the smallest time (an agent takes a call and is next free at `t`). */
  replaceMin(t: number): void {
    this.siftDown(t);
  }

  private siftDown(t: number): void {
    const k = this.keys;
    const n = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = k[child] as number;
      const right = child + 1;
      if (right < n) {
        const rk = k[right] as number;
        if (rk < ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck >= t) break;
      k[i] = ck;
      i = child;
    }
    k[i] = t;
  }
}

/** Times with a 32-bit payload (an event's kind and subject, packed by the caller). */
export class EventHeap {
  private keys: Float64Array;
  private values: Int32Array;
  size = 0;

  constructor(capacity = 64) {
    this.keys = new Float64Array(Math.max(4, capacity));
    this.values = new Int32Array(Math.max(4, capacity));
  }

  minTime(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.keys[0] as number);
  }

  minValue(): number {
    return this.values[0] as number;
  }

  push(t: number, value: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      const values = new Int32Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
    }
    const k = this.keys;
    const v = this.values;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = k[parent] as number;
      if (pk <= t) break;
      k[i] = pk;
      v[i] = v[parent] as number;
      i = parent;
    }
    k[i] = t;
    v[i] = value;
  }

  /** Removes the earliest entry; read it first with minTime() / minValue(). */
  pop(): void {
    const k = this.keys;
    const v = this.values;
    const n = --this.size;
    if (n === 0) return;
    const t = k[n] as number;
    const value = v[n] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = k[child] as number;
      const right = child + 1;
      if (right < n) {
        const rk = k[right] as number;
        if (rk < ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck >= t) break;
      k[i] = ck;
      v[i] = v[child] as number;
      i = child;
    }
    k[i] = t;
    v[i] = value;
  }
}
