import type { Migration } from 'kysely';
import * as foundation from './0001_foundation';
import * as triage from './0003_triage';

/**
 * Every migration, by name; Kysely runs them in name order. A module adds its own file
 * (`NNNN_module.ts`) and one line here. Migrations are never edited once released.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0003_triage': triage,
};
