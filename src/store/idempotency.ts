import type { Db, Tx } from './db';

/** A response stored against a client's Idempotency-Key: what a retry of the same request gets back. */
export interface StoredResponse {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
}

/**
 * Claims `key` for `userId` inside the write's transaction: true when this request is the first with it.
 * A concurrent request with the same key waits on the primary key until the first commits (then it reads
 * the stored response) or rolls back (then it claims the key itself): two can never both do the work.
 */
export async function claimKey(
  tx: Tx,
  userId: number,
  key: string,
  fingerprint: string,
  now: Date,
): Promise<boolean> {
  const claimed = await tx
    .insertInto('idempotency_key')
    .values({ user_id: userId, key, fingerprint, status: 0, body: 'null', created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** The response stored for a key claimed and committed earlier. */
export async function storedResponse(
  tx: Tx,
  userId: number,
  key: string,
): Promise<StoredResponse | undefined> {
  const row = await tx
    .selectFrom('idempotency_key')
    .select(['fingerprint', 'status', 'body'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { fingerprint: row.fingerprint, status: row.status, body: row.body } : undefined;
}

/** Records the response of the claimed key, in the same transaction as the work it answers for. */
export async function completeKey(
  tx: Tx,
  userId: number,
  key: string,
  response: { status: number; body: unknown },
): Promise<void> {
  await tx
    .updateTable('idempotency_key')
    .set({ status: response.status, body: JSON.stringify(response.body) })
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .execute();
}

/** Forgets keys claimed before `before`; returns how many. */
export async function purgeKeys(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('idempotency_key').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
