import { LRUCache } from 'lru-cache';
import type { Case } from '../domain/cases/index';
import { perStore } from './per-store';

/** At most this many cases are held a node; the least recently used goes first. */
export const HELD_CASES = 5_000;
/** A case not changed on this node for this long is let go (a call's changes come within minutes). */
const HELD_FOR_MS = 30 * 60_000;

/** A case as this node last wrote it, with the count of events it was then written with. */
export interface HeldCase {
  readonly case: Case;
  readonly eventCount: number;
}

/**
 * The cases this node last opened or changed, as it wrote them, so that the next change (the triage
 * result after the opening, the outcome after it, the close) does not read the case's events again:
 * that read was a tenth of a call's statements. As the held triage sessions (triage-held.ts), what is
 * held is never trusted, only tried: a change decided on a held case goes in only if the case still has
 * exactly that many events (store/cases.ts), so one changed meanwhile by another node, a sweep or a
 * receiving service makes the write fail, and the change is decided again on the case read afresh.
 */
export const heldCasesOf = perStore(
  () => new LRUCache<string, HeldCase>({ max: HELD_CASES, ttl: HELD_FOR_MS, updateAgeOnGet: true }),
);
