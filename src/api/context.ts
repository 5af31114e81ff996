import type { Actor, Role } from '../domain/auth/index';
import { forbidden, unauthenticated } from '../domain/errors';
import type { Geography } from '../domain/geography/index';
import type { Store } from '../store/db';
import { loadGeography } from '../store/geography';

/** What every route handler may use: the store, the clock, and caches that rebuild from the store. */
export interface AppContext {
  readonly store: Store;
  /** The service's clock; tests and simulations pass their own. */
  readonly now: () => Date;
  readonly demo: boolean;
  geography(): Promise<Geography>;
  /**
   * The provider that answers a 111 call from an area at an instant (commissioning's routing);
   * null when 111 is not live there. Without routing, calls go to the default provider.
   */
  providerForCall(areaCode: string, at: Date): Promise<string | null>;
}

/** NHS Direct: the national default provider (DEMO organisation code). */
export const DEFAULT_PROVIDER_CODE = 'NHSD';

export function createContext(store: Store, options: { now?: () => Date; demo?: boolean } = {}): AppContext {
  let geography: Promise<Geography> | undefined;
  return {
    store,
    now: options.now ?? (() => new Date()),
    demo: options.demo ?? false,
    async providerForCall() {
      return DEFAULT_PROVIDER_CODE;
    },
    geography() {
      geography ??= loadGeography(store.db).catch((err: unknown) => {
        geography = undefined;
        throw err;
      });
      return geography;
    },
  };
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
