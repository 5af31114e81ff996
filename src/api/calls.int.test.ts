import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { hashPassword } from '../domain/auth/index';
import { auditTrail } from '../store/audit';
import { insertUser } from '../store/users';

describeEachEngine('calls and reports API', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  const t0 = new Date('2012-03-03T10:00:00Z');
  beforeAll(async () => {
    api = await testApi(use(), () => new Date(t0.getTime() + 3_600_000));
    adviser = await api.login('adviser');
    await use()
      .db.insertInto('organisation')
      .values({ code: 'OTHER', name: 'Another 111 provider', kind: 'provider' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await insertUser(use().db, {
      username: 'other',
      displayName: 'Other Adviser',
      role: 'health_adviser',
      organisationCode: 'OTHER',
      passwordHash: await hashPassword('demo'),
    });
    // Governance of another provider, and the administrator of a hospital trust that takes no 111 calls.
    await use()
      .db.insertInto('organisation')
      .values([
        { code: 'RYC', name: 'East of England Ambulance Service', kind: 'provider' },
        { code: 'RGT', name: 'Cambridge University Hospitals', kind: 'provider' },
      ])
      .onConflict((oc) => oc.doNothing())
      .execute();
    for (const [username, role, organisationCode] of [
      ['othergov', 'governance', 'RYC'],
      ['hospadmin', 'provider_admin', 'RGT'],
    ] as const) {
      await insertUser(use().db, {
        username,
        displayName: username,
        role,
        organisationCode,
        passwordHash: await hashPassword('demo'),
      });
    }
  });
  afterAll(async () => api.app.close());

  const offer = async (body: Record<string, unknown>) =>
    api.app.inject({ method: 'POST', url: '/api/calls', headers: adviser, payload: body });
  const event = async (id: string, kind: string, at: Date, headers = adviser) =>
    api.app.inject({
      method: 'POST',
      url: `/api/calls/${id}/events`,
      headers,
      payload: { kind, at: at.toISOString() },
    });

  it('queues a call from a postcode, routed to the provider for the caller’s area', async () => {
    const res = await offer({ postcode: 'LU1 3JU', at: t0.toISOString() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'queued', areaCode: '5GC', providerCode: 'NHSD' });
  });

  it('records answered, transferred and ended with their times, and audits each change', async () => {
    const id = (await offer({ areaCode: '5GC', at: t0.toISOString() })).json<{ id: string }>().id;
    expect((await event(id, 'answered', new Date(t0.getTime() + 45_000))).json()).toMatchObject({
      status: 'answered',
      waitSeconds: 45,
    });
    expect((await event(id, 'transferred', new Date(t0.getTime() + 400_000))).statusCode).toBe(200);
    expect((await event(id, 'ended', new Date(t0.getTime() + 900_000))).json().status).toBe('ended');
    const history = await api.app.inject({ url: `/api/calls/${id}/events`, headers: adviser });
    expect(history.json<{ kind: string }[]>().map((e) => e.kind)).toEqual([
      'offered',
      'answered',
      'transferred',
      'ended',
    ]);
    const trail = await auditTrail(use().db, { resourceType: 'call', resourceId: id });
    expect(trail.map((t) => t.action).sort()).toEqual(['create', 'read', 'update', 'update', 'update']);
  });

  it('refuses to answer an abandoned call (409) and a bad event kind (400)', async () => {
    const id = (await offer({ areaCode: '5GC', at: t0.toISOString() })).json<{ id: string }>().id;
    expect((await event(id, 'abandoned', new Date(t0.getTime() + 40_000))).statusCode).toBe(200);
    const again = await event(id, 'answered', new Date(t0.getTime() + 50_000));
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/abandoned/);
    expect((await event(id, 'exploded', t0)).statusCode).toBe(400);
    expect((await event('no-such-call', 'answered', t0)).statusCode).toBe(404);
  });

  it('keeps another provider’s staff out of the call: it is not found for them, and the attempt is audited', async () => {
    const id = (await offer({ areaCode: '5GC', at: t0.toISOString() })).json<{ id: string }>().id;
    const other = await api.login('other');
    expect((await event(id, 'answered', new Date(t0.getTime() + 10_000), other)).statusCode).toBe(404);
    expect((await api.app.inject({ url: `/api/calls/${id}/events`, headers: other })).statusCode).toBe(404);
    const list = await api.app.inject({ url: '/api/calls', headers: other });
    expect(list.json()).toEqual([]);
    const trail = await auditTrail(use().db, { resourceType: 'call', resourceId: id });
    expect(trail.filter((t) => t.action === 'denied')).toHaveLength(2);
  });

  it('refuses an unknown area and a malformed postcode', async () => {
    expect((await offer({ areaCode: 'XXX' })).statusCode).toBe(404);
    expect((await offer({ postcode: '??' })).statusCode).toBe(400);
  });

  it('computes the KPIs from the recorded calls', async () => {
    const res = await api.app.inject({
      url: `/api/reports/kpis?from=2012-03-03T00:00:00Z&to=2012-03-04T00:00:00Z`,
      headers: adviser,
    });
    expect(res.statusCode).toBe(200);
    const k = res.json().kpis;
    expect(k.offered).toBe(4);
    expect(k.answered).toBe(1);
    expect(k.answeredWithin60s).toBe(1);
    expect(k.abandoned).toBe(1);
    expect(k.abandonedAfter30sWithin60s).toBe(1);
    expect(k.transferred).toBe(1);
    expect(res.json().series[0].hour).toBe('2012-03-03T10:00Z');
  });

  it('plans capacity for an area: more advisers at weekends, and the plan meets 95% in 60 s when simulated', async () => {
    const weekday = (
      await api.app.inject({ url: '/api/reports/capacity?area=5GC', headers: adviser })
    ).json();
    const weekend = (
      await api.app.inject({
        url: '/api/reports/capacity?area=5GC&day=weekend_or_bank_holiday',
        headers: adviser,
      })
    ).json();
    expect(weekday.hours).toHaveLength(24);
    expect(weekend.totals.adviserHours).toBeGreaterThan(weekday.totals.adviserHours);
    expect(weekday.simulated.answeredWithin60sPercent).toBeGreaterThan(90);
    expect(
      (await api.app.inject({ url: '/api/reports/capacity?area=5GC&clinicianShare=2', headers: adviser }))
        .statusCode,
    ).toBe(400);
    expect(
      (await api.app.inject({ url: '/api/reports/capacity?area=NOPE', headers: adviser })).statusCode,
    ).toBe(404);
  });

  it('keeps a commissioner to the areas of their own region', async () => {
    const commissioner = await api.login('commissioner');
    expect(
      (
        await api.app.inject({
          url: '/api/reports/kpis?area=5GC&from=2012-03-03&to=2012-03-04',
          headers: commissioner,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await api.app.inject({
          url: '/api/reports/kpis?area=5ND&from=2012-03-03&to=2012-03-04',
          headers: commissioner,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await api.app.inject({
          url: '/api/reports/kpis?from=2012-03-04&to=2012-03-03&area=5GC',
          headers: commissioner,
        })
      ).statusCode,
    ).toBe(400);
  });

  it('lets governance read its own provider’s call events, and no other provider’s', async () => {
    const id = (await offer({ areaCode: '5GC', at: t0.toISOString() })).json<{ id: string }>().id;
    const own = await api.app.inject({
      url: `/api/calls/${id}/events`,
      headers: await api.login('governance'),
    });
    expect(own.statusCode).toBe(200);
    expect(own.json<{ kind: string }[]>().map((e) => e.kind)).toEqual(['offered']);
    const theirs = await api.app.inject({
      url: `/api/calls/${id}/events`,
      headers: await api.login('othergov'),
    });
    expect(theirs.statusCode).toBe(404);
    const trail = await auditTrail(use().db, { resourceType: 'call', resourceId: id });
    expect(trail.map((t) => [t.action, t.username])).toContainEqual(['denied', 'othergov']);
  });

  it('lets only the roles the policy names offer calls, each into its own provider’s queue', async () => {
    const as = async (username: string, body: Record<string, unknown>) =>
      api.app.inject({
        method: 'POST',
        url: '/api/calls',
        headers: await api.login(username),
        payload: body,
      });
    const before = await use()
      .db.selectFrom('call')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    for (const username of ['doslead', 'commissioner', 'governance']) {
      const res = await as(username, { areaCode: '5GC', at: t0.toISOString() });
      expect(res.statusCode, username).toBe(403);
      expect(res.json().detail).toMatch(/needs one of the roles/);
    }
    // A hospital's administrator may offer a call to its own provider, never into NHS Direct's queue for Luton.
    const intoAnother = await as('hospadmin', { areaCode: '5GC', at: t0.toISOString() });
    expect(intoAnother.statusCode).toBe(403);
    expect(intoAnother.json().detail).toMatch(/another provider/);
    const after = await use()
      .db.selectFrom('call')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const own = await as('hospadmin', { at: t0.toISOString() });
    expect(own.statusCode).toBe(201);
    expect(own.json().providerCode).toBe('RGT');
    const denials = await use()
      .db.selectFrom('audit_log')
      .select('username')
      .where('action', '=', 'denied')
      .where('username', 'in', ['doslead', 'commissioner', 'hospadmin'])
      .execute();
    expect(new Set(denials.map((d) => d.username))).toEqual(
      new Set(['doslead', 'commissioner', 'hospadmin']),
    );
  });

  it('refuses an offered call timed in the future or before the service existed, in plain words', async () => {
    const now = new Date(t0.getTime() + 3_600_000);
    const future = await offer({ areaCode: '5GC', at: new Date(now.getTime() + 6 * 60_000).toISOString() });
    expect(future.statusCode).toBe(400);
    expect(future.json().detail).toMatch(/future/);
    const far = await offer({ areaCode: '5GC', at: '9999-12-31T00:00:00Z' });
    expect(far.statusCode).toBe(400);
    const old = await offer({ areaCode: '5GC', at: '2009-12-31T23:59:59Z' });
    expect(old.statusCode).toBe(400);
    expect(old.json().detail).toMatch(/2010/);
    // A switch clock a little ahead of ours is tolerated.
    expect(
      (await offer({ areaCode: '5GC', at: new Date(now.getTime() + 4 * 60_000).toISOString() })).statusCode,
    ).toBe(201);
  });

  it('refuses a call event in the future, before 2010, or before the call was offered', async () => {
    const id = (await offer({ areaCode: '5GC', at: t0.toISOString() })).json<{ id: string }>().id;
    const now = new Date(t0.getTime() + 3_600_000);
    const future = await event(id, 'answered', new Date(now.getTime() + 6 * 60_000));
    expect(future.statusCode).toBe(400);
    expect(future.json().detail).toMatch(/future/);
    const old = await event(id, 'answered', new Date('2009-06-01T00:00:00Z'));
    expect(old.statusCode).toBe(400);
    expect(old.json().detail).toMatch(/2010/);
    const early = await event(id, 'answered', new Date(t0.getTime() - 1000));
    expect(early.statusCode).toBe(400);
    expect(early.json().detail).toMatch(/before/);
    expect((await event(id, 'answered', new Date(t0.getTime() + 5000))).statusCode).toBe(200);
  });
});
