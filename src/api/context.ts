import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Actor, Permission } from '../domain/auth/index';
import { unauthenticated } from '../domain/errors';
import type { ServiceContext } from '../services/context';
import type { Caller } from '../services/use-case';

export {
  createServiceContext as createContext,
  type ServiceContext as AppContext,
} from '../services/context';

/**
 * What a route may be reached by, declared on every route (`config: { access }`) so the route table can
 * be checked against the policy: `public` (no sign-in), `signed-in` (any member of staff, own details
 * only), or the policy permission its use case asks for. A route without one refuses to register.
 */
export type RouteAccess = 'public' | 'signed-in' | Permission;

declare module 'fastify' {
  interface FastifyInstance {
    ctx: ServiceContext;
    /** Every /api and /fhir route with its declared access (filled as routes register). */
    routeTable: readonly { readonly method: string; readonly url: string; readonly access: RouteAccess }[];
    /** The Prometheus registry /metrics serves (health.ts); a plugin adds its own gauges to it. */
    metrics: Registry;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The plugin's instance with TypeBox typing: `request.body`, `params` and `query` have their schemas' types. */
export const typed = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

/** The signed-in user, or a 401. */
export function requireActor(actor: Actor | null): Actor {
  if (!actor)
    throw unauthenticated('Sign in first: send "Authorization: Bearer <token>" from POST /api/auth/login.');
  return actor;
}

/** Who is asking, for a use case: the signed-in user and the request id every audit row carries. */
export function callerOf(request: FastifyRequest): Caller {
  return { actor: requireActor(request.actor), requestId: request.id };
}
