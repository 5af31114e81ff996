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
