import { readDirectoryTypes } from '../content/directory';
import { hashPassword } from '../domain/auth/index';
import { demoOrganisationCode, generateDemoDirectory } from '../domain/directory/index';
import { type Db, inTransaction } from '../store/db';
import { putServices } from '../store/directory';
import { loadGeography } from '../store/geography';
import { insertUser } from '../store/users';

/** A provider's member of staff: sets capacity for Luton's acute services (and only those). */
export const DIRECTORY_DEMO_USERS = [
  {
    username: 'provider',
    displayName: 'Pat Provider',
    role: 'provider_admin',
    organisationCode: '5GC-ACUTE',
  },
] as const;

/** The demo Directory of Services for every area of the demo geography; idempotent. */
export async function seedDirectoryDemo(db: Db, password: string): Promise<boolean> {
  const done = await db
    .selectFrom('setting')
    .select('key')
    .where('key', '=', 'seeded.directory')
    .executeTakeFirst();
  if (done) return false;
  const geo = await loadGeography(db);
  const services = generateDemoDirectory(geo, readDirectoryTypes());
  const acute = [...geo.areas.values()].map((a) => ({
    code: demoOrganisationCode(a.code, 105),
    name: `${a.name} acute services (DEMO provider)`,
    kind: 'provider',
  }));
  const passwordHash = await hashPassword(password);
  await inTransaction(db, async (tx) => {
    for (let i = 0; i < acute.length; i += 500) {
      await tx
        .insertInto('organisation')
        .values(acute.slice(i, i + 500))
        .onConflict((oc) => oc.column('code').doNothing())
        .execute();
    }
    await putServices(tx, services);
    for (const user of DIRECTORY_DEMO_USERS) {
      const exists = await tx
        .selectFrom('app_user')
        .select('id')
        .where('username', '=', user.username)
        .executeTakeFirst();
      if (!exists) await insertUser(tx, { ...user, passwordHash, demo: true });
    }
    await tx
      .insertInto('setting')
      .values({ key: 'seeded.directory', value: new Date().toISOString() })
      .execute();
  });
  return true;
}
