import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Sessions end after an idle spell as well as at their expiry: the last request each was used for.
  await db.schema
    .alterTable('user_session')
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('user_session_expires_at').on('user_session').column('expires_at').execute();
  // Failed sign-ins by username and address, for every username tried (known or not, so the answers
  // cannot tell which accounts exist), counted in one statement so parallel guesses all count.
  await db.schema
    .createTable('login_failure')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_failure_pkey', ['username', 'address'])
    .execute();
  await db.schema.createIndex('login_failure_updated_at').on('login_failure').column('updated_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_failure').execute();
  await db.schema.dropIndex('user_session_expires_at').execute();
  await db.schema.alterTable('user_session').dropColumn('last_seen_at').execute();
}
