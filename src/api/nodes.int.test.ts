import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { freshPostgresDatabase } from '../../test/engines';
import { SORE_THROAT_CHANGED, SORE_THROAT_SHIPPED } from '../../test/pathway-drafts';
import { openStore, type Store } from '../store/db';

/**
 * Two open111 nodes on one PostgreSQL, as behind a load balancer: each keeps its routing table and its
 * directory index in memory, so a change made through one must reach the other's cache. (PGlite is one
 * process, so this is PostgreSQL only.)
 */
describe('two API nodes on one PostgreSQL [postgres]', () => {
  let database: { url: string; drop(): Promise<void> };
  const stores: Store[] = [];
  let a: TestApi;
  let b: TestApi;
  // Wednesday 6 June 2012, 11:00 BST: GP practices are open, and Coventry's pilot is live.
  const clock = () => new Date('2012-06-06T10:00:00Z');
  const auth: Record<string, { authorization: string }> = {};

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    for (let i = 0; i < 2; i += 1) stores.push(await openStore({ databaseUrl: database.url, poolSize: 4 }));
    a = await testApi(stores[0] as Store, clock);
    b = await testApi(stores[1] as Store, clock);
    auth.national = await a.login('national');
    auth.provider = await a.login('provider');
    auth.adviser = await b.login('adviser');
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    for (const s of stores) await s.close();
    await database?.drop();
  });

  /** Asks again until `seen` holds, or gives up after `attempts` tries (the change is asynchronous). */
  async function eventually<T>(
    ask: () => Promise<T>,
    seen: (value: T) => boolean,
    attempts = 100,
  ): Promise<T> {
    let value = await ask();
    for (let i = 0; i < attempts && !seen(value); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = await ask();
    }
    return value;
  }

  it('routes by a plan withdrawn on the other node, without either restarting', async () => {
    const routing = async () =>
      (await b.app.inject({ url: '/api/routing?area=5MD&at=2012-06-01', headers: auth.adviser })).json<{
        live: boolean;
      }>();
    // Node B has built its routing table: Coventry is live there.
    expect(await routing()).toMatchObject({ live: true });
    const url = '/api/rollout/plans/5MD';
    const plan = await a.app.inject({ url, headers: auth.national });
    const withdrawn = await a.app.inject({
      method: 'POST',
      url: `${url}/withdraw`,
      payload: { reason: 'provider pulled out' },
      headers: { ...auth.national, 'if-match': String(plan.headers.etag) },
    });
    expect(withdrawn.statusCode).toBe(200);
    // Node B hears it: without the notification its table would say "live" until it restarted.
    expect(await eventually(routing, (r) => !r.live)).toMatchObject({ live: false });
  });

  it("leaves out of node B's search a service set red on node A", async () => {
    const search = async () =>
      (
        await b.app.inject({
          method: 'POST',
          url: '/api/directory/search',
          payload: {
            postcode: 'LU1 3JU',
            age: { value: 40, unit: 'years' },
            sex: 'male',
            disposition: 'Dx02',
          },
          headers: auth.adviser,
        })
      ).json<{ results: { service: { id: string } }[] }>();
    const ids = (answer: { results: { service: { id: string } }[] }) =>
      answer.results.map((r) => r.service.id);
    expect(ids(await search())).toContain('5GC-105-1');
    const red = await a.app.inject({
      method: 'PUT',
      url: '/api/directory/services/5GC-105-1/capacity',
      payload: { status: 'red', resetAfterMinutes: 60 },
      headers: auth.provider,
    });
    expect(red.statusCode).toBe(200);
    expect(ids(await eventually(search, (s) => !ids(s).includes('5GC-105-1')))).not.toContain('5GC-105-1');
  });
  it('starts sessions on node B on a pathway version released on node A', async () => {
    const startOnB = async () => {
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/triage/sessions',
        payload: { pathwayId: 'sore-throat', patient: { ageYears: 30, sex: 'female' } },
        headers: auth.adviser,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ pathway: { version: number } }>().pathway.version;
    };
    // Node B has read the released versions: the shipped one is in force there.
    expect(await startOnB()).toBe(SORE_THROAT_SHIPPED.version);
    const clinician = await a.login('clinician');
    const governance = await a.login('governance');
    const step = async (url: string, who: { authorization: string }, payload: object = {}) => {
      const res = await a.app.inject({ method: 'POST', url, payload, headers: who });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    const versions = '/api/governance/pathway-versions';
    await step(versions, clinician, { yaml: SORE_THROAT_CHANGED, summary: 'Released on node A' });
    const path = `${versions}/sore-throat/${SORE_THROAT_SHIPPED.version + 1}`;
    await step(`${path}/review`, clinician);
    await step(`${path}/approve`, governance, { note: 'Checked' });
    await step(`${path}/release`, governance);
    // Node B hears it: without the notification it would go on starting sessions on the shipped version.
    expect(await eventually(startOnB, (v) => v !== SORE_THROAT_SHIPPED.version)).toBe(
      SORE_THROAT_SHIPPED.version + 1,
    );
  });
});
