import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, Migrator, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index';
import type { Database } from './schema';

// One set of type parsers for both engines: PGlite is reached through node-postgres too.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number.parseFloat(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Engine = 'pglite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface Store {
  readonly db: Db;
  readonly engine: Engine;
  /** The node-postgres pool behind Kysely (for LISTEN/NOTIFY on a server). */
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** A PostgreSQL URL: use a real server. */
  readonly databaseUrl?: string;
  /** Where PGlite keeps its files when no URL is given; `memory://` keeps nothing. */
  readonly dataDir?: string;
  readonly poolSize?: number;
}

/** Opens the store: a PostgreSQL server when a URL is given, else embedded PGlite. Same SQL either way. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Nothing to do here.
    });
    return storeOver(pool, 'postgres', async () => undefined);
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  return pgliteStore(pglite);
}

/** Wraps an already-open PGlite instance (tests clone one from a migrated snapshot). */
export function pgliteStore(pglite: PGlite): Store {
  const pool = new pg.Pool(createPgConfig(pglite));
  return storeOver(pool, 'pglite', () => pglite.close());
}

function storeOver(pool: pg.Pool, engine: Engine, closeEngine: () => Promise<void>): Store {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine,
    pool,
    async close() {
      await db.destroy();
      await closeEngine();
    },
  };
}

/** Brings the schema up to date. Safe to run on every start. */
export async function migrate(db: Db): Promise<string[]> {
  // Modules are developed side by side, so a later-numbered migration may land first: allow that.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Runs `work` in one transaction: all of it is written, or none. */
export function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
