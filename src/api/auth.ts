import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { unauthenticated } from '../domain/errors';
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

export async function authPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('actor', null);
  const r = typed(app);

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
      config: { access: 'public' },
    },
    async (request, reply) => {
      const { token, expiresAt, user } = await signIn(app.ctx, request.body, request.id);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
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
