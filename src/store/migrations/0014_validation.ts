import type { Kysely } from 'kysely';

/**
 * Clinical validation and referral acknowledgement: what the fail-safe sweeps look for on a case's
 * summary row. `validation_breach_at` is set while an adviser's ambulance category 3/4 or A&E
 * disposition waits for a clinician; `referral_unacknowledged_since` while a referral has been sent and
 * neither acknowledged by the receiving service nor alerted as unacknowledged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('case_record')
    .addColumn('validation_breach_at', 'timestamptz')
    .addColumn('referral_unacknowledged_since', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('case_record_validation_breach')
    .on('case_record')
    .columns(['validation_breach_at'])
    .execute();
  await db.schema
    .createIndex('case_record_referral_unacknowledged')
    .on('case_record')
    .columns(['referral_unacknowledged_since'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('case_record_referral_unacknowledged').ifExists().execute();
  await db.schema.dropIndex('case_record_validation_breach').ifExists().execute();
  await db.schema
    .alterTable('case_record')
    .dropColumn('validation_breach_at')
    .dropColumn('referral_unacknowledged_since')
    .execute();
}
