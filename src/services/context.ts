import type { OrganisationTree } from '../domain/auth/index';
import { type RouteDecision, route } from '../domain/commissioning/index';
import type { Geography } from '../domain/geography/index';
import { listenForChanges, type StopListening } from '../store/changes';
import { ROLLOUT_CHANNEL } from '../store/commissioning';
import type { Store } from '../store/db';
import { loadGeography } from '../store/geography';
import { PATHWAY_CHANNEL } from '../store/governance';
import { loadRolloutState, type RolloutState } from '../store/rollout-state';
import { SESSION_CHANNEL } from '../store/users';
import { releasedVersionsOf } from './pathway-content';
import { type SessionCache, sessionCacheOf } from './session-cache';

/**
 * What every use case may use: the store, the clock, and caches that rebuild from the store. The HTTP
 * edge, the CLI and the benchmarks each build one and pass it to the services; none of them reaches past
 * it into the store.
 */
export interface ServiceContext {
  readonly store: Store;
  /** The service's clock; tests and simulations pass their own. */
  readonly now: () => Date;
  readonly demo: boolean;
  /** A session unused for this long ends (OPEN111_SESSION_IDLE_MINUTES; default 30). */
  readonly sessionIdleMinutes: number;
  geography(): Promise<Geography>;
  /** Rollout plans and the routing table built from them; rebuilt from the store after `refreshRollout()`. */
  rollout(): Promise<RolloutState>;
  refreshRollout(): void;
  /** Who answers a 111 call from an area at an instant, and why (from the in-memory routing table). */
  route(areaCode: string, at: Date): Promise<RouteDecision>;
  /** Where each commissioning organisation sits (DH → SHA → PCT; CCG → PCTs): what the policy reads. */
  organisations(): Promise<OrganisationTree>;
  /** Sessions read lately (who sent a request), forgotten whenever a session ends on any node. */
  readonly sessions: SessionCache;
  /**
   * Keeps the routing table and the session cache current with changes made on other nodes of the same
   * PostgreSQL (a server calls it once; the CLI does not need it). Returns the function that stops following.
   */
  followChanges(): Promise<StopListening>;
}

/** How long a node waits before listening again after losing its connection to the database. */
const RELISTEN_MS = 1000;

export const DEFAULT_SESSION_IDLE_MINUTES = 30;

/** A value computed once from the store, recomputed after a failure or an `invalidate()`. */
function cached<T>(load: () => Promise<T>): { get(): Promise<T>; invalidate(): void } {
  let value: Promise<T> | undefined;
  return {
    get() {
      value ??= load().catch((err: unknown) => {
        value = undefined;
        throw err;
      });
      return value;
    },
    invalidate() {
      value = undefined;
    },
  };
}

export function createServiceContext(
  store: Store,
  options: { now?: () => Date; demo?: boolean; sessionIdleMinutes?: number } = {},
): ServiceContext {
  const geography = cached(() => loadGeography(store.db));
  const rollout = cached(async () => loadRolloutState(store.db, await geography.get()));
  const organisations = cached(async (): Promise<OrganisationTree> => {
    const [geo, state] = await Promise.all([geography.get(), rollout.get()]);
    const regionOfArea = new Map([...geo.areas.values()].map((a) => [a.code, a.regionCode]));
    const areasOfCcg = new Map<string, Set<string>>();
    for (const [area, ccgs] of state.ccgs) {
      for (const ccg of ccgs) areasOfCcg.set(ccg, (areasOfCcg.get(ccg) ?? new Set()).add(area));
    }
    return { regionOfArea, areasOfCcg };
  });
  // The organisation tree holds each CCG's areas, which come from the rollout state: both go stale together.
  const refreshRollout = (): void => {
    rollout.invalidate();
    organisations.invalidate();
  };
  const sessions = sessionCacheOf(store);
  const pathways = releasedVersionsOf(store);
  return {
    store,
    sessions,
    now: options.now ?? (() => new Date()),
    demo: options.demo ?? false,
    sessionIdleMinutes: options.sessionIdleMinutes ?? DEFAULT_SESSION_IDLE_MINUTES,
    geography: geography.get,
    rollout: rollout.get,
    refreshRollout,
    async route(areaCode, at) {
      return route((await rollout.get()).table, areaCode, at);
    },
    organisations: organisations.get,
    async followChanges() {
      let stop: StopListening | undefined;
      let heard: (() => void)[] = [];
      let timer: NodeJS.Timeout | undefined;
      let following = true;
      const deaf = (): void => {
        for (const stopHearing of heard) stopHearing();
        heard = [];
      };
      const relisten = (): void => {
        if (following) timer = setTimeout(() => void start(), RELISTEN_MS).unref();
      };
      const start = async (): Promise<void> => {
        try {
          stop = await listenForChanges(store, [ROLLOUT_CHANNEL, SESSION_CHANNEL, PATHWAY_CHANNEL], {
            onChange: (channel, payload) => {
              if (channel === SESSION_CHANNEL) sessions.forgetUser(Number(payload));
              else if (channel === PATHWAY_CHANNEL) pathways.forgetAll();
              else refreshRollout();
            },
            onLost: () => {
              // Whatever changed while we could not hear is unknown: rebuild on next use.
              stop = undefined;
              deaf();
              refreshRollout();
              relisten();
            },
          });
          heard = [sessions.listening(), pathways.listening()];
        } catch {
          relisten();
        }
      };
      await start();
      return async () => {
        following = false;
        clearTimeout(timer);
        deaf();
        await stop?.();
      };
    },
  };
}
