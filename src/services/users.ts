import { newAccountProblems, newOrganisationProblems, passwordProblems } from '../domain/auth/accounts';
import { hashPassword, isRole, type Role } from '../domain/auth/index';
import { conflict, invalid, notFound } from '../domain/errors';
import type { Tx } from '../store/db';
import {
  disableUser as disableStoredUser,
  findOrganisation,
  findUserByUsername,
  insertOrganisation,
  insertUser,
  listOrganisations as listStoredOrganisations,
  listUsers as listStoredUsers,
  type OrganisationRow,
  type StoredUser,
  setPassword,
  type UserRecord,
} from '../store/users';
import type { ServiceContext } from './context';
import { type Caller, inUseCase } from './use-case';

/**
 * User and organisation administration: the national system administrator adds staff to organisations,
 * lists them, disables them and resets their passwords. The API and the command line call these same
 * use cases, so one set of rules holds for both.
 */

export type { OrganisationRow as Organisation, UserRecord as User };

export interface AddUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: string;
  readonly organisation: string;
  readonly password: string;
}

// Administration is national: the record names no provider or area, the reach is the actor's own.
const ANYWHERE = {};

function refuseInvalid(problems: readonly { pointer: string; message: string }[]): void {
  const first = problems[0];
  if (first) throw invalid(first.message, problems);
}

export async function addUser(ctx: ServiceContext, caller: Caller, input: AddUser): Promise<UserRecord> {
  const resource = { type: 'user', id: input.username };
  return inUseCase(ctx, caller, async (u) => {
    // The policy first: someone who may not add users is told so, whatever they sent.
    await u.allow('user.admin', ANYWHERE, resource);
    refuseInvalid(newAccountProblems({ ...input, organisationCode: input.organisation }));
    const organisation = await findOrganisation(u.tx, input.organisation);
    if (!organisation)
      throw notFound(
        `There is no organisation ${input.organisation}: check the code, or add the provider organisation first.`,
      );
    const role: Role | undefined = isRole(input.role) ? input.role : undefined;
    if (!role) throw invalid(`There is no role "${input.role}".`);
    const userId = await insertUser(u.tx, {
      username: input.username,
      displayName: input.displayName.trim(),
      role,
      organisationCode: organisation.code,
      passwordHash: await hashPassword(input.password),
    });
    if (userId === undefined)
      throw conflict(`The username "${input.username}" is taken: choose another one.`);
    await u.audit('create', resource, { role, organisation: organisation.code });
    return {
      userId,
      username: input.username,
      displayName: input.displayName.trim(),
      role,
      organisationCode: organisation.code,
      disabledAt: null,
      demo: false,
      createdAt: u.now,
    };
  });
}

export async function listUsers(ctx: ServiceContext, caller: Caller): Promise<UserRecord[]> {
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('user.admin', ANYWHERE, { type: 'user' });
    const users = await listStoredUsers(u.tx);
    await u.audit('read', { type: 'user' }, { count: users.length });
    return users;
  });
}

async function existingUser(tx: Tx, username: string): Promise<StoredUser> {
  const user = await findUserByUsername(tx, username);
  if (!user) throw notFound(`There is no user "${username}".`);
  return user;
}

/** Disables a user: they can no longer sign in, and their open sessions stop working at once. */
export async function disableUser(
  ctx: ServiceContext,
  caller: Caller,
  username: string,
): Promise<UserRecord> {
  const resource = { type: 'user', id: username };
  const disabled = await inUseCase(ctx, caller, async (u) => {
    await u.allow('user.admin', ANYWHERE, resource);
    const user = await existingUser(u.tx, username);
    if (!user.disabledAt) {
      await disableStoredUser(u.tx, user.userId, u.now);
      await u.audit('update', resource, { change: 'disabled' });
    }
    return recordOf(user, user.disabledAt ?? u.now);
  });
  // Committed: this node forgets at once (the others when they hear the announcement).
  ctx.sessions.forgetUser(disabled.userId);
  return disabled;
}

/** Sets a new password (the same rules as a new user's); the user's sessions end and a lock-out clears. */
export async function resetPassword(
  ctx: ServiceContext,
  caller: Caller,
  username: string,
  password: string,
): Promise<UserRecord> {
  const resource = { type: 'user', id: username };
  const reset = await inUseCase(ctx, caller, async (u) => {
    await u.allow('user.admin', ANYWHERE, resource);
    refuseInvalid(passwordProblems(password));
    const user = await existingUser(u.tx, username);
    await setPassword(u.tx, user.userId, await hashPassword(password));
    await u.audit('update', resource, { change: 'password_reset' });
    return recordOf(user, user.disabledAt);
  });
  ctx.sessions.forgetUser(reset.userId);
  return reset;
}

export async function listOrganisations(
  ctx: ServiceContext,
  caller: Caller,
  filter: { kind?: string } = {},
): Promise<OrganisationRow[]> {
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('user.admin', ANYWHERE, { type: 'organisation' });
    return listStoredOrganisations(u.tx, filter);
  });
}

/** Adds a provider organisation, whose staff can then be added. */
export async function addOrganisation(
  ctx: ServiceContext,
  caller: Caller,
  input: OrganisationRow,
): Promise<OrganisationRow> {
  const resource = { type: 'organisation', id: input.code };
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('user.admin', ANYWHERE, resource);
    refuseInvalid(newOrganisationProblems(input));
    const organisation = { code: input.code, name: input.name.trim(), kind: input.kind };
    if (!(await insertOrganisation(u.tx, organisation)))
      throw conflict(`There is already an organisation ${input.code}.`);
    await u.audit('create', resource, { kind: organisation.kind });
    return organisation;
  });
}

/**
 * The demo log-ins in this store, for the start-up message (names only; no one's record is shown, so no
 * caller and no audit row).
 */
export async function demoAccounts(ctx: ServiceContext): Promise<UserRecord[]> {
  return listStoredUsers(ctx.store.db, { demo: true });
}

/** What an administrator is shown of a user: not the password hash, nor the lock-out counters. */
const recordOf = (user: StoredUser, disabledAt: Date | null): UserRecord => ({
  userId: user.userId,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  organisationCode: user.organisationCode,
  disabledAt,
  demo: user.demo,
  createdAt: user.createdAt,
});
