import { type Kysely, sql } from 'kysely';

/**
 * Clinical governance, part two: case review and incidents. A governance lead's review rules (per
 * provider: on or off, and their parameters); the review queue they fill (one row per case, with every
 * reason it was picked) and the scored review; incidents with their actions and links.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_rule')
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('app_user.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_rule_pk', ['provider_code', 'rule'])
    .execute();
  await db.schema
    .createTable('case_review')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().unique().references('case_record.id'))
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text', (c) => c.notNull())
    // Who triaged the case: the adviser who sees the review of their call.
    .addColumn('adviser_id', 'integer', (c) => c.references('app_user.id'))
    .addColumn('reasons', 'jsonb', (c) => c.notNull())
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reviewer_id', 'integer', (c) => c.references('app_user.id'))
    .addColumn('scored_at', 'timestamptz')
    .addColumn('disposition', 'text', (c) =>
      c.check(sql`disposition in ('correct', 'too_urgent', 'not_urgent_enough')`),
    )
    .addColumn('safety', 'text', (c) => c.check(sql`safety in ('safe', 'safe_with_concerns', 'unsafe')`))
    .addColumn('communication', 'integer', (c) => c.check(sql`communication between 1 and 5`))
    .addColumn('findings', 'text')
    .addColumn('learning', 'text')
    // A score is all or nothing: a scored review has every part of the form.
    .addCheckConstraint(
      'case_review_scored_whole',
      sql`(scored_at is null) = (disposition is null) and (scored_at is null) = (safety is null) and (scored_at is null) = (communication is null) and (scored_at is null) = (reviewer_id is null)`,
    )
    // Nobody reviews their own call.
    .addCheckConstraint(
      'case_review_not_own',
      sql`reviewer_id is null or adviser_id is null or reviewer_id <> adviser_id`,
    )
    .execute();
  await db.schema
    .createIndex('case_review_provider_queued')
    .on('case_review')
    .columns(['provider_code', 'queued_at'])
    .execute();
  await db.schema.createIndex('case_review_adviser').on('case_review').column('adviser_id').execute();
  await db.schema
    .createTable('incident')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text')
    .addColumn('about', 'text', (c) =>
      c.notNull().check(sql`about in ('case', 'service', 'pathway_version')`),
    )
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('grade', 'text', (c) =>
      c.check(sql`grade in ('no_harm', 'low', 'moderate', 'severe', 'death')`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('reported', 'investigating', 'closed')`),
    )
    .addColumn('reported_by', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('graded_by', 'integer', (c) => c.references('app_user.id'))
    .addColumn('graded_at', 'timestamptz')
    .addColumn('closed_by', 'integer', (c) => c.references('app_user.id'))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('close_reason', 'text')
    .addCheckConstraint('incident_closed_with_reason', sql`(status = 'closed') = (close_reason is not null)`)
    .execute();
  await db.schema
    .createIndex('incident_provider_reported')
    .on('incident')
    .columns(['provider_code', 'reported_at'])
    .execute();
  await db.schema
    .createTable('incident_action')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incident.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('due_on', 'date')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'done', 'waived')`))
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('finished_by', 'integer', (c) => c.references('app_user.id'))
    // A waiver says why.
    .addCheckConstraint('incident_action_waived_why', sql`status <> 'waived' or note is not null`)
    .execute();
  await db.schema
    .createTable('incident_link')
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incident.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('case', 'pathway_version')`))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_link_pk', ['incident_id', 'kind', 'ref'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_link').ifExists().execute();
  await db.schema.dropTable('incident_action').ifExists().execute();
  await db.schema.dropTable('incident').ifExists().execute();
  await db.schema.dropTable('case_review').ifExists().execute();
  await db.schema.dropTable('review_rule').ifExists().execute();
}
