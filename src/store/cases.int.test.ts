import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { offeredCall } from '../domain/calls/index';
import { applyCaseEvent, type CaseEvent, openedCase } from '../domain/cases/index';
import type { AuditEntry } from './audit';
import { callInsert } from './calls';
import { appendCaseEventsGuarded, caseInsert, caseInsertGuarded } from './cases';
import { writeTogether } from './writes';

/** A case opened for a call, as opening one writes it: its one event and the case it makes. */
const opening = (caseId: string, callId: string, at: Date) => {
  const event: CaseEvent = {
    kind: 'opened',
    caseId,
    at,
    by: null,
    callId,
    providerCode: 'NHSD',
    areaCode: '5GC',
    patient: { name: 'Pat Example', birthDate: '1950-02-03', sex: 'female', postcode: 'LU1 3JU' },
  };
  return { event, opened: openedCase(event) };
};

describeEachEngine('a case change without a lock (store/cases.ts)', (use) => {
  const at = new Date('2012-06-06T10:00:00Z');
  const audited = (id: string, change: string): AuditEntry => ({
    actor: null,
    username: 'adviser',
    action: 'update',
    resourceType: 'case',
    resourceId: id,
    detail: { change },
  });
  const triaged = (caseId: string, code: string): CaseEvent => ({
    kind: 'triaged',
    caseId,
    at,
    by: null,
    dispositionCode: code,
    triageSessionId: `S-${code}`,
    summary: [],
  });
  const message = (caseId: string, key: string) => ({
    kind: 'gp_post_event',
    destination: 'Y5GC1',
    idempotencyKey: key,
    subject: caseId,
    payload: { key },
    providerCode: 'NHSD',
  });
  /** An open case of its own call, as opening one writes it (one event). */
  const opened = async (id: string) => {
    const callId = `C-${id}`;
    const { event, opened: c } = opening(id, callId, at);
    const call = { ...offeredCall(callId, at), areaCode: '5GC', providerCode: 'NHSD' };
    await writeTogether(use().db, [...callInsert(use().db, call, null), ...caseInsert(use().db, c, [event])]);
    return c;
  };
  const stored = async (id: string) => ({
    count: (
      await use().db.selectFrom('case_record').select('event_count').where('id', '=', id).executeTakeFirst()
    )?.event_count,
    events: (
      await use()
        .db.selectFrom('case_event')
        .select(['seq', 'kind'])
        .where('case_id', '=', id)
        .orderBy('seq')
        .execute()
    ).map((e) => `${e.seq}:${e.kind}`),
    messages: (
      await use().db.selectFrom('outbox').select('idempotency_key').where('subject', '=', id).execute()
    ).map((m) => m.idempotency_key),
    audit: (
      await use()
        .db.selectFrom('audit_log')
        .select('detail')
        .where('resource_type', '=', 'case')
        .where('resource_id', '=', id)
        .execute()
    ).map((a) => (a.detail as { change: string }).change),
  });

  it('writes the events, their messages and the audit row while the case has the events decided on', async () => {
    const c = await opened('CASE-G1');
    const e = triaged(c.id, 'Dx05');
    const written = await appendCaseEventsGuarded(use().db, {
      after: applyCaseEvent(c, e),
      eventCount: 1,
      events: [e],
      messages: [message(c.id, 'K-G1')],
      trail: [audited(c.id, 'first')],
      now: at,
    });
    expect(written?.map((m) => m.idempotencyKey)).toEqual(['K-G1']);
    expect(await stored(c.id)).toEqual({
      count: 2,
      events: ['1:opened', '2:triaged'],
      messages: ['K-G1'],
      audit: ['first'],
    });
  });

  it("answers with the case's messages, the ones it queued and the ones before, newest first", async () => {
    const c = await opened('CASE-G4');
    const first = triaged(c.id, 'Dx05');
    const afterFirst = applyCaseEvent(c, first);
    const one = await appendCaseEventsGuarded(use().db, {
      after: afterFirst,
      eventCount: 1,
      events: [first],
      messages: [message(c.id, 'K-G4a')],
      trail: [],
      now: at,
    });
    expect(one?.map((m) => m.idempotencyKey)).toEqual(['K-G4a']);
    const second = triaged(c.id, 'Dx06');
    const two = await appendCaseEventsGuarded(use().db, {
      after: applyCaseEvent(afterFirst, second),
      eventCount: 2,
      events: [second],
      messages: [message(c.id, 'K-G4b'), message(c.id, 'K-G4c')],
      trail: [],
      now: at,
    });
    expect(two?.map((m) => m.idempotencyKey)).toEqual(['K-G4c', 'K-G4b', 'K-G4a']);
    expect(two?.every((m) => m.status === 'pending' && m.subject === c.id)).toBe(true);
    // A change that queues nothing still answers with what the case has.
    const third = triaged(c.id, 'Dx07');
    const three = await appendCaseEventsGuarded(use().db, {
      after: applyCaseEvent(applyCaseEvent(afterFirst, second), third),
      eventCount: 3,
      events: [third],
      messages: [],
      trail: [],
      now: at,
    });
    expect(three?.map((m) => m.idempotencyKey)).toEqual(['K-G4c', 'K-G4b', 'K-G4a']);
  });

  it('writes nothing, no message and no audit row, when another change got in first', async () => {
    const c = await opened('CASE-G2');
    const first = triaged(c.id, 'Dx05');
    const change = (e: CaseEvent, key: string) =>
      appendCaseEventsGuarded(use().db, {
        after: applyCaseEvent(c, e),
        eventCount: 1, // both decided on the case as opened
        events: [e],
        messages: [message(c.id, key)],
        trail: [audited(c.id, key)],
        now: at,
      });
    expect(await change(first, 'K-first')).toBeDefined();
    expect(await change(triaged(c.id, 'Dx06'), 'K-late')).toBeUndefined();
    expect(await stored(c.id)).toEqual({
      count: 2,
      events: ['1:opened', '2:triaged'],
      messages: ['K-first'],
      audit: ['K-first'],
    });
    const summary = await use()
      .db.selectFrom('case_record')
      .select('disposition_code')
      .where('id', '=', c.id)
      .executeTakeFirst();
    expect(summary?.disposition_code).toBe('Dx05');
  });

  it('takes exactly one of several changes decided at once on the same case', async () => {
    const c = await opened('CASE-G3');
    const codes = ['Dx05', 'Dx06', 'Dx07', 'Dx08'];
    const results = await Promise.all(
      codes.map((code) => {
        const e = triaged(c.id, code);
        return appendCaseEventsGuarded(use().db, {
          after: applyCaseEvent(c, e),
          eventCount: 1,
          events: [e],
          messages: [message(c.id, `K-${code}`)],
          trail: [audited(c.id, code)],
          now: at,
        });
      }),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    const won = codes[results.findIndex((r) => r !== undefined)];
    expect(await stored(c.id)).toEqual({
      count: 2,
      events: ['1:opened', '2:triaged'],
      messages: [`K-${won}`],
      audit: [won],
    });
  });
});

describeEachEngine('a new case without a lock (store/cases.ts)', (use) => {
  const at = new Date('2012-06-06T10:00:00Z');
  const call = async (id: string) => {
    const c = { ...offeredCall(id, at), areaCode: '5GC', providerCode: 'NHSD' };
    await writeTogether(use().db, callInsert(use().db, c, null));
    return c;
  };
  const trail = (caseId: string): AuditEntry[] => [
    { actor: null, username: 'adviser', action: 'create', resourceType: 'case', resourceId: caseId },
  ];
  const casesOf = async (callId: string) => ({
    cases: (
      await use().db.selectFrom('case_record').select('id').where('call_id', '=', callId).execute()
    ).map((r) => r.id),
    events: (
      await use()
        .db.selectFrom('case_event')
        .innerJoin('case_record', 'case_record.id', 'case_event.case_id')
        .select('case_event.kind')
        .where('case_record.call_id', '=', callId)
        .execute()
    ).map((r) => r.kind),
    audit: (
      await use()
        .db.selectFrom('audit_log')
        .select('resource_id')
        .where('resource_type', '=', 'case')
        .where('resource_id', 'like', `CASE-${callId}%`)
        .execute()
    ).map((r) => r.resource_id),
  });

  it('opens the case while the call has the status it was decided on', async () => {
    const c = await call('N1');
    const { event, opened } = opening('CASE-N1-a', c.id, at);
    expect(await caseInsertGuarded(use().db, opened, [event], c.status, trail(opened.id))).toBe(true);
    expect(await casesOf(c.id)).toEqual({ cases: ['CASE-N1-a'], events: ['opened'], audit: ['CASE-N1-a'] });
  });

  it('writes nothing, not even the audit row, when the call has moved on since it was read', async () => {
    const c = await call('N2');
    const { event, opened } = opening('CASE-N2-a', c.id, at);
    // Decided on the call as answered; it is still queued in the store (as if the read were stale).
    expect(await caseInsertGuarded(use().db, opened, [event], 'answered', trail(opened.id))).toBe(false);
    expect(await casesOf(c.id)).toEqual({ cases: [], events: [], audit: [] });
  });

  it('opens exactly one of several cases decided at once for the same call', async () => {
    const c = await call('N3');
    const tries = ['a', 'b', 'c', 'd'].map((k) => opening(`CASE-N3-${k}`, c.id, at));
    const results = await Promise.all(
      tries.map(({ event, opened }) =>
        caseInsertGuarded(use().db, opened, [event], c.status, trail(opened.id)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const won = tries[results.indexOf(true)]?.opened.id;
    expect(await casesOf(c.id)).toEqual({ cases: [won], events: ['opened'], audit: [won] });
  });
});
