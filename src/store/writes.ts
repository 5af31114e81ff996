import { type OperationNodeSource, sql } from 'kysely';
import type { Db, Tx } from './db';

/**
 * A write a use case has decided on and no later step of it reads back (an insert, an update or a
 * delete, not itself a WITH statement): it goes to the database with the use case's audit rows at the
 * end, in one statement.
 */
export type Write = OperationNodeSource;

/**
 * Sends the writes as one statement: all but the last as data-modifying CTEs of the last. Each round
 * trip costs the node a socket write and the server a statement's overhead, and a call takes about a
 * hundred; the writes of one change are known by its end. They run on one snapshot and cannot see each
 * other, which is why a write whose result a later step needs is run at once instead. Constraints
 * (a call event's call) are checked at the end of the statement, when every part is in.
 */
export async function writeTogether(tx: Db | Tx, writes: readonly Write[]): Promise<void> {
  const last = writes.at(-1);
  if (!last) return;
  const parts = writes.slice(0, -1).map((w, i) => sql`${sql.id(`w${i}`)} as (${w})`);
  if (parts.length === 0) await sql`${last}`.execute(tx);
  else await sql`with ${sql.join(parts)} ${last}`.execute(tx);
}
