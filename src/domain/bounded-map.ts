/**
 * A cache that holds at most `max` entries: when full, the oldest goes (a Map keeps its keys in insertion
 * order). First in, first out rather than least recently used, so a hit costs one lookup and nothing
 * more: these caches sit on the Directory search's hot path, and a value forgotten is only made again.
 * For caches keyed by what a request sends, which could otherwise grow with every key a caller thinks of.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new Error(`a cache holds 1 entry or more, not ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value for `key`, made by `make` (and kept) when it is not held. */
  get(key: K, make: (key: K) => V): V {
    const held = this.entries.get(key);
    if (held !== undefined) return held;
    const value = make(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }
}
