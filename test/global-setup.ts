import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { seedDemo } from '../src/seed/index';
import { migrate, openStore, pgliteStore } from '../src/store/db';
import { type PostgresServer, startPostgres } from './postgres-server';

export const TEMPLATE_DB = 'open111_template';

let server: PostgresServer | undefined;

/**
 * Once per run: a real PostgreSQL server with a migrated, seeded template database, and a PGlite
 * snapshot of the same. Each test file then gets its own copy of either in well under a second.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB}`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = withDatabase(server.url, TEMPLATE_DB);
  const pgStore = await openStore({ databaseUrl: templateUrl, poolSize: 2 });
  await migrate(pgStore.db);
  await seedDemo(pgStore.db);
  await pgStore.close();

  const pglite = await PGlite.create();
  const liteStore = pgliteStore(pglite);
  await migrate(liteStore.db);
  await seedDemo(liteStore.db);
  const dump = await pglite.dumpDataDir('none');
  const snapshot = `${process.env.TMPDIR ?? '/tmp'}/open111-pglite-template-${process.pid}.tar`;
  writeFileSync(snapshot, Buffer.from(await dump.arrayBuffer()));
  await liteStore.close();

  project.provide('postgresUrl', server.url);
  project.provide('pgliteSnapshot', snapshot);
  return async () => {
    await server?.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    pgliteSnapshot: string;
  }
}
