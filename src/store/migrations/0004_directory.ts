import { type Kysely, sql } from 'kysely';

// The Directory of Services. The full record is JSON (its shape is the domain's); the columns beside
// it are what SQL needs to find, scope and audit services. Capacity has its own columns: it changes
// many times a day, by the provider's own staff.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dos_service')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type_id', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('organisation_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('latitude', 'double precision', (c) => c.notNull())
    .addColumn('longitude', 'double precision', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('capacity_status', 'text', (c) =>
      c.notNull().defaultTo('green').check(sql`capacity_status in ('green', 'amber', 'red')`),
    )
    .addColumn('capacity_reset_at', 'timestamptz')
    .addColumn('capacity_changed_at', 'timestamptz')
    .addColumn('capacity_changed_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('dos_service_area')
    .on('dos_service')
    .columns(['area_code', 'type_id'])
    .execute();
  await db.schema.createIndex('dos_service_org').on('dos_service').column('organisation_code').execute();
  await db.schema
    .createTable('dos_type_rank')
    .addColumn('area_code', 'text', (c) => c.notNull())
    .addColumn('type_id', 'integer', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull().check(sql`rank >= 1`))
    .addPrimaryKeyConstraint('dos_type_rank_pk', ['area_code', 'type_id'])
    .execute();
  await db.schema
    .createTable('dos_gap')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('area_code', 'text')
    .addColumn('disposition', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('filter', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dos_gap_area_at').on('dos_gap').columns(['area_code', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['dos_gap', 'dos_type_rank', 'dos_service']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
