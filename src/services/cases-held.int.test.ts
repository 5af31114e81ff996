import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { connectionsWhile, describeEachEngine } from '../../test/engines';
import { finishedTriage, type PostJson } from '../../test/triage';
import { HELD_CASES, heldCasesOf } from './cases-held';

/**
 * A case change is decided on the case as this node last wrote it, and goes in only if the case still
 * has that many events. Another node's change is played here by putting back what this node held
 * before it: the held case is then out of date exactly as it would be.
 */
describeEachEngine('case changes on the case a node holds', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  const clock = new Date('2012-06-02T21:00:00Z');
  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    adviser = await api.login('adviser');
  });
  afterAll(async () => api.app.close());

  const held = () => heldCasesOf(use());
  const post = (url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, payload, headers: adviser });
  const postJson: PostJson = async (url, body) => {
    const res = await post(url, body);
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const openCase = async (): Promise<string> => {
    const call = (await postJson('/api/calls', { areaCode: '5GC', at: clock.toISOString() })) as {
      id: string;
    };
    await postJson(`/api/calls/${call.id}/events`, { kind: 'answered', at: clock.toISOString() });
    const opened = (await postJson('/api/cases', {
      callId: call.id,
      patient: { name: 'Pat Example', birthDate: '1950-02-03', sex: 'female', postcode: 'LU1 3JU' },
    })) as { id: string };
    return opened.id;
  };
  const triage = async (id: string, triageSessionId: string) =>
    post(`/api/cases/${id}/triage`, { triageSessionId, dispositionCode: 'Dx39' });
  const kinds = async (id: string) =>
    (
      await use()
        .db.selectFrom('case_event')
        .select('kind')
        .where('case_id', '=', id)
        .orderBy('seq')
        .execute()
    ).map((e) => e.kind);
  const statements = (work: () => Promise<unknown>) => connectionsWhile(use(), work);

  it('saves the read of the case when it holds it, and reads it when it does not', async () => {
    const [a, b] = [await openCase(), await openCase()];
    const [sa, sb] = [await finishedTriage(postJson, 'Dx39'), await finishedTriage(postJson, 'Dx39')];
    const withHeld = await statements(async () => expect((await triage(a, sa)).statusCode).toBe(200));
    held().delete(b); // as on a node that has not seen this case
    const withoutHeld = await statements(async () => expect((await triage(b, sb)).statusCode).toBe(200));
    expect(withoutHeld - withHeld).toBe(1);
    expect(await kinds(a)).toEqual(['opened', 'triaged']);
    expect(await kinds(b)).toEqual(['opened', 'triaged']);
  });

  it('decides on the case as it stands when what it held is out of date', async () => {
    const id = await openCase();
    const opened = held().get(id); // the case as opened, one event
    expect(opened?.eventCount).toBe(1);
    expect((await triage(id, await finishedTriage(postJson, 'Dx39'))).statusCode).toBe(200);
    const triaged = held().get(id);
    expect(triaged?.eventCount).toBe(2);
    if (!opened || !triaged) throw new Error('the case was not held');
    held().set(id, opened); // "another node" triaged it: this one still holds it untriaged
    // On the held case an outcome would be refused (nothing triaged yet); on the case as it is, it is not.
    const outcome = await post(`/api/cases/${id}/outcome`, {});
    expect(outcome.statusCode, outcome.body).toBe(200);
    expect(outcome.json()).toMatchObject({ status: 'outcome_complete', outcome: 'self_care' });
    held().set(id, triaged); // out of date again: from before the outcome, which closing needs
    const closed = await post(`/api/cases/${id}/close`, {});
    expect(closed.statusCode, closed.body).toBe(200);
    const written = await kinds(id);
    expect(written.slice(0, 3)).toEqual(['opened', 'triaged', 'outcome_decided']);
    expect(written.filter((k) => k === 'outcome_decided')).toHaveLength(1);
    expect(written.at(-1)).toBe('closed');
  });

  it(`holds at most ${HELD_CASES} cases a node, the least recently used let go first`, async () => {
    const id = await openCase();
    const one = held().get(id);
    if (!one) throw new Error('the case was not held');
    for (let i = 0; i < HELD_CASES + 100; i++) held().set(`CASE-filler-${i}`, one);
    expect(held().size).toBe(HELD_CASES);
    expect(held().has(id)).toBe(false); // the oldest went first
    expect(held().has(`CASE-filler-${HELD_CASES + 99}`)).toBe(true);
  });
});
