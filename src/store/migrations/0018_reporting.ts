import type { Kysely } from 'kysely';

/**
 * The national monthly return as kept: one row per month × service × provider × commissioning area,
 * its counts in the columns of src/domain/calls/kpis.ts (MONTHLY_RETURN_COLUMNS). Months with recorded
 * calls are counted from the calls themselves; rows here are the months before the records (the demo's
 * simulated history, or returns imported from elsewhere), each saying where it came from. And the
 * SHAs' submissions to the Department of Health, each kept as it was sent.
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
  // Each time an SHA sends its submission to the Department of Health: the document as it was sent.
  await db.schema
    .createTable('sha_submission')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.notNull().references('region.code'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_by', 'text', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sha_submission_region')
    .on('sha_submission')
    .columns(['region_code', 'sent_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sha_submission').ifExists().execute();
  await db.schema.dropTable('monthly_return').ifExists().execute();
}
