import { type Kysely, sql } from 'kysely';

/**
 * Clinical governance. Pathway change control: every version of every pathway with its YAML, from draft
 * through review, sign-off and release to retirement. The shipped content is loaded as the first
 * released version by the reference seed (it reads content/, which a migration does not).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pathway_version')
    .addColumn('pathway_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // The file of content/pathways the pathway was shipped as (or is exported to): the content version
    // digest is taken by file, as the file loader takes it.
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('yaml', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'in_review', 'approved', 'released', 'retired')`),
    )
    // The version in force when the draft was written: what the review compares it with.
    .addColumn('based_on', 'integer')
    // Null for the content shipped with open111: nobody in this database wrote it.
    .addColumn('author_id', 'integer', (c) => c.references('app_user.id'))
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('approved_by', 'integer', (c) => c.references('app_user.id'))
    .addColumn('approved_at', 'timestamptz')
    .addColumn('review_note', 'text')
    .addColumn('release_at', 'timestamptz')
    .addColumn('released_by', 'integer', (c) => c.references('app_user.id'))
    .addColumn('retired_at', 'timestamptz')
    .addColumn('retired_by', 'integer', (c) => c.references('app_user.id'))
    .addPrimaryKeyConstraint('pathway_version_pk', ['pathway_id', 'version'])
    // The governance rule as the database holds it too: nobody signs off their own draft.
    .addCheckConstraint(
      'pathway_version_not_self_approved',
      sql`approved_by is null or author_id is null or approved_by <> author_id`,
    )
    .execute();
  await db.schema
    .createIndex('pathway_version_released')
    .on('pathway_version')
    .columns(['pathway_id', 'release_at'])
    .where(sql.ref('status'), '=', 'released')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pathway_version').execute();
}
