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
  const app = await buildApp(createContext(store, { demo: true, ...(now ? { now } : {}) }), {
    webRoot: '/nonexistent',
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
