import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Engine, openStore, pgliteStore, type Store } from '../src/store/db';
import { TEMPLATE_DB, withDatabase } from './global-setup';

export const ENGINES: readonly Engine[] = ['pglite', 'postgres'];

/** A fresh store, migrated and seeded with the reference geography and demo users, on either engine. */
export async function freshStore(engine: Engine): Promise<Store> {
  if (engine === 'pglite') {
    const snapshot = readFileSync(inject('pgliteSnapshot'));
    const pglite = await PGlite.create({ loadDataDir: new Blob([snapshot]) });
    return pgliteStore(pglite);
  }
  const database = await freshPostgresDatabase();
  const store = await openStore({ databaseUrl: database.url, poolSize: 4 });
  const close = store.close.bind(store);
  return {
    ...store,
    async close() {
      await close();
      await database.drop();
    },
  };
}

/**
 * A database of its own on the suite's PostgreSQL server, migrated and seeded (a copy of the template):
 * its URL, for tests that open several stores on one database as several open111 nodes would.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = inject('postgresUrl');
  const name = `open111_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const drop = new pg.Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}

/**
 * Runs the same tests on PGlite and on a real PostgreSQL server: one file, both engines.
 * `use()` returns the store of the engine under test; each engine gets its own database per file.
 */
export function describeEachEngine(title: string, body: (use: () => Store, engine: Engine) => void): void {
  for (const engine of ENGINES) {
    describe(`${title} [${engine}]`, () => {
      let store: Store | undefined;
      beforeAll(async () => {
        store = await freshStore(engine);
      }, 60_000);
      afterAll(async () => {
        await store?.close();
      });
      body(() => {
        if (!store) throw new Error('store not ready');
        return store;
      }, engine);
    });
  }
}

/**
 * The connections a store's pool handed out while `work` ran: one a statement outside a transaction,
 * so a test can say how many round trips a change made.
 */
export async function connectionsWhile(
  store: Pick<Store, 'pool'>,
  work: () => Promise<unknown>,
): Promise<number> {
  let n = 0;
  const count = () => {
    n += 1;
  };
  store.pool.on('acquire', count);
  try {
    await work();
  } finally {
    store.pool.off('acquire', count);
  }
  return n;
}
