import type pg from 'pg';
import type { Store } from './db';

/**
 * Hearing what other processes changed. Several open111 nodes share one PostgreSQL; each holds caches
 * (the directory index, the routing table) that a change on another node makes stale. A change is
 * announced with `pg_notify` inside the writing transaction, so it is heard only once it commits, and
 * each node LISTENs over one connection of its own, shared by every cache of that store (a pool
 * connection per cache would leave a small pool nothing to query with). PGlite has a single process:
 * nothing to hear.
 */
export interface ChangeHandlers {
  onChange(channel: string, payload: string): void;
  /** The connection dropped: notifications may have been missed, so whatever they keep current is stale. */
  onLost(): void;
}

/** Stops listening (the connection goes back to the pool when nobody listens any more). */
export type StopListening = () => Promise<void>;

interface Subscriber {
  readonly channels: readonly string[];
  readonly handlers: ChangeHandlers;
}

/** The one listening connection of a store, and who is listening on it. */
class ChangeFeed {
  private client: pg.PoolClient | undefined;
  private connecting: Promise<pg.PoolClient> | undefined;
  private readonly listening = new Set<string>();
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly store: Store) {}

  async add(subscriber: Subscriber): Promise<void> {
    const client = await this.connection();
    this.subscribers.add(subscriber);
    for (const channel of subscriber.channels) {
      if (this.listening.has(channel)) continue;
      this.listening.add(channel);
      await client.query(`LISTEN ${channel}`);
    }
  }

  async remove(subscriber: Subscriber): Promise<void> {
    this.subscribers.delete(subscriber);
    const client = this.client;
    if (this.subscribers.size > 0 || !client) return;
    this.client = undefined;
    this.listening.clear();
    try {
      await client.query('UNLISTEN *');
    } finally {
      client.release();
    }
  }

  private connection(): Promise<pg.PoolClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<pg.PoolClient> {
    const client = await this.store.pool.connect();
    client.on('notification', (message) => {
      for (const s of this.subscribers)
        if (s.channels.includes(message.channel)) s.handlers.onChange(message.channel, message.payload ?? '');
    });
    client.on('error', (err) => {
      if (this.client !== client) return;
      // Destroy the broken connection rather than return it to the pool; every listener starts again.
      this.client = undefined;
      this.listening.clear();
      client.release(err);
      const lost = [...this.subscribers];
      this.subscribers.clear();
      for (const s of lost) s.handlers.onLost();
    });
    this.client = client;
    return client;
  }
}

const feeds = new WeakMap<Store['pool'], ChangeFeed>();

export async function listenForChanges(
  store: Store,
  channels: readonly string[],
  handlers: ChangeHandlers,
): Promise<StopListening> {
  if (store.engine !== 'postgres') return async () => undefined;
  let feed = feeds.get(store.pool);
  if (!feed) {
    feed = new ChangeFeed(store);
    feeds.set(store.pool, feed);
  }
  const subscriber: Subscriber = { channels, handlers };
  await feed.add(subscriber);
  const owner = feed;
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await owner.remove(subscriber);
  };
}
