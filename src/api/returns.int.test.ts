import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { offeredCall } from '../domain/calls/index';
import { insertCalls } from '../store/calls';
import { inTransaction } from '../store/db';

describeEachEngine('the monthly return and the pilot evaluation', (use) => {
  let api: TestApi;
  const get = async (username: string, url: string) =>
    api.app.inject({ url, headers: await api.login(username) });

  beforeAll(async () => {
    api = await testApi(use(), () => new Date('2012-03-12T12:00:00Z'));
  });
  afterAll(async () => api.app.close());

  it('gives England’s return by provider and area for the national user, adding up to its total', async () => {
    const res = await get('national', '/api/reports/monthly?month=2010-12');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const cells = body.lines.filter((l: { breakdown: string }) => l.breakdown === 'provider_area');
    const total = body.lines.find((l: { breakdown: string }) => l.breakdown === 'total');
    const sum = cells.reduce(
      (n: number, l: { counts: { callsReceived: number } }) => n + l.counts.callsReceived,
      0,
    );
    expect(total.counts.callsReceived).toBe(sum);
    expect(sum).toBeGreaterThan(10_000);
    // Luton went live on 3 December 2010: its month is split between NHS Direct's 0845 and 111.
    const luton = cells.filter((l: { areaCode: string }) => l.areaCode === '5GC');
    expect(luton.map((l: { service: string }) => l.service).sort()).toEqual(['nhs111', 'nhs_direct_0845']);
    expect(luton[0].areaName).toBe('Luton');
    expect(luton[0].regionName).toBeTruthy();
  });

  it('keeps a commissioner to its own areas, and the CSV has one column per definition', async () => {
    const res = await get('commissioner', '/api/reports/monthly.csv?month=2011-01');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    const areas = new Set(rows.filter((r) => r.breakdown === 'provider_area').map((r) => r.area_code));
    // The demo commissioner is the East of England SHA (Q35): Luton, Bedfordshire and Peterborough.
    expect([...areas].sort()).toEqual(['5GC', '5P2', '5PN']);
    const json = (await get('commissioner', '/api/reports/monthly?month=2011-01')).json();
    for (const c of json.columns) expect(Object.keys(rows[0] ?? {})).toContain(c.heading);
    const lutonAmbulance = rows.find(
      (r) => r.breakdown === 'area' && r.area_code === '5GC',
    )?.disposition_ambulance;
    expect(Number(lutonAmbulance)).toBeGreaterThan(0);
  });

  it('answers a month outside the data, or not a month, with a sentence naming the field', async () => {
    const outside = await get('national', '/api/reports/monthly?month=2014-12');
    expect(outside.statusCode).toBe(400);
    expect(outside.json().detail).toMatch(/no data for 2014-12.*from 2010-02 to 2012-03/);
    const wrong = await get('national', '/api/reports/monthly?month=December');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toMatch(/"month" must be a month written YYYY-MM/);
    const area = await get('national', '/api/reports/monthly?month=2011-01&area=ZZZ');
    expect(area.statusCode).toBe(404);
    expect(area.json().detail).toMatch(/no commissioning area with code "ZZZ"/);
  });

  it('evaluates Luton against the areas not yet live, with an interval, and refuses an area never live', async () => {
    const res = await get('commissioner', '/api/reports/pilot-evaluation?area=5GC');
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e.goLiveDate).toBe('2010-12-03');
    expect(e.monthsBefore).toEqual(['2010-06', '2010-07', '2010-08', '2010-09', '2010-10', '2010-11']);
    expect(e.monthsAfter).toHaveLength(6);
    // County Durham and the others went live before the window ended: only the never-live areas compare.
    const codes = e.comparisonAreas.map((a: { code: string }) => a.code);
    expect(codes).toContain('5P2');
    expect(codes).not.toContain('5ND');
    const ambulance = e.measures.find((m: { heading: string }) => m.heading === 'ambulance_pct');
    // The demo's 111 sends more calls to an ambulance than NHS Direct did (its own assumption: 9% vs 6%).
    expect(ambulance.estimate.difference).toBeGreaterThan(1.5);
    expect(ambulance.estimate.low).toBeLessThan(ambulance.estimate.difference);
    expect(ambulance.estimate.high).toBeGreaterThan(ambulance.estimate.difference);
    const within60 = e.measures.find((m: { heading: string }) => m.heading === 'answered_within_60s_pct');
    expect(within60.target).toEqual({ value: 95, atLeast: true });
    const csv = await get('commissioner', '/api/reports/pilot-evaluation.csv?area=5GC');
    const rows: Record<string, string>[] = parse(csv.body, { columns: true });
    expect(rows.map((r) => r.measure)).toContain('ambulance_pct');
    const never = await get('national', '/api/reports/pilot-evaluation?area=5P2');
    expect(never.statusCode).toBe(400);
    expect(never.json().detail).toMatch(/Bedfordshire \(5P2\) has no go-live date/);
    // Not the commissioner's area: hidden like any other area outside its reach.
    const durham = await get('commissioner', '/api/reports/pilot-evaluation?area=5ND');
    expect([403, 404]).toContain(durham.statusCode);
  });

  it('runs a shipped scenario with its rota scaled, and names what is wrong with a request', async () => {
    const list = (await get('adviser', '/api/reports/scenarios')).json();
    expect(list.map((x: { id: string }) => x.id)).toContain('strep-a-week-2022');
    const run = async (q: string) => get('commissioner', `/api/reports/scenarios/boxing-day/run?${q}`);
    const full = (await run('days=2')).json();
    const short = (await run('days=2&staffing=0.5')).json();
    expect(full.daily).toHaveLength(2);
    expect(full.calls.offered).toBeGreaterThan(0);
    // Same demand (the draws differ a little), half the staff: far fewer answered within 60 s.
    expect(Math.abs(short.calls.offered - full.calls.offered)).toBeLessThan(full.calls.offered * 0.1);
    expect(short.calls.answeredWithin60sPercent).toBeLessThan(full.calls.answeredWithin60sPercent - 10);
    const long = await run('days=30');
    expect(long.statusCode).toBe(400);
    expect(long.json().detail).toMatch(/"days" may be at most 14/);
    const unknown = await get('commissioner', '/api/reports/scenarios/no-such/run');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toMatch(/no shipped scenario "no-such"; the scenarios are .*boxing-day/);
  });

  it('counts a recorded month from its calls and their cases: disposition group and call-back timeliness', async () => {
    const at = (minutes: number) => new Date(Date.parse('2012-03-20T10:00:00Z') + minutes * 60_000);
    await inTransaction(use().db, async (tx) => {
      await insertCalls(tx, [
        {
          ...offeredCall('RET-1', at(0)),
          status: 'ended',
          answeredAt: new Date(at(0).getTime() + 20_000),
          endedAt: at(4),
          areaCode: '5GC',
          providerCode: 'NHSD',
        },
      ]);
      await tx
        .insertInto('case_record')
        .values({
          id: 'CASE-RET-1',
          call_id: 'RET-1',
          provider_code: 'NHSD',
          area_code: '5GC',
          status: 'closed',
          disposition_code: 'Dx011',
          outcome: 'callback',
          callback_due_at: at(30),
          opened_at: at(1),
          updated_at: at(13),
          event_count: 2,
        })
        .execute();
      await tx
        .insertInto('case_event')
        .values([
          {
            case_id: 'CASE-RET-1',
            seq: 1,
            kind: 'callback_queued',
            at: at(4),
            recorded_by: null,
            body: JSON.stringify({ kind: 'callback_queued', dueAt: at(30).toISOString() }),
          },
          {
            case_id: 'CASE-RET-1',
            seq: 2,
            kind: 'callback_started',
            at: at(12),
            recorded_by: null,
            body: JSON.stringify({ kind: 'callback_started' }),
          },
        ])
        .execute();
    });
    const res = await get('national', '/api/reports/monthly?month=2012-03&area=5GC');
    expect(res.statusCode, res.body).toBe(200);
    const line = res
      .json()
      .lines.find(
        (l: { breakdown: string; providerCode: string }) =>
          l.breakdown === 'provider_area' && l.providerCode === 'NHSD',
      );
    expect(line.source).toBe('recorded_calls');
    // The demo week's calls from Luton and this one; one of them has a case.
    expect(line.counts.callsReceived).toBeGreaterThan(100);
    expect(line.counts).toMatchObject({
      triaged: 1,
      dispositionAmbulance: 1,
      passedToClinician: 1,
      callBacks: 1,
      callBacksMade: 1,
      // Called back 12 minutes after the call: not within 10 minutes, but before it was due (30).
      callBacksWithin10Min: 0,
      callBacksByDue: 1,
    });
  });
});
