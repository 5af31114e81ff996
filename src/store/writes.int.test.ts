import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { offeredCall } from '../domain/calls/index';
import { auditWrite } from './audit';
import { callInsert, type StoredCall } from './calls';
import { writeTogether } from './writes';

describeEachEngine('a use case’s writes in one statement (store/writes.ts)', (use) => {
  const at = new Date('2012-06-06T10:00:00Z');
  const call = (id: string): StoredCall => ({ ...offeredCall(id, at), areaCode: null, providerCode: 'NHSD' });
  const stored = async (id: string) => ({
    calls: await use().db.selectFrom('call').select('id').where('id', '=', id).execute(),
    events: await use().db.selectFrom('call_event').select('kind').where('call_id', '=', id).execute(),
    audit: await use()
      .db.selectFrom('audit_log')
      .select('action')
      .where('resource_type', '=', 'call')
      .where('resource_id', '=', id)
      .execute(),
  });
  const trail = (id: string) =>
    auditWrite(use().db, [
      { actor: null, username: 'switch', action: 'create', resourceType: 'call', resourceId: id },
    ]);

  it('writes a call, its event (which needs the call) and the audit row together', async () => {
    await writeTogether(use().db, [...callInsert(use().db, call('C-W1'), null), trail('C-W1')]);
    expect(await stored('C-W1')).toEqual({
      calls: [{ id: 'C-W1' }],
      events: [{ kind: 'offered' }],
      audit: [{ action: 'create' }],
    });
  });

  it('writes none of them when one fails, even outside a transaction: it is one statement', async () => {
    await writeTogether(use().db, callInsert(use().db, call('C-W2'), null));
    // The same call again: its insert breaks the primary key, so the audit row beside it is not kept.
    await expect(
      writeTogether(use().db, [trail('C-W2'), ...callInsert(use().db, call('C-W2'), null)]),
    ).rejects.toThrow();
    expect(await stored('C-W2')).toEqual({
      calls: [{ id: 'C-W2' }],
      events: [{ kind: 'offered' }],
      audit: [],
    });
  });

  it('sends nothing for no writes', async () => {
    await expect(writeTogether(use().db, [])).resolves.toBeUndefined();
  });
});
