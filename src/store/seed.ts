import { readGeographyContent } from '../content/geography';
import { hashPassword } from '../domain/auth/index';
import { type Db, inTransaction } from './db';
import { seedDirectoryDemo } from './directory-seed';
import { insertGeography } from './geography';
import { insertUser } from './users';

/** The demo log-ins, printed at start in demo mode and never created otherwise. */
export const DEMO_PASSWORD = 'demo';
export const DEMO_USERS = [
  { username: 'adviser', displayName: 'Alex Adviser', role: 'health_adviser', organisationCode: 'NHSD' },
  { username: 'clinician', displayName: 'Chris Clinician', role: 'clinician', organisationCode: 'NHSD' },
  {
    username: 'commissioner',
    displayName: 'Cam Commissioner',
    role: 'commissioner',
    organisationCode: 'Q35',
  },
  { username: 'doslead', displayName: 'Dee DoS Lead', role: 'dos_lead', organisationCode: 'Q35' },
  { username: 'admin', displayName: 'Ash Admin', role: 'system_admin', organisationCode: 'DH' },
] as const;

/** Organisations the demo needs beyond the geography (codes marked DEMO are not real ODS codes). */
const DEMO_ORGANISATIONS = [
  { code: 'NHSD', name: 'NHS Direct NHS Trust (DEMO code)', kind: 'provider' },
  { code: 'DH', name: 'Department of Health (national, DEMO code)', kind: 'national' },
];

export async function isSeeded(db: Db, key: string): Promise<boolean> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  return row !== undefined;
}

/** Loads England's reference geography once; a second call does nothing. */
export async function seedReference(db: Db): Promise<boolean> {
  if (await isSeeded(db, 'seeded.reference')) return false;
  const geo = readGeographyContent();
  await inTransaction(db, async (tx) => {
    await insertGeography(tx, geo);
    await tx
      .insertInto('setting')
      .values({ key: 'seeded.reference', value: new Date().toISOString() })
      .execute();
  });
  return true;
}

/** Adds the demo organisations and users (on top of the reference data); idempotent. */
export async function seedDemo(db: Db): Promise<boolean> {
  await seedReference(db);
  if (await isSeeded(db, 'seeded.demo')) return seedDirectoryDemo(db, DEMO_PASSWORD);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await inTransaction(db, async (tx) => {
    await tx
      .insertInto('organisation')
      .values(DEMO_ORGANISATIONS)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    for (const user of DEMO_USERS) await insertUser(tx, { ...user, passwordHash });
    await tx.insertInto('setting').values({ key: 'seeded.demo', value: new Date().toISOString() }).execute();
  });
  await seedDirectoryDemo(db, DEMO_PASSWORD);
  return true;
}
