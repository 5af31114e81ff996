import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/auth/index';
import { conflict, notFound } from '../domain/errors';
import type { AnswerValue, SessionEvent, Sex } from '../domain/triage/index';
import { audit } from './audit';
import { type Db, inTransaction, type Tx } from './db';

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
  readonly pathwayId: string;
  readonly pathwayVersion: number;
  readonly module0Version: number;
  readonly contentVersion: string;
  readonly patient: { readonly ageYears: number; readonly sex: Sex };
}

interface Who {
  readonly actor: Actor;
  readonly at: Date;
  readonly requestId?: string;
}

export async function createTriageSession(db: Db, s: NewTriageSession, who: Who): Promise<string> {
  const id = randomUUID();
  await inTransaction(db, async (tx) => {
    await tx
      .insertInto('triage_session')
      .values({
        id,
        pathway_id: s.pathwayId,
        pathway_version: s.pathwayVersion,
        module0_version: s.module0Version,
        content_version: s.contentVersion,
        patient_age_years: s.patient.ageYears,
        patient_sex: s.patient.sex,
        status: 'in_progress',
        disposition_code: null,
        created_at: who.at,
        created_by: who.actor.userId,
      })
      .execute();
    await audit(tx, {
      actor: who.actor,
      action: 'create',
      resourceType: TRIAGE_RESOURCE,
      resourceId: id,
      requestId: who.requestId ?? null,
      detail: { pathway: `${s.pathwayId}@${s.pathwayVersion}` },
    });
  });
  return id;
}

async function readSession(db: Db | Tx, id: string, lock: boolean): Promise<StoredTriageSession> {
  let q = db
    .selectFrom('triage_session as s')
    .innerJoin('app_user as c', 'c.id', 's.created_by')
    .leftJoin('app_user as f', 'f.id', 's.finished_by')
    .selectAll('s')
    .select([
      'c.username as created_by_username',
      'c.organisation_code as created_by_organisation',
      'f.username as finished_by_username',
    ])
    .where('s.id', '=', id);
  if (lock) q = q.forUpdate('s');
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(`There is no triage session ${id}.`);
  const events = await db
    .selectFrom('triage_event as e')
    .innerJoin('app_user as u', 'u.id', 'e.actor_id')
    .selectAll('e')
    .select('u.username')
    .where('e.session_id', '=', id)
    .orderBy('e.seq')
    .execute();
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
    events: events.map(
      (e): StoredTriageEvent =>
        e.kind === 'answer'
          ? {
              kind: 'answer',
              pathwayId: e.pathway_id ?? '',
              questionId: e.question_id ?? '',
              value: e.value as AnswerValue,
              seq: e.seq,
              at: e.at,
              actor: e.username,
            }
          : { kind: 'back', keep: e.keep ?? 0, seq: e.seq, at: e.at, actor: e.username },
    ),
  };
}

/** Reads a session with its events; the read is audited. */
export async function readTriageSession(db: Db | Tx, id: string, who: Who): Promise<StoredTriageSession> {
  const s = await readSession(db, id, false);
  await audit(db, {
    actor: who.actor,
    action: 'read',
    resourceType: TRIAGE_RESOURCE,
    resourceId: id,
    requestId: who.requestId ?? null,
  });
  return s;
}

/**
 * Changes a session in one transaction: the session is locked, `decide` sees it as stored and returns the
 * event to append (already checked by the engine) and, optionally, the finish; the change is audited.
 */
export async function changeTriageSession(
  db: Db,
  id: string,
  who: Who,
  decide: (s: StoredTriageSession) => {
    append?: SessionEvent;
    finish?: { dispositionCode: string };
    detail: Record<string, unknown>;
  },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const s = await readSession(tx, id, true);
    if (s.status === 'finished') throw conflict(`Triage session ${id} is finished; it cannot be changed.`);
    const change = decide(s);
    if (change.append) {
      const e = change.append;
      await tx
        .insertInto('triage_event')
        .values({
          session_id: id,
          seq: (s.events.at(-1)?.seq ?? 0) + 1,
          kind: e.kind,
          pathway_id: e.kind === 'answer' ? e.pathwayId : null,
          question_id: e.kind === 'answer' ? e.questionId : null,
          value: e.kind === 'answer' ? JSON.stringify(e.value) : null,
          keep: e.kind === 'back' ? e.keep : null,
          at: who.at,
          actor_id: who.actor.userId,
        })
        .execute();
    }
    if (change.finish) {
      await tx
        .updateTable('triage_session')
        .set({
          status: 'finished',
          disposition_code: change.finish.dispositionCode,
          finished_at: who.at,
          finished_by: who.actor.userId,
        })
        .where('id', '=', id)
        .execute();
    }
    await audit(tx, {
      actor: who.actor,
      action: 'update',
      resourceType: TRIAGE_RESOURCE,
      resourceId: id,
      requestId: who.requestId ?? null,
      detail: change.detail,
    });
  });
}
