import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { auditTrail } from '../store/audit';

interface Row {
  area: { code: string; population: number };
  plan: { status: string; confirmed: boolean; version: number } | null;
  issues: { rule?: string }[];
  canEdit: boolean;
  canApprove: boolean;
}

describeEachEngine('rollout and routing API', (use) => {
  let api: TestApi;
  // 22:59 BST on 22 September 2011: the deadline day begins at 23:00 UTC.
  let clock = new Date('2011-09-22T22:59:59Z');
  const h: Record<string, { authorization: string }> = {};
  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    for (const u of ['commissioner', 'ccg', 'national', 'adviser']) h[u] = await api.login(u);
  });
  afterAll(async () => api.app.close());

  const get = (url: string, who = 'commissioner') => api.app.inject({ url, headers: h[who] });
  const coverage = async (at: string) =>
    (await get(`/api/rollout/coverage?at=${at}`)).json<{ national: { populationCovered: number } }>().national
      .populationCovered;

  it('lists every area with its plan: the four pilots confirmed, most areas without a plan', async () => {
    const res = await get('/api/rollout/plans');
    expect(res.statusCode).toBe(200);
    const rows = res.json<Row[]>();
    expect(rows).toHaveLength(151);
    const luton = rows.find((r) => r.area.code === '5GC');
    expect(luton?.plan).toMatchObject({ status: 'pilot_live', confirmed: true });
    expect(luton?.canEdit).toBe(true); // Q35 commissioner, Luton is in Q35
    expect(rows.find((r) => r.area.code === '5ND')?.canEdit).toBe(false);
    expect(rows.filter((r) => r.plan === null).length).toBeGreaterThan(100);
    expect((await get('/api/rollout/plans', 'adviser')).statusCode).toBe(403);
  });

  it('lets a CCG approve but not edit, an SHA edit but not approve, and audits each refusal', async () => {
    const rowsOf = async (who: string) => (await get('/api/rollout/plans', who)).json<Row[]>();
    const bedford = (rows: Row[]) => rows.find((r) => r.area.code === '5P2');
    // The screen's flags come from the same policy that decides the change.
    expect(bedford(await rowsOf('ccg'))).toMatchObject({ canEdit: false, canApprove: true });
    expect(bedford(await rowsOf('commissioner'))).toMatchObject({ canEdit: true, canApprove: false });
    expect(bedford(await rowsOf('national'))).toMatchObject({ canEdit: true, canApprove: false });

    const plan = {
      status: 'planned',
      operatingModel: 'partnership',
      providerCodes: ['NHSD', 'RYC', 'OOH-Q35'],
      procurementDate: null,
      goLiveDate: null,
    };
    const edit = await api.app.inject({
      method: 'PUT',
      url: '/api/rollout/plans/5P2',
      payload: plan,
      headers: h.ccg,
    });
    expect(edit.statusCode).toBe(403);
    expect(edit.headers['content-type']).toMatch(/problem\+json/);
    const approve = await api.app.inject({
      method: 'POST',
      url: '/api/rollout/plans/5GC/approve',
      headers: { ...h.commissioner, 'if-match': '"1"' },
    });
    expect(approve.statusCode).toBe(403);

    const denied = async (area: string) =>
      (await auditTrail(use().db, { resourceType: 'rollout_plan', resourceId: area })).filter(
        (t) => t.action === 'denied',
      );
    expect((await denied('5P2')).map((t) => t.username)).toEqual(['ccg']);
    expect((await denied('5GC')).map((t) => t.username)).toEqual(['commissioner']);
    // Nothing was written for either area.
    expect((await get('/api/rollout/plans/5P2')).statusCode).toBe(404);
  });

  it('tells the screen who may apply the deadline, rather than the screen guessing', async () => {
    const may = async (who: string) =>
      (await get('/api/rollout/config', who)).json<{ canApplyDeadline: boolean }>().canApplyDeadline;
    expect(await may('national')).toBe(true);
    expect(await may('commissioner')).toBe(false);
    expect(await may('ccg')).toBe(false);
  });

  it('routes a call from Luton to "not live" before the pilot and to the pilot provider after', async () => {
    const before = await get('/api/routing?postcode=LU1%203JU&at=2010-12-02T23:59:59Z', 'adviser');
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({ areaCode: '5GC', live: false, provider: null });
    expect(before.json().advice).toMatch(/0845 4647.*999/);
    const after = await get('/api/routing?postcode=LU1%203JU&at=2010-12-03', 'adviser');
    expect(after.json()).toMatchObject({
      live: true,
      basis: 'pilot',
      provider: { code: 'NHSD', name: 'NHS Direct NHS Trust' },
      since: '2010-12-03',
    });
    expect(after.json().partners.map((p: { code: string }) => p.code)).toEqual(['RYC', 'CAREUK']);
  });

  it('answers bad routing questions with 4xx', async () => {
    expect((await get('/api/routing?postcode=LU1&at=yesterday', 'adviser')).statusCode).toBe(400);
    expect((await get('/api/routing?postcode=LU1&area=5GC', 'adviser')).statusCode).toBe(400);
    expect((await get('/api/routing?area=QQQ', 'adviser')).statusCode).toBe(404);
    expect((await get('/api/routing?postcode=ZZ99%209ZZ', 'adviser')).statusCode).toBe(404);
    expect((await get('/api/rollout/coverage?at=2011-02-29')).statusCode).toBe(400);
    expect((await get('/api/rollout/coverage?at=2011-01-01&x=1')).statusCode).toBe(400);
  });

  it('applies the deadline only nationally, only once it has passed, and only once', async () => {
    const apply = (who: string) =>
      api.app.inject({ method: 'POST', url: '/api/rollout/deadline/apply', headers: h[who] });
    expect((await apply('commissioner')).statusCode).toBe(403);
    const early = await apply('national');
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toMatch(/2011-09-23/);
    clock = new Date('2011-09-22T23:00:00Z'); // midnight in England: the deadline day has begun
    const first = await apply('national');
    expect(first.statusCode).toBe(200);
    const opted = first.json<{ optedIn: { areaCode: string; reason: string }[] }>().optedIn;
    const codes = opted.map((o) => o.areaCode);
    expect(codes).toContain('5P2'); // no plan
    expect(codes).toContain('5QP'); // developing a plan, not approved
    expect(codes).not.toContain('5GC'); // confirmed pilot
    expect(codes).not.toContain('5QQ'); // confirmed, if late
    expect(opted.find((o) => o.areaCode === '5QP')?.reason).toMatch(/missing CCG approval/);
    const second = await apply('national');
    expect(second.json().optedIn).toEqual([]);
  });

  it('routes an area with no plan to the default provider from its default go-live', async () => {
    const before = await get('/api/routing?area=5P2&at=2013-02-28T23:59:59Z', 'adviser');
    expect(before.json()).toMatchObject({ live: false });
    const after = await get('/api/routing?area=5P2&at=2013-03-01', 'adviser');
    expect(after.json()).toMatchObject({ live: true, basis: 'default_provider', provider: { code: 'NHSD' } });
    expect(after.json().partners.map((p: { code: string }) => p.code)).toEqual(['RYC', 'OOH-Q35']);
    expect(after.json().reason).toMatch(/2011-09-23/);
  });

  it('edits, submits and approves a plan with ETags, naming the broken rule, and coverage follows', async () => {
    const url = '/api/rollout/plans/5P2';
    const current = await get(url);
    const etag = current.headers.etag as string;
    expect(current.json()).toMatchObject({ status: 'opted_in_default' });
    const body = {
      status: 'planned',
      operatingModel: 'partnership',
      providerCodes: ['NHSD', 'RYC', 'OOH-Q35'],
      procurementDate: '2012-04-02',
      goLiveDate: '2012-10-01',
    };
    const put = (payload: object, who: string, ifMatch?: string) =>
      api.app.inject({
        method: 'PUT',
        url,
        payload,
        headers: { ...h[who], ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      });
    expect((await put(body, 'commissioner')).statusCode).toBe(412);
    const broken = await put(body, 'commissioner', etag);
    expect(broken.statusCode).toBe(400);
    expect(broken.json().problems[0]).toMatchObject({ rule: 'procurement-six-months-before-go-live' });
    expect(broken.json().detail).toContain('procurement-six-months-before-go-live');
    const noAmbulance = await put(
      { ...body, procurementDate: '2012-04-01', providerCodes: ['NHSD', 'OOH-Q35'] },
      'commissioner',
      etag,
    );
    expect(noAmbulance.json().problems.map((p: { rule: string }) => p.rule)).toContain(
      'providers-can-dispatch-ambulance',
    );
    const saved = await put({ ...body, procurementDate: '2012-04-01' }, 'commissioner', etag);
    expect(saved.statusCode).toBe(200);
    const etag2 = saved.headers.etag as string;
    expect(etag2).not.toBe(etag);
    expect(saved.json()).toMatchObject({
      stage: 'draft',
      confirmed: false,
      defaultOptIn: { at: '2011-09-23' },
    });
    expect((await put({ ...body, procurementDate: '2012-04-01' }, 'commissioner', etag)).statusCode).toBe(
      412,
    );

    const before = await coverage('2012-12-01');
    const post = (action: string, who: string, ifMatch: string) =>
      api.app.inject({
        method: 'POST',
        url: `${url}/${action}`,
        headers: { ...h[who], 'if-match': ifMatch },
      });
    const submitted = await post('submit', 'commissioner', etag2);
    expect(submitted.json()).toMatchObject({ stage: 'submitted', submittedBy: 'commissioner' });
    const etag3 = submitted.headers.etag as string;
    expect((await post('approve', 'commissioner', etag3)).statusCode).toBe(403);
    const approved = await post('approve', 'ccg', etag3);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({
      stage: 'approved',
      confirmed: true,
      ccgApproval: { ccgCode: '06F' },
    });
    expect(await coverage('2012-12-01')).toBe(before + 422_015);
    const routed = await get('/api/routing?area=5P2&at=2012-10-01', 'adviser');
    expect(routed.json()).toMatchObject({ basis: 'live_contract', since: '2012-10-01' });

    const history = (await get(`${url}/history`)).json<{ kind: string }[]>().map((e) => e.kind);
    expect(history).toEqual(['opted_in_default', 'updated', 'submitted', 'approved']);
    const trail = await auditTrail(use().db, { resourceType: 'rollout_plan', resourceId: '5P2' });
    expect(trail.filter((t) => t.action !== 'denied').map((t) => t.username)).toEqual([
      'ccg',
      'commissioner',
      'commissioner',
    ]);
    // The SHA's attempt to approve was refused and is on the trail too.
    expect(trail.some((t) => t.action === 'denied' && t.username === 'commissioner')).toBe(true);
  });

  it("refuses a commissioner another SHA's areas, and unknown areas", async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/api/rollout/plans/5ND',
      payload: {
        status: 'planned',
        operatingModel: 'single_provider',
        providerCodes: ['RX6'],
        procurementDate: null,
        goLiveDate: null,
      },
      headers: h.commissioner,
    });
    expect(res.statusCode).toBe(403);
    const unknown = await api.app.inject({
      method: 'PUT',
      url: '/api/rollout/plans/QQQ',
      payload: {
        status: 'planned',
        operatingModel: 'single_provider',
        providerCodes: ['RX6'],
        procurementDate: null,
        goLiveDate: null,
      },
      headers: h.commissioner,
    });
    expect(unknown.statusCode).toBe(404);
    const extra = await api.app.inject({
      method: 'PUT',
      url: '/api/rollout/plans/5PQ',
      payload: {
        status: 'live',
        operatingModel: 'x',
        providerCodes: [],
        procurementDate: null,
        goLiveDate: null,
      },
      headers: h.commissioner,
    });
    expect(extra.statusCode).toBe(400);
  });

  it('withdraws a plan (routing follows) and deletes one, both with If-Match', async () => {
    const url = '/api/rollout/plans/5MD'; // Coventry: a confirmed 2011 pilot, not opted in
    const plan = await get(url, 'national');
    const etag = plan.headers.etag as string;
    expect((await get('/api/routing?area=5MD&at=2012-06-01', 'adviser')).json()).toMatchObject({
      live: true,
    });
    const withdrawn = await api.app.inject({
      method: 'POST',
      url: `${url}/withdraw`,
      payload: { reason: 'provider pulled out' },
      headers: { ...h.national, 'if-match': etag },
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', confirmed: false });
    expect((await get('/api/routing?area=5MD&at=2012-06-01', 'adviser')).json()).toMatchObject({
      live: false,
    });
    const history = (await get(`${url}/history`, 'national')).json<{ kind: string; reason: string }[]>();
    expect(history.at(-1)).toMatchObject({ kind: 'withdrawn', reason: 'provider pulled out' });
    const badBody = await api.app.inject({
      method: 'POST',
      url: `${url}/submit`,
      payload: { why: 'x' },
      headers: { ...h.national, 'if-match': withdrawn.headers.etag as string },
    });
    expect(badBody.statusCode).toBe(400);
    const del = (ifMatch?: string) =>
      api.app.inject({
        method: 'DELETE',
        url,
        headers: { ...h.national, ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      });
    expect((await del()).statusCode).toBe(412);
    expect((await del(etag)).statusCode).toBe(412);
    expect((await del(withdrawn.headers.etag as string)).statusCode).toBe(204);
    expect((await get(url, 'national')).statusCode).toBe(404);
  });

  it('reports the gaps on the national date and exports CSV', async () => {
    const t = await get('/api/rollout/coverage/timeline');
    const timeline = t.json<{
      notCoveredAtNationalDate: { areas: { code: string }[] };
      series: { date: string }[];
    }>();
    // Devon's confirmed plan goes live after the national date; Coventry's plan was deleted after the deadline.
    expect(timeline.notCoveredAtNationalDate.areas.map((a) => a.code)).toEqual(['5MD', '5QQ']);
    expect(timeline.series.at(-1)?.date).toBe('2013-04-01');
    const csv = await get('/api/rollout/export.csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(152);
    expect(lines.find((l) => l.startsWith('5GC,'))).toMatch(
      /pilot_live,partnership,NHSD;RYC;CAREUK,2010-06-03,2010-12-03/,
    );
  });
});
