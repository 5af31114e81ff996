import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { finishedTriage } from '../../test/triage';
import { hashPassword } from '../domain/auth/index';
import { demoAdapters } from '../messaging/demo-receivers';
import { deliverDue } from '../messaging/worker';
import { auditTrail } from '../store/audit';
import { inTransaction } from '../store/db';
import { migrations } from '../store/migrations/index';
import { enqueue } from '../store/outbox';
import { insertUser } from '../store/users';

describeEachEngine('messages API', (use) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(use());
    await inTransaction(use().db, (tx) =>
      enqueue(
        tx,
        { kind: 'gp_post_event', destination: 'GP1', idempotencyKey: 'k1', payload: {}, subject: 'case-9' },
        new Date(),
      ),
    );
  });
  afterAll(async () => api.app.close());

  it('shows operations staff the outbox by status and subject', async () => {
    const admin = await api.login('admin');
    const res = await api.app.inject({ url: '/api/messages?subject=case-9', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().counts.pending).toBe(1);
    expect(res.json().messages.map((m: { idempotencyKey: string }) => m.idempotencyKey)).toEqual(['k1']);
  });

  it('keeps advisers out; tries a waiting message now; refuses to resend a delivered one', async () => {
    const adviser = await api.login('adviser');
    expect((await api.app.inject({ url: '/api/messages', headers: adviser })).statusCode).toBe(403);
    const admin = await api.login('admin');
    const [m] = (await api.app.inject({ url: '/api/messages?subject=case-9', headers: admin })).json()
      .messages;
    const retry = () =>
      api.app.inject({ method: 'POST', url: `/api/messages/${m.id}/retry`, headers: admin });
    expect((await retry()).statusCode).toBe(202);
    await deliverDue(use().db, demoAdapters(use().db), () => new Date());
    const again = await retry();
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/is delivered/);
    expect(
      (await api.app.inject({ method: 'POST', url: '/api/messages/abc/retry', headers: admin })).statusCode,
    ).toBe(400);
  });

  it('a failing ambulance receiver (switched by an admin) shows as an alert, in /metrics, and in the history', async () => {
    const admin = await api.login('admin');
    const put = (mode: string) =>
      api.app.inject({
        method: 'PUT',
        url: '/api/demo-receivers/ambulance_dispatch',
        headers: admin,
        payload: { mode },
      });
    expect((await put('fail')).statusCode).toBe(200);
    const governance = await api.login('governance');
    const refused = await api.app.inject({
      method: 'PUT',
      url: '/api/demo-receivers/ambulance_dispatch',
      headers: governance,
      payload: { mode: 'normal' },
    });
    expect(refused.statusCode).toBe(403);
    await inTransaction(use().db, (tx) =>
      enqueue(
        tx,
        {
          kind: 'ambulance_dispatch',
          destination: 'RRU',
          idempotencyKey: 'dispatch-alert',
          payload: {},
          subject: 'case-10',
          priority: 10,
        },
        new Date(),
      ),
    );
    await deliverDue(use().db, demoAdapters(use().db), () => new Date());
    const outbox = (await api.app.inject({ url: '/api/messages', headers: admin })).json();
    expect(outbox.alerts).toHaveLength(1);
    expect(outbox.alerts[0]).toMatchObject({ kind: 'dispatch_failing', destination: 'RRU', attempts: 1 });
    expect(outbox.receivers.ambulance_dispatch.pending).toBe(1);
    const metrics = (await api.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^open111_outbox_dispatches_failing 1$/m);
    expect(metrics).toMatch(/^open111_outbox_failures\{receiver="ambulance_dispatch"\} 1$/m);
    expect(metrics).toMatch(/^open111_outbox_pending 1$/m);
    expect(metrics).toMatch(/^open111_outbox_held 0$/m);
    expect(metrics).toMatch(/^open111_outbox_oldest_pending_age_seconds \d/m);

    const id = outbox.alerts[0].messageId;
    const detail = (await api.app.inject({ url: `/api/messages/${id}`, headers: admin })).json();
    expect(detail.history.total).toBe(1);
    expect(detail.history.attempts[0]).toMatchObject({
      outcome: 'failed',
      error: 'ambulance_dispatch receiver refused the message (switched to fail)',
    });

    expect((await put('normal')).statusCode).toBe(200);
    await api.app.inject({ method: 'POST', url: `/api/messages/${id}/retry`, headers: admin });
    await deliverDue(use().db, demoAdapters(use().db), () => new Date());
    expect((await api.app.inject({ url: '/api/messages', headers: admin })).json().alerts).toEqual([]);
    const receivers = (await api.app.inject({ url: '/api/demo-receivers', headers: admin })).json();
    expect(receivers.active).toBe(true);
    expect(receivers.switches).toContainEqual(
      expect.objectContaining({ kind: 'ambulance_dispatch', mode: 'normal', updatedBy: 'admin' }),
    );
    expect(receivers.tallies).toContainEqual({
      kind: 'ambulance_dispatch',
      received: 1,
      duplicatesRefused: 0,
    });
  });
});

/**
 * The outbox carries patients' details (name, date of birth, phone, postcode, GP): each provider's staff
 * see and resend only the messages of their own provider's cases; a system administrator sees all.
 */
describeEachEngine('messages API: each provider its own outbox', (use) => {
  let api: TestApi;
  type Headers = { authorization: string };
  const signedIn = new Map<string, Headers>();
  const headersOf = (username: string): Headers => {
    const h = signedIn.get(username);
    if (!h) throw new Error(`${username} is not signed in`);
    return h;
  };
  const clock = new Date('2012-06-02T21:00:00Z');
  /** Each provider's case with an ambulance dispatched and its GP told: two messages each. */
  const caseOf: Record<string, string> = {};
  const patient = {
    name: 'Pat Example',
    birthDate: '1950-02-03',
    sex: 'female',
    postcode: 'LU1 3JU',
    gpPracticeCode: 'Y5GC1',
    phone: '01582 000000',
  };

  const post = (url: string, payload: unknown, headers: Headers) =>
    api.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const get = (url: string, headers: Headers) => api.app.inject({ url, headers });
  /** The JSON of a response that must be a success. */
  const ok = async <T = unknown>(
    res: Promise<{ statusCode: number; body: string; json<U>(): U }>,
  ): Promise<T> => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json<T>();
  };

  /** A call answered by this adviser's provider, a case, a real triage to Dx0116, the ambulance dispatched. */
  async function dispatchedCase(adviser: Headers): Promise<string> {
    const { id: callId } = await ok<{ id: string }>(post('/api/calls', { at: clock.toISOString() }, adviser));
    await ok(post(`/api/calls/${callId}/events`, { kind: 'answered', at: clock.toISOString() }, adviser));
    const { id } = await ok<{ id: string }>(post('/api/cases', { callId, patient }, adviser));
    const triageSessionId = await finishedTriage(async (url, body) => ok(post(url, body, adviser)), 'Dx0116');
    await ok(post(`/api/cases/${id}/triage`, { triageSessionId, dispositionCode: 'Dx0116' }, adviser));
    await ok(post(`/api/cases/${id}/outcome`, {}, adviser));
    return id;
  }

  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    const db = use().db;
    await db
      .insertInto('organisation')
      .values({ code: 'RYC', name: 'Another 111 provider', kind: 'provider' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const passwordHash = await hashPassword('demo');
    const users = [
      ['nhsd-admin', 'provider_admin', 'NHSD'],
      ['ryc-admin', 'provider_admin', 'RYC'],
      ['ryc-governance', 'governance', 'RYC'],
      ['ryc-adviser', 'health_adviser', 'RYC'],
    ] as const;
    for (const [username, role, organisationCode] of users) {
      await insertUser(db, { username, displayName: username, role, organisationCode, passwordHash });
    }
    for (const username of [...users.map((u) => u[0]), 'adviser', 'governance', 'admin']) {
      signedIn.set(username, await api.login(username));
    }
    caseOf.NHSD = await dispatchedCase(headersOf('adviser'));
    caseOf.RYC = await dispatchedCase(headersOf('ryc-adviser'));
    // A message about no case (queued by hand, as an older release might have): no provider's.
    await inTransaction(db, (tx) =>
      enqueue(
        tx,
        { kind: 'gp_post_event', destination: 'GP1', idempotencyKey: 'orphan', payload: {}, subject: 'x' },
        clock,
      ),
    );
  });
  afterAll(async () => api.app.close());

  interface Listed {
    counts: Record<string, number>;
    messages: { id: number; subject?: string; status: string; payload: { patient?: unknown } }[];
  }
  const outboxFor = async (who: string, query = '') =>
    ok<Listed>(get(`/api/messages${query}`, headersOf(who)));
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  it('shows a provider admin or governance user only its own provider’s messages, counted alike', async () => {
    for (const [who, provider] of [
      ['nhsd-admin', 'NHSD'],
      ['governance', 'NHSD'],
      ['ryc-admin', 'RYC'],
      ['ryc-governance', 'RYC'],
    ] as const) {
      const { counts, messages } = await outboxFor(who);
      expect(new Set(messages.map((m) => m.subject)), who).toEqual(new Set([caseOf[provider]]));
      expect(messages, who).toHaveLength(2);
      expect(total(counts), who).toBe(2);
    }
    // Naming another provider's case does not reach it either.
    expect((await outboxFor('ryc-admin', `?subject=${caseOf.NHSD}`)).messages).toEqual([]);
  });

  it('shows a system administrator every message', async () => {
    const { counts, messages } = await outboxFor('admin');
    expect(new Set(messages.map((m) => m.subject))).toEqual(new Set([caseOf.NHSD, caseOf.RYC, 'x']));
    expect(total(counts)).toBe(5);
  });

  it('lets a provider admin resend only its own provider’s held messages; another’s is not found, and audited', async () => {
    const [theirs] = (await outboxFor('nhsd-admin')).messages;
    if (!theirs) throw new Error('no NHSD message');
    await use()
      .db.updateTable('outbox')
      .set({ status: 'dead' })
      .where('id', '=', String(theirs.id))
      .execute();

    const foreign = await post(`/api/messages/${theirs.id}/retry`, {}, headersOf('ryc-admin'));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toMatch(/problem\+json/);
    const trail = await auditTrail(use().db, { resourceType: 'message', resourceId: String(theirs.id) });
    expect(trail.map((t) => `${t.action} ${t.username}`)).toEqual(['denied ryc-admin']);
    const held = await use()
      .db.selectFrom('outbox')
      .select('status')
      .where('id', '=', String(theirs.id))
      .executeTakeFirstOrThrow();
    expect(held.status).toBe('dead');

    // Governance reads the outbox but may not resend: 403, audited too.
    const governance = await post(`/api/messages/${theirs.id}/retry`, {}, headersOf('governance'));
    expect(governance.statusCode).toBe(403);

    const own = await post(`/api/messages/${theirs.id}/retry`, {}, headersOf('nhsd-admin'));
    expect(own.statusCode).toBe(202);
    expect(own.json()).toEqual({ id: theirs.id, status: 'pending' });
    expect(
      (await auditTrail(use().db, { resourceType: 'message', resourceId: String(theirs.id) }))
        .map((t) => `${t.action} ${t.username}`)
        .reverse(),
    ).toEqual(['denied ryc-admin', 'denied governance', 'update nhsd-admin']);
  });

  it('writes an audit row with action "denied" when the policy refuses', async () => {
    const deniedBy = async (username: string) =>
      (
        await use()
          .db.selectFrom('audit_log')
          .select(['action', 'resource_type'])
          .where('username', '=', username)
          .where('action', '=', 'denied')
          .execute()
      ).length;
    const before = await deniedBy('adviser');
    expect((await get('/api/messages', headersOf('adviser'))).statusCode).toBe(403);
    expect(await deniedBy('adviser')).toBe(before + 1);
  });

  it('the migration gives every message queued before it the provider of the case it is about', async () => {
    const migration = migrations['0008_outbox_provider'];
    if (!migration) throw new Error('migration 0008_outbox_provider is not registered');
    const db = use().db;
    const before = await db.selectFrom('outbox').select(['id', 'provider_code']).orderBy('id').execute();
    await migration.down?.(db);
    await migration.up(db);
    const after = await db.selectFrom('outbox').select(['id', 'provider_code']).orderBy('id').execute();
    expect(after).toEqual(before);
    expect(after.map((r) => r.provider_code).sort()).toEqual(['NHSD', 'NHSD', 'RYC', 'RYC', null]);
  });
});
