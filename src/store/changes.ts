import type { Store } from './db';

/**
 * Hearing what other processes changed. Several open111 nodes share one PostgreSQL; each holds caches
 * (the directory index, the routing table) that a change on another node makes stale. A change is
 * announced with `pg_notify` inside the writing transaction, so it is heard only once it commits, and
 * each node LISTENs over one connection of its own. PGlite has a single process: nothing to hear.
 */
export interface ChangeHandlers {
  onChange(channel: string, payload: string): void;
  /** The connection dropped: notifications may have been missed, so whatever they keep current is stale. */
  onLost(): void;
}

/** Stops listening and gives the connection back. */
export type StopListening = () => Promise<void>;

export async function listenForChanges(
  store: Store,
  channels: readonly string[],
  handlers: ChangeHandlers,
): Promise<StopListening> {
  if (store.engine !== 'postgres') return async () => undefined;
  const client = await store.pool.connect();
  let released = false;
  const release = (err?: Error): void => {
    if (released) return;
    released = true;
    client.release(err);
  };
  client.on('notification', (message) => {
    if (channels.includes(message.channel)) handlers.onChange(message.channel, message.payload ?? '');
  });
  client.on('error', (err) => {
    // Destroy the broken connection rather than return it to the pool.
    release(err);
    handlers.onLost();
  });
  try {
    for (const channel of channels) await client.query(`LISTEN ${channel}`);
  } catch (err) {
    release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  return async () => {
    if (released) return;
    try {
      await client.query('UNLISTEN *');
    } finally {
      release();
    }
  };
}
