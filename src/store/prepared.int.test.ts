import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../test/engines';
import { openStore, type Store } from './db';

// The statements the server holds for the connection that asks (pool size 1: always the same one).
async function preparedOnServer(store: Store): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(
    store.db,
  );
  return r.rows.map((row) => row.name);
}

describe('named statements (store/prepared.ts) [postgres]', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  const stores: Store[] = [];
  const open = async (preparedStatements?: boolean) => {
    if (!database) throw new Error('no database');
    const store = await openStore({
      databaseUrl: database.url,
      poolSize: 1,
      ...(preparedStatements === undefined ? {} : { preparedStatements }),
    });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    database = await freshPostgresDatabase();
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await database?.drop();
  });

  it('parses a statement once per connection and runs it by name after, with the same rows', async () => {
    const store = await open();
    const read = (code: string) =>
      store.db.selectFrom('organisation').select(['code', 'name']).where('code', '=', code).execute();
    const first = await read('RYC');
    expect(await read('RYC')).toEqual(first);
    const names = await preparedOnServer(store);
    // The read is held once (two runs, one name); the catalogue read itself is named too.
    expect(names.filter((n) => n.startsWith('o111_'))).toHaveLength(2);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names nothing when told not to (behind a pooler that cannot keep them)', async () => {
    const store = await open(false);
    await store.db.selectFrom('organisation').select('code').limit(1).execute();
    expect(await preparedOnServer(store)).toEqual([]);
  });

  it('runs a statement again after a schema change made its plan stale, instead of failing', async () => {
    const store = await open();
    await sql`create table prepared_probe (a int)`.execute(store.db);
    await sql`insert into prepared_probe values (1)`.execute(store.db);
    const all = () => sql<Record<string, number>>`select * from prepared_probe`.execute(store.db);
    expect((await all()).rows).toEqual([{ a: 1 }]);
    // Another session changes the table's row type under the plan this connection holds.
    if (!database) throw new Error('no database');
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query('alter table prepared_probe add column b int default 2');
    await other.end();
    expect((await all()).rows).toEqual([{ a: 1, b: 2 }]);
    expect((await all()).rows).toEqual([{ a: 1, b: 2 }]);
  });

  it('leaves BEGIN, COMMIT and DDL unnamed, and a transaction still commits or rolls back whole', async () => {
    const store = await open();
    await sql`create table prepared_tx (a int)`.execute(store.db);
    await store.db.transaction().execute(async (tx) => {
      await sql`insert into prepared_tx values (${1})`.execute(tx);
    });
    await expect(
      store.db.transaction().execute(async (tx) => {
        await sql`insert into prepared_tx values (${2})`.execute(tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const rows = await sql<{ a: number }>`select a from prepared_tx`.execute(store.db);
    expect(rows.rows).toEqual([{ a: 1 }]);
    const names = await preparedOnServer(store);
    expect(names.every((n) => n.startsWith('o111_'))).toBe(true);
  });
});
