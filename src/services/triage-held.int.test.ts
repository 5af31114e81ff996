import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { connectionsWhile, describeEachEngine } from '../../test/engines';
import type { SessionStateBody } from '../api/triage';
import type { StoredTriageSession } from '../store/triage';
import { HELD_SESSIONS, heldSessionsOf } from './triage-held';

/**
 * An answer is decided on the session as this node last saw it, and goes in only if that is still how
 * it stands. Another node's write is played here by putting back what this node held before it: the
 * held session is then out of date exactly as it would be.
 */
describeEachEngine('triage answers on the session a node holds', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  const clock = () => new Date('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    api = await testApi(use(), clock);
    adviser = await api.login('adviser');
  });
  afterAll(async () => api.app.close());

  const held = () => heldSessionsOf(use());
  const post = (url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, payload, headers: adviser });
  const start = async () => {
    const res = await post('/api/triage/sessions', {
      pathwayId: 'chest-pain',
      patient: { ageYears: 58, sex: 'male' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<SessionStateBody>();
  };
  const answer = (s: SessionStateBody, value = 'no') =>
    post(`/api/triage/sessions/${s.id}/answers`, {
      pathwayId: s.next?.pathwayId,
      questionId: s.next?.id,
      value,
    });
  const stored = async (id: string) =>
    use()
      .db.selectFrom('triage_event')
      .select(['seq', 'question_id'])
      .where('session_id', '=', id)
      .orderBy('seq')
      .execute();
  const statements = (work: () => Promise<unknown>) => connectionsWhile(use(), work);

  it('saves the read of the session when it holds it, and reads it when it does not', async () => {
    let s = await start();
    const withHeld = await statements(async () => {
      s = (await answer(s)).json<SessionStateBody>();
    });
    held().delete(s.id); // as on a node that has not seen this session
    const withoutHeld = await statements(async () => {
      s = (await answer(s)).json<SessionStateBody>();
    });
    expect(withoutHeld - withHeld).toBe(1);
    expect((await stored(s.id)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('answers the question another node’s answer led to, though it held the session from before', async () => {
    let s = (await answer(await start())).json<SessionStateBody>();
    const before = held().get(s.id) as StoredTriageSession; // the session after the first answer
    expect(before.events).toHaveLength(1);
    s = (await answer(s)).json<SessionStateBody>(); // "the other node" answers the second question
    held().set(s.id, before);
    const third = await answer(s);
    expect(third.statusCode, third.body).toBe(200);
    expect((await stored(s.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
    // Its view is the session as stored, and it is what the node now holds.
    const read = await api.app.inject({ url: `/api/triage/sessions/${s.id}`, headers: adviser });
    expect(third.json<SessionStateBody>().next).toEqual(read.json<SessionStateBody>().next);
    expect(held().get(s.id)?.events).toHaveLength(3);
  });

  it('refuses a second answer to a question already answered elsewhere, as a node holding nothing would', async () => {
    const first = await start();
    const s = (await answer(first)).json<SessionStateBody>();
    const before = held().get(s.id) as StoredTriageSession;
    expect((await answer(s)).statusCode).toBe(200); // answered "elsewhere"
    held().set(s.id, before); // this node still shows the second question
    const again = await answer(s, 'yes');
    expect(again.statusCode).toBe(400);
    expect(again.json().detail).toMatch(/The question being asked is/);
    expect(await stored(s.id)).toHaveLength(2);
  });

  it('appends nothing to a session finished elsewhere', async () => {
    let s = await start();
    for (let i = 0; i < 4; i += 1) s = (await answer(s)).json<SessionStateBody>(); // past module 0
    s = (await answer(s, 'yes')).json<SessionStateBody>(); // crushing chest pain: a disposition
    expect(s.outcome?.disposition.code).toBe('Dx011');
    const before = held().get(s.id) as StoredTriageSession;
    expect((await post(`/api/triage/sessions/${s.id}/finish`, {})).statusCode).toBe(200);
    expect(held().has(s.id)).toBe(false);
    held().set(s.id, before); // a node that did not see it finish
    const back = await post(`/api/triage/sessions/${s.id}/back`, {});
    expect(back.statusCode).toBe(409);
    expect(await stored(s.id)).toHaveLength(5);
  });

  it('holds at most its bound, however many sessions a node answers', async () => {
    const s = (await answer(await start())).json<SessionStateBody>();
    const one = held().get(s.id) as StoredTriageSession;
    for (let i = 0; i < HELD_SESSIONS + 100; i += 1) held().set(`other-${i}`, { ...one, id: `other-${i}` });
    expect(held().size).toBe(HELD_SESSIONS);
    expect(held().has(s.id)).toBe(false); // the least recently used went first
    // A session let go is read again: nothing is lost but the saved read.
    expect((await answer(s)).statusCode).toBe(200);
    held().clear();
  });
});
