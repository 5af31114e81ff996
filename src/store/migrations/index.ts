import type { Migration } from 'kysely';
import * as foundation from './0001_foundation';
import * as directory from './0004_directory';

/**
 * Every migration, by name; Kysely runs them in name order. A module adds its own file
 * (`NNNN_module.ts`) and one line here. Migrations are never edited once released.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0004_directory': directory,
};
