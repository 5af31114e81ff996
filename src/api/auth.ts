import type {} from '@fastify/rate-limit';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyRequests, unauthenticated } from '../domain/errors';
import { identify, signIn, signOut } from '../services/auth';
import { callerOf, typed } from './context';

export const SESSION_COOKIE = 'open111_session';

function bearerToken(authorization: string | undefined, cookie: string | undefined): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  return cookie;
}

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const Me = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  organisationCode: Type.String(),
});

export const LoginAnswer = Type.Object({ token: Type.String(), expiresAt: Type.String(), user: Me });

/** How the sign-in edge is guarded; see LoginLimits in edges.ts for the defaults. */
export interface AuthOptions {
  /** Set the session cookie `Secure` (open111 is served over TLS: OPEN111_PUBLIC_URL is https). */
  readonly secureCookie: boolean;
  /** Sign-in attempts allowed per address and per username, each per window. */
  readonly limits: { readonly perAddress: number; readonly perAccount: number; readonly windowMs: number };
}

export async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  app.decorateRequest('actor', null);
  const r = typed(app);
  const tooMany = (what: string) => () =>
    tooManyRequests(`Too many sign-in attempts ${what}: wait a little and try again.`);
  // Per username, whichever address it comes from: caps guessing spread over many addresses. Counted
  // once the body (and so the username) is parsed; a limiter of its own, so the per-address one that
  // ran first for the request does not make the plugin skip it.
  const accountLimit = app.createRateLimit({
    max: options.limits.perAccount,
    timeWindow: options.limits.windowMs,
    keyGenerator: (request: FastifyRequest) => {
      const body: unknown = request.body;
      const username = body && typeof body === 'object' && 'username' in body ? body.username : '';
      return `account:${String(username).toLowerCase()}`;
    },
  });
  const perAccount = async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await accountLimit(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header('retry-after', limit.ttlInSeconds);
    throw tooMany('for this username')();
  };

  // Identify the caller on every request; every /api and /fhir route but those declared `public` requires
  // it (an unknown path too: a 401 before a 404 tells a stranger nothing about which paths exist).
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization, request.cookies[SESSION_COOKIE]);
    if (token) request.actor = (await identify(app.ctx, token)) ?? null;
    const path = request.url.split('?')[0] ?? '';
    const guarded = ['/api/', '/fhir/', '/openreferral/'].some((prefix) => path.startsWith(prefix));
    if (guarded && request.routeOptions.config.access !== 'public' && !request.actor) {
      throw unauthenticated(
        token
          ? 'Your session has expired or is not valid: sign in again.'
          : 'Sign in first: send "Authorization: Bearer <token>" from POST /api/auth/login.',
      );
    }
  });

  r.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token (also set as an HttpOnly cookie)',
        body: LoginBody,
        response: { 200: LoginAnswer },
      },
      config: {
        access: 'public',
        // Per address, for any username: bites before one address can lock anyone out (edges.ts).
        rateLimit: {
          max: options.limits.perAddress,
          timeWindow: options.limits.windowMs,
          errorResponseBuilder: tooMany('from your address'),
        },
      },
      preHandler: perAccount,
    },
    async (request, reply) => {
      const { token, expiresAt, user } = await signIn(app.ctx, request.body, request.id, request.ip);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        // Over TLS: OPEN111_PUBLIC_URL is https, or a trusted proxy says the client came by https.
        secure: options.secureCookie || request.protocol === 'https',
        path: '/',
        expires: expiresAt,
      });
      return { token, expiresAt: expiresAt.toISOString(), user: me(user) };
    },
  );

  r.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out' }, config: { access: 'signed-in' } },
    async (request, reply) => {
      const token = bearerToken(request.headers.authorization, request.cookies[SESSION_COOKIE]);
      await signOut(app.ctx, callerOf(request), token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  r.get(
    '/api/auth/me',
    {
      schema: { tags: ['auth'], summary: 'Who is signed in', response: { 200: Me } },
      config: { access: 'signed-in' },
    },
    async (request) => me(callerOf(request).actor),
  );
}

const me = (a: { username: string; displayName: string; role: string; organisationCode: string }) => ({
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  organisationCode: a.organisationCode,
});
