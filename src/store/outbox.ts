import { type SelectQueryBuilder, sql } from 'kysely';
import type { ListScope } from '../domain/auth/index';
import {
  type AfterFailure,
  CLAIM_MS,
  type MessageStatus,
  type OutboundMessage,
} from '../domain/messaging/index';
import type { Db, Tx } from './db';
import type { Database } from './schema';

export interface StoredMessage extends OutboundMessage {
  readonly id: number;
  readonly status: MessageStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly acknowledgement: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

/**
 * Writes a message into the outbox inside the caller's transaction: it exists exactly when the change
 * that caused it is committed. A second enqueue with the same idempotency key is a no-op.
 */
export async function enqueue(tx: Tx, message: OutboundMessage, now: Date): Promise<void> {
  await tx
    .insertInto('outbox')
    .values({
      kind: message.kind,
      destination: message.destination,
      idempotency_key: message.idempotencyKey,
      subject: message.subject ?? null,
      provider_code: message.providerCode ?? null,
      priority: message.priority ?? 0,
      payload: JSON.stringify(message.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

type Row = {
  id: string;
  kind: string;
  destination: string;
  idempotency_key: string;
  subject: string | null;
  provider_code: string | null;
  priority: number;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  acknowledgement: string | null;
  created_at: Date;
  delivered_at: Date | null;
};

const toMessage = (r: Row): StoredMessage => ({
  id: Number(r.id),
  kind: r.kind,
  destination: r.destination,
  idempotencyKey: r.idempotency_key,
  ...(r.subject ? { subject: r.subject } : {}),
  ...(r.provider_code ? { providerCode: r.provider_code } : {}),
  priority: r.priority,
  payload: r.payload,
  // The column's check constraint admits exactly the four statuses.
  status: r.status as MessageStatus,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  acknowledgement: r.acknowledgement,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

/**
 * Claims up to `limit` due messages for this worker. `FOR UPDATE SKIP LOCKED` lets several workers
 * (one per API node) share the outbox without taking the same message; a claim lapses after CLAIM_MS,
 * so a message held by a worker that died is taken over.
 */
export async function claimDue(db: Db, limit: number, now: Date): Promise<StoredMessage[]> {
  return db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)]),
        ]),
      )
      .orderBy('priority', 'desc')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    const rows = await tx
      .updateTable('outbox')
      .set({ status: 'sending', claimed_until: new Date(now.getTime() + CLAIM_MS) })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute();
    return rows
      .map((r) => toMessage(r as Row))
      .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.id - b.id);
  });
}

export async function markDelivered(db: Db, id: number, acknowledgement: string, now: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({
      status: 'delivered',
      delivered_at: now,
      acknowledgement,
      claimed_until: null,
      attempts: eb('attempts', '+', 1),
      last_error: null,
    }))
    .where('id', '=', String(id))
    .execute();
}

export async function markFailed(db: Db, id: number, error: string, next: AfterFailure): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({
      status: next.status,
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 1000),
      claimed_until: null,
      ...(next.status === 'pending' ? { next_attempt_at: next.nextAttemptAt } : {}),
    }))
    .where('id', '=', String(id))
    .execute();
}

/** One message, locked for the rest of the transaction (so a retry and the worker cannot cross). */
export async function findMessageForUpdate(tx: Tx, id: number): Promise<StoredMessage | undefined> {
  const row = await tx
    .selectFrom('outbox')
    .selectAll()
    .where('id', '=', String(id))
    .forUpdate()
    .executeTakeFirst();
  return row ? toMessage(row as Row) : undefined;
}

/** A person sends a held (dead) message again. */
export async function requeue(db: Db | Tx, id: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, last_error: null })
    .where('id', '=', String(id))
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Only the messages a list scope admits: a provider's own; an area's, through the case each is about;
 * or all. A message of no provider is in no provider's scope.
 */
function within<O>(
  q: SelectQueryBuilder<Database, 'outbox', O>,
  scope: ListScope | undefined,
): SelectQueryBuilder<Database, 'outbox', O> {
  if (!scope || scope.kind === 'all') return q;
  if (scope.kind === 'provider') return q.where('outbox.provider_code', '=', scope.providerCode);
  const areas = [...scope.areaCodes];
  if (areas.length === 0) return q.where(sql<boolean>`false`);
  return q.where('outbox.subject', 'in', (eb) =>
    eb.selectFrom('case_record').select('case_record.id').where('case_record.area_code', 'in', areas),
  );
}

export interface MessageFilter {
  readonly status?: MessageStatus;
  readonly subject?: string;
  readonly limit?: number;
  /** What the reader may see; absent: every message (the delivery worker's and the tests' view). */
  readonly scope?: ListScope;
}

export async function listMessages(db: Db | Tx, filter: MessageFilter): Promise<StoredMessage[]> {
  let q = within(db.selectFrom('outbox').selectAll(), filter.scope)
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.subject) q = q.where('subject', '=', filter.subject);
  return (await q.execute()).map((r) => toMessage(r as Row));
}

export async function outboxCounts(db: Db | Tx, scope?: ListScope): Promise<Record<MessageStatus, number>> {
  const rows = await within(
    db.selectFrom('outbox').select(['status', sql<number>`count(*)::int`.as('n')]),
    scope,
  )
    .groupBy('status')
    .execute();
  const counts: Record<MessageStatus, number> = { pending: 0, sending: 0, delivered: 0, dead: 0 };
  for (const r of rows) counts[r.status as MessageStatus] = Number(r.n);
  return counts;
}
