import type { Db, Tx } from './db';

/** Records an SHA's submission as sent. */
export async function insertSubmission(
  tx: Tx,
  s: { regionCode: string; sentAt: Date; sentBy: string; document: object },
): Promise<void> {
  await tx
    .insertInto('sha_submission')
    .values({
      region_code: s.regionCode,
      sent_at: s.sentAt,
      sent_by: s.sentBy,
      document: JSON.stringify(s.document),
    })
    .execute();
}

/** The last time the SHA sent its submission, if it has. */
export async function lastSubmission(
  db: Db | Tx,
  regionCode: string,
): Promise<{ at: string; by: string } | null> {
  const row = await db
    .selectFrom('sha_submission')
    .select(['sent_at', 'sent_by'])
    .where('region_code', '=', regionCode)
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? { at: new Date(row.sent_at).toISOString(), by: row.sent_by } : null;
}
