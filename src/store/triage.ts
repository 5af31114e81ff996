import { type Selectable, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { AnswerValue, SessionEvent, Sex } from '../domain/triage/index';
import { type AuditEntry, auditInsertWhen } from './audit';
import { type Db, isUniqueViolation, type Tx } from './db';
import type { TriageSessionTable } from './schema';
import type { Write } from './writes';

export const TRIAGE_RESOURCE = 'triage_session';

/** One appended event as stored: what happened, when, and who did it. */
export type StoredTriageEvent = SessionEvent & {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
};

export interface StoredTriageSession {
  readonly id: string;
  readonly pathwayId: string;
  readonly pathwayVersion: number;
  readonly module0Version: number;
  readonly contentVersion: string;
  readonly patient: { readonly ageYears: number; readonly sex: Sex };
  readonly status: 'in_progress' | 'finished';
  readonly dispositionCode: string | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  /** The organisation (111 provider) of the member of staff who started the session. */
  readonly createdByOrganisation: string;
  readonly finishedAt: Date | null;
  readonly finishedBy: string | null;
  readonly events: readonly StoredTriageEvent[];
}

export interface NewTriageSession {
  readonly id: string;
  readonly pathwayId: string;
  readonly pathwayVersion: number;
  readonly module0Version: number;
  readonly contentVersion: string;
  readonly patient: { readonly ageYears: number; readonly sex: Sex };
}

export function triageSessionInsert(db: Db | Tx, s: NewTriageSession, at: Date, createdBy: number): Write {
  return db.insertInto('triage_session').values({
    id: s.id,
    pathway_id: s.pathwayId,
    pathway_version: s.pathwayVersion,
    module0_version: s.module0Version,
    content_version: s.contentVersion,
    patient_age_years: s.patient.ageYears,
    patient_sex: s.patient.sex,
    status: 'in_progress',
    disposition_code: null,
    created_at: at,
    created_by: createdBy,
  });
}

/** An event row as read, with the username of whoever recorded it. */
interface TriageEventRow {
  readonly seq: number;
  readonly kind: 'answer' | 'back';
  readonly pathway_id: string | null;
  readonly question_id: string | null;
  readonly value: unknown;
  readonly keep: number | null;
  readonly at: Date | string;
  readonly username: string;
}

const EVENT_COLUMNS = [
  'e.seq',
  'e.kind',
  'e.pathway_id',
  'e.question_id',
  'e.value',
  'e.keep',
  'e.at',
  'u.username',
] as const;

function toEvent(e: TriageEventRow): StoredTriageEvent {
  // Read inside the session's row as JSON, the instant comes as its ISO text.
  const at = new Date(e.at);
  return e.kind === 'answer'
    ? {
        kind: 'answer',
        pathwayId: e.pathway_id ?? '',
        questionId: e.question_id ?? '',
        value: e.value as AnswerValue,
        seq: e.seq,
        at,
        actor: e.username,
      }
    : { kind: 'back', keep: e.keep ?? 0, seq: e.seq, at, actor: e.username };
}

/**
 * A session with its events, or undefined, in one statement (one snapshot): a triage answer is a third
 * of a call's requests, and reading them took two round trips. Nothing is locked: each change to a
 * session is written by a statement that holds only if the session is still as read.
 */
export async function findTriageSession(db: Db | Tx, id: string): Promise<StoredTriageSession | undefined> {
  const row = await db
    .selectFrom('triage_session as s')
    .innerJoin('app_user as c', 'c.id', 's.created_by')
    .leftJoin('app_user as f', 'f.id', 's.finished_by')
    .selectAll('s')
    .select([
      'c.username as created_by_username',
      'c.organisation_code as created_by_organisation',
      'f.username as finished_by_username',
    ])
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('triage_event as e')
          .innerJoin('app_user as u', 'u.id', 'e.actor_id')
          .select(EVENT_COLUMNS)
          .whereRef('e.session_id', '=', 's.id')
          .orderBy('e.seq'),
      ).as('events'),
    )
    .where('s.id', '=', id)
    .executeTakeFirst();
  return row && toSession(row, row.events);
}

function toSession(
  row: Selectable<TriageSessionTable> & {
    readonly created_by_username: string;
    readonly created_by_organisation: string;
    readonly finished_by_username: string | null;
  },
  events: readonly TriageEventRow[],
): StoredTriageSession {
  return {
    id: row.id,
    pathwayId: row.pathway_id,
    pathwayVersion: row.pathway_version,
    module0Version: row.module0_version,
    contentVersion: row.content_version,
    patient: { ageYears: row.patient_age_years, sex: row.patient_sex },
    status: row.status,
    dispositionCode: row.disposition_code,
    createdAt: row.created_at,
    createdBy: row.created_by_username,
    createdByOrganisation: row.created_by_organisation,
    finishedAt: row.finished_at,
    finishedBy: row.finished_by_username,
    events: events.map(toEvent),
  };
}

/** What another module needs of a session (a case recording its disposition): not its answers. */
export interface TriageResultRow {
  readonly status: StoredTriageSession['status'];
  readonly dispositionCode: string | null;
  /** The organisation (111 provider) of the member of staff who started the session. */
  readonly createdByOrganisation: string;
}

/**
 * A session's status, disposition and provider, with the read audited in the same statement (a read of
 * a session that does not exist leaves no row). Who may read it is for the caller to ask the policy.
 */
export async function readTriageResult(
  db: Db,
  id: string,
  read: AuditEntry,
): Promise<TriageResultRow | undefined> {
  const { rows } = await sql<{
    status: TriageResultRow['status'];
    disposition_code: string | null;
    organisation_code: string;
  }>`
    with s as (
      select s.status, s.disposition_code, c.organisation_code
      from triage_session s join app_user c on c.id = s.created_by
      where s.id = ${id}
    ), a as (${auditInsertWhen([read], sql`exists (select 1 from s)`)})
    select * from s`.execute(db);
  const row = rows[0];
  return row
    ? {
        status: row.status,
        dispositionCode: row.disposition_code,
        createdByOrganisation: row.organisation_code,
      }
    : undefined;
}

const eventColumns = (e: SessionEvent) => ({
  kind: e.kind,
  pathway_id: e.kind === 'answer' ? e.pathwayId : null,
  question_id: e.kind === 'answer' ? e.questionId : null,
  value: e.kind === 'answer' ? JSON.stringify(e.value) : null,
  keep: e.kind === 'back' ? e.keep : null,
});

/**
 * Appends one event at `seq` with its audit rows in a single statement, atomic without a transaction
 * (each BEGIN and COMMIT is a round trip, and an answer is nearly half of a call's requests). It holds
 * only while the session is in progress (its row is updated to the new `last_seq`, so a finish holding
 * the row is waited for and then seen) and while `seq` is free (the (session, seq) primary key). False
 * when either no longer holds: the caller reads the session again and decides on what it finds.
 */
export async function appendTriageEventAudited(
  db: Db,
  sessionId: string,
  seq: number,
  e: SessionEvent,
  at: Date,
  actorId: number,
  trail: readonly AuditEntry[],
): Promise<boolean> {
  const c = eventColumns(e);
  try {
    const { rows } = await sql<{ appended: number }>`
      with s as (
        update triage_session set last_seq = ${seq}::integer
        where id = ${sessionId} and status = 'in_progress' returning id
      ), e as (
        insert into triage_event (session_id, seq, kind, pathway_id, question_id, value, keep, at, actor_id)
        select id, ${seq}::integer, ${c.kind}::text, ${c.pathway_id}::text, ${c.question_id}::text,
          ${c.value}::jsonb, ${c.keep}::integer, ${at}::timestamptz, ${actorId}::integer
        from s
        returning seq
      ), a as (${auditInsertWhen(trail, sql`exists (select 1 from e)`)})
      select count(*)::integer as appended from e`.execute(db);
    return rows[0]?.appended === 1;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/**
 * Finishes a session in its disposition with its audit rows, in one statement without a transaction or
 * a lock. It holds only while the session is in progress and has no event after `lastSeq`, the last
 * one the finish was decided on: an answer committed before the statement is seen by the `not exists`,
 * and one appended meanwhile has moved `last_seq` on the row this update waits for and then checks
 * again. False when the session changed: nothing is written, and the caller decides again.
 */
export async function finishTriageGuarded(
  db: Db,
  id: string,
  lastSeq: number,
  dispositionCode: string,
  at: Date,
  finishedBy: number,
  trail: readonly AuditEntry[],
): Promise<boolean> {
  const { rows } = await sql<{ finished: number }>`
    with s as (
      update triage_session
      set status = 'finished', disposition_code = ${dispositionCode}, finished_at = ${at}::timestamptz,
        finished_by = ${finishedBy}::integer
      where id = ${id} and status = 'in_progress' and last_seq <= ${lastSeq}::integer
        and not exists (select 1 from triage_event where session_id = ${id} and seq > ${lastSeq}::integer)
      returning id
    )${trail.length > 0 ? sql`, a as (${auditInsertWhen(trail, sql`exists (select 1 from s)`)})` : sql``}
    select count(*)::integer as finished from s`.execute(db);
  return rows[0]?.finished === 1;
}
