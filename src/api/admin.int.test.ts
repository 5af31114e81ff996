import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaff, STAFF_PASSWORD, type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { auditTrail } from '../store/audit';
import { buildApp } from './app';
import { createContext } from './context';

describeEachEngine('user and organisation administration', (use) => {
  let api: TestApi;
  let admin: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use());
    admin = await api.login('admin');
  });
  afterAll(async () => api.app.close());

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    username: 'new.adviser',
    displayName: 'New Adviser',
    role: 'health_adviser',
    organisation: 'NHSD',
    password: STAFF_PASSWORD,
    ...overrides,
  });
  const post = (url: string, payload: unknown, headers = admin) =>
    api.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

  it("creates two providers' staff, who can then sign in as themselves", async () => {
    const a = await createStaff(api, admin, {
      username: 'ryc.adviser',
      role: 'health_adviser',
      organisation: 'RYC',
    });
    const b = await createStaff(api, admin, {
      username: 'rx6.clinician',
      role: 'clinician',
      organisation: 'RX6',
    });
    const meA = await api.app.inject({ url: '/api/auth/me', headers: a });
    expect(meA.json()).toMatchObject({
      username: 'ryc.adviser',
      role: 'health_adviser',
      organisationCode: 'RYC',
    });
    const meB = await api.app.inject({ url: '/api/auth/me', headers: b });
    expect(meB.json()).toMatchObject({ username: 'rx6.clinician', organisationCode: 'RX6' });
    const list = await api.app.inject({ url: '/api/admin/users', headers: admin });
    expect(list.statusCode).toBe(200);
    const names = list.json<{ username: string }[]>().map((u) => u.username);
    expect(names).toEqual(expect.arrayContaining(['admin', 'ryc.adviser', 'rx6.clinician']));
    // RYC and RX6 are ambulance trusts in the geography already: their staff join them as they are.
    const orgs = await api.app.inject({ url: '/api/admin/organisations', headers: admin });
    expect(orgs.json<{ code: string }[]>().map((o) => o.code)).toEqual(
      expect.arrayContaining(['RYC', 'RX6']),
    );
  });

  it('answers 201 with the user, never the password hash, and audits the creation', async () => {
    const res = await post('/api/admin/users', newUser());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      username: 'new.adviser',
      displayName: 'New Adviser',
      role: 'health_adviser',
      organisationCode: 'NHSD',
      disabledAt: null,
      demo: false,
      createdAt: expect.any(String),
    });
    expect(res.body).not.toMatch(/scrypt|hash|password/i);
    const trail = await auditTrail(use().db, { resourceType: 'user', resourceId: 'new.adviser' });
    expect(trail.map((t) => [t.action, t.username])).toContainEqual(['create', 'admin']);
  });

  it('refuses a non-admin with 403, and audits the attempt as denied', async () => {
    const adviser = await api.login('adviser');
    for (const res of [
      await post('/api/admin/users', newUser({ username: 'sneaky' }), adviser),
      await api.app.inject({ url: '/api/admin/users', headers: adviser }),
      await post('/api/admin/organisations', { code: 'EVIL', name: 'Evil', kind: 'provider' }, adviser),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const trail = await auditTrail(use().db, { resourceType: 'user', resourceId: 'sneaky' });
    expect(trail.map((t) => [t.action, t.username])).toEqual([['denied', 'adviser']]);
    const list = await api.app.inject({ url: '/api/admin/users', headers: admin });
    expect(list.json<{ username: string }[]>().map((u) => u.username)).not.toContain('sneaky');
  });

  it('refuses a commissioner, even one who may do much else', async () => {
    const commissioner = await api.login('national');
    const res = await post('/api/admin/users', newUser({ username: 'by-national' }), commissioner);
    expect(res.statusCode).toBe(403);
  });

  it('refuses a short password, in plain words', async () => {
    const res = await post('/api/admin/users', newUser({ username: 'shorty', password: 'short' }));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'invalid',
      detail: expect.stringMatching(/at least 12 characters/),
    });
    expect(res.json().problems[0]).toMatchObject({ pointer: '/password', rule: 'password-min-length' });
  });

  it('refuses a username that is taken with 409', async () => {
    const res = await post('/api/admin/users', newUser({ username: 'adviser' }));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'conflict',
      detail: 'The username "adviser" is taken: choose another one.',
    });
  });

  it('refuses an unknown organisation with 404 and an unknown role with 400', async () => {
    const org = await post('/api/admin/users', newUser({ username: 'nowhere', organisation: 'ZZZ99' }));
    expect(org.statusCode).toBe(404);
    expect(org.json().detail).toMatch(/There is no organisation ZZZ99: check the code/);
    const role = await post('/api/admin/users', newUser({ username: 'norole', role: 'wizard' }));
    expect(role.statusCode).toBe(400);
    expect(role.json().detail).toMatch(/There is no role "wizard"/);
  });

  it('adds only provider organisations, once each', async () => {
    const region = await post('/api/admin/organisations', { code: 'Q99', name: 'New SHA', kind: 'region' });
    expect(region.statusCode).toBe(400);
    expect(region.json().detail).toMatch(/Only provider organisations/);
    const first = await post('/api/admin/organisations', {
      code: 'NEWP',
      name: 'New provider',
      kind: 'provider',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ code: 'NEWP', name: 'New provider', kind: 'provider' });
    const again = await post('/api/admin/organisations', { code: 'NEWP', name: 'Again', kind: 'provider' });
    expect(again.statusCode).toBe(409);
  });

  it('disables a user: their session stops working and they cannot sign in again', async () => {
    const staff = await createStaff(api, admin, {
      username: 'leaver',
      role: 'clinician',
      organisation: 'RYC',
    });
    expect((await api.app.inject({ url: '/api/auth/me', headers: staff })).statusCode).toBe(200);
    const res = await post('/api/admin/users/leaver/disable', {});
    expect(res.statusCode).toBe(200);
    expect(res.json().disabledAt).toEqual(expect.any(String));
    expect((await api.app.inject({ url: '/api/auth/me', headers: staff })).statusCode).toBe(401);
    const login = await post(
      '/api/auth/login',
      { username: 'leaver', password: STAFF_PASSWORD },
      {
        authorization: '',
      },
    );
    expect(login.statusCode).toBe(401);
    expect(login.json().detail).toMatch(/disabled/);
    expect((await post('/api/admin/users/nobody/disable', {})).statusCode).toBe(404);
  });

  it('resets a password under the same rules: the old one stops working', async () => {
    await createStaff(api, admin, { username: 'forgetful', role: 'health_adviser', organisation: 'RYC' });
    const short = await post('/api/admin/users/forgetful/password', { password: 'tiny' });
    expect(short.statusCode).toBe(400);
    const ok = await post('/api/admin/users/forgetful/password', { password: 'a brand new passphrase' });
    expect(ok.statusCode).toBe(200);
    await expect(api.login('forgetful', STAFF_PASSWORD)).rejects.toThrow(/401/);
    await api.login('forgetful', 'a brand new passphrase');
  });
});

describeEachEngine('demo log-ins without --demo', (use) => {
  it('refuses the demo accounts and their sessions, and lets other staff in', async () => {
    const demo = await testApi(use());
    const session = await demo.login('adviser');
    const admin = await demo.login('admin');
    await createStaff(demo, admin, { username: 'real.admin', role: 'system_admin', organisation: 'DH' });
    await demo.app.close();

    const app = await buildApp(createContext(use(), { demo: false }), { webRoot: '/nonexistent' });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'adviser', password: 'demo' },
      });
      expect(login.statusCode).toBe(401);
      expect(login.json().detail).toMatch(/--demo/);
      expect((await app.inject({ url: '/api/auth/me', headers: session })).statusCode).toBe(401);
      const real = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'real.admin', password: STAFF_PASSWORD },
      });
      expect(real.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
