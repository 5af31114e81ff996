import { type Kysely, sql } from 'kysely';

/**
 * Each outbound message names the provider whose patient it carries, so the outbox is shown to (and
 * resent by) that provider's staff only. Messages already queued take the provider of the case their
 * subject names: nothing accepted before is lost. A message about no case keeps no provider, and only
 * a system administrator sees it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('provider_code', 'text').execute();
  await sql`update outbox set provider_code = c.provider_code
    from case_record c where c.id = outbox.subject`.execute(db);
  await db.schema.createIndex('outbox_provider').on('outbox').columns(['provider_code', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_provider').ifExists().execute();
  await db.schema.alterTable('outbox').dropColumn('provider_code').execute();
}
