import type { Db } from '../store/db';
import { seedDemoStaffOnce } from './demo-user';

/**
 * Demo additions for telephony: the switch's service account (log-in `switch`), which the CTI adapter
 * and the demo's simulated switch report calls as. A deployment makes one per switch, with a long
 * password of its own. Idempotent.
 */
export const seedTelephonyDemo = (db: Db, password: string): Promise<boolean> =>
  seedDemoStaffOnce(
    db,
    'telephony',
    { username: 'switch', displayName: 'Telephony switch (demo CTI adapter)', role: 'telephony' },
    password,
  );
