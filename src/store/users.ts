import { createHash, randomBytes } from 'node:crypto';
import { type Actor, isRole, type LoginAttemptState } from '../domain/auth/index';
import type { Db, Tx } from './db';

const SESSION_HOURS = 12;

export interface StoredUser extends Actor, LoginAttemptState {
  readonly passwordHash: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function findUserByUsername(db: Db, username: string): Promise<StoredUser | undefined> {
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
}

export async function insertUser(db: Db | Tx, user: NewUser): Promise<void> {
  await db
    .insertInto('app_user')
    .values({
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      role: user.role,
      organisation_code: user.organisationCode,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .execute();
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

export async function actorForToken(db: Db, token: string, now: Date): Promise<Actor | undefined> {
  const row = await db
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
    .executeTakeFirst();
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
