import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, STAFF_PASSWORD, type TestApi, testApi } from '../../test/api';
import { describeEachEngine, freshPostgresDatabase } from '../../test/engines';
import { SESSION_CACHE_MS } from '../services/session-cache';
import { openStore, type Store } from '../store/db';

/**
 * A node keeps the sessions it read lately for a few seconds, so a request does not cost a database
 * round trip to say who sent it. Ending a session must still take effect at once: signing out,
 * disabling the user or resetting their password makes the very next request a 401, on the node that
 * did it and (PostgreSQL) on every other node, well inside the cache's time to live.
 */

let clock = new Date('2013-04-01T09:00:00Z');
const now = () => clock;
type Auth = { authorization: string };

const me = (api: TestApi, auth: Auth) => api.app.inject({ url: '/api/auth/me', headers: auth });
const post = (api: TestApi, url: string, auth: Auth, payload?: Record<string, string>) =>
  api.app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

let staffCount = 0;
/** A member of staff of their own, so that ending their sessions touches no other test. */
async function newStaff(api: TestApi, admin: Auth): Promise<{ auth: Auth; username: string }> {
  staffCount += 1;
  const username = `cached-${staffCount}`;
  const auth = await createStaff(api, admin, { username, role: 'health_adviser', organisation: 'RYEA1' });
  return { auth, username };
}

describeEachEngine('cached sessions', (use) => {
  let api: TestApi;
  let other: TestApi;
  let admin: Auth;
  beforeAll(async () => {
    api = await testApi(use(), now);
    // A second app over the same store in this process: it shares the store's cache.
    other = await testApi(use(), now);
    admin = await api.login('admin');
  });
  afterAll(async () => {
    await api?.app.close();
    await other?.app.close();
  });

  it('serves a session it read lately from memory (a row deleted behind its back still works a moment)', async () => {
    const { auth } = await newStaff(api, admin);
    expect((await me(api, auth)).statusCode).toBe(200);
    // Deleted without the announcement every real end of a session makes: only the cache still knows it.
    await use().db.deleteFrom('user_session').execute();
    expect((await me(api, auth)).statusCode).toBe(200);
    admin = await api.login('admin');
  });

  it('refuses the next request after signing out, on both apps', async () => {
    const { auth } = await newStaff(api, admin);
    expect((await me(api, auth)).statusCode).toBe(200);
    expect((await me(other, auth)).statusCode).toBe(200);
    expect((await post(api, '/api/auth/logout', auth)).statusCode).toBe(204);
    expect((await me(api, auth)).statusCode).toBe(401);
    expect((await me(other, auth)).statusCode).toBe(401);
  });

  it('refuses the next request of a user just disabled', async () => {
    const { auth, username } = await newStaff(api, admin);
    expect((await me(api, auth)).statusCode).toBe(200);
    expect((await post(api, `/api/admin/users/${username}/disable`, admin)).statusCode).toBe(200);
    expect((await me(api, auth)).statusCode).toBe(401);
    expect((await me(other, auth)).statusCode).toBe(401);
  });

  it('refuses the next request of a user whose password was reset', async () => {
    const { auth, username } = await newStaff(api, admin);
    expect((await me(other, auth)).statusCode).toBe(200);
    const reset = await post(api, `/api/admin/users/${username}/password`, admin, {
      password: `${STAFF_PASSWORD} again`,
    });
    expect(reset.statusCode).toBe(200);
    expect((await me(other, auth)).statusCode).toBe(401);
  });

  it('never lets a cached session outlive its expiry', async () => {
    const { auth } = await newStaff(api, admin);
    expect((await me(api, auth)).statusCode).toBe(200);
    // Twelve hours on, in well under the cache's time to live.
    clock = new Date(clock.getTime() + 12 * 3_600_000 + 60_000);
    expect((await me(api, auth)).statusCode).toBe(401);
    admin = await api.login('admin');
  });
});

describe('cached sessions on two nodes [postgres]', () => {
  let database: { url: string; drop(): Promise<void> };
  const stores: Store[] = [];
  let a: TestApi;
  let b: TestApi;
  let admin: Auth;

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    for (let i = 0; i < 2; i += 1) stores.push(await openStore({ databaseUrl: database.url, poolSize: 4 }));
    a = await testApi(stores[0] as Store, now);
    b = await testApi(stores[1] as Store, now);
    admin = await a.login('admin');
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    for (const s of stores) await s.close();
    await database?.drop();
  });

  /** How long node B goes on letting `auth` in; the cache alone would let it in for SESSION_CACHE_MS. */
  async function msUntilRefused(auth: Auth): Promise<number> {
    const start = performance.now();
    while ((await me(b, auth)).statusCode === 200) {
      if (performance.now() - start > SESSION_CACHE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return performance.now() - start;
  }

  it('ends a session on node B when it is signed out on node A', async () => {
    const { auth } = await newStaff(a, admin);
    expect((await me(b, auth)).statusCode).toBe(200);
    expect((await post(a, '/api/auth/logout', auth)).statusCode).toBe(204);
    expect(await msUntilRefused(auth)).toBeLessThan(SESSION_CACHE_MS / 2);
    expect((await me(b, auth)).statusCode).toBe(401);
  });

  it('ends the sessions on node B of a user disabled on node A', async () => {
    const { auth, username } = await newStaff(a, admin);
    expect((await me(b, auth)).statusCode).toBe(200);
    expect((await post(a, `/api/admin/users/${username}/disable`, admin)).statusCode).toBe(200);
    expect(await msUntilRefused(auth)).toBeLessThan(SESSION_CACHE_MS / 2);
    expect((await me(b, auth)).statusCode).toBe(401);
  });
});
