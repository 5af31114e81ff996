import type { Actor, Role } from '../domain/auth/index';
import { type RouteDecision, route } from '../domain/commissioning/index';
import { forbidden, unauthenticated } from '../domain/errors';
import type { Geography } from '../domain/geography/index';
import type { Store } from '../store/db';
import { loadGeography } from '../store/geography';
import { loadRolloutState, type RolloutState } from '../store/rollout-state';

/** What every route handler may use: the store, the clock, and caches that rebuild from the store. */
export interface AppContext {
  readonly store: Store;
  /** The service's clock; tests and simulations pass their own. */
  readonly now: () => Date;
  readonly demo: boolean;
  geography(): Promise<Geography>;
  /** Rollout plans and the routing table built from them; rebuilt from the store after `refreshRollout()`. */
  rollout(): Promise<RolloutState>;
  refreshRollout(): void;
  /** Who answers a 111 call from an area at an instant, and why (from the in-memory routing table). */
  route(areaCode: string, at: Date): Promise<RouteDecision>;
}

export function createContext(store: Store, options: { now?: () => Date; demo?: boolean } = {}): AppContext {
  let geography: Promise<Geography> | undefined;
  let rollout: Promise<RolloutState> | undefined;
  const ctx: AppContext = {
    store,
    now: options.now ?? (() => new Date()),
    demo: options.demo ?? false,
    geography() {
      geography ??= loadGeography(store.db).catch((err: unknown) => {
        geography = undefined;
        throw err;
      });
      return geography;
    },
    rollout() {
      rollout ??= ctx
        .geography()
        .then((geo) => loadRolloutState(store.db, geo))
        .catch((err: unknown) => {
          rollout = undefined;
          throw err;
        });
      return rollout;
    },
    refreshRollout() {
      rollout = undefined;
    },
    async route(areaCode, at) {
      return route((await ctx.rollout()).table, areaCode, at);
    },
  };
  return ctx;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The signed-in user, or a 401. */
export function requireActor(actor: Actor | null): Actor {
  if (!actor)
    throw unauthenticated('Sign in first: send "Authorization: Bearer <token>" from POST /api/auth/login.');
  return actor;
}

/** The signed-in user if they hold one of the roles, else a 403 that says which roles may. */
export function requireRole(actor: Actor | null, ...roles: Role[]): Actor {
  const a = requireActor(actor);
  if (!roles.includes(a.role)) {
    throw forbidden(`This needs one of the roles ${roles.join(', ')}; you are signed in as ${a.role}.`);
  }
  return a;
}
