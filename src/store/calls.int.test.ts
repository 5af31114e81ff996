import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { applyCallEvent, type CallEvent, offeredCall } from '../domain/calls/index';
import type { AuditEntry } from './audit';
import { callEventSaveGuarded, callInsert, type StoredCall } from './calls';
import { writeTogether } from './writes';

describeEachEngine('a call event without a lock (store/calls.ts)', (use) => {
  const at = new Date('2012-06-06T10:00:00Z');
  const later = new Date('2012-06-06T10:01:00Z');
  const audited = (id: string, event: string): AuditEntry => ({
    actor: null,
    username: 'adviser',
    action: 'update',
    resourceType: 'call',
    resourceId: id,
    detail: { event },
  });
  const queued = async (id: string): Promise<StoredCall> => {
    const call: StoredCall = { ...offeredCall(id, at), areaCode: '5GC', providerCode: 'NHSD' };
    await writeTogether(use().db, callInsert(use().db, call, null));
    return call;
  };
  const happen = (call: StoredCall, kind: 'answered' | 'abandoned') => {
    const event: CallEvent = { callId: call.id, kind, at: later };
    const next: StoredCall = { ...call, ...applyCallEvent(call, event) };
    return callEventSaveGuarded(use().db, call.status, next, event, null, [audited(call.id, kind)]);
  };
  const stored = async (id: string) => ({
    status: (await use().db.selectFrom('call').select('status').where('id', '=', id).executeTakeFirst())
      ?.status,
    events: (
      await use().db.selectFrom('call_event').select('kind').where('call_id', '=', id).orderBy('id').execute()
    ).map((e) => e.kind),
    audit: (
      await use()
        .db.selectFrom('audit_log')
        .select('detail')
        .where('resource_type', '=', 'call')
        .where('resource_id', '=', id)
        .execute()
    ).map((a) => (a.detail as { event: string }).event),
  });

  it('records the event while the call has the status it was decided on, and nothing once it has moved on', async () => {
    const call = await queued('C-G1');
    expect(await happen(call, 'answered')).toBe(true);
    // Decided on the call as it was queued, the caller hanging up arrives after the answer.
    expect(await happen(call, 'abandoned')).toBe(false);
    expect(await stored(call.id)).toEqual({
      status: 'answered',
      events: ['offered', 'answered'],
      audit: ['answered'],
    });
  });

  it('takes one of two events decided at once on the same call', async () => {
    const call = await queued('C-G2');
    const results = await Promise.all([happen(call, 'answered'), happen(call, 'abandoned')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const won = results[0] ? 'answered' : 'abandoned';
    expect(await stored(call.id)).toEqual({ status: won, events: ['offered', won], audit: [won] });
  });
});
