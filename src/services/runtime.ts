import { migrate, openStore, type Store, type StoreOptions } from '../store/db';

/**
 * Opening the store the service runs on, for the command line and the server's start: the edges never
 * reach into the store themselves.
 */
export type { Store, StoreOptions };

/** Opens the store and brings its schema up to date. */
export async function openMigratedStore(options: StoreOptions): Promise<Store> {
  const store = await openStore(options);
  await migrate(store.db);
  return store;
}

/** Brings the schema up to date; the migrations it applied, by name (none when it was up to date). */
export async function migrateStore(options: StoreOptions): Promise<string[]> {
  const store = await openStore(options);
  try {
    return await migrate(store.db);
  } finally {
    await store.close();
  }
}
