import { type Kysely, sql } from 'kysely';

// Rollout plans (one current row per area, versioned for optimistic concurrency) and their history.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rollout_plan')
    .addColumn('area_code', 'text', (c) => c.primaryKey().references('area.code'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('pilot_live', 'planned', 'in_procurement', 'live', 'opted_in_default', 'withdrawn')`,
        ),
    )
    .addColumn('operating_model', 'text', (c) => c.notNull())
    .addColumn('provider_codes', 'jsonb', (c) => c.notNull())
    .addColumn('procurement_date', 'date')
    .addColumn('go_live_date', 'date')
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('draft', 'submitted', 'approved')`))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('submitted_by', 'text')
    .addColumn('ccg_approval', 'jsonb')
    .addColumn('default_opt_in', 'jsonb')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rollout_plan_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('area_code', 'text', (c) => c.notNull().references('area.code'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('plan', 'jsonb')
    .execute();
  await db.schema
    .createIndex('rollout_plan_event_area')
    .on('rollout_plan_event')
    .columns(['area_code', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rollout_plan_event').ifExists().execute();
  await db.schema.dropTable('rollout_plan').ifExists().execute();
}
