import { sql } from 'kysely';
import type { CallStatus } from '../domain/calls/index';
import type { Case, CaseEvent, CaseStatus } from '../domain/cases/index';
import { caseFromEvents, validationPending } from '../domain/cases/index';
import type { OutboundMessage } from '../domain/messaging/index';
import { type AuditEntry, auditInsertWhen } from './audit';
import { type Db, isUniqueViolation, type Tx } from './db';
import { CASE_MESSAGES_SHOWN, enqueueWhen, type MessageRow, type StoredMessage, toMessage } from './outbox';
import type { Write } from './writes';

type EventRow = {
  case_id: string;
  seq: number;
  kind: string;
  at: Date;
  recorded_by: number | null;
  body: Record<string, unknown>;
};

function toEvent(r: EventRow): CaseEvent {
  // The body was written from a CaseEvent by `toEventRow` below; kind, case, time and author are columns.
  return { ...r.body, kind: r.kind, caseId: r.case_id, at: r.at, by: r.recorded_by } as CaseEvent;
}

function toEventRow(e: CaseEvent, seq: number) {
  const { kind, caseId, at, by, ...body } = e;
  return { case_id: caseId, seq, kind, at, recorded_by: by, body: JSON.stringify(body) };
}

const summary = (c: Case) => ({
  provider_code: c.providerCode,
  area_code: c.areaCode,
  status: c.status,
  disposition_code: c.triage?.dispositionCode ?? null,
  outcome: c.outcome,
  callback_due_at: c.callback && !c.callback.completedAt ? c.callback.dueAt : null,
  validation_breach_at: c.validation && validationPending(c) ? c.validation.breachAt : null,
  referral_unacknowledged_since:
    c.referral && !c.referralProgress.acknowledgedAt && !c.referralProgress.alertedAt
      ? c.referralProgress.referredAt
      : null,
  updated_at: c.updatedAt,
});

/** A new case: its summary and its first events. */
export function caseInsert(db: Db | Tx, c: Case, events: readonly CaseEvent[]): Write[] {
  return [
    db.insertInto('case_record').values({
      id: c.id,
      call_id: c.callId,
      opened_at: c.openedAt,
      event_count: events.length,
      ...summary(c),
    }),
    db.insertInto('case_event').values(events.map((e, i) => toEventRow(e, i + 1))),
  ];
}

/**
 * A new case for a call without a lock or a transaction: its summary, its first events and the audit
 * rows in one statement, which holds only while the call still has the status the case was decided on
 * (`for share` waits for any writer of the call row and checks its status again) and has no case yet
 * (case_record.call_id is unique). False when either changed: nothing is written, and the caller reads
 * the call again. BEGIN, the call's lock, the read of its cases and COMMIT were four of the six round
 * trips opening a case took.
 */
export async function caseInsertGuarded(
  db: Db,
  c: Case,
  events: readonly CaseEvent[],
  callStatus: CallStatus,
  trail: readonly AuditEntry[],
): Promise<boolean> {
  const s = summary(c);
  const held = sql`exists (select 1 from r)`;
  const parts = [
    sql`c as (select id from call where id = ${c.callId} and status = ${callStatus} for share)`,
    sql`r as (insert into case_record (id, call_id, opened_at, event_count, provider_code, area_code, status,
        disposition_code, outcome, callback_due_at, validation_breach_at, referral_unacknowledged_since, updated_at)
      select ${c.id}::text, c.id, ${c.openedAt}::timestamptz, ${events.length}::integer, ${s.provider_code}::text,
        ${s.area_code}::text, ${s.status}::text, ${s.disposition_code}::text, ${s.outcome}::text,
        ${s.callback_due_at}::timestamptz, ${s.validation_breach_at}::timestamptz,
        ${s.referral_unacknowledged_since}::timestamptz, ${s.updated_at}::timestamptz
      from c returning id)`,
    sql`e as (insert into case_event (case_id, seq, kind, at, recorded_by, body)
      select v.case_id, v.seq, v.kind, v.at, v.recorded_by, v.body
      from (values ${eventValues(events, 1)}) as v (seq, case_id, kind, at, recorded_by, body)
      where ${held})`,
  ];
  if (trail.length > 0) parts.push(sql`a as (${auditInsertWhen(trail, held)})`);
  try {
    const { rows } = await sql<{ opened: number }>`
      with ${sql.join(parts)} select count(*)::integer as opened from r`.execute(db);
    return rows[0]?.opened === 1;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** A change's events as the rows of a VALUES list, numbered from `first`. */
function eventValues(events: readonly CaseEvent[], first: number) {
  return sql.join(
    events.map((e, i) => {
      const r = toEventRow(e, first + i);
      return sql`(${r.seq}::integer, ${r.case_id}::text, ${r.kind}::text, ${r.at}::timestamptz, ${r.recorded_by}::integer, ${r.body}::jsonb)`;
    }),
  );
}

/**
 * Events appended to a case locked with `findCaseForUpdate`, and its summary refreshed: two writes for
 * the use case's one statement (writes.ts), once a case per statement. The events are numbered after
 * the count the summary holds; both writes see it as it was before the statement (one snapshot), and
 * the row is locked, so it is ours. The unique (case, seq) pair is a second guard: two writers can
 * never both append event n.
 */
export function caseEventsAppend(tx: Tx, after: Case, events: readonly CaseEvent[]): Write[] {
  if (events.length === 0) return [];
  return [
    tx
      .updateTable('case_record')
      .set({ ...summary(after), event_count: sql<number>`event_count + ${events.length}` })
      .where('id', '=', after.id),
    sql`insert into case_event (case_id, seq, kind, at, recorded_by, body)
    select v.case_id, c.event_count + v.i, v.kind, v.at, v.recorded_by, v.body
    from case_record c, (values ${eventValues(events, 1)}) as v (i, case_id, kind, at, recorded_by, body)
    where c.id = ${after.id}`,
  ];
}

/** A change to one case decided on the events read (without a lock): what `appendCaseEventsGuarded` writes. */
export interface GuardedCaseChange {
  /** The case as the change leaves it (its summary row is rewritten from this). */
  readonly after: Case;
  /** How many events the change was decided on: it holds only if the case still has exactly these. */
  readonly eventCount: number;
  readonly events: readonly CaseEvent[];
  readonly messages: readonly OutboundMessage[];
  readonly trail: readonly AuditEntry[];
  readonly now: Date;
}

/**
 * A case change without a transaction: the summary, the events, the messages they cause and the audit
 * rows in one statement, which holds only if the case has as many events as the change was decided on
 * (its summary row's count, checked again by PostgreSQL after waiting for any writer holding the row).
 * False when another change got in first: nothing is written, and the caller reads the case again and
 * decides on what it finds. The unique (case, seq) pair is a second guard. BEGIN, the lock and COMMIT
 * were three of a case change's six round trips, and a call makes three such changes.
 *
 * When it holds, the same statement answers with the case's messages as its record shows them (the
 * newest `CASE_MESSAGES_SHOWN`, those it has just queued among them): reading them afterwards was one
 * more round trip a change, a fifteenth of a call's statements.
 */
export async function appendCaseEventsGuarded(
  db: Db,
  change: GuardedCaseChange,
): Promise<readonly StoredMessage[] | undefined> {
  const { after, eventCount, events, messages, trail, now } = change;
  const guard = db
    .updateTable('case_record')
    .set({ ...summary(after), event_count: eventCount + events.length })
    .where('id', '=', after.id)
    .where('event_count', '=', eventCount)
    .returning('id');
  const held = sql`exists (select 1 from guard)`;
  const parts = [sql`guard as (${guard})`];
  if (events.length > 0) {
    parts.push(sql`e as (insert into case_event (case_id, seq, kind, at, recorded_by, body)
      select v.case_id, v.seq, v.kind, v.at, v.recorded_by, v.body
      from (values ${eventValues(events, eventCount + 1)}) as v (seq, case_id, kind, at, recorded_by, body)
      where ${held})`);
  }
  if (messages.length > 0) parts.push(sql`m as (${enqueueWhen(messages, now, held)} returning *)`);
  if (trail.length > 0) parts.push(sql`a as (${auditInsertWhen(trail, held)})`);
  // The statement's snapshot does not see the rows its own insert adds: those come from its RETURNING.
  const earlier = sql`select * from outbox where subject = ${after.id}`;
  const shown =
    messages.length > 0 ? sql`${earlier} union all select * from m where subject = ${after.id}` : earlier;
  try {
    const { rows } = await sql<{ changed: number } & Partial<MessageRow>>`
      with ${sql.join(parts)}
      select g.changed, o.* from (select count(*)::integer as changed from guard) g
      left join lateral (select * from (${shown}) s order by id desc limit ${CASE_MESSAGES_SHOWN}) o
        on g.changed = 1`.execute(db);
    if (rows[0]?.changed !== 1) return undefined;
    return rows.flatMap(({ changed: _, ...r }) => (isMessageRow(r) ? [toMessage(r)] : []));
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
}

// A changed case with no messages still answers one row, its message columns null.
const isMessageRow = (r: Partial<MessageRow>): r is MessageRow => r.id != null;

/** A case and how many events it has, read without a lock (for `appendCaseEventsGuarded`). */
export async function findCaseCounted(
  db: Db | Tx,
  id: string,
): Promise<{ readonly case: Case; readonly eventCount: number } | undefined> {
  const events = await caseEvents(db, id);
  return events.length ? { case: caseFromEvents(events), eventCount: events.length } : undefined;
}

export async function caseEvents(db: Db | Tx, caseId: string): Promise<CaseEvent[]> {
  const rows = await db
    .selectFrom('case_event')
    .select(['case_id', 'seq', 'kind', 'at', 'recorded_by', 'body'])
    .where('case_id', '=', caseId)
    .orderBy('seq')
    .execute();
  return rows.map(toEvent);
}

export async function findCase(db: Db | Tx, id: string): Promise<Case | undefined> {
  return (await findCaseCounted(db, id))?.case;
}

/** Locks the case for the rest of the transaction, so two advisers (or a retry) cannot both act on it. */
export async function findCaseForUpdate(tx: Tx, id: string): Promise<Case | undefined> {
  const row = await tx
    .selectFrom('case_record')
    .select('id')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? findCase(tx, id) : undefined;
}

export interface CaseFilter {
  readonly providerCode?: string;
  /** Only cases of these areas (an empty set: none). */
  readonly areaCodes?: ReadonlySet<string>;
  readonly callId?: string;
  readonly statuses?: readonly CaseStatus[];
  /** Waiting for validation with the breach time at or before this instant. */
  readonly validationBreachedBy?: Date;
  /** A sent referral, unacknowledged and not alerted, sent at or before this instant. */
  readonly referralUnacknowledgedSince?: Date;
  /** Only cases whose referral raised the unacknowledged alert and is still unacknowledged. */
  readonly referralAlerted?: boolean;
  /** Soonest breach first (the validation queue's order). */
  readonly byBreach?: boolean;
  readonly limit?: number;
}

/** Cases by filter, oldest due call-back first, then newest opened. */
export async function listCases(db: Db | Tx, f: CaseFilter): Promise<Case[]> {
  let q = db.selectFrom('case_record').select('id');
  if (f.byBreach) q = q.orderBy('validation_breach_at', (o) => o.asc().nullsLast());
  q = q
    .orderBy('callback_due_at', (o) => o.asc().nullsLast())
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .limit(f.limit ?? 100);
  if (f.providerCode) q = q.where('provider_code', '=', f.providerCode);
  if (f.areaCodes) {
    if (f.areaCodes.size === 0) return [];
    q = q.where('area_code', 'in', [...f.areaCodes]);
  }
  if (f.callId) q = q.where('call_id', '=', f.callId);
  if (f.statuses?.length) q = q.where('status', 'in', [...f.statuses]);
  if (f.referralAlerted)
    q = q
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('case_event as a')
            .select('a.id')
            .whereRef('a.case_id', '=', 'case_record.id')
            .where('a.kind', '=', 'referral_unacknowledged'),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('case_event as k')
              .select('k.id')
              .whereRef('k.case_id', '=', 'case_record.id')
              .where('k.kind', '=', 'referral_acknowledged'),
          ),
        ),
      );
  if (f.validationBreachedBy) q = q.where('validation_breach_at', '<=', f.validationBreachedBy);
  if (f.referralUnacknowledgedSince)
    q = q.where('referral_unacknowledged_since', '<=', f.referralUnacknowledgedSince);
  const ids = (await q.execute()).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('case_event')
    .select(['case_id', 'seq', 'kind', 'at', 'recorded_by', 'body'])
    .where('case_id', 'in', ids)
    .orderBy('case_id')
    .orderBy('seq')
    .execute();
  const byCase = new Map<string, CaseEvent[]>();
  for (const r of rows) {
    const list = byCase.get(r.case_id) ?? [];
    list.push(toEvent(r));
    byCase.set(r.case_id, list);
  }
  return ids.map((id) => caseFromEvents(byCase.get(id) ?? []));
}
