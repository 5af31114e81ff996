import type { Kysely } from 'kysely';

/**
 * The sequence number of the last answer appended to a triage session, kept on the session row. An
 * answer now moves the row (where it took a share lock), so finishing a session can be one statement
 * without a transaction: its update holds only while no answer has been appended after the ones it
 * was decided on, which PostgreSQL checks again on the row after waiting for an answer that holds it.
 *
 * Not counted into for the sessions already there, and not moved by a node of the previous version
 * during a rolling upgrade: the finish also asks that no event after its last one exists, which covers
 * every answer committed before it reads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('triage_session')
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('triage_session').dropColumn('last_seq').execute();
}
