import { DomainError, unavailable } from '../domain/errors';
import { isConnectionError, migrate, openStore, type Store, type StoreOptions } from '../store/db';

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

/** How long a client is told to wait (Retry-After) when the database cannot be reached. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The one mapping of "the database cannot be reached" (store/db.ts isConnectionError) to a domain error
 * (503 with Retry-After at the edge); any other error is returned as it is.
 */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof DomainError || !isConnectionError(error)) return error;
  return unavailable(
    `The database cannot be reached just now; nothing was changed by this request. Try again in ${RETRY_AFTER_SECONDS} seconds.`,
  );
}
