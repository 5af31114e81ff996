import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { type Actor, isRole, type LoginAttemptState } from '../domain/auth/index';
import type { Db, Tx } from './db';

const SESSION_HOURS = 12;
/** How stale a session's last-seen time may get before a request writes it again. */
const SEEN_WRITE_MS = 60_000;

/** A member of staff as an administrator sees them: never the password hash. */
export interface UserRecord extends Actor {
  readonly disabledAt: Date | null;
  /** Made by the demo seed: signs in only while the server runs with --demo. */
  readonly demo: boolean;
  readonly createdAt: Date;
}

export interface StoredUser extends UserRecord, LoginAttemptState {
  readonly passwordHash: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function findUserByUsername(db: Db | Tx, username: string): Promise<StoredUser | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  if (!row || !isRole(row.role)) return undefined;
  return {
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    organisationCode: row.organisation_code,
    passwordHash: row.password_hash,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    disabledAt: row.disabled_at,
    demo: row.demo,
    createdAt: row.created_at,
  };
}

/** How many failures in a row lock a username from an address, and for how long. */
export interface LoginLockRule {
  readonly maxFailures: number;
  readonly lockMs: number;
}

/** Until when a username is locked for sign-ins from an address; null when it is not locked now. */
export async function loginLockedUntil(
  db: Db,
  username: string,
  address: string,
  now: Date,
): Promise<Date | null> {
  const row = await db
    .selectFrom('login_failure')
    .select('locked_until')
    .where('username', '=', username)
    .where('address', '=', address)
    .where('locked_until', '>', now)
    .executeTakeFirst();
  return row?.locked_until ?? null;
}

/**
 * Counts one failed sign-in of a username (known or not) from an address in a single statement, so
 * guesses sent in parallel each count: the row is locked while it is updated. The failure that reaches
 * the rule's number locks the username from that address and starts the count again. Returns the lock.
 */
export async function recordLoginFailure(
  db: Db,
  username: string,
  address: string,
  now: Date,
  rule: LoginLockRule,
): Promise<Date | null> {
  const lockEnd = new Date(now.getTime() + rule.lockMs);
  const reaches = sql<boolean>`login_failure.failures + 1 >= ${rule.maxFailures}`;
  const row = await db
    .insertInto('login_failure')
    .values({
      username,
      address,
      failures: rule.maxFailures <= 1 ? 0 : 1,
      locked_until: rule.maxFailures <= 1 ? lockEnd : null,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['username', 'address']).doUpdateSet({
        failures: sql<number>`case when ${reaches} then 0 else login_failure.failures + 1 end`,
        locked_until: sql<Date>`case when ${reaches} then ${lockEnd}::timestamptz else login_failure.locked_until end`,
        updated_at: now,
      }),
    )
    .returning('locked_until')
    .executeTakeFirst();
  return row?.locked_until && row.locked_until > now ? row.locked_until : null;
}

/** A right password from an address wipes its count of failures. */
export async function clearLoginFailures(db: Db | Tx, username: string, address?: string): Promise<void> {
  let q = db.deleteFrom('login_failure').where('username', '=', username);
  if (address !== undefined) q = q.where('address', '=', address);
  await q.execute();
}

/**
 * Deletes sessions past their expiry or idle for longer than allowed, and counts of failed sign-ins that
 * have neither a lock in force nor a failure since `failuresBefore`. Returns how many of each went.
 */
export async function purgeExpired(
  db: Db,
  now: Date,
  idleBefore: Date,
  failuresBefore: Date,
): Promise<{ sessions: number; loginFailures: number }> {
  const sessions = await db
    .deleteFrom('user_session')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
    .executeTakeFirst();
  const failures = await db
    .deleteFrom('login_failure')
    .where('updated_at', '<=', failuresBefore)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), loginFailures: Number(failures.numDeletedRows) };
}

export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly role: string;
  readonly organisationCode: string;
  readonly demo?: boolean;
}

/** Adds a user; the new id, or undefined when the username is taken (the existing user is left as it is). */
export async function insertUser(db: Db | Tx, user: NewUser): Promise<number | undefined> {
  const row = await db
    .insertInto('app_user')
    .values({
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      role: user.role,
      organisation_code: user.organisationCode,
      demo: user.demo ?? false,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function listUsers(db: Db | Tx, filter: { demo?: boolean } = {}): Promise<UserRecord[]> {
  let q = db.selectFrom('app_user').selectAll().orderBy('id');
  if (filter.demo !== undefined) q = q.where('demo', '=', filter.demo);
  const rows = await q.execute();
  return rows.flatMap((row) =>
    isRole(row.role)
      ? [
          {
            userId: row.id,
            username: row.username,
            displayName: row.display_name,
            role: row.role,
            organisationCode: row.organisation_code,
            disabledAt: row.disabled_at,
            demo: row.demo,
            createdAt: row.created_at,
          },
        ]
      : [],
  );
}

/** Disables a user (once: the first instant stays) and ends their sessions. */
export async function disableUser(tx: Tx, userId: number, at: Date): Promise<void> {
  await tx
    .updateTable('app_user')
    .set({ disabled_at: at })
    .where('id', '=', userId)
    .where('disabled_at', 'is', null)
    .execute();
  await tx.deleteFrom('user_session').where('user_id', '=', userId).execute();
  await announceSessionsEnded(tx, userId);
}

/** Sets a new password hash, clears a lock-out and ends the user's sessions (the old password's). */
export async function setPassword(tx: Tx, userId: number, passwordHash: string): Promise<void> {
  await tx
    .updateTable('app_user')
    .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
  await tx.deleteFrom('user_session').where('user_id', '=', userId).execute();
  await announceSessionsEnded(tx, userId);
  // A new password starts with a clean slate from every address.
  const user = await tx.selectFrom('app_user').select('username').where('id', '=', userId).executeTakeFirst();
  if (user) await clearLoginFailures(tx, user.username);
}

export interface OrganisationRow {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
}

export async function findOrganisation(db: Db | Tx, code: string): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisation').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function listOrganisations(
  db: Db | Tx,
  filter: { kind?: string } = {},
): Promise<OrganisationRow[]> {
  let q = db.selectFrom('organisation').selectAll().orderBy('kind').orderBy('code');
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  return q.execute();
}

/** Adds an organisation; false when the code is taken. */
export async function insertOrganisation(tx: Tx, organisation: OrganisationRow): Promise<boolean> {
  const row = await tx
    .insertInto('organisation')
    .values(organisation)
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst();
  return row !== undefined;
}

/** Opens a session: the token goes to the client once; only its hash is stored. */
export async function createSession(
  db: Db,
  userId: number,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  await db
    .insertInto('user_session')
    .values({ token_hash: hashToken(token), user_id: userId, expires_at: expiresAt, last_seen_at: now })
    .execute();
  return { token, expiresAt };
}

/** Where the end of a user's sessions is announced to every node (the payload is the user's id). */
export const SESSION_CHANNEL = 'open111_sessions';

/** Tells every node to forget what it cached of a user's sessions (delivered when the transaction commits). */
export async function announceSessionsEnded(tx: Tx, userId: number): Promise<void> {
  await sql`select pg_notify(${SESSION_CHANNEL}, ${String(userId)})`.execute(tx);
}

/** A session's token as the store keys it: the hash, never the token itself. */
export const sessionKey = hashToken;

/** An open session of a user who may sign in, with what decides how long it stays open. */
export interface OpenSession {
  readonly actor: Actor;
  /** A demo user's session works only while demo log-ins are on. */
  readonly demo: boolean;
  readonly expiresAt: Date;
  /** When the session was last used, as stored now (after this request's write, if it made one). */
  readonly lastSeenAt: Date;
}

/** Whether a request at `now` must write the session's last-seen time again (at most once a minute). */
export const seenWriteDue = (lastSeenAt: Date, now: Date): boolean =>
  now.getTime() - lastSeenAt.getTime() > SEEN_WRITE_MS;

/**
 * The session a token hash keys, if it is still open (not expired, not idle since `idleBefore`) and its
 * user is not disabled; the idle clock restarts with use.
 */
export async function openSession(
  db: Db,
  key: string,
  now: Date,
  idleBefore: Date,
): Promise<OpenSession | undefined> {
  const row = await db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .select([
      'app_user.id',
      'app_user.username',
      'app_user.display_name',
      'app_user.role',
      'app_user.organisation_code',
      'app_user.demo',
      'user_session.expires_at',
      'user_session.last_seen_at',
    ])
    .where('user_session.token_hash', '=', key)
    .where('user_session.expires_at', '>', now)
    .where('user_session.last_seen_at', '>', idleBefore)
    .where('app_user.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row || !isRole(row.role)) return undefined;
  const touch = seenWriteDue(row.last_seen_at, now);
  if (touch)
    await db.updateTable('user_session').set({ last_seen_at: now }).where('token_hash', '=', key).execute();
  return {
    actor: {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      organisationCode: row.organisation_code,
    },
    demo: row.demo,
    expiresAt: row.expires_at,
    lastSeenAt: touch ? now : row.last_seen_at,
  };
}

/** Ends one session, announcing it so that no node goes on trusting what it cached. */
export async function deleteSession(tx: Tx, token: string, userId: number): Promise<void> {
  await tx.deleteFrom('user_session').where('token_hash', '=', hashToken(token)).execute();
  await announceSessionsEnded(tx, userId);
}
