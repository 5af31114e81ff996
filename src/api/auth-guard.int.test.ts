import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { purgeExpiredSessions } from '../services/auth';
import type { Store } from '../store/db';
import { buildApp } from './app';
import { createContext } from './context';
import type { EdgeSettings } from './edges';

/**
 * The sign-in edge as an attacker meets it: lock-outs counted in the database (so parallel guesses count,
 * on a real PostgreSQL pool too), the same answers for usernames that exist and that do not, limits per
 * address and per username, and no way for one address to lock someone out of another. Then sessions:
 * the idle timeout, the purge, the `Secure` cookie, the security headers, and who may read /metrics.
 */

let clock = new Date('2013-04-01T09:00:00Z');
const advance = (minutes: number) => {
  clock = new Date(clock.getTime() + minutes * 60_000);
};

async function appWith(store: Store, edge: EdgeSettings, demo = true): Promise<FastifyInstance> {
  const app = await buildApp(createContext(store, { demo, now: () => clock }), {
    webRoot: '/nonexistent',
    edge,
  });
  await app.ready();
  return app;
}

const signIn = (app: FastifyInstance, username: string, password: string, address = '10.0.0.1') =>
  app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress: address,
  });

// High enough that the database lock-out, not the in-memory limits, is what these tests meet.
const GENEROUS = { loginLimits: { perAddress: 1000, perAccount: 1000 } };

describeEachEngine('sign-in guard', (use) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith(use(), GENEROUS);
  });
  afterAll(async () => app.close());

  it('locks the account after 20 wrong passwords sent at once: every parallel guess counted', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(app, 'provider', `wrong-${i}`, '10.0.0.20')),
    );
    expect(guesses.every((g) => g.statusCode === 401 || g.statusCode === 429)).toBe(true);
    const right = await signIn(app, 'provider', 'demo', '10.0.0.20');
    expect(right.statusCode).toBe(429);
    expect(right.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers an unknown username exactly as a known one, wrong guess by wrong guess', async () => {
    const answers = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await signIn(app, username, 'wrong', '10.0.0.30');
        out.push(`${res.statusCode} ${res.json().detail}`);
      }
      return out;
    };
    const known = await answers('governance');
    const unknown = await answers('no-such-user');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toMatch(/^429 /);
  });

  it('does not let one address lock a member of staff out of their own', async () => {
    for (let i = 0; i < 6; i++) await signIn(app, 'admin', 'guess', '203.0.113.9');
    expect((await signIn(app, 'admin', 'demo', '203.0.113.9')).statusCode).toBe(429);
    expect((await signIn(app, 'admin', 'demo', '10.0.0.1')).statusCode).toBe(200);
  });

  it('ends a session idle for longer than the setting, and keeps one in use', async () => {
    const login = await signIn(app, 'adviser', 'demo');
    expect(login.statusCode).toBe(200);
    const headers = { authorization: `Bearer ${login.json().token}` };
    const me = () => app.inject({ url: '/api/auth/me', headers });
    advance(25);
    expect((await me()).statusCode).toBe(200);
    advance(25); // 50 minutes since sign-in, 25 since last use
    expect((await me()).statusCode).toBe(200);
    advance(31);
    const idle = await me();
    expect(idle.statusCode).toBe(401);
    expect(idle.json().detail).toMatch(/expired/);
  });

  it('purges expired and idle sessions', async () => {
    const login = await signIn(app, 'clinician', 'demo');
    expect(login.statusCode).toBe(200);
    advance(13 * 60); // past both the idle time and the 12-hour expiry
    const before = await use().db.selectFrom('user_session').select('token_hash').execute();
    const purged = await purgeExpiredSessions(createContext(use(), { now: () => clock }));
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect(purged.sessions).toBe(before.length);
    const after = await use().db.selectFrom('user_session').select('token_hash').execute();
    expect(after).toEqual([]);
  });
});

describeEachEngine('sign-in limits', (use) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith(use(), { loginLimits: { perAddress: 3, perAccount: 4 } });
  });
  afterAll(async () => app.close());

  it('limits sign-ins per address, whatever the usernames, with Retry-After', async () => {
    for (const username of ['a1', 'a2', 'a3']) {
      expect((await signIn(app, username, 'x', '198.51.100.1')).statusCode).toBe(401);
    }
    const fourth = await signIn(app, 'a4', 'x', '198.51.100.1');
    expect(fourth.statusCode).toBe(429);
    expect(fourth.headers['retry-after']).toBeDefined();
    expect(fourth.json()).toMatchObject({
      code: 'too_many_requests',
      detail: expect.stringMatching(/address/),
    });
    expect((await signIn(app, 'adviser', 'demo', '198.51.100.2')).statusCode).toBe(200);
  });

  it('limits sign-ins per username across addresses', async () => {
    for (let i = 0; i < 4; i++) await signIn(app, 'doslead', 'x', `192.0.2.${i + 1}`);
    const fifth = await signIn(app, 'doslead', 'demo', '192.0.2.99');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().detail).toMatch(/username/);
  });
});

describeEachEngine('edge settings', (use) => {
  const apps: FastifyInstance[] = [];
  const make = async (edge: EdgeSettings, demo = true) => {
    const app = await appWith(use(), edge, demo);
    apps.push(app);
    return app;
  };
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('sends security headers; HSTS and a Secure cookie only when the public URL is https', async () => {
    const plain = await make({});
    const login = await signIn(plain, 'adviser', 'demo');
    expect(login.headers['x-content-type-options']).toBe('nosniff');
    expect(login.headers['referrer-policy']).toBe('no-referrer');
    expect(String(login.headers['content-security-policy'])).toMatch(/frame-ancestors 'none'/);
    expect(String(login.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    expect(login.headers['strict-transport-security']).toBeUndefined();
    expect(String(login.headers['set-cookie'])).not.toMatch(/Secure/);

    const tls = await make({ publicUrl: 'https://111.example.nhs.uk' });
    const secure = await signIn(tls, 'adviser', 'demo');
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(String(secure.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('serves /metrics and /docs to anyone in demo mode, and only with the token otherwise', async () => {
    const demo = await make({});
    expect((await demo.inject({ url: '/metrics' })).statusCode).toBe(200);
    const hidden = await make({}, false);
    expect((await hidden.inject({ url: '/metrics' })).statusCode).toBe(404);
    expect((await hidden.inject({ url: '/docs/json' })).statusCode).toBe(404);
    const guarded = await make({ opsToken: 'ops-secret-1' }, false);
    const refused = await guarded.inject({ url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    const wrong = await guarded.inject({
      url: '/docs/json',
      headers: { authorization: 'Bearer ops-secret-2' },
    });
    expect(wrong.statusCode).toBe(401);
    const allowed = await guarded.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer ops-secret-1' },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toMatch(/open111_http_request_duration_seconds/);
    const open = await make({ publicOps: true }, false);
    expect((await open.inject({ url: '/docs/json' })).statusCode).toBe(200);
  });
});
