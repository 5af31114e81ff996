import { type Kysely, sql } from 'kysely';

/**
 * The Directory's gap log in aggregate: one count per hour (UTC), area, disposition, service and
 * filter, where it was one row per gap, about 50 a search (at England's 2 million calls a month, some
 * 60 million rows a month). The rows logged so far are counted into it. `dos_gap` stays, no longer
 * written, because migrations only add: a node of the previous version still writes there during a
 * rolling upgrade.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dos_gap_count')
    .addColumn('hour', 'timestamptz', (c) => c.notNull())
    .addColumn('area_code', 'text')
    .addColumn('disposition', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('filter', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  // A search from no known area has no area code: one count for those too, so nulls are not distinct.
  await sql`create unique index dos_gap_count_key on dos_gap_count
    (hour, area_code, disposition, service_id, filter) nulls not distinct`.execute(db);
  await db.schema
    .createIndex('dos_gap_count_area_hour')
    .on('dos_gap_count')
    .columns(['area_code', 'hour'])
    .execute();
  await sql`insert into dos_gap_count (hour, area_code, disposition, service_id, filter, count)
    select date_trunc('hour', at, 'UTC'), area_code, disposition, service_id, filter, count(*)::int
      from dos_gap group by 1, 2, 3, 4, 5`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dos_gap_count').ifExists().execute();
}
