import { performance } from 'node:perf_hooks';
import type { OpenSession } from '../store/users';
import { HeardCache, perStore } from './per-store';

/** How long a node trusts a session it read without asking the database again. */
export const SESSION_CACHE_MS = 5_000;
/** At most this many sessions are held; the least recently used goes first. */
const SESSION_CACHE_SIZE = 10_000;

interface Entry {
  readonly session: OpenSession;
  /** When it was read, on the process's monotonic clock (the service's clock may be a test's). */
  readonly readAt: number;
}

/**
 * The sessions a node has read lately, so that a request does not cost a database round trip to say who
 * sent it. Nothing here decides whether a session is open: a hit is only the row the database gave, and
 * the caller applies the same expiry and idle rules to it at the request's instant. What the cache can
 * miss is a session ended elsewhere, so every end of a session is announced (`SESSION_CHANNEL`) in the
 * ending transaction and forgotten here at once: by the node that ended it after its commit, by the
 * others when they hear it. One cache per store in a process, so every service context of that store
 * (two apps in a test on one PGlite) forgets together. On PostgreSQL the cache is used only while this
 * process is listening: a node that cannot hear the announcements asks the database every time.
 */
export class SessionCache extends HeardCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every forgetting: a read that began before it may not be stored after it. */
  private generation = 0;

  constructor(
    needsListener: boolean,
    private readonly ttlMs = SESSION_CACHE_MS,
    private readonly size = SESSION_CACHE_SIZE,
    /** Milliseconds on a clock that only goes forward (a test passes its own). */
    private readonly clock: () => number = () => performance.now(),
  ) {
    super(needsListener);
  }

  /** A session read within the time to live, or undefined (then ask the database). */
  get(key: string): OpenSession | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (!this.trusted || this.clock() - entry.readAt >= this.ttlMs) return undefined;
    // Re-inserted, so the Map's order is the order of last use.
    this.entries.set(key, entry);
    return entry.session;
  }

  /** The generation to pass to `put` for a read about to begin. */
  mark(): number {
    return this.generation;
  }

  put(key: string, session: OpenSession, mark: number): void {
    if (!this.trusted || mark !== this.generation) return;
    this.entries.delete(key);
    this.entries.set(key, { session, readAt: this.clock() });
    while (this.entries.size > this.size) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Forgets every session of a user (signed out, disabled, password reset). */
  forgetUser(userId: number): void {
    this.generation += 1;
    for (const [key, entry] of this.entries)
      if (entry.session.actor.userId === userId) this.entries.delete(key);
  }

  forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
  }
}

/** The session cache of a store in this process (shared by every service context over it). */
export const sessionCacheOf = perStore((store) => new SessionCache(store.engine === 'postgres'));
