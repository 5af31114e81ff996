import { type Kysely, sql } from 'kysely';

/**
 * Delivery that is guaranteed and watched:
 * - every attempt to deliver a message is kept (`delivery_attempt`), so sending a held message again
 *   no longer erases why it failed;
 * - a claim names its sender (`claimed_by`), which renews it while it works;
 * - `failing_since` is when the message first failed since it was last queued: what an alert reads;
 * - the demo receivers count the repeats they refused, and have a switch to fail, answer slowly or
 *   time out (`demo_receiver_switch`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('claimed_by', 'text')
    .addColumn('failing_since', 'timestamptz')
    .execute();
  // Messages failing before this release alert from when they were queued: the best instant known.
  await sql`update outbox set failing_since = created_at
    where last_error is not null and status <> 'delivered'`.execute(db);
  await db.schema
    .createTable('delivery_attempt')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('message_id', 'bigint', (c) => c.notNull().references('outbox.id'))
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('delivered', 'failed')`))
    .addColumn('error', 'text')
    .addColumn('acknowledgement', 'text')
    .execute();
  await db.schema
    .createIndex('delivery_attempt_message')
    .on('delivery_attempt')
    .columns(['message_id', 'id'])
    .execute();
  await db.schema
    .alterTable('received_message')
    .addColumn('duplicates_refused', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('demo_receiver_switch')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('normal', 'fail', 'slow', 'timeout')`))
    .addColumn('delay_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('demo_receiver_switch').ifExists().execute();
  await db.schema.alterTable('received_message').dropColumn('duplicates_refused').execute();
  await db.schema.dropTable('delivery_attempt').ifExists().execute();
  await db.schema.alterTable('outbox').dropColumn('failing_since').dropColumn('claimed_by').execute();
}
