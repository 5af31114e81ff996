import type { Kysely } from 'kysely';

/**
 * The national monthly return as kept: one row per month × service × provider × commissioning area,
 * its counts in the columns of src/domain/calls/kpis.ts (MONTHLY_RETURN_COLUMNS). Months with recorded
 * calls are counted from the calls themselves; rows here are the months before the records (the demo's
 * simulated history, or returns imported from elsewhere), each saying where it came from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('monthly_return')
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull().references('area.code'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('counts', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('monthly_return_pk', ['month', 'service', 'provider_code', 'area_code'])
    .execute();
  await db.schema
    .createIndex('monthly_return_area')
    .on('monthly_return')
    .columns(['area_code', 'month'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('monthly_return').ifExists().execute();
}
