import { hashPassword } from '../domain/auth/index';
import type { Db } from '../store/db';
import { insertUser } from '../store/users';

/**
 * Demo additions for telephony: the switch's service account (log-in `switch`), which the CTI adapter
 * and the demo's simulated switch report calls as. A deployment makes one per switch, with a long
 * password of its own. Idempotent.
 */
export async function seedTelephonyDemo(db: Db, password: string): Promise<boolean> {
  const done = await db
    .selectFrom('setting')
    .select('key')
    .where('key', '=', 'seeded.telephony')
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
      username: 'switch',
      displayName: 'Telephony switch (demo CTI adapter)',
      role: 'telephony',
      organisationCode: 'NHSD',
      passwordHash,
      demo: true,
    });
    await tx
      .insertInto('setting')
      .values({ key: 'seeded.telephony', value: new Date().toISOString() })
      .execute();
  });
  return true;
}
