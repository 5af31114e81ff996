import { LRUCache } from 'lru-cache';
import type { StoredTriageSession } from '../store/triage';
import { perStore } from './per-store';

/** At most this many sessions are held a node; the least recently used goes first. */
export const HELD_SESSIONS = 5_000;
/** A session not answered on this node for this long is let go (a call's triage takes minutes). */
const HELD_FOR_MS = 30 * 60_000;

/**
 * The triage sessions in progress this node last wrote or read, as they then stood, so that an answer
 * does not read its session and all its answers again: that read was a ninth of a call's statements and
 * a fifth of PostgreSQL's execution time. What is held is never trusted, only tried: an answer decided on a
 * held session goes in only if its place in the sequence is still free and the session still in
 * progress (store/triage.ts), so a session another node answered or finished meanwhile makes the write
 * fail, and the answer is decided again on the session read afresh. A screen's own read (GET) always
 * goes to the database, as nothing here could tell it what another node wrote. One per store in a
 * process, like the node's other caches.
 */
export const heldSessionsOf = perStore(
  () =>
    new LRUCache<string, StoredTriageSession>({
      max: HELD_SESSIONS,
      ttl: HELD_FOR_MS,
      updateAgeOnGet: true,
    }),
);
