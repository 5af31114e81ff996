import { hashPassword } from '../domain/auth/index';
import type { Db } from '../store/db';
import { insertUser } from '../store/users';

/**
 * Demo additions for the cases module: a clinical governance reviewer at NHS Direct (log-in
 * `governance`), who replays that provider's cases. Idempotent.
 */
export async function seedCasesDemo(db: Db, password: string): Promise<boolean> {
  const done = await db
    .selectFrom('setting')
    .select('key')
    .where('key', '=', 'seeded.cases')
    .executeTakeFirst();
  if (done) return false;
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('organisation')
      .values({ code: 'NHSD', name: 'NHS Direct NHS Trust (DEMO code)', kind: 'provider' })
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    await insertUser(tx, {
      username: 'governance',
      displayName: 'Gale Governance',
      role: 'governance',
      organisationCode: 'NHSD',
      passwordHash,
      demo: true,
    });
    await tx.insertInto('setting').values({ key: 'seeded.cases', value: new Date().toISOString() }).execute();
  });
  return true;
}
