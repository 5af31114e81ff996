import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { type RestartablePostgres, startRestartablePostgres } from '../../test/postgres-server';
import { demoAdapters } from '../messaging/demo-receivers';
import { startDeliveryWorker } from '../messaging/worker';
import { seedDemo } from '../seed/index';
import { inTransaction, migrate, openStore, type Store } from '../store/db';
import { enqueue, listMessages } from '../store/outbox';

/**
 * The database restarts under a running open111 (a PostgreSQL server of this test's own, stopped and
 * started by the test): requests in flight and while it is down get 503 problem+json with Retry-After,
 * never a 500; /readyz says not ready; afterwards requests succeed, the outbox worker delivers again, and
 * open111 itself was never restarted.
 */
describe('a PostgreSQL restart under a running open111', { timeout: 120_000 }, () => {
  let server: RestartablePostgres;
  let store: Store;
  let api: TestApi;
  let adviser: { authorization: string };
  const clock = () => new Date('2012-06-02T21:00:00Z');
  const workerErrors: unknown[] = [];
  let worker: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    server = await startRestartablePostgres();
    store = await openStore({ databaseUrl: server.url, poolSize: 4 });
    await migrate(store.db);
    await seedDemo(store.db);
    api = await testApi(store, clock);
    adviser = await api.login('adviser');
    worker = startDeliveryWorker(store.db, demoAdapters(store.db), clock, {
      intervalMs: 200,
      onError: (e) => workerErrors.push(e),
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await api?.app.close();
    await store?.close();
    await server?.stop();
  });

  /** A session of the test's own on the server, ended when `work` is done. */
  const withClient = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const offer = () =>
    api.app.inject({ method: 'POST', url: '/api/calls', headers: adviser, payload: { areaCode: '5GC' } });
  const expectUnavailable = (res: {
    statusCode: number;
    headers: Record<string, unknown>;
    json(): unknown;
  }) => {
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^[0-9]+$/);
    return res;
  };

  it('answers 503 with Retry-After in flight and while down, then serves again by itself', async () => {
    expect((await offer()).statusCode).toBe(201);
    expect((await api.app.inject({ url: '/readyz' })).statusCode).toBe(200);

    // A request in flight when the server goes: it waits on a lock, and the fast shutdown ends every
    // session (57P01, "terminating connection due to administrator command"). The lock is a prepared
    // transaction's, which no session's end releases: held by a session, it was released as the
    // postmaster ended that session first, and the request could be granted it and commit (CI saw 201).
    await withClient(async (c) => {
      await c.query('begin');
      await c.query('lock table call in access exclusive mode');
      await c.query("prepare transaction 'restart-lock'");
    });
    const inFlight = offer();
    await new Promise((r) => setTimeout(r, 300));
    await server.down('SIGINT');
    const flown = expectUnavailable(await inFlight);
    expect(flown.headers['content-type']).toMatch(/problem\+json/);
    expect(flown.json()).toMatchObject({ status: 503, code: 'unavailable' });

    // While down: every kind of request, signed in or signing in, API or FHIR, is a 503 said its way.
    const down = [
      await offer(),
      await api.app.inject({ url: '/api/calls', headers: adviser }),
      await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'adviser', password: 'demo' },
      }),
    ];
    for (const res of down) {
      expectUnavailable(res);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json()).toMatchObject({ status: 503, code: 'unavailable' });
    }
    const fhir = expectUnavailable(
      await api.app.inject({ url: '/fhir/R4/HealthcareService', headers: adviser }),
    );
    expect(fhir.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    expect((await api.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    expect((await api.app.inject({ url: '/healthz' })).statusCode).toBe(200); // the process itself is alive

    // Meanwhile a message waits in the outbox... once the server is back.
    await new Promise((r) => setTimeout(r, 600)); // the worker's passes fail and it keeps going
    await server.up();
    await withClient((c) => c.query("rollback prepared 'restart-lock'"));

    // Back: no restart of open111, the same session, the first request after succeeds.
    expect((await api.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const after = await offer();
    expect(after.statusCode, after.body).toBe(201);
    expect((await api.app.inject({ url: '/api/calls', headers: adviser })).statusCode).toBe(200);
    expect(
      (
        await api.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'adviser', password: 'demo' },
        })
      ).statusCode,
    ).toBe(200);

    await inTransaction(store.db, (tx) =>
      enqueue(
        tx,
        {
          kind: 'gp_post_event',
          destination: 'Y5GC1',
          idempotencyKey: 'restart/after',
          subject: 'restart',
          payload: {},
        },
        clock(),
      ),
    );
    for (let i = 0; i < 100; i++) {
      const [m] = await listMessages(store.db, { subject: 'restart' });
      if (m?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [m] = await listMessages(store.db, { subject: 'restart' });
    expect(m?.status).toBe('delivered');
    expect(workerErrors.length).toBeGreaterThan(0); // it did see the outage, and survived it
  });

  it('after a crash of PostgreSQL (SIGKILL) too: 503 while down, served again once it has recovered', async () => {
    await server.down('SIGKILL');
    expectUnavailable(await offer());
    await server.up(); // crash recovery from the WAL
    const after = await offer();
    expect(after.statusCode, after.body).toBe(201);
  });
});
