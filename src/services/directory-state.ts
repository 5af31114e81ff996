import type pg from 'pg';
import { nationalTypeRanks, readDirectoryTypes } from '../content/directory';
import { readDispositionContent } from '../content/dispositions';
import {
  type DirectoryContent,
  DirectoryIndex,
  type ServiceRecord,
  type TypeRanks,
} from '../domain/directory/index';
import type { DispositionCatalogue } from '../domain/dispositions/index';
import type { Store } from '../store/db';
import { DOS_CHANNEL, findService, loadServices, loadTypeRankOverrides } from '../store/directory';

/**
 * The directory as one server process holds it: the in-memory index (rebuilt from the database on
 * first use) and the type ranks. On PostgreSQL it LISTENs for changes made by other processes.
 */
export class DirectoryState {
  readonly content: DirectoryContent = readDirectoryTypes();
  readonly dispositions: DispositionCatalogue = readDispositionContent();
  private ready: Promise<DirectoryIndex> | undefined;
  private ranks: TypeRanks | undefined;
  private listener: pg.PoolClient | undefined;
  private closed = false;

  constructor(private readonly store: Store) {}

  index(): Promise<DirectoryIndex> {
    this.ready ??= this.load().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async typeRanks(): Promise<TypeRanks> {
    this.ranks ??= nationalTypeRanks(this.content, await loadTypeRankOverrides(this.store.db));
    return this.ranks;
  }

  invalidateRanks(): void {
    this.ranks = undefined;
  }

  private async load(): Promise<DirectoryIndex> {
    // Listen before loading, so a change committed during the load is not missed.
    if (this.store.engine === 'postgres' && !this.listener) await this.listen();
    return new DirectoryIndex(await loadServices(this.store.db));
  }

  private async listen(): Promise<void> {
    const client = await this.store.pool.connect();
    this.listener = client;
    client.on('notification', (message) => {
      if (message.channel === DOS_CHANNEL && message.payload) void this.refresh([message.payload]);
      if (message.channel === `${DOS_CHANNEL}_ranks`) this.invalidateRanks();
    });
    client.on('error', (err: Error) => {
      // The connection dropped: give the broken client back for the pool to drop, and rebuild
      // everything on next use, listening again on a new one.
      if (this.listener === client) {
        this.listener = undefined;
        this.ready = undefined;
        client.release(err);
      }
    });
    await client.query(`LISTEN ${DOS_CHANNEL}`);
    await client.query(`LISTEN ${DOS_CHANNEL}_ranks`);
  }

  /** Re-reads services from the database into the index (after a change here or elsewhere). */
  async refresh(ids: readonly string[]): Promise<void> {
    if (this.closed || !this.ready) return;
    if (ids.includes('*')) {
      this.ready = undefined;
      this.ranks = undefined;
      await this.index();
      return;
    }
    const index = await this.index();
    for (const id of ids) {
      const s = await findService(this.store.db, id);
      if (s) index.upsert(s);
      else index.remove(id);
    }
  }

  /** Applies a change made by this process at once, without waiting for the notification. */
  async apply(change: { upsert?: readonly ServiceRecord[]; remove?: readonly string[] }): Promise<void> {
    if (!this.ready) return;
    const index = await this.index();
    for (const s of change.upsert ?? []) index.upsert(s);
    for (const id of change.remove ?? []) index.remove(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    const l = this.listener;
    this.listener = undefined;
    if (l) {
      try {
        await l.query(`UNLISTEN *`);
      } finally {
        l.release();
      }
    }
  }
}
