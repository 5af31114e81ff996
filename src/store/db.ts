import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, Migrator, PostgresDialect, type PostgresPool, type Transaction } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index';
import { preparingPool } from './prepared';
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
  /**
   * Name the statements on a server so each connection parses and plans one only once (prepared.ts).
   * Default on; off behind a pooler that cannot keep named statements (PgBouncer's transaction mode
   * before 1.21).
   */
  readonly preparedStatements?: boolean;
}

/** Opens the store: a PostgreSQL server when a URL is given, else embedded PGlite. Same SQL either way. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    // A connection that cannot be made in 5 s fails (a 503 at the edge) instead of holding the request.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    });
    pool.on('error', () => {
      // An idle client lost its connection (the server restarted): the pool drops it and connects anew
      // at the next checkout, as it also drops a client that failed in use (pg-pool's release).
    });
    // A client checked out between two statements (inside a transaction) has no listener of the pool's:
    // its connection ending would be an unhandled 'error' event, which ends the process. The statement
    // that follows fails instead (a 503 at the edge), and the pool drops the client when it is released.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    const dialectPool = options.preparedStatements === false ? pool : preparingPool(pool);
    return storeOver(pool, 'postgres', async () => undefined, dialectPool);
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

function storeOver(
  pool: pg.Pool,
  engine: Engine,
  closeEngine: () => Promise<void>,
  dialectPool: PostgresPool = pool,
): Store {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: dialectPool }) });
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

/** PostgreSQL's unique_violation: a write whose key another write took first. */
export const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';

/**
 * Errors that say the database cannot be reached now, rather than that the request was wrong: refused
 * or dropped connections, the server shutting down or starting up (SQLSTATE 57P01–57P03), too many
 * connections (53300), the connection-exception class (08xxx), a connect timeout. The one list the
 * edge maps to 503 with Retry-After.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const UNAVAILABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|is not queryable|cannot use a pool after calling end|the database system is (starting up|shutting down|in recovery mode)/i;

export function isConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const stack = [error];
  for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
    if (seen.has(e) || e === null || typeof e !== 'object') continue;
    seen.add(e);
    const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
    if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (e instanceof Error && UNAVAILABLE_MESSAGE.test(e.message)) return true;
    if ('cause' in e) stack.push(e.cause);
    if (e instanceof AggregateError) stack.push(...e.errors);
  }
  return false;
}
