import { type Kysely, sql } from 'kysely';

/**
 * The queue as an index of its own: only the calls waiting, by provider, oldest first. "Answer next"
 * and the wallboard read it many times a second; the index on (provider, status, offered) spans every
 * call ever taken, and a statement whose status is a parameter may be planned as a scan of them all.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index call_queue on call (provider_code, offered_at, id) where status = 'queued'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('call_queue').ifExists().execute();
}
