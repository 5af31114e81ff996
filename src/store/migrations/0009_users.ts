import { type Kysely, sql } from 'kysely';

/** The log-ins the demo seeds made before users carried a `demo` mark (every module's, by name). */
const EARLIER_DEMO_USERNAMES = [
  'adviser',
  'clinician',
  'commissioner',
  'doslead',
  'admin',
  'provider',
  'governance',
  'ccg',
  'national',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // A disabled user keeps their row (the audit trail names them) but can no longer sign in.
  await db.schema.alterTable('app_user').addColumn('disabled_at', 'timestamptz').execute();
  // Demo log-ins (password "demo") work only while the server runs with --demo.
  await db.schema
    .alterTable('app_user')
    .addColumn('demo', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  // A data directory seeded for the demo before this migration: its demo log-ins are marked too, so
  // serving it without --demo refuses them like any newer one.
  await sql`update app_user set demo = true
    where username in (${sql.join(EARLIER_DEMO_USERNAMES)})
      and exists (select 1 from setting where key = 'seeded.demo')`.execute(db);
  // The national organisation the access policy names: a fresh install's first administrator belongs to
  // it (`open111 users add … --organisation DH`), demo or not.
  await sql`insert into organisation (code, name, kind) values ('DH', 'Department of Health (national)', 'national')
    on conflict (code) do nothing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('app_user').dropColumn('demo').execute();
  await db.schema.alterTable('app_user').dropColumn('disabled_at').execute();
}
