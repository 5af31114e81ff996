import { type Kysely, sql } from 'kysely';

// Triage sessions are patient records: a header row, and the answers (and goings-back) appended in
// order, each with its time and who gave it. Nothing is updated in place except the finish.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('triage_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pathway_id', 'text', (c) => c.notNull())
    .addColumn('pathway_version', 'integer', (c) => c.notNull())
    .addColumn('module0_version', 'integer', (c) => c.notNull())
    .addColumn('content_version', 'text', (c) => c.notNull())
    .addColumn('patient_age_years', 'double precision', (c) => c.notNull())
    .addColumn('patient_sex', 'text', (c) => c.notNull().check(sql`patient_sex in ('female', 'male')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in_progress', 'finished')`))
    .addColumn('disposition_code', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('finished_by', 'integer', (c) => c.references('app_user.id'))
    .execute();
  await db.schema
    .createTable('triage_event')
    .addColumn('session_id', 'text', (c) => c.notNull().references('triage_session.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('answer', 'back')`))
    .addColumn('pathway_id', 'text')
    .addColumn('question_id', 'text')
    .addColumn('value', 'jsonb')
    .addColumn('keep', 'integer')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.notNull().references('app_user.id'))
    .addPrimaryKeyConstraint('triage_event_pk', ['session_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('triage_event').ifExists().execute();
  await db.schema.dropTable('triage_session').ifExists().execute();
}
