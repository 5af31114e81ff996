import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { ListScope } from '../domain/auth/index';
import {
  type AfterFailure,
  LEASE_MS,
  type MessageStatus,
  type OutboundMessage,
} from '../domain/messaging/index';
import type { Db, Tx } from './db';
import type { Database } from './schema';
import { writeTogether } from './writes';

export interface StoredMessage extends OutboundMessage {
  readonly id: number;
  readonly status: MessageStatus;
  /** Attempts since the message was last queued (a person's requeue starts a fresh round). */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly claimedBy: string | null;
  readonly failingSince: Date | null;
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

/**
 * The same messages as `enqueue`'s, as a fragment for one statement that writes them with the change
 * causing them (a data-modifying CTE): they go in only when `condition` holds, and a key already in the
 * outbox is left as it is.
 */
export function enqueueWhen(
  messages: readonly OutboundMessage[],
  now: Date,
  condition: RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (messages.length === 0) throw new Error('enqueueWhen needs at least one message.');
  const rows = messages.map(
    (m) =>
      sql`(${m.kind}::text, ${m.destination}::text, ${m.idempotencyKey}::text, ${m.subject ?? null}::text, ${m.providerCode ?? null}::text, ${m.priority ?? 0}::integer, ${JSON.stringify(m.payload)}::jsonb, ${now}::timestamptz)`,
  );
  return sql`insert into outbox (kind, destination, idempotency_key, subject, provider_code, priority, payload, status, attempts, next_attempt_at)
    select v.kind, v.destination, v.idempotency_key, v.subject, v.provider_code, v.priority, v.payload, 'pending', 0, v.next_attempt_at
    from (values ${sql.join(rows)}) as v (kind, destination, idempotency_key, subject, provider_code, priority, payload, next_attempt_at)
    where ${condition}
    on conflict (idempotency_key) do nothing`;
}

/** How many of a case's messages, newest first, its record shows. */
export const CASE_MESSAGES_SHOWN = 50;

/** An outbox row as PostgreSQL returns it (`select *`, or an insert's `returning *`). */
export type MessageRow = {
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
  claimed_by: string | null;
  failing_since: Date | null;
  last_error: string | null;
  acknowledgement: string | null;
  created_at: Date;
  delivered_at: Date | null;
};

export const toMessage = (r: MessageRow): StoredMessage => ({
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
  claimedBy: r.claimed_by,
  failingSince: r.failing_since,
  lastError: r.last_error,
  acknowledgement: r.acknowledgement,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

/**
 * Claims up to `limit` due messages for this sender. `FOR UPDATE SKIP LOCKED` lets several senders
 * (one per API node) share the outbox without taking the same message. A claim is a lease of LEASE_MS
 * that a working sender renews (`renewClaims`): one whose sender died lapses and is taken over.
 */
export async function claimDue(
  db: Db,
  limit: number,
  now: Date,
  sender = 'sender',
): Promise<StoredMessage[]> {
  // One statement, without a transaction: the due rows are locked by the statement that claims them.
  const rows = await db
    .with('due', (q) =>
      q
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
        .skipLocked(),
    )
    .updateTable('outbox')
    .set({ status: 'sending', claimed_by: sender, claimed_until: new Date(now.getTime() + LEASE_MS) })
    .from('due')
    .whereRef('outbox.id', '=', 'due.id')
    .returningAll('outbox')
    .execute();
  return rows
    .map((r) => toMessage(r as MessageRow))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.id - b.id);
}

/** A working sender extends its claims; a claim another sender has taken over is not touched. */
export async function renewClaims(
  db: Db,
  ids: readonly number[],
  sender: string,
  now: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set({ claimed_until: new Date(now.getTime() + LEASE_MS) })
    .where(
      'id',
      'in',
      ids.map((id) => String(id)),
    )
    .where('status', '=', 'sending')
    .where('claimed_by', '=', sender)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface Attempt {
  readonly sender: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** One attempt in a message's delivery history, whatever came of it: the history keeps every one. */
function attemptInsert(
  db: Db,
  id: number,
  attempt: Attempt,
  result: { outcome: 'delivered' | 'failed'; error: string | null; acknowledgement: string | null },
) {
  return db.insertInto('delivery_attempt').values({
    message_id: String(id),
    sender: attempt.sender,
    started_at: attempt.startedAt,
    finished_at: attempt.finishedAt,
    ...result,
  });
}

/**
 * The receiver acknowledged: the attempt is kept and the message is delivered, whoever holds the claim
 * now (it did arrive; a sender that took over meanwhile is refused as a repeat by the receiver). Both
 * in one statement, atomic without a transaction.
 */
export async function markDelivered(
  db: Db,
  id: number,
  acknowledgement: string,
  attempt: Attempt,
): Promise<void> {
  await writeTogether(db, [
    attemptInsert(db, id, attempt, { outcome: 'delivered', error: null, acknowledgement }),
    db
      .updateTable('outbox')
      .set((eb) => ({
        status: 'delivered',
        delivered_at: attempt.finishedAt,
        acknowledgement,
        claimed_until: null,
        claimed_by: null,
        attempts: eb('attempts', '+', 1),
        failing_since: null,
      }))
      .where('id', '=', String(id))
      .where('status', '<>', 'delivered'),
  ]);
}

/**
 * The attempt failed: it is kept in the history, and the message is scheduled again (or held) unless
 * its claim was taken over meanwhile: then the sender holding it now decides. Returns whether this
 * failure was the one that scheduled the message. One statement, as `markDelivered`.
 */
export async function markFailed(
  db: Db,
  id: number,
  error: string,
  next: AfterFailure,
  attempt: Attempt,
): Promise<boolean> {
  const recorded = attemptInsert(db, id, attempt, {
    outcome: 'failed',
    error: error.slice(0, 1000),
    acknowledgement: null,
  });
  const scheduled = db
    .updateTable('outbox')
    .set((eb) => ({
      status: next.status,
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 1000),
      claimed_until: null,
      claimed_by: null,
      failing_since: eb.fn.coalesce('failing_since', eb.val(attempt.finishedAt)),
      ...(next.status === 'pending' ? { next_attempt_at: next.nextAttemptAt } : {}),
    }))
    .where('id', '=', String(id))
    .where('status', '=', 'sending')
    .where('claimed_by', '=', attempt.sender)
    .returning('id');
  const { rows } = await sql<{ id: string }>`with a as (${recorded}) ${scheduled}`.execute(db);
  return rows.length === 1;
}

/** One message, locked for the rest of the transaction (so a retry and the worker cannot cross). */
export async function findMessageForUpdate(tx: Tx, id: number): Promise<StoredMessage | undefined> {
  const row = await tx
    .selectFrom('outbox')
    .selectAll()
    .where('id', '=', String(id))
    .forUpdate()
    .executeTakeFirst();
  return row ? toMessage(row as MessageRow) : undefined;
}

/**
 * A person sends a held (dead) message again: it gets a fresh round of attempts. Its history and its
 * last error are kept; only the alert's clock starts again.
 */
export async function requeue(db: Db | Tx, id: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, failing_since: null })
    .where('id', '=', String(id))
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A person asks for a message waiting out its backoff to be tried now. */
export async function retryNow(db: Db | Tx, id: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set({ next_attempt_at: now })
    .where('id', '=', String(id))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface DeliveryAttempt {
  readonly id: number;
  readonly sender: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly outcome: 'delivered' | 'failed';
  readonly error: string | null;
  readonly acknowledgement: string | null;
}

/** The latest attempts at one message, newest first, and how many there were in all. */
export async function deliveryHistory(
  db: Db | Tx,
  id: number,
  limit = 100,
): Promise<{ total: number; attempts: DeliveryAttempt[] }> {
  const rows = await db
    .selectFrom('delivery_attempt')
    .selectAll()
    .where('message_id', '=', String(id))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const count = await db
    .selectFrom('delivery_attempt')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('message_id', '=', String(id))
    .executeTakeFirstOrThrow();
  return {
    total: Number(count.n),
    attempts: rows.map((r) => ({
      id: Number(r.id),
      sender: r.sender,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      outcome: r.outcome,
      error: r.error,
      acknowledgement: r.acknowledgement,
    })),
  };
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
  readonly kind?: string;
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
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  return (await q.execute()).map((r) => toMessage(r as MessageRow));
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

/** The messages that may raise an alert: failing since they were queued, and not delivered. */
export async function failingMessages(db: Db | Tx, scope?: ListScope, limit = 100): Promise<StoredMessage[]> {
  const rows = await within(db.selectFrom('outbox').selectAll(), scope)
    .where('failing_since', 'is not', null)
    .where('status', 'in', ['pending', 'sending', 'dead'])
    .orderBy('priority', 'desc')
    .orderBy('failing_since')
    .limit(limit)
    .execute();
  return rows.map((r) => toMessage(r as MessageRow));
}

/** The outbox by receiving system (kind of message) and status. */
export async function countsByReceiver(
  db: Db | Tx,
  scope?: ListScope,
): Promise<Record<string, Record<MessageStatus, number>>> {
  const rows = await within(
    db.selectFrom('outbox').select(['kind', 'status', sql<number>`count(*)::int`.as('n')]),
    scope,
  )
    .groupBy(['kind', 'status'])
    .execute();
  const byReceiver: Record<string, Record<MessageStatus, number>> = {};
  for (const r of rows) {
    const counts = byReceiver[r.kind] ?? { pending: 0, sending: 0, delivered: 0, dead: 0 };
    counts[r.status as MessageStatus] = Number(r.n);
    byReceiver[r.kind] = counts;
  }
  return byReceiver;
}

/** What the outbox metrics report, over every message (monitoring sees the whole service). */
export interface OutboxHealth {
  /** Waiting to be delivered or being sent. */
  readonly pending: number;
  readonly oldestPendingAgeSeconds: number;
  readonly held: number;
  /** Failed attempts ever recorded, by receiving system (kind of message). */
  readonly failuresByReceiver: Record<string, number>;
  /** Ambulance dispatches (never given up) that have failed and are still undelivered. */
  readonly dispatchesFailing: number;
}

export async function outboxHealth(
  db: Db,
  now: Date,
  neverGivenUp: readonly string[],
): Promise<OutboxHealth> {
  const waiting = await db
    .selectFrom('outbox')
    .select([sql<number>`count(*)::int`.as('n'), sql<Date | null>`min(created_at)`.as('oldest')])
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  const held = await db
    .selectFrom('outbox')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', '=', 'dead')
    .executeTakeFirstOrThrow();
  const failing = await db
    .selectFrom('outbox')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', 'in', ['pending', 'sending'])
    .where('failing_since', 'is not', null)
    .where('kind', 'in', neverGivenUp.length ? [...neverGivenUp] : [''])
    .executeTakeFirstOrThrow();
  const failures = await db
    .selectFrom('delivery_attempt')
    .innerJoin('outbox', 'outbox.id', 'delivery_attempt.message_id')
    .select(['outbox.kind', sql<number>`count(*)::int`.as('n')])
    .where('delivery_attempt.outcome', '=', 'failed')
    .groupBy('outbox.kind')
    .execute();
  const oldest = waiting.oldest ? new Date(waiting.oldest) : null;
  return {
    pending: Number(waiting.n),
    oldestPendingAgeSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
    held: Number(held.n),
    failuresByReceiver: Object.fromEntries(failures.map((f) => [f.kind, Number(f.n)])),
    dispatchesFailing: Number(failing.n),
  };
}
