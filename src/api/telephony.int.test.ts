import { afterAll, beforeAll, expect, it } from 'vitest';
import { STAFF_PASSWORD, type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { hashPassword } from '../domain/auth/index';
import { insertUser } from '../store/users';

describeEachEngine('telephony: the CTI adapter, the live queue and answer next', (use) => {
  let api: TestApi;
  let switchAuth: { authorization: string };
  let adviser: { authorization: string };
  // A Saturday morning in the Luton pilot; the clock is moved by the tests.
  let clock = new Date('2012-03-03T10:00:00Z');
  const at = (secondsAgo = 0) => new Date(clock.getTime() - secondsAgo * 1000).toISOString();
  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    switchAuth = await api.login('switch');
    adviser = await api.login('adviser');
  });
  afterAll(async () => api.app.close());

  const send = (payload: Record<string, unknown>, headers = switchAuth) =>
    api.app.inject({ method: 'POST', url: '/api/telephony/events', headers, payload });
  const queue = async () =>
    (await api.app.inject({ url: '/api/queue', headers: adviser })).json<{
      waiting: { callId: string; position: number; waitingSeconds: number; callerNumber: string }[];
      longestWaitSeconds: number;
      advisersSignedIn: number;
      advisersFree: number;
      today: { answered: number; answeredWithin60s: number; abandoned: number };
    }>();

  it('routes an offered call to the provider of the caller’s area, once however often it is sent', async () => {
    const offered = {
      type: 'offered',
      callRef: 'SW-1',
      at: at(90),
      callerNumber: '01582 111111',
      dialled: '111',
      postcode: 'LU1 3JU',
    };
    const first = await send(offered);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      changed: true,
      call: { status: 'queued', areaCode: '5GC', providerCode: 'NHSD', callRef: 'SW-1' },
    });
    const again = await send(offered);
    expect(again.json()).toMatchObject({ changed: false, call: { id: first.json().call.id } });
    const calls = await use().db.selectFrom('call').select('id').where('call_ref', '=', 'SW-1').execute();
    expect(calls).toHaveLength(1);
  });

  it('places a caller by area when the switch knows no postcode, and refuses an unknown area', async () => {
    const byArea = await send({
      type: 'offered',
      callRef: 'SW-2',
      at: at(30),
      callerNumber: '07700 900002',
      area: '5GC',
    });
    expect(byArea.json()).toMatchObject({ call: { areaCode: '5GC', providerCode: 'NHSD' } });
    const unknown = await send({
      type: 'offered',
      callRef: 'SW-X',
      at: at(),
      callerNumber: '1',
      area: 'ZZZ',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('no commissioning area "ZZZ"');
  });

  it('shows the queue in order of arrival with waits, longest first', async () => {
    const q = await queue();
    expect(q.waiting.map((w) => [w.position, w.waitingSeconds, w.callerNumber])).toEqual([
      [1, 90, '01582 111111'],
      [2, 30, '07700 900002'],
    ]);
    expect(q.longestWaitSeconds).toBe(90);
    // The adviser's own session is one adviser signed in, and not on a call.
    expect(q.advisersSignedIn).toBe(1);
    expect(q.advisersFree).toBe(1);
  });

  it('answer next takes the longest-waiting call; the switch saying so later changes nothing', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/calls/answer-next', headers: adviser });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ callRef: 'SW-1', status: 'answered', callerNumber: '01582 111111' });
    const q = await queue();
    expect(q.waiting.map((w) => w.position)).toEqual([1]);
    expect(q.advisersFree).toBe(0);
    // Answered after 90 s: outside the 60-second line.
    expect(q.today).toMatchObject({ answered: 1, answeredWithin60s: 0 });
    const echoed = await send({
      type: 'answered',
      callRef: 'SW-1',
      at: at(),
      callerNumber: '01582 111111',
      agent: 'adviser',
    });
    expect(echoed.json()).toMatchObject({ changed: false, call: { status: 'answered' } });
  });

  it('records the switch’s abandoned and ended events, and refuses one for a call never offered', async () => {
    const abandoned = await send({
      type: 'abandoned',
      callRef: 'SW-2',
      at: at(),
      callerNumber: '07700 900002',
    });
    expect(abandoned.json()).toMatchObject({ changed: true, call: { status: 'abandoned' } });
    expect((await queue()).waiting).toEqual([]);
    expect((await queue()).today.abandoned).toBe(1);
    const ended = await send({ type: 'ended', callRef: 'SW-1', at: at(), callerNumber: '01582 111111' });
    expect(ended.json()).toMatchObject({ changed: true, call: { status: 'ended' } });
    const stray = await send({ type: 'answered', callRef: 'SW-NEVER', at: at(), callerNumber: '1' });
    expect(stray.statusCode).toBe(409);
    expect(stray.headers['content-type']).toContain('application/problem+json');
    expect(stray.json().detail).toBe(
      'No call "SW-NEVER" was offered: the switch must send its "offered" event before "answered".',
    );
    // An event that cannot follow (answering an abandoned call) is a conflict, and changes nothing.
    const late = await send({ type: 'answered', callRef: 'SW-2', at: at(), callerNumber: '07700 900002' });
    expect(late.statusCode).toBe(409);
  });

  it('answer next with nobody waiting is 204; a person cannot post switch events, the switch cannot answer', async () => {
    const none = await api.app.inject({ method: 'POST', url: '/api/calls/answer-next', headers: adviser });
    expect(none.statusCode).toBe(204);
    const asPerson = await send({ type: 'offered', callRef: 'SW-3', at: at(), callerNumber: '1' }, adviser);
    expect(asPerson.statusCode).toBe(403);
    const asSwitch = await api.app.inject({
      method: 'POST',
      url: '/api/calls/answer-next',
      headers: switchAuth,
    });
    expect(asSwitch.statusCode).toBe(403);
  });

  it('streams the queue as server-sent events', async () => {
    clock = new Date(clock.getTime() + 5000);
    await send({ type: 'offered', callRef: 'SW-4', at: at(12), callerNumber: '01582 444444', area: '5GC' });
    const res = await api.app.inject({ url: '/api/queue/stream?once=true', headers: adviser });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const [line0, line1] = res.body.split('\n');
    expect(line0).toBe('event: queue');
    const view = JSON.parse((line1 ?? '').replace(/^data: /, '')) as {
      waiting: { waitingSeconds: number }[];
    };
    expect(view.waiting.map((w) => w.waitingSeconds)).toEqual([12]);
  });

  it('answers at once a call the switch stamped a moment ahead of the server’s clock: at its offer, not refused', async () => {
    const ahead = new Date(clock.getTime() + 3_000).toISOString();
    const offered = await send({
      type: 'offered',
      callRef: 'SW-AHEAD',
      at: ahead,
      callerNumber: '01582 333333',
      postcode: 'LU1 3JU',
    });
    expect(offered.statusCode, offered.body).toBe(200);
    const id = offered.json<{ call: { id: string } }>().call.id;
    const answered = await api.app.inject({
      method: 'POST',
      url: `/api/calls/${id}/events`,
      headers: adviser,
      payload: { kind: 'answered' },
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'answered', answeredAt: ahead });
  });

  it('pushes a fresh view to a listening console until it goes away', async () => {
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const address = api.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/queue/stream`, {
      headers: adviser,
      signal: abort.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no stream');
    const decoder = new TextDecoder();
    let text = '';
    // The first view at once, then another after the push interval.
    while ((text.match(/event: queue/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect((text.match(/event: queue/g) ?? []).length).toBeGreaterThanOrEqual(2);
  }, 10_000);

  it('gives each of several advisers pressing "answer next" at once a different call, oldest first', async () => {
    const press = (headers: { authorization: string }) =>
      api.app.inject({ method: 'POST', url: '/api/calls/answer-next', headers });
    while ((await press(adviser)).statusCode === 200); // the calls earlier tests left waiting
    const passwordHash = await hashPassword(STAFF_PASSWORD);
    const advisers = [adviser];
    for (const n of [1, 2, 3]) {
      await insertUser(use().db, {
        username: `adviser-${n}`,
        displayName: `Adviser ${n}`,
        role: 'health_adviser',
        organisationCode: 'NHSD',
        passwordHash,
      });
      advisers.push(await api.login(`adviser-${n}`, STAFF_PASSWORD));
    }
    for (const [ref, secondsAgo] of [
      ['SW-OLD', 20],
      ['SW-NEW', 10],
    ] as const)
      await send({ type: 'offered', callRef: ref, at: at(secondsAgo), callerNumber: '1', area: '5GC' });
    const presses = await Promise.all(advisers.map(press));
    const answered = presses.filter((r) => r.statusCode === 200).map((r) => r.json<{ callRef: string }>());
    expect(answered.map((c) => c.callRef).sort()).toEqual(['SW-NEW', 'SW-OLD']);
    expect(presses.filter((r) => r.statusCode === 204)).toHaveLength(2);
    const events = await use()
      .db.selectFrom('call_event as e')
      .innerJoin('call as c', 'c.id', 'e.call_id')
      .select(['c.call_ref', 'c.answered_by'])
      .where('c.call_ref', 'in', ['SW-OLD', 'SW-NEW'])
      .where('e.kind', '=', 'answered')
      .execute();
    expect(events).toHaveLength(2); // each answered once
    expect(new Set(events.map((e) => e.answered_by)).size).toBe(2); // by two advisers
  });

  it('makes one call of the same "offered" sent several times at once, and answers each with it', async () => {
    const offered = {
      type: 'offered',
      callRef: 'SW-1b',
      at: at(80),
      callerNumber: '01582 111112',
      area: '5GC',
    };
    const replies = await Promise.all([1, 2, 3, 4].map(() => send(offered)));
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const bodies = replies.map((r) => r.json<{ changed: boolean; call: { id: string } }>());
    expect(bodies.filter((b) => b.changed)).toHaveLength(1);
    expect(new Set(bodies.map((b) => b.call.id)).size).toBe(1);
    const calls = await use().db.selectFrom('call').select('id').where('call_ref', '=', 'SW-1b').execute();
    expect(calls).toHaveLength(1);
    const audited = await use()
      .db.selectFrom('audit_log')
      .select('id')
      .where('resource_type', '=', 'call')
      .where('resource_id', '=', calls[0]?.id ?? '')
      .where('action', '=', 'create')
      .execute();
    expect(audited).toHaveLength(1);
  });
});
