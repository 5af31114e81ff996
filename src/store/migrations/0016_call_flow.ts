import { type Kysely, sql } from 'kysely';

/**
 * The call as one flow: calls that arrive from the telephony switch (CTI) carry the switch's own
 * reference and the caller's number; every event the switch sends is kept once per (callRef, type), so
 * a repeated event changes nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('call')
    .addColumn('call_ref', 'text', (c) => c.unique())
    .addColumn('caller_number', 'text')
    .addColumn('dialled', 'text')
    .addColumn('agent', 'text')
    .execute();
  await db.schema
    .createTable('telephony_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('call_ref', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull().references('call.id'))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addUniqueConstraint('telephony_event_ref_type', ['call_ref', 'type'])
    .execute();
  // The queue is read by provider and status many times a second (the wallboard, answer next).
  await db.schema
    .createIndex('call_provider_status_offered')
    .on('call')
    .columns(['provider_code', 'status', 'offered_at'])
    .execute();
  // Repeat callers are matched on the caller's number within a window.
  await db.schema
    .createIndex('call_caller_number')
    .on('call')
    .columns(['caller_number', 'offered_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('call_caller_number').ifExists().execute();
  await db.schema.dropIndex('call_provider_status_offered').ifExists().execute();
  await db.schema.dropTable('telephony_event').ifExists().execute();
  await db.schema
    .alterTable('call')
    .dropColumn('call_ref')
    .dropColumn('caller_number')
    .dropColumn('dialled')
    .dropColumn('agent')
    .execute();
}
