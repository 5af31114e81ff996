import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The case row is the running summary of its events (for the clinical queue and locking); the events
  // are the record. `case` is a reserved word, hence `case_record`.
  await db.schema
    .createTable('case_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull().unique().references('call.id'))
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('area.code'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('disposition_code', 'text')
    .addColumn('outcome', 'text')
    .addColumn('callback_due_at', 'timestamptz')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('case_record_queue')
    .on('case_record')
    .columns(['provider_code', 'status', 'callback_due_at'])
    .execute();
  await db.schema
    .createTable('case_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_by', 'integer')
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('case_event_case_seq', ['case_id', 'seq'])
    .execute();
  // Append-only, enforced by the database too: governance replays exactly what happened.
  await sql`create function case_event_append_only() returns trigger language plpgsql as $$
    begin raise exception 'case events are append-only: % refused', tg_op; end $$`.execute(db);
  await sql`create trigger case_event_append_only before update or delete on case_event
    for each row execute function case_event_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_event').ifExists().execute();
  await sql`drop function if exists case_event_append_only()`.execute(db);
  await db.schema.dropTable('case_record').ifExists().execute();
}
