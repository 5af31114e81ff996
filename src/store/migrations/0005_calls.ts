import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('call')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.references('area.code'))
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('offered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz')
    .addColumn('abandoned_at', 'timestamptz')
    .addColumn('transferred_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('answered_by', 'integer')
    .execute();
  await db.schema
    .createIndex('call_provider_offered')
    .on('call')
    .columns(['provider_code', 'offered_at'])
    .execute();
  await db.schema.createIndex('call_area_offered').on('call').columns(['area_code', 'offered_at']).execute();
  // The events are the record the KPIs are measured from; the call row is their running summary.
  await db.schema
    .createTable('call_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull().references('call.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('recorded_by', 'integer')
    .execute();
  await db.schema.createIndex('call_event_call').on('call_event').column('call_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('call_event').ifExists().execute();
  await db.schema.dropTable('call').ifExists().execute();
}
