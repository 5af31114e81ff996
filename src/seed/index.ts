import { readGeographyContent } from '../content/geography';
import { hashPassword } from '../domain/auth/index';
import { demoWeekOfCalls } from '../sim/demo-calls';
import { insertCalls } from '../store/calls';
import { type Db, inTransaction } from '../store/db';
import { insertGeography } from '../store/geography';
import { insertUser } from '../store/users';
import { seedCasesDemo } from './cases';
import { seedDirectoryDemo } from './directory';
import { seedShippedPathways } from './pathways';
import { seedReferralsDemo } from './referrals';
import { seedReportingDemo } from './reporting';
import { seedReviewDemo } from './review';
import { seedRollout } from './rollout';
import { seedTelephonyDemo } from './telephony';

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

/** Pilot areas and their pilot providers (Luton: NHS Direct; County Durham: North East Ambulance Service). */
const DEMO_CALL_AREAS = [
  { areaCode: '5GC', providerCode: 'NHSD' },
  { areaCode: '5ND', providerCode: 'RX6' },
];

export async function isSeeded(db: Db, key: string): Promise<boolean> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  return row !== undefined;
}

/** Loads England's reference geography once; a second call does nothing. */
export async function seedReference(db: Db): Promise<boolean> {
  // Pathways are loaded on every start, not once: a pathway newly shipped in content/ joins those stored.
  await seedShippedPathways(db);
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
  if (await isSeeded(db, 'seeded.demo')) return seedModuleDemos(db);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await inTransaction(db, async (tx) => {
    await tx
      .insertInto('organisation')
      .values(DEMO_ORGANISATIONS)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    for (const user of DEMO_USERS) await insertUser(tx, { ...user, passwordHash, demo: true });
    // A week of simulated call history for two pilot areas, so the reports have something to show.
    for (const [i, area] of DEMO_CALL_AREAS.entries()) {
      const population = (
        await tx
          .selectFrom('area')
          .select('population_2011')
          .where('code', '=', area.areaCode)
          .executeTakeFirstOrThrow()
      ).population_2011;
      await insertCalls(tx, demoWeekOfCalls({ ...area, population }, 111 + i));
    }
    await tx.insertInto('setting').values({ key: 'seeded.demo', value: new Date().toISOString() }).execute();
  });
  await seedModuleDemos(db);
  return true;
}

/** Each module's own demo data, each idempotent under its own `seeded.*` key. */
async function seedModuleDemos(db: Db): Promise<boolean> {
  const rollout = await seedRollout(db, DEMO_PASSWORD);
  const directory = await seedDirectoryDemo(db, DEMO_PASSWORD);
  const cases = await seedCasesDemo(db, DEMO_PASSWORD);
  const telephony = await seedTelephonyDemo(db, DEMO_PASSWORD);
  const review = await seedReviewDemo(db, DEMO_PASSWORD);
  const reporting = await seedReportingDemo(db);
  const referrals = await seedReferralsDemo(db, DEMO_PASSWORD);
  return rollout || directory || cases || telephony || review || reporting || referrals;
}
