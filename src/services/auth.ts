import { type Actor, LOCK_MINUTES, MAX_FAILED_LOGINS, verifyPassword } from '../domain/auth/index';
import { tooManyRequests, unauthenticated } from '../domain/errors';
import { audit } from '../store/audit';
import { inTransaction } from '../store/db';
import {
  clearLoginFailures,
  createSession,
  deleteSession,
  findUserByUsername,
  loginLockedUntil,
  type OpenSession,
  openSession,
  purgeExpired,
  recordLoginFailure,
  type StoredUser,
  seenWriteDue,
  sessionKey,
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

const LOCK_RULE = { maxFailures: MAX_FAILED_LOGINS, lockMs: LOCK_MINUTES * 60_000 } as const;
// Counts of failed sign-ins are kept a day after the last failure, then purged.
const FAILURES_KEPT_MS = 24 * 3_600_000;

const lockedOut = () =>
  tooManyRequests(
    `Too many failed sign-ins: this username is locked from your address for up to ${LOCK_MINUTES} minutes.`,
  );

/**
 * Signs a member of staff in with their username and password. Five wrong passwords in a row for a
 * username from one address lock it from that address for a while: counted in the database in one
 * statement, so parallel guesses all count, and the same for usernames that do not exist, so neither
 * the answer nor its timing tells a guesser which accounts do. Keyed by address too, so no one else can
 * lock a member of staff out of their own desk (the edge's per-address limit stops a sprayer first).
 * Every attempt, let in or not, is on the audit trail.
 */
export async function signIn(
  ctx: ServiceContext,
  credentials: { username: string; password: string },
  requestId: string | null,
  address = 'unknown',
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
  // The same reads, the same hash work and the same writes whether or not the username exists.
  const [user, lock] = await Promise.all([
    findUserByUsername(db, username),
    loginLockedUntil(db, username, address, now),
  ]);
  if (lock) {
    await failed({ reason: 'locked' });
    throw lockedOut();
  }
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    const locked = await recordLoginFailure(db, username, address, now, LOCK_RULE);
    await failed(locked ? { reason: 'wrong_password_locked' } : undefined);
    throw unauthenticated('The username or password is not right.');
  }
  // Guesses sent alongside this one may have locked it while the hash was worked out.
  if (await loginLockedUntil(db, username, address, now)) {
    await failed({ reason: 'locked' });
    throw lockedOut();
  }
  // Said only to someone who knew the password, so it tells nothing to a guesser.
  const refused = refusal(ctx, user);
  if (refused) {
    await failed({ reason: refused.reason });
    throw unauthenticated(refused.message);
  }
  await clearLoginFailures(db, username, address);
  await purgeExpiredSessions(ctx);
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

/**
 * Who holds this session token: undefined when it has expired, has been idle longer than the setting,
 * was ended, or its user may not sign in.
 */
export async function identify(ctx: ServiceContext, token: string): Promise<Actor | undefined> {
  const now = ctx.now();
  const idleBefore = idleCutoff(ctx, now);
  const key = sessionKey(token);
  // A session read lately is used as the database gave it, under the same rules the database query
  // applies, at this request's instant; one whose last-seen time is due to be written goes to the database.
  const cached = ctx.sessions.get(key);
  const usable = (s: OpenSession) => s.expiresAt > now && s.lastSeenAt > idleBefore;
  let session = cached && usable(cached) && !seenWriteDue(cached.lastSeenAt, now) ? cached : undefined;
  if (!session) {
    const mark = ctx.sessions.mark();
    session = await openSession(ctx.store.db, key, now, idleBefore);
    if (session) ctx.sessions.put(key, session, mark);
  }
  if (!session || (session.demo && !ctx.demo)) return undefined;
  return session.actor;
}

const idleCutoff = (ctx: ServiceContext, now: Date) =>
  new Date(now.getTime() - ctx.sessionIdleMinutes * 60_000);

/**
 * Deletes expired and idle sessions and stale counts of failed sign-ins. Run at every sign-in (so the
 * tables stay as small as the number of people signed in) and on the server's timer.
 */
export function purgeExpiredSessions(
  ctx: ServiceContext,
): Promise<{ sessions: number; loginFailures: number }> {
  const now = ctx.now();
  return purgeExpired(ctx.store.db, now, idleCutoff(ctx, now), new Date(now.getTime() - FAILURES_KEPT_MS));
}

/** Ends the caller's session. */
export async function signOut(ctx: ServiceContext, caller: Caller, token: string | undefined): Promise<void> {
  if (token) {
    await inTransaction(ctx.store.db, (tx) => deleteSession(tx, token, caller.actor.userId));
    ctx.sessions.forgetUser(caller.actor.userId);
  }
  await audit(ctx.store.db, {
    actor: caller.actor,
    action: 'logout',
    resourceType: 'session',
    requestId: caller.requestId,
  });
}
