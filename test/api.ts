import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app';
import { createContext } from '../src/api/context';
import type { Store } from '../src/store/db';

export interface TestApi {
  readonly app: FastifyInstance;
  /** Logs a demo user in and returns the Authorization header to send. */
  login(username: string, password?: string): Promise<{ authorization: string }>;
}

/** The real HTTP stack over a test store, driven with `app.inject` (no socket). */
export async function testApi(store: Store, now?: () => Date): Promise<TestApi> {
  // Tests move their clocks on by hours between steps of one signed-in user: the idle timeout has tests
  // of its own (src/api/auth-guard.int.test.ts), so here a session lasts its 12 hours.
  const context = createContext(store, { demo: true, sessionIdleMinutes: 12 * 60, ...(now ? { now } : {}) });
  const app = await buildApp(context, {
    webRoot: '/nonexistent',
    // Every test signs in from the same loopback address: the sign-in limits have tests of their own
    // (src/api/auth-guard.int.test.ts) and would otherwise refuse a file that signs many users in.
    edge: { loginLimits: { perAddress: 100_000, perAccount: 100_000 } },
  });
  return {
    app,
    async login(username, password = 'demo') {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return { authorization: `Bearer ${res.json<{ token: string }>().token}` };
    },
  };
}

/** A password that passes the account rules, for staff the tests create. */
export const STAFF_PASSWORD = 'correct horse battery';

/**
 * Creates a member of staff through the admin API, as a real administrator would (adding their provider
 * organisation first when it is not there yet), and signs them in.
 */
export async function createStaff(
  api: TestApi,
  adminAuth: { authorization: string },
  staff: { username: string; role: string; organisation: string; displayName?: string },
): Promise<{ authorization: string }> {
  const organisation = await api.app.inject({
    method: 'POST',
    url: '/api/admin/organisations',
    headers: adminAuth,
    payload: { code: staff.organisation, name: `${staff.organisation} (test provider)`, kind: 'provider' },
  });
  // 409: it is already there (a provider made earlier, or a commissioner from the geography).
  if (organisation.statusCode !== 201 && organisation.statusCode !== 409)
    throw new Error(`organisation ${staff.organisation}: ${organisation.statusCode} ${organisation.body}`);
  const user = await api.app.inject({
    method: 'POST',
    url: '/api/admin/users',
    headers: adminAuth,
    payload: {
      username: staff.username,
      displayName: staff.displayName ?? `${staff.username} (test)`,
      role: staff.role,
      organisation: staff.organisation,
      password: STAFF_PASSWORD,
    },
  });
  if (user.statusCode !== 201) throw new Error(`user ${staff.username}: ${user.statusCode} ${user.body}`);
  return api.login(staff.username, STAFF_PASSWORD);
}
