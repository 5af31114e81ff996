import {
  type Actor,
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
  type StoredUser,
  saveLoginAttemptState,
} from '../store/users';
import type { ServiceContext } from './context';
import type { Caller } from './use-case';

// A hash that no password matches, so an unknown user costs the same time as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export interface SignedIn {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: Actor;
}

/** Why a right password still does not sign this user in, or undefined when nothing stands in the way. */
function refusal(ctx: ServiceContext, user: StoredUser): { reason: string; message: string } | undefined {
  if (user.disabledAt)
    return { reason: 'disabled', message: 'This account has been disabled: ask your administrator.' };
  if (user.demo && !ctx.demo)
    return {
      reason: 'demo',
      message: 'Demo log-ins work only while open111 runs with --demo; this server runs without it.',
    };
  return undefined;
}

/**
 * Signs a member of staff in with their username and password. Five wrong passwords in a row lock the
 * account for a while; every attempt, let in or not, is on the audit trail.
 */
export async function signIn(
  ctx: ServiceContext,
  credentials: { username: string; password: string },
  requestId: string | null,
): Promise<SignedIn> {
  const { db } = ctx.store;
  const { username, password } = credentials;
  const now = ctx.now();
  const failed = (detail?: Record<string, unknown>) =>
    audit(db, {
      actor: null,
      username,
      action: 'login_failed',
      resourceType: 'session',
      requestId,
      ...(detail ? { detail } : {}),
    });
  const user = await findUserByUsername(db, username);
  if (user && isLocked(user, now)) {
    await failed({ reason: 'locked' });
    throw tooManyRequests(
      `Too many failed sign-ins: this account is locked for up to ${LOCK_MINUTES} minutes.`,
    );
  }
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    if (user) await saveLoginAttemptState(db, user.userId, afterFailedLogin(user, now));
    await failed();
    throw unauthenticated('The username or password is not right.');
  }
  // Said only to someone who knew the password, so it tells nothing to a guesser.
  const refused = refusal(ctx, user);
  if (refused) {
    await failed({ reason: refused.reason });
    throw unauthenticated(refused.message);
  }
  await saveLoginAttemptState(db, user.userId, afterSuccessfulLogin());
  const session = await createSession(db, user.userId, now);
  const actor: Actor = {
    userId: user.userId,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    organisationCode: user.organisationCode,
  };
  await audit(db, { actor, action: 'login', resourceType: 'session', requestId });
  return { token: session.token, expiresAt: session.expiresAt, user: actor };
}

/** Who holds this session token: undefined when it has expired, was ended, or its user may not sign in. */
export function identify(ctx: ServiceContext, token: string): Promise<Actor | undefined> {
  return actorForToken(ctx.store.db, token, ctx.now(), { allowDemo: ctx.demo });
}

/** Ends the caller's session. */
export async function signOut(ctx: ServiceContext, caller: Caller, token: string | undefined): Promise<void> {
  if (token) await deleteSession(ctx.store.db, token);
  await audit(ctx.store.db, {
    actor: caller.actor,
    action: 'logout',
    resourceType: 'session',
    requestId: caller.requestId,
  });
}
