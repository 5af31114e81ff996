import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/**
 * Named (prepared) statements for a real PostgreSQL server. Kysely sends every statement unnamed, so the
 * server parses and plans each one afresh: under load that was most of PostgreSQL's CPU, a fifth of it
 * spent executing. Naming a statement by the hash of its text lets each connection parse it once and
 * then only bind and execute it.
 *
 * Only on a server: PGlite's socket clients share one backend session, where a name prepared by one
 * client would be unknown to (or clash with) another's. Only the statements that read or write rows are
 * named (not BEGIN, DDL or LISTEN), at most `cap` a connection, so a text that varies (an IN list of any
 * length) cannot fill the server's memory: past the cap, statements go unnamed as before.
 */
export function preparingPool(pool: pg.Pool, cap = 500): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let preparing = wrapped.get(client);
      if (!preparing) {
        preparing = preparingClient(client, cap);
        wrapped.set(client, preparing);
      }
      return preparing;
    },
    end: () => pool.end(),
  };
}

const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;
// The server keeps a plan per name; a schema change under it (a migration in a process that already ran
// the statement) makes the plan's row type stale, and the server refuses it until it is prepared anew.
const STALE_PLAN = 'cached plan must not change result type';

// node-postgres types a result's command as a plain string; Kysely reads it only to count affected rows.
function asResult<R>(r: pg.QueryResult): PostgresQueryResult<R> {
  return { command: r.command as PostgresQueryResult<R>['command'], rowCount: r.rowCount ?? 0, rows: r.rows };
}

function preparingClient(client: pg.PoolClient, cap: number): PostgresPoolClient {
  // Text → name, computed once a text: hashing every statement's text on every run cost the node more
  // than the server saved. A text that cannot be named (past the cap, or stale) maps to no name.
  const names = new Map<string, string | undefined>();
  let prepared = 0;
  function nameFor(sql: string): string | undefined {
    if (names.has(sql)) return names.get(sql);
    if (prepared >= cap || !NAMEABLE.test(sql)) return undefined;
    const name = `o111_${createHash('sha1').update(sql).digest('base64url')}`;
    names.set(sql, name);
    prepared += 1;
    return name;
  }
  async function run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const name = nameFor(sql);
    const values = [...parameters];
    if (!name) return asResult<R>(await client.query({ text: sql, values }));
    try {
      return asResult<R>(await client.query({ name, text: sql, values }));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes(STALE_PLAN)) throw error;
      // Send this text unnamed from now on, on this connection; the statement itself is retried once.
      names.set(sql, undefined);
      return asResult<R>(await client.query({ text: sql, values }));
    }
  }
  function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely passes a cursor only when its dialect is given a cursor class to stream with; ours is not.
    if (typeof sqlOrCursor !== 'string') throw new Error('open111 does not stream query results.');
    return run<R>(sqlOrCursor, parameters);
  }
  return { query, release: (destroy?: boolean) => client.release(destroy) };
}
