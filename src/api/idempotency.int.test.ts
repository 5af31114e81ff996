import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { finishedTriage, type PostJson } from '../../test/triage';
import { createServiceContext } from '../services/context';
import { purgeIdempotencyKeys } from '../services/idempotency';
import { listMessages } from '../store/outbox';

type Headers = Record<string, string>;

/**
 * Idempotency-Key on the writes that create things: a client retrying after a lost reply gets the first
 * response back (status and body), never a 409 or a second dispatch; the same key with another request
 * is a 422; keys are per user; the key and the work commit together or not at all.
 */
describeEachEngine('Idempotency-Key on creating writes', (use) => {
  let api: TestApi;
  let adviser: Headers;
  let admin: Headers;
  const clock = new Date('2012-06-02T21:00:00Z');
  const patient = { name: 'Pat Retry', birthDate: '1950-02-03', sex: 'female', postcode: 'LU1 3JU' };
  let n = 0;
  const key = () => `test-key-${Date.now()}-${++n}`;

  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    adviser = await api.login('adviser');
    admin = await api.login('admin');
  });
  afterAll(async () => api.app.close());

  const post = (url: string, payload: Record<string, unknown>, headers: Headers = adviser) =>
    api.app.inject({ method: 'POST', url, headers, payload });
  const postJson: PostJson = async (url, body) => {
    const res = await post(url, body);
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const countOf = async (table: 'call' | 'case_record') =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(use().db)).rows[0]
        ?.n,
    );

  async function answeredCall(): Promise<string> {
    const call = await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() });
    expect(call.statusCode).toBe(201);
    const id = call.json<{ id: string }>().id;
    expect((await post(`/api/calls/${id}/events`, { kind: 'answered' })).statusCode).toBe(200);
    return id;
  }

  async function triagedCase(dispositionCode: string): Promise<string> {
    const callId = await answeredCall();
    const opened = await post('/api/cases', { callId, patient });
    expect(opened.statusCode).toBe(201);
    const id = opened.json<{ id: string }>().id;
    const triageSessionId = await finishedTriage(postJson, dispositionCode);
    const triaged = await post(`/api/cases/${id}/triage`, { triageSessionId, dispositionCode });
    expect(triaged.statusCode, triaged.body).toBe(200);
    return id;
  }

  it('offering a call: a retry with the key gets the first 201 and body back, and no second call', async () => {
    const k = key();
    const before = await countOf('call');
    const body = { areaCode: '5GC', at: clock.toISOString() };
    const first = await post('/api/calls', body, { ...adviser, 'idempotency-key': k });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await post('/api/calls', body, { ...adviser, 'idempotency-key': k });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(await countOf('call')).toBe(before + 1);
    // Without a key, the same body is a new call, as before.
    expect((await post('/api/calls', body)).json<{ id: string }>().id).not.toBe(
      first.json<{ id: string }>().id,
    );
    expect(await countOf('call')).toBe(before + 2);
  });

  it('the same key with another request is a 422 problem saying so; another user’s key is their own', async () => {
    const k = key();
    const first = await post('/api/calls', { areaCode: '5GC' }, { ...adviser, 'idempotency-key': k });
    expect(first.statusCode).toBe(201);
    const other = await post('/api/calls', { areaCode: '5GB' }, { ...adviser, 'idempotency-key': k });
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/problem\+json/);
    expect(other.json()).toMatchObject({ status: 422, code: 'unprocessable' });
    expect(other.json().detail).toMatch(/Idempotency-Key .* another request/);
    // The same key on another route is another request too.
    const callId = await answeredCall();
    const elsewhere = await post('/api/cases', { callId, patient }, { ...adviser, 'idempotency-key': k });
    expect(elsewhere.statusCode).toBe(422);
    // Keys are scoped to the user: the administrator's k is not the adviser's.
    const theirs = await post('/api/calls', { areaCode: '5GC' }, { ...admin, 'idempotency-key': k });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json<{ id: string }>().id).not.toBe(first.json<{ id: string }>().id);
    // A malformed key is refused at the edge.
    const bad = await post('/api/calls', { areaCode: '5GC' }, { ...adviser, 'idempotency-key': 'has space' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
  });

  it('opening a case: a retry gets the first 201 back, not the 409 of a second case for the call', async () => {
    const callId = await answeredCall();
    const k = key();
    const first = await post('/api/cases', { callId, patient }, { ...adviser, 'idempotency-key': k });
    expect(first.statusCode).toBe(201);
    const retry = await post('/api/cases', { callId, patient }, { ...adviser, 'idempotency-key': k });
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    // A new key is a new request: that one is the 409 it always was.
    expect(
      (await post('/api/cases', { callId, patient }, { ...adviser, 'idempotency-key': key() })).statusCode,
    ).toBe(409);
  });

  it('a refused request keeps no key: the retry after the cause is fixed does the work', async () => {
    const queued = (await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() })).json<{
      id: string;
    }>();
    const k = key();
    const early = await post(
      '/api/cases',
      { callId: queued.id, patient },
      { ...adviser, 'idempotency-key': k },
    );
    expect(early.statusCode).toBe(409);
    expect((await post(`/api/calls/${queued.id}/events`, { kind: 'answered' })).statusCode).toBe(200);
    const later = await post(
      '/api/cases',
      { callId: queued.id, patient },
      { ...adviser, 'idempotency-key': k },
    );
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('recording an ambulance outcome: a retry gets the first 200 back and the trust gets one dispatch', async () => {
    const id = await triagedCase('Dx0116');
    const k = key();
    const first = await post(`/api/cases/${id}/outcome`, {}, { ...adviser, 'idempotency-key': k });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'ambulance', status: 'outcome_complete' });
    const retries = await Promise.all(
      [1, 2, 3].map(() => post(`/api/cases/${id}/outcome`, {}, { ...adviser, 'idempotency-key': k })),
    );
    for (const r of retries) {
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(first.json());
    }
    const dispatches = (await listMessages(use().db, { subject: id })).filter(
      (m) => m.kind === 'ambulance_dispatch',
    );
    expect(dispatches).toHaveLength(1);
  });

  it('simultaneous duplicates (the same key at once) create one case, and every one gets its body', async () => {
    const callId = await answeredCall();
    const k = key();
    const before = await countOf('case_record');
    const all = await Promise.all(
      Array.from({ length: 6 }, () =>
        post('/api/cases', { callId, patient }, { ...adviser, 'idempotency-key': k }),
      ),
    );
    expect(all.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(all.map((r) => r.json<{ id: string }>().id)).size).toBe(1);
    expect(all.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    expect(await countOf('case_record')).toBe(before + 1);
  });

  it('the key and the work commit together: when storing the response fails, nothing of the outcome is kept', async () => {
    const id = await triagedCase('Dx0116');
    const k = key();
    await sql`create function fail_idempotency_store() returns trigger language plpgsql as $$
      begin if new.status <> 0 then raise exception 'simulated fault'; end if; return new; end $$`.execute(
      use().db,
    );
    await sql`create trigger fail_idempotency_store before update on idempotency_key for each row execute function fail_idempotency_store()`.execute(
      use().db,
    );
    try {
      const failed = await post(`/api/cases/${id}/outcome`, {}, { ...adviser, 'idempotency-key': k });
      expect(failed.statusCode).toBe(500);
      expect(await listMessages(use().db, { subject: id })).toEqual([]);
      const stored = await use()
        .db.selectFrom('idempotency_key')
        .select('key')
        .where('key', '=', k)
        .execute();
      expect(stored).toEqual([]);
    } finally {
      await sql`drop trigger fail_idempotency_store on idempotency_key`.execute(use().db);
      await sql`drop function fail_idempotency_store()`.execute(use().db);
    }
    const retry = await post(`/api/cases/${id}/outcome`, {}, { ...adviser, 'idempotency-key': k });
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(
      (await listMessages(use().db, { subject: id })).filter((m) => m.kind === 'ambulance_dispatch'),
    ).toHaveLength(1);
  });

  it('forgets a key after a day: the same key then makes a new call', async () => {
    const k = key();
    const body = { areaCode: '5GC', at: clock.toISOString() };
    const first = await post('/api/calls', body, { ...adviser, 'idempotency-key': k });
    expect(first.statusCode).toBe(201);
    const hourLater = createServiceContext(use(), { now: () => new Date(clock.getTime() + 3_600_000) });
    await purgeIdempotencyKeys(hourLater);
    const kept = await post('/api/calls', body, { ...adviser, 'idempotency-key': k });
    expect(kept.headers['idempotent-replayed']).toBe('true');
    const dayLater = createServiceContext(use(), { now: () => new Date(clock.getTime() + 25 * 3_600_000) });
    expect(await purgeIdempotencyKeys(dayLater)).toBeGreaterThanOrEqual(1);
    const fresh = await post('/api/calls', body, { ...adviser, 'idempotency-key': k });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.json<{ id: string }>().id).not.toBe(first.json<{ id: string }>().id);
  });
});
