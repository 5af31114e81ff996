import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../../test/engines';
import type { Store } from '../store/db';
import { buildApp } from './app';
import { createContext } from './context';

/**
 * Behind a load balancer (OPEN111_TRUST_PROXY): the sign-in limit per address counts the client's
 * address the proxy forwards, not the proxy's own, and a session cookie over https is `Secure`.
 * Without the setting, forwarded headers are not believed (a client could otherwise claim any address).
 */
describe('OPEN111_TRUST_PROXY', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore('pglite');
  }, 60_000);
  afterAll(async () => store.close());

  const appWith = (trustProxy: boolean) =>
    buildApp(createContext(store, { demo: true }), {
      webRoot: '/nonexistent',
      edge: { trustProxy, loginLimits: { perAddress: 2, perAccount: 1000 } },
    });
  const login = (app: Awaited<ReturnType<typeof appWith>>, from: string, proto = 'http') =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'x-forwarded-for': from, 'x-forwarded-proto': proto },
      payload: { username: 'adviser', password: 'demo' },
    });

  it('counts sign-ins by the forwarded client address, and makes the cookie Secure over https', async () => {
    const app = await appWith(true);
    try {
      expect((await login(app, '203.0.113.1')).statusCode).toBe(200);
      expect((await login(app, '203.0.113.1')).statusCode).toBe(200);
      expect((await login(app, '203.0.113.1')).statusCode).toBe(429);
      // Another client behind the same proxy is not stopped by the first one's attempts.
      const other = await login(app, '203.0.113.2', 'https');
      expect(other.statusCode).toBe(200);
      expect(String(other.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    } finally {
      await app.close();
    }
  });

  it('without it, believes no forwarded header: one socket address, and no Secure cookie over http', async () => {
    const app = await appWith(false);
    try {
      const first = await login(app, '203.0.113.1', 'https');
      expect(first.statusCode).toBe(200);
      expect(String(first.headers['set-cookie'])).not.toMatch(/;\s*Secure/i);
      expect((await login(app, '203.0.113.2')).statusCode).toBe(200);
      expect((await login(app, '203.0.113.3')).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  });
});
