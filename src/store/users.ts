import { createHash, randomBytes } from 'node:crypto';
import { type Actor, isRole, type LoginAttemptState } from '../domain/auth/index';
import type { Db, Tx } from './db';

const SESSION_HOURS = 12;

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

export async function saveLoginAttemptState(db: Db, userId: number, state: LoginAttemptState): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ failed_logins: state.failedLogins, locked_until: state.lockedUntil })
    .where('id', '=', userId)
    .execute();
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
}

/** Sets a new password hash, clears a lock-out and ends the user's sessions (the old password's). */
export async function setPassword(tx: Tx, userId: number, passwordHash: string): Promise<void> {
  await tx
    .updateTable('app_user')
    .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
  await tx.deleteFrom('user_session').where('user_id', '=', userId).execute();
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
    .values({ token_hash: hashToken(token), user_id: userId, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/**
 * The signed-in user of a session that is still open; a disabled user's sessions, and a demo user's
 * when demo log-ins are off, do not work.
 */
export async function actorForToken(
  db: Db,
  token: string,
  now: Date,
  options: { allowDemo: boolean },
): Promise<Actor | undefined> {
  let q = db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .select([
      'app_user.id',
      'app_user.username',
      'app_user.display_name',
      'app_user.role',
      'app_user.organisation_code',
    ])
    .where('user_session.token_hash', '=', hashToken(token))
    .where('user_session.expires_at', '>', now)
    .where('app_user.disabled_at', 'is', null);
  if (!options.allowDemo) q = q.where('app_user.demo', '=', false);
  const row = await q.executeTakeFirst();
  if (!row || !isRole(row.role)) return undefined;
  return {
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    organisationCode: row.organisation_code,
  };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('user_session').where('token_hash', '=', hashToken(token)).execute();
}
