import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  afterFailedLogin,
  afterSuccessfulLogin,
  isLocked,
  LOCK_MINUTES,
  verifyPassword,
} from '../domain/auth/index';
import { tooManyRequests, unauthenticated } from '../domain/errors';
import { audit } from '../store/audit';
import {
  actorForToken,
  createSession,
  deleteSession,
  findUserByUsername,
  saveLoginAttemptState,
} from '../store/users';
import { requireActor } from './context';

export const SESSION_COOKIE = 'open111_session';

// A hash that no password matches, so an unknown user costs the same time as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const PUBLIC_PATHS = new Set(['/api/auth/login', '/api/health', '/fhir/R4/metadata']);

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

  // Identify the caller on every request; /api and /fhir routes other than the public ones require it.
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization, request.cookies[SESSION_COOKIE]);
    if (token) request.actor = (await actorForToken(app.ctx.store.db, token, app.ctx.now())) ?? null;
    const path = request.url.split('?')[0] ?? '';
    const guarded = path.startsWith('/api/') || path.startsWith('/fhir/');
    if (guarded && !PUBLIC_PATHS.has(path) && !request.actor) {
      throw unauthenticated(
        token
          ? 'Your session has expired or is not valid: sign in again.'
          : 'Sign in first: send "Authorization: Bearer <token>" from POST /api/auth/login.',
      );
    }
  });

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token (also set as an HttpOnly cookie)',
        body: LoginBody,
        response: { 200: LoginAnswer },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      const { db } = app.ctx.store;
      const now = app.ctx.now();
      const user = await findUserByUsername(db, username);
      if (user && isLocked(user, now)) {
        await audit(db, {
          actor: null,
          username,
          action: 'login_failed',
          resourceType: 'session',
          requestId: request.id,
          detail: { reason: 'locked' },
        });
        throw tooManyRequests(
          `Too many failed sign-ins: this account is locked for up to ${LOCK_MINUTES} minutes.`,
        );
      }
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok) {
        if (user) await saveLoginAttemptState(db, user.userId, afterFailedLogin(user, now));
        await audit(db, {
          actor: null,
          username,
          action: 'login_failed',
          resourceType: 'session',
          requestId: request.id,
        });
        throw unauthenticated('The username or password is not right.');
      }
      await saveLoginAttemptState(db, user.userId, afterSuccessfulLogin());
      const session = await createSession(db, user.userId, now);
      await audit(db, { actor: user, action: 'login', resourceType: 'session', requestId: request.id });
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        expires: session.expiresAt,
      });
      return {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        user: {
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          organisationCode: user.organisationCode,
        },
      };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out' } },
    async (request, reply) => {
      const actor = requireActor(request.actor);
      const token = bearerToken(request.headers.authorization, request.cookies[SESSION_COOKIE]);
      if (token) await deleteSession(app.ctx.store.db, token);
      await audit(app.ctx.store.db, {
        actor,
        action: 'logout',
        resourceType: 'session',
        requestId: request.id,
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'Who is signed in', response: { 200: Me } } },
    async (request) => {
      const a = requireActor(request.actor);
      return {
        username: a.username,
        displayName: a.displayName,
        role: a.role,
        organisationCode: a.organisationCode,
      };
    },
  );
}
