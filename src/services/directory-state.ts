import { nationalTypeRanks, readDirectoryTypes } from '../content/directory';
import { readDispositionContent } from '../content/dispositions';
import {
  type DirectoryContent,
  DirectoryIndex,
  type ServiceRecord,
  type TypeRanks,
} from '../domain/directory/index';
import type { DispositionCatalogue } from '../domain/dispositions/index';
import { listenForChanges, type StopListening } from '../store/changes';
import type { Store } from '../store/db';
import { DOS_CHANNEL, findService, loadServices, loadTypeRankOverrides } from '../store/directory';
import { GapLog } from './gap-log';

/**
 * The directory as one server process holds it: the in-memory index (rebuilt from the database on
 * first use), the type ranks and the gaps its searches counted (written every few seconds). On
 * PostgreSQL it LISTENs for changes made by other processes.
 */
export class DirectoryState {
  readonly content: DirectoryContent = readDirectoryTypes();
  readonly dispositions: DispositionCatalogue = readDispositionContent();
  private ready: Promise<DirectoryIndex> | undefined;
  private ranks: TypeRanks | undefined;
  private stopListening: StopListening | undefined;
  private closed = false;
  readonly gaps: GapLog;

  constructor(
    private readonly store: Store,
    onError?: (message: string, error?: unknown) => void,
  ) {
    this.gaps = new GapLog(store, onError);
  }

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
    this.stopListening ??= await listenForChanges(this.store, [DOS_CHANNEL, `${DOS_CHANNEL}_ranks`], {
      onChange: (channel, payload) => {
        if (channel === DOS_CHANNEL && payload) void this.refresh([payload]);
        else if (channel !== DOS_CHANNEL) this.invalidateRanks();
      },
      onLost: () => {
        // Changes may have been missed: rebuild everything on next use, listening again.
        this.stopListening = undefined;
        this.ready = undefined;
        this.ranks = undefined;
      },
    });
    return new DirectoryIndex(await loadServices(this.store.db));
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
    await this.gaps.close();
    const stop = this.stopListening;
    this.stopListening = undefined;
    await stop?.();
  }
}
