import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { offeredCall } from '../domain/calls/index';
import { applyCaseEvent, type CaseEvent, openedCase } from '../domain/cases/index';
import type { AuditEntry } from './audit';
import { callInsert } from './calls';
import { appendCaseEventsGuarded, caseInsert } from './cases';
import { writeTogether } from './writes';

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
    const event: CaseEvent = {
      kind: 'opened',
      caseId: id,
      at,
      by: null,
      callId,
      providerCode: 'NHSD',
      areaCode: '5GC',
      patient: { name: 'Pat Example', birthDate: '1950-02-03', sex: 'female', postcode: 'LU1 3JU' },
    };
    const c = openedCase(event);
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
    expect(written).toBe(true);
    expect(await stored(c.id)).toEqual({
      count: 2,
      events: ['1:opened', '2:triaged'],
      messages: ['K-G1'],
      audit: ['first'],
    });
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
    expect(await change(first, 'K-first')).toBe(true);
    expect(await change(triaged(c.id, 'Dx06'), 'K-late')).toBe(false);
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
    expect(results.filter(Boolean)).toHaveLength(1);
    const won = codes[results.indexOf(true)];
    expect(await stored(c.id)).toEqual({
      count: 2,
      events: ['1:opened', '2:triaged'],
      messages: [`K-${won}`],
      audit: [won],
    });
  });
});
