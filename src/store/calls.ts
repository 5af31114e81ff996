import { type Selectable, sql } from 'kysely';
import type { Call, CallEvent, CallStatus } from '../domain/calls/index';
import { type AuditEntry, auditInsertWhen } from './audit';
import type { Db, Tx } from './db';
import type { CallTable } from './schema';
import type { Write } from './writes';

export interface StoredCall extends Call {
  readonly areaCode: string | null;
  readonly providerCode: string;
  /** The telephony switch's reference, for a call that came through the CTI adapter. */
  readonly callRef?: string | null;
  /** The caller's number as the switch presented it (CLI), when it did. */
  readonly callerNumber?: string | null;
  readonly dialled?: string | null;
  /** The switch's agent (log-in or extension) that answered it. */
  readonly agent?: string | null;
}

type CallRow = Selectable<CallTable>;

export const toCall = (r: CallRow): StoredCall => ({
  id: r.id,
  areaCode: r.area_code,
  providerCode: r.provider_code,
  status: r.status as CallStatus,
  offeredAt: r.offered_at,
  answeredAt: r.answered_at,
  abandonedAt: r.abandoned_at,
  transferredAt: r.transferred_at,
  endedAt: r.ended_at,
  callRef: r.call_ref,
  callerNumber: r.caller_number,
  dialled: r.dialled,
  agent: r.agent,
});

const toRow = (c: StoredCall) => ({
  id: c.id,
  area_code: c.areaCode,
  provider_code: c.providerCode,
  status: c.status,
  offered_at: c.offeredAt,
  answered_at: c.answeredAt,
  abandoned_at: c.abandonedAt,
  transferred_at: c.transferredAt,
  ended_at: c.endedAt,
  call_ref: c.callRef ?? null,
  caller_number: c.callerNumber ?? null,
  dialled: c.dialled ?? null,
  agent: c.agent ?? null,
});

/** Writes a new call and its `offered` event together. */
/** A new call and its "offered" event. */
export function callInsert(tx: Db | Tx, call: StoredCall, recordedBy: number | null): Write[] {
  return [
    tx.insertInto('call').values(toRow(call)),
    tx
      .insertInto('call_event')
      .values({ call_id: call.id, kind: 'offered', at: call.offeredAt, recorded_by: recordedBy }),
  ];
}

/** Bulk load (simulated demo history): calls with every event they imply. */
export async function insertCalls(tx: Tx, calls: readonly StoredCall[]): Promise<void> {
  for (let i = 0; i < calls.length; i += 500) {
    const chunk = calls.slice(i, i + 500);
    await tx.insertInto('call').values(chunk.map(toRow)).execute();
    const events = chunk.flatMap((c) => {
      const moments: [string, Date | null][] = [
        ['offered', c.offeredAt],
        ['answered', c.answeredAt],
        ['abandoned', c.abandonedAt],
        ['transferred', c.transferredAt],
        ['ended', c.endedAt],
      ];
      return moments.flatMap(([kind, at]) => (at ? [{ call_id: c.id, kind, at, recorded_by: null }] : []));
    });
    await tx.insertInto('call_event').values(events).execute();
  }
}

export async function findCall(db: Db | Tx, id: string): Promise<StoredCall | undefined> {
  const row = await db.selectFrom('call').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCall(row) : undefined;
}

/**
 * A call and the case opened for it, if one is, in one read without a lock: what opening a case decides
 * on (`caseInsertGuarded` then writes only if neither has changed).
 */
export async function findCallWithCase(
  db: Db | Tx,
  id: string,
): Promise<{ readonly call: StoredCall; readonly caseId: string | null } | undefined> {
  const row = await db
    .selectFrom('call')
    .selectAll('call')
    .select((eb) =>
      eb
        .selectFrom('case_record')
        .select('case_record.id')
        .whereRef('case_record.call_id', '=', 'call.id')
        .as('case_id'),
    )
    .where('call.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { case_id, ...call } = row;
  return { call: toCall(call), caseId: case_id };
}

/** Locks the call for update, so two advisers cannot both answer it. */
export async function findCallForUpdate(tx: Tx, id: string): Promise<StoredCall | undefined> {
  const row = await tx.selectFrom('call').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toCall(row) : undefined;
}

/** The columns an event changes: what the switch said when it offered the call never changes afterwards. */
function callChanges(call: StoredCall, event: CallEvent, recordedBy: number | null) {
  const { id: _id, call_ref: _ref, caller_number: _number, dialled: _dialled, ...changes } = toRow(call);
  return { ...changes, ...(event.kind === 'answered' ? { answered_by: recordedBy } : {}) };
}

/** A call as an event left it (locked with findCallForUpdate), and the event. */
export function callEventSave(
  tx: Db | Tx,
  call: StoredCall,
  event: CallEvent,
  recordedBy: number | null,
): Write[] {
  return [
    tx
      .updateTable('call')
      .set(callChanges(call, event, recordedBy))
      .where('id', '=', call.id),
    tx
      .insertInto('call_event')
      .values({ call_id: call.id, kind: event.kind, at: event.at, recorded_by: recordedBy }),
  ];
}

/**
 * A call event without a lock or a transaction: the call as the event leaves it, the event and the audit
 * rows in one statement, which holds only while the call still has the status the event was decided
 * on. Every event moves a call on and none moves it back (queued → answered → transferred → ended, or
 * abandoned), so the same status means nothing happened to it meanwhile. False when something did:
 * nothing is written, and the caller reads the call again and decides on what it finds.
 */
export async function callEventSaveGuarded(
  db: Db,
  decidedOn: CallStatus,
  call: StoredCall,
  event: CallEvent,
  recordedBy: number | null,
  trail: readonly AuditEntry[],
): Promise<boolean> {
  const guard = db
    .updateTable('call')
    .set(callChanges(call, event, recordedBy))
    .where('id', '=', call.id)
    .where('status', '=', decidedOn)
    .returning('id');
  const held = sql`exists (select 1 from guard)`;
  const { rows } = await sql<{ changed: number }>`
    with guard as (${guard}),
    e as (
      insert into call_event (call_id, kind, at, recorded_by)
      select ${call.id}::text, ${event.kind}::text, ${event.at}::timestamptz, ${recordedBy}::integer where ${held}
    ), a as (${auditInsertWhen(trail, held)})
    select count(*)::integer as changed from guard`.execute(db);
  return rows[0]?.changed === 1;
}

export interface CallFilter {
  readonly providerCode?: string;
  readonly areaCode?: string;
  /** Calls from any of these areas (a commissioner's); an empty set matches no call. */
  readonly areaCodes?: ReadonlySet<string>;
  readonly status?: CallStatus;
  readonly from?: Date;
  readonly to?: Date;
  readonly limit?: number;
}

export async function listCalls(db: Db | Tx, f: CallFilter): Promise<StoredCall[]> {
  if (f.areaCodes?.size === 0) return [];
  let q = db.selectFrom('call').selectAll().orderBy('offered_at', 'desc');
  if (f.providerCode) q = q.where('provider_code', '=', f.providerCode);
  if (f.areaCode) q = q.where('area_code', '=', f.areaCode);
  if (f.areaCodes) q = q.where('area_code', 'in', [...f.areaCodes]);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.from) q = q.where('offered_at', '>=', f.from);
  if (f.to) q = q.where('offered_at', '<', f.to);
  if (f.limit) q = q.limit(f.limit);
  return (await q.execute()).map(toCall);
}

export async function callEvents(db: Db | Tx, callId: string): Promise<CallEvent[]> {
  const rows = await db
    .selectFrom('call_event')
    .selectAll()
    .where('call_id', '=', callId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ callId: r.call_id, kind: r.kind as CallEvent['kind'], at: r.at }));
}

/** The areas a provider has taken calls from, for its reports' area picker. */
export async function callAreaCodes(db: Db | Tx, providerCode: string): Promise<string[]> {
  const rows = await db
    .selectFrom('call')
    .select('area_code')
    .distinct()
    .where('provider_code', '=', providerCode)
    .where('area_code', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.area_code ? [r.area_code] : []));
}
