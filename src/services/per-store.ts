import type { Store } from '../store/db';

/**
 * One value per store in this process, made on first use, so every service context over the same store
 * (two apps on one PGlite in a test, or a node's contexts) shares it: a node's caches of that store.
 */
export function perStore<T>(make: (store: Store) => T): (store: Store) => T {
  const held = new WeakMap<Store['pool'], T>();
  return (store) => {
    let value = held.get(store.pool);
    if (value === undefined) {
      value = make(store);
      held.set(store.pool, value);
    }
    return value;
  };
}

/**
 * A node's cache of what other nodes may change, trusted only while this process hears their
 * announcements (LISTEN on PostgreSQL; on PGlite the one process is every node, so always). The
 * subclass forgets everything when the last listener stops, since from then on it could go stale unheard.
 */
export abstract class HeardCache {
  private listeners = 0;

  constructor(private readonly needsListener: boolean) {}

  /** Whether what is held may be used now. */
  protected get trusted(): boolean {
    return !this.needsListener || this.listeners > 0;
  }

  abstract forgetAll(): void;

  /** This process now hears the announcements (until the returned function is called). */
  listening(): () => void {
    this.listeners += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.listeners -= 1;
      if (this.listeners === 0) this.forgetAll();
    };
  }
}
