import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import type { SessionEvent } from '../domain/triage/index';
import type { AuditEntry } from './audit';
import { type Db, inTransaction } from './db';
import {
  appendTriageEventAudited,
  findTriageSession,
  finishTriageGuarded,
  readTriageResult,
  TRIAGE_RESOURCE,
  triageSessionInsert,
} from './triage';
import { writeTogether } from './writes';

describeEachEngine('a triage event and its audit in one statement (store/triage.ts)', (use, engine) => {
  const at = new Date('2012-06-06T10:00:00Z');
  let adviserId = 0;
  const trail = (id: string): AuditEntry[] => [entry(id)];
  const entry = (id: string): AuditEntry => ({
    actor: {
      userId: adviserId,
      username: 'adviser',
      displayName: 'A',
      role: 'health_adviser',
      organisationCode: 'NHSD',
    },
    action: 'update',
    resourceType: TRIAGE_RESOURCE,
    resourceId: id,
    requestId: 'req-1',
    detail: { answered: 'unresponsive' },
  });
  const answer: SessionEvent = {
    kind: 'answer',
    pathwayId: 'module-0',
    questionId: 'unresponsive',
    value: 'no',
  };
  const session = async (id: string) => {
    const user = await use()
      .db.selectFrom('app_user')
      .select('id')
      .where('username', '=', 'adviser')
      .executeTakeFirstOrThrow();
    adviserId = user.id;
    await inTransaction(use().db, (tx) =>
      writeTogether(tx, [
        triageSessionInsert(
          tx,
          {
            id,
            pathwayId: 'rash',
            pathwayVersion: 1,
            module0Version: 1,
            contentVersion: 'test',
            patient: { ageYears: 40, sex: 'male' },
          },
          at,
          adviserId,
        ),
      ]),
    );
  };
  const auditRows = (id: string) =>
    use()
      .db.selectFrom('audit_log')
      .select(['action', 'username', 'request_id', 'detail'])
      .where('resource_type', '=', TRIAGE_RESOURCE)
      .where('resource_id', '=', id)
      .execute();

  it('writes the event and its audit row together', async () => {
    await session('t-append');
    expect(
      await appendTriageEventAudited(use().db, 't-append', 1, answer, at, adviserId, trail('t-append')),
    ).toBe(true);
    const s = await findTriageSession(use().db, 't-append');
    expect(s?.events).toEqual([expect.objectContaining({ seq: 1, questionId: 'unresponsive', value: 'no' })]);
    expect(await auditRows('t-append')).toEqual([
      { action: 'update', username: 'adviser', request_id: 'req-1', detail: { answered: 'unresponsive' } },
    ]);
  });

  it('reads a session and its events in one statement, instants and values intact', async () => {
    await session('t-read');
    const later = new Date('2012-06-06T10:00:07.250Z');
    const back: SessionEvent = { kind: 'back', keep: 0 };
    const count: SessionEvent = { kind: 'answer', pathwayId: 'rash', questionId: 'days', value: 3 };
    expect(
      await appendTriageEventAudited(use().db, 't-read', 1, answer, at, adviserId, trail('t-read')),
    ).toBe(true);
    expect(
      await appendTriageEventAudited(use().db, 't-read', 2, back, later, adviserId, trail('t-read')),
    ).toBe(true);
    expect(
      await appendTriageEventAudited(use().db, 't-read', 3, count, later, adviserId, trail('t-read')),
    ).toBe(true);
    const read = await findTriageSession(use().db, 't-read');
    expect(read?.events).toEqual([
      { ...answer, seq: 1, at, actor: 'adviser' },
      { ...back, seq: 2, at: later, actor: 'adviser' },
      { ...count, seq: 3, at: later, actor: 'adviser' },
    ]);
    expect(await findTriageSession(use().db, 't-missing')).toBeUndefined();
  });

  it('writes neither when another event has the place, nor when the session has finished', async () => {
    await session('t-taken');
    expect(
      await appendTriageEventAudited(use().db, 't-taken', 1, answer, at, adviserId, trail('t-taken')),
    ).toBe(true);
    // A second change decided on the same reading (seq 1 again) is refused, and leaves no audit row.
    expect(
      await appendTriageEventAudited(use().db, 't-taken', 1, answer, at, adviserId, trail('t-taken')),
    ).toBe(false);
    expect(await auditRows('t-taken')).toHaveLength(1);
    expect(await finishTriageGuarded(use().db, 't-taken', 1, 'Dx39', at, adviserId, [])).toBe(true);
    expect(
      await appendTriageEventAudited(use().db, 't-taken', 2, answer, at, adviserId, trail('t-taken')),
    ).toBe(false);
    expect((await findTriageSession(use().db, 't-taken'))?.events).toHaveLength(1);
    expect(await auditRows('t-taken')).toHaveLength(1);
    // No session at all: nothing written either.
    expect(
      await appendTriageEventAudited(use().db, 't-none', 1, answer, at, adviserId, trail('t-none')),
    ).toBe(false);
    expect(await auditRows('t-none')).toHaveLength(0);
  });
  it('reads a session’s result with the read audited in the same statement, and nothing for no session', async () => {
    await session('t-result');
    const read: AuditEntry = { ...entry('t-result'), action: 'read', detail: { via: 'case' } };
    expect(await readTriageResult(use().db, 't-result', read)).toEqual({
      status: 'in_progress',
      dispositionCode: null,
      createdByOrganisation: 'NHSD',
    });
    expect(await finishTriageGuarded(use().db, 't-result', 0, 'Dx39', at, adviserId, [])).toBe(true);
    expect(await readTriageResult(use().db, 't-result', read)).toMatchObject({
      status: 'finished',
      dispositionCode: 'Dx39',
    });
    expect((await auditRows('t-result')).map((r) => r.action)).toEqual(['read', 'read']);
    expect(await readTriageResult(use().db, 't-missing', read)).toBeUndefined();
    expect(await auditRows('t-missing')).toHaveLength(0);
  });

  it('finishes only while the session has no event after the last one the finish was decided on', async () => {
    await session('t-finish');
    const finish = (lastSeq: number) =>
      finishTriageGuarded(use().db, 't-finish', lastSeq, 'Dx39', at, adviserId, trail('t-finish'));
    expect(
      await appendTriageEventAudited(use().db, 't-finish', 1, answer, at, adviserId, trail('t-finish')),
    ).toBe(true);
    // Decided on the session before its answer: refused, with no audit row of its own.
    expect(await finish(0)).toBe(false);
    expect((await findTriageSession(use().db, 't-finish'))?.status).toBe('in_progress');
    expect(await auditRows('t-finish')).toHaveLength(1);
    expect(await finish(1)).toBe(true);
    const s = await findTriageSession(use().db, 't-finish');
    expect(s).toMatchObject({ status: 'finished', dispositionCode: 'Dx39', finishedBy: 'adviser' });
    expect(await auditRows('t-finish')).toHaveLength(2);
    // Finished once: a second finish (another screen) changes nothing.
    expect(await finish(1)).toBe(false);
    expect(await auditRows('t-finish')).toHaveLength(2);
  });

  it('refuses a finish that had to wait for an answer being appended, though it read before the answer', async () => {
    await session('t-race');
    let finished: Promise<boolean> | undefined;
    await inTransaction(use().db, async (tx) => {
      // The answer holds the session row, uncommitted, when the finish (decided on no answers) starts.
      await sql`update triage_session set last_seq = 1 where id = 't-race'`.execute(tx);
      await sql`insert into triage_event (session_id, seq, kind, pathway_id, question_id, value, at, actor_id)
        values ('t-race', 1, 'answer', 'module-0', 'unresponsive', '"no"', ${at}::timestamptz, ${adviserId})`.execute(
        tx,
      );
      finished = finishTriageGuarded(use().db, 't-race', 0, 'Dx39', at, adviserId, trail('t-race'));
      // On a server the finish now waits for this row; PGlite runs one statement at a time, after this.
      if (engine === 'postgres') await untilWaitingForALock(use().db);
    });
    expect(await finished).toBe(false);
    expect(await findTriageSession(use().db, 't-race')).toMatchObject({ status: 'in_progress' });
    expect(await auditRows('t-race')).toHaveLength(0);
  });
});

/**
 * Until some statement waits for a lock (the one the test holds up). Asked on a connection of its own:
 * inside a transaction, the server's activity view would stay as it first read it.
 */
async function untilWaitingForALock(db: Db): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::integer as n from pg_stat_activity where wait_event_type = 'Lock'`.execute(db);
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('No statement came to wait for the lock.');
}
