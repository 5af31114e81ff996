import { type Selectable, sql } from 'kysely';
import type { TelephonyEvent } from '../domain/calls/index';
import { type AuditEntry, auditInsertFor } from './audit';
import { type StoredCall, toCall } from './calls';
import type { Db, Tx } from './db';
import type { CallTable } from './schema';
import type { Write } from './writes';

/**
 * "Waiting in the queue", written into the statement rather than bound: a named statement's generic
 * plan then knows the value, so it reads the queue's own partial index (call_queue) instead of
 * guessing that a quarter of all calls wait, which planned a scan of the whole call table, every
 * call ever taken, on each "answer next" that found the queue empty (1.25 ms at 5,000 calls, growing).
 */
const QUEUED = sql.lit('queued');
const ANSWERED = sql.lit('answered');

/**
 * Serialises the events of one switch call reference across API nodes for the rest of the
 * transaction, so a repeated "offered" arriving twice at once is seen as the repeat it is.
 */
export async function lockCallRef(tx: Tx, callRef: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${lockKey(callRef)}))`.execute(tx);
}

const lockKey = (callRef: string) => `telephony:${callRef}`;

/**
 * The switch's "offered" as received, for a statement of its own without a transaction: it takes the
 * reference's lock (`lockCallRef`) first, held until that statement ends, so an "answered" sent at the
 * same moment waits for the call to be there. A repeat breaks the (callRef, type) key and the whole
 * statement with it.
 */
export function offeredEventInsert(e: TelephonyEvent, callId: string): Write {
  return sql`insert into telephony_event (call_ref, type, at, call_id, body)
    select ${e.callRef}::text, ${e.type}::text, ${e.at}::timestamptz, ${callId}::text, ${eventBody(e)}::jsonb
    from (select pg_advisory_xact_lock(hashtext(${lockKey(e.callRef)}))) as held`;
}

const eventBody = (e: TelephonyEvent) => JSON.stringify({ ...e, at: e.at.toISOString() });

/** The call a switch event was already taken for, when this (callRef, type) came before. */
export async function findTelephonyEvent(
  tx: Db | Tx,
  callRef: string,
  type: string,
): Promise<{ callId: string } | undefined> {
  const row = await tx
    .selectFrom('telephony_event')
    .select('call_id')
    .where('call_ref', '=', callRef)
    .where('type', '=', type)
    .executeTakeFirst();
  return row ? { callId: row.call_id } : undefined;
}

/** The switch's event as received (its (callRef, type) is what makes a repeat a repeat). */
export function telephonyEventInsert(tx: Tx, e: TelephonyEvent, callId: string): Write {
  return tx.insertInto('telephony_event').values({
    call_ref: e.callRef,
    type: e.type,
    at: e.at,
    call_id: callId,
    body: eventBody(e),
  });
}

/** The call a switch reference names, locked for the event about to change it. */
export async function findCallByRefForUpdate(tx: Tx, callRef: string): Promise<StoredCall | undefined> {
  const row = await tx
    .selectFrom('call')
    .selectAll()
    .where('call_ref', '=', callRef)
    .forUpdate()
    .executeTakeFirst();
  return row ? toCall(row) : undefined;
}

/** An adviser pressing "answer next": whose queue, in which areas (none: all of it), when, and the audit row. */
export interface NextPress {
  readonly providerCode: string;
  readonly areaCodes?: ReadonlySet<string> | undefined;
  readonly now: Date;
  readonly answeredBy: number;
  /** The row's resource id is the answered call's, known only once the statement has chosen it. */
  readonly entry: AuditEntry;
}

/**
 * "Answer next" in one statement, without a transaction: the longest-waiting call of a provider's
 * queue that no other press holds at this moment becomes answered, with its event and its audit row.
 * FOR UPDATE SKIP LOCKED holds the row only while the statement runs, so two advisers pressing at once
 * get two different calls, and a press that finds the queue empty writes nothing and returns no row.
 * One round trip where a transaction took five (a probe, BEGIN, a locking read, the write, COMMIT):
 * under load each round trip waits its turn in the node and the server, and this was the request
 * with the longest tail. `areaCodes` narrows the queue to a scope of areas (none: the whole queue).
 *
 * The change is the one `applyCallEvent` makes of a queued call answered now: nothing but its offer has
 * happened to it, so it is answered at the later of now and its offer (`momentOnCall`), by this adviser.
 */
export function answerNextStatement(db: Db, press: NextPress) {
  const { providerCode, areaCodes, now, answeredBy, entry } = press;
  const inAreas = areaCodes ? sql`and area_code in (${sql.join([...areaCodes])})` : sql``;
  return sql<Selectable<CallTable>>`
    with next as (
      select id from call
       where provider_code = ${providerCode} and status = ${QUEUED} ${inAreas}
       order by offered_at, id limit 1
         for update skip locked
    ), answered as (
      update call
         set status = ${ANSWERED}, answered_at = greatest(${now}::timestamptz, call.offered_at),
             answered_by = ${answeredBy}::integer
        from next where call.id = next.id
      returning call.*
    ), e as (
      insert into call_event (call_id, kind, at, recorded_by)
      select id, ${ANSWERED}, answered_at, answered_by from answered
    ), a as (${auditInsertFor(entry, 'answered')})
    select * from answered`.compile(db);
}

/** Runs `answerNextStatement`: the call as answered, or nothing when nobody waits (in the scope). */
export async function answerOldestQueued(db: Db, press: NextPress): Promise<StoredCall | undefined> {
  if (press.areaCodes?.size === 0) return undefined;
  const { rows } = await db.executeQuery(answerNextStatement(db, press));
  return rows[0] ? toCall(rows[0]) : undefined;
}

/** A provider's calls waiting now, oldest first. */
export async function queuedCalls(db: Db | Tx, providerCode: string): Promise<StoredCall[]> {
  const rows = await db
    .selectFrom('call')
    .selectAll()
    .where('provider_code', '=', providerCode)
    .where('status', '=', QUEUED)
    .orderBy('offered_at')
    .execute();
  return rows.map(toCall);
}

/**
 * Who can take the next call: health advisers of the provider signed in now (an unexpired session),
 * and how many of them are on a call (answered by them and not yet ended or transferred).
 */
export async function adviserAvailability(
  db: Db | Tx,
  providerCode: string,
  now: Date,
): Promise<{ signedIn: number; onCalls: number }> {
  const signedIn = await db
    .selectFrom('app_user as u')
    .innerJoin('user_session as s', 's.user_id', 'u.id')
    .select((eb) => eb.fn.count<string>('u.id').distinct().as('n'))
    .where('u.organisation_code', '=', providerCode)
    .where('u.role', '=', 'health_adviser')
    .where('u.disabled_at', 'is', null)
    .where('s.expires_at', '>', now)
    .executeTakeFirstOrThrow();
  const onCalls = await db
    .selectFrom('call')
    .select((eb) => eb.fn.count<string>('answered_by').distinct().as('n'))
    .where('provider_code', '=', providerCode)
    .where('status', '=', 'answered')
    .where('answered_by', 'is not', null)
    .executeTakeFirstOrThrow();
  return { signedIn: Number(signedIn.n), onCalls: Number(onCalls.n) };
}

/** Calls the caller's number made in a window, newest first (for the repeat-caller warning). */
export async function callsFromNumber(
  db: Db | Tx,
  callerNumber: string,
  since: Date,
  providerCode: string,
): Promise<StoredCall[]> {
  const rows = await db
    .selectFrom('call')
    .selectAll()
    .where('caller_number', '=', callerNumber)
    .where('provider_code', '=', providerCode)
    .where('offered_at', '>=', since)
    .orderBy('offered_at', 'desc')
    .execute();
  return rows.map(toCall);
}
