import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { offeredCall } from '../domain/calls/index';
import { insertCalls } from '../store/calls';
import { inTransaction } from '../store/db';

/** The demo week (5 to 12 March 2012): NHS Direct's calls from Luton, NEAS's from County Durham. */
const WEEK = 'from=2012-03-05T00:00:00Z&to=2012-03-12T00:00:00Z';

describeEachEngine('reports: who counts which calls', (use) => {
  let api: TestApi;
  const count = async (where: { providerCode?: string; areaCodes?: readonly string[] } = {}) => {
    let q = use()
      .db.selectFrom('call')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('offered_at', '>=', new Date('2012-03-05T00:00:00Z'))
      .where('offered_at', '<', new Date('2012-03-12T00:00:00Z'));
    if (where.providerCode) q = q.where('provider_code', '=', where.providerCode);
    if (where.areaCodes) q = q.where('area_code', 'in', where.areaCodes);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const kpis = async (username: string, query = '') =>
    api.app.inject({
      url: `/api/reports/kpis?${WEEK}${query}`,
      headers: await api.login(username),
    });
  const denials = async (username: string) =>
    use()
      .db.selectFrom('audit_log')
      .select(['resource_type', 'resource_id'])
      .where('action', '=', 'denied')
      .where('username', '=', username)
      .execute();

  beforeAll(async () => {
    api = await testApi(use(), () => new Date('2012-03-12T12:00:00Z'));
    // Two calls from Bedfordshire (Bedfordshire CCG's area), answered by another provider.
    await inTransaction(use().db, (tx) =>
      insertCalls(
        tx,
        ['BED-1', 'BED-2'].map((id, i) => ({
          ...offeredCall(id, new Date(`2012-03-0${6 + i}T10:00:00Z`)),
          areaCode: '5P2',
          providerCode: 'RYC',
        })),
      ),
    );
  });
  afterAll(async () => api.app.close());

  it('counts only its own provider’s calls for governance, even when it names another area', async () => {
    const all = await kpis('governance');
    expect(all.statusCode).toBe(200);
    expect(all.json().kpis.offered).toBe(await count({ providerCode: 'NHSD' }));
    expect(await count({ providerCode: 'NHSD' })).toBeGreaterThan(0);
    const durham = await kpis('governance', '&area=5ND');
    expect(durham.statusCode).toBe(200);
    expect(durham.json().kpis.offered).toBe(0);
    expect(await count({ areaCodes: ['5ND'] })).toBeGreaterThan(0);
  });

  it('shows a CCG its own areas’ calls, with no area given or its own, and refuses another area', async () => {
    const own = await kpis('ccg');
    expect(own.statusCode).toBe(200);
    expect(own.json().kpis.offered).toBe(2);
    expect(own.json().scope.areaCodes).toEqual(['5P2']);
    expect((await kpis('ccg', '&area=5p2')).json().kpis.offered).toBe(2);
    const luton = await kpis('ccg', '&area=5GC');
    expect(luton.statusCode).toBe(403);
    expect(luton.json().detail).toMatch(/5GC/);
    expect(await denials('ccg')).toContainEqual({ resource_type: 'kpi', resource_id: '5GC' });
  });

  it('totals an SHA’s areas when no area is given, and refuses an area of another region', async () => {
    const region = await kpis('commissioner');
    expect(region.statusCode).toBe(200);
    expect(region.json().kpis.offered).toBe(await count({ areaCodes: ['5GC', '5P2'] }));
    expect(region.json().scope.areaCodes).toContain('5P2');
    expect((await kpis('commissioner', '&area=5ND')).statusCode).toBe(403);
    expect(await denials('commissioner')).toContainEqual({ resource_type: 'kpi', resource_id: '5ND' });
  });

  it('shows the Department of Health England’s calls', async () => {
    const england = await kpis('national');
    expect(england.statusCode).toBe(200);
    expect(england.json().kpis.offered).toBe(await count());
    expect(england.json().scope.label).toBe('England');
    expect((await kpis('national', '&area=5ND')).json().kpis.offered).toBe(
      await count({ areaCodes: ['5ND'] }),
    );
  });

  it('refuses a role with no reports, and an unknown area', async () => {
    expect((await kpis('doslead')).statusCode).toBe(403);
    expect((await kpis('national', '&area=NOPE')).statusCode).toBe(404);
  });

  it('lists the areas in the caller’s scope for the Reports screen', async () => {
    const areas = async (username: string) =>
      (await api.app.inject({ url: '/api/reports/areas', headers: await api.login(username) })).json();
    const ccg = await areas('ccg');
    expect(ccg.areas).toEqual([{ code: '5P2', name: 'Bedfordshire' }]);
    const national = await areas('national');
    expect(national.label).toBe('England');
    expect(national.areas.length).toBeGreaterThan(140);
    expect((await areas('adviser')).areas.map((a: { code: string }) => a.code)).toContain('5GC');
    expect(
      (await api.app.inject({ url: '/api/reports/areas', headers: await api.login('doslead') })).statusCode,
    ).toBe(403);
  });

  it('plans capacity only for the areas a commissioner commissions', async () => {
    const ccg = await api.login('ccg');
    expect((await api.app.inject({ url: '/api/reports/capacity?area=5P2', headers: ccg })).statusCode).toBe(
      200,
    );
    expect((await api.app.inject({ url: '/api/reports/capacity?area=5GC', headers: ccg })).statusCode).toBe(
      403,
    );
  });
});
