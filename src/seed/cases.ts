import type { Db } from '../store/db';
import { seedDemoStaffOnce } from './demo-user';

/**
 * Demo additions for the cases module: a clinical governance reviewer at NHS Direct (log-in
 * `governance`), who replays that provider's cases. Idempotent.
 */
export const seedCasesDemo = (db: Db, password: string): Promise<boolean> =>
  seedDemoStaffOnce(
    db,
    'cases',
    { username: 'governance', displayName: 'Gale Governance', role: 'governance' },
    password,
  );
