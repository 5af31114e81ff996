import { hashPassword } from '../domain/auth/index';
import type { Db } from '../store/db';
import { insertUser } from '../store/users';

/** A demo member of staff (at NHS Direct unless an organisation is named) that a module adds to the demo log-ins. */
export interface DemoStaff {
  readonly username: string;
  readonly displayName: string;
  readonly role: string;
  /** The organisation they work for, added when it is not there yet; NHS Direct when left out. */
  readonly organisation?: { readonly code: string; readonly name: string; readonly kind: string };
}

const NHS_DIRECT = { code: 'NHSD', name: 'NHS Direct NHS Trust (DEMO code)', kind: 'provider' };

/**
 * Adds one module's demo log-in (at NHS Direct unless it names its organisation), once: the `seeded.<module>` setting records that it was
 * done, so a restart (or a user who deleted the account) is left alone. True when it was added now.
 */
export async function seedDemoStaffOnce(
  db: Db,
  module: string,
  staff: DemoStaff,
  password: string,
): Promise<boolean> {
  const key = `seeded.${module}`;
  const done = await db.selectFrom('setting').select('key').where('key', '=', key).executeTakeFirst();
  if (done) return false;
  const passwordHash = await hashPassword(password);
  const { organisation = NHS_DIRECT, ...person } = staff;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('organisation')
      .values(organisation)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    await insertUser(tx, { ...person, organisationCode: organisation.code, passwordHash, demo: true });
    await tx.insertInto('setting').values({ key, value: new Date().toISOString() }).execute();
  });
  return true;
}
