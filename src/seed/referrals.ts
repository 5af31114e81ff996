import { demoOrganisationCode } from '../domain/directory/index';
import type { Db } from '../store/db';
import { seedDemoStaffOnce } from './demo-user';

/**
 * Demo additions for referrals: a receiving service's log-in (`receiving`) at Luton acute services, the
 * organisation that runs Luton's demo emergency department, urgent treatment centre, minor injury unit and
 * walk-in centre, where the demo's Luton calls are referred. It acknowledges those referrals and reports
 * what happened. Idempotent.
 */
export const seedReferralsDemo = (db: Db, password: string): Promise<boolean> =>
  seedDemoStaffOnce(
    db,
    'referrals',
    {
      username: 'receiving',
      displayName: 'Robin Receiving (Luton acute services)',
      role: 'receiving_service',
      organisation: {
        code: demoOrganisationCode('5GC', 105),
        name: 'Luton acute services (DEMO provider)',
        kind: 'provider',
      },
    },
    password,
  );
