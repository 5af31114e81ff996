import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaff, type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { finishedTriage, type PostJson } from '../../test/triage';
import { runFailSafes } from '../services/fail-safe';
import { listMessages } from '../store/outbox';

type Headers = { authorization: string };
interface CaseView {
  id: string;
  status: string;
  outcome: string | null;
  dispatch: { category: number } | null;
  referral: { id: string; name: string } | null;
  validation: { reason: string; breachAt: string; result: string | null; breachedAt: string | null } | null;
  referralProgress: {
    acknowledgedAt: string | null;
    outcome: string | null;
    acknowledgementDueAt: string | null;
    alertedAt: string | null;
  };
  messages: { kind: string }[];
}

/**
 * Clinical validation and referral acknowledgement over HTTP, on the service's own clock: an adviser's
 * ambulance category 3 and A&E dispositions wait for a clinician; the fail-safe acts at the breach time;
 * the receiving service acknowledges and reports; an unacknowledged referral raises an alert.
 */
describeEachEngine('clinical validation and referral acknowledgement', (use) => {
  let api: TestApi;
  let adviser: Headers;
  let clinician: Headers;
  let admin: Headers;
  const t0 = new Date('2012-06-02T21:00:00Z');
  let clock = t0;
  const minutes = (m: number) => new Date(t0.getTime() + m * 60_000);
  const patient = {
    name: 'Val Idation',
    birthDate: '1950-02-03',
    sex: 'female',
    postcode: 'LU1 3JU',
    gpPracticeCode: 'Y5GC1',
    phone: '01582 000000',
  };

  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    adviser = await api.login('adviser');
    clinician = await api.login('clinician');
    admin = await api.login('admin');
  });
  afterAll(async () => api.app.close());

  const post = (url: string, payload: unknown, headers: Headers = adviser) =>
    api.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const get = (url: string, headers: Headers = adviser) => api.app.inject({ url, headers });
  const postJson: PostJson = async (url, body) => {
    const res = await post(url, body);
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const kinds = async (id: string) =>
    (await get(`/api/cases/${id}/replay`, clinician))
      .json<{ events: { kind: string }[] }>()
      .events.map((e) => e.kind);

  async function triagedCase(dispositionCode: string): Promise<string> {
    const call = await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() });
    const callId = call.json<{ id: string }>().id;
    await post(`/api/calls/${callId}/events`, { kind: 'answered', at: clock.toISOString() });
    const opened = await post('/api/cases', { callId, patient });
    const id = opened.json<CaseView>().id;
    const triageSessionId = await finishedTriage(postJson, dispositionCode);
    const triaged = await post(`/api/cases/${id}/triage`, {
      triageSessionId,
      dispositionCode,
      summary: ['Fell at home', 'Cannot get up'],
    });
    expect(triaged.statusCode, triaged.body).toBe(200);
    return id;
  }
  async function serviceFor(disposition: string) {
    const res = await post('/api/directory/search', {
      postcode: 'LU1 3JU',
      age: { value: 62, unit: 'years' },
      sex: 'female',
      disposition,
    });
    expect(res.statusCode, res.body).toBe(200);
    const first = res.json<{ results: { service: { id: string; organisationCode: string } }[] }>().results[0];
    if (!first) throw new Error(`no service for ${disposition}`);
    return first.service;
  }

  it('an adviser’s category 3 waits for a clinician, who downgrades it to a referral: no ambulance, case closed', async () => {
    clock = minutes(0);
    const id = await triagedCase('Dx012');
    const queued = (await post(`/api/cases/${id}/outcome`, {})).json<CaseView>();
    expect(queued).toMatchObject({
      status: 'awaiting_validation',
      outcome: 'ambulance',
      dispatch: null,
      validation: { reason: 'ambulance_category_3', breachAt: minutes(30).toISOString(), result: null },
    });
    expect(queued.messages.map((m) => m.kind)).not.toContain('ambulance_dispatch');
    // The adviser cannot close it; the call ends and the case goes on to the clinician.
    expect((await post(`/api/cases/${id}/close`, {})).statusCode).toBe(409);

    clock = minutes(10);
    const queue = (await get('/api/validation-queue', clinician)).json<
      { caseId: string; minutesToBreach: number; summary: string[] }[]
    >();
    const entry = queue.find((q) => q.caseId === id);
    expect(entry).toMatchObject({ minutesToBreach: 20, summary: ['Fell at home', 'Cannot get up'] });

    const utc = await serviceFor('Dx03');
    const body = { result: 'downgraded', dispositionCode: 'Dx03', notes: 'Walking now.', serviceId: utc.id };
    expect((await post(`/api/cases/${id}/validate`, body, adviser)).statusCode).toBe(403);
    // A downgrade must be less urgent: Dx011 is more urgent than Dx012.
    const { serviceId: _s, ...noService } = body;
    const wrong = await post(
      `/api/cases/${id}/validate`,
      { ...noService, dispositionCode: 'Dx011' },
      clinician,
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toMatch(/not less urgent/);
    const done = await post(`/api/cases/${id}/validate`, body, clinician);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json<CaseView>()).toMatchObject({
      status: 'closed',
      outcome: 'referral',
      dispatch: null,
      referral: { id: utc.id },
      validation: { result: 'downgraded', breachedAt: null },
    });
    expect(await kinds(id)).toEqual([
      'opened',
      'triaged',
      'outcome_decided',
      'validation_queued',
      'validated',
      'outcome_decided',
      'referred',
      'post_event_sent',
      'closed',
    ]);
    expect((await post(`/api/cases/${id}/validate`, body, clinician)).statusCode).toBe(409);
    // Past the breach time, the fail-safe leaves a validated case alone.
    clock = minutes(40);
    expect((await runFailSafes(api.app.ctx)).breached).not.toContain(id);
  });

  it('the fail-safe: unvalidated at the breach time, the ambulance is dispatched and the case says so', async () => {
    clock = minutes(100);
    const id = await triagedCase('Dx012');
    await post(`/api/cases/${id}/outcome`, {});
    clock = new Date(minutes(130).getTime() - 1000);
    expect((await runFailSafes(api.app.ctx)).breached).not.toContain(id);
    clock = minutes(130);
    expect((await runFailSafes(api.app.ctx)).breached).toContain(id);
    const c = (await get(`/api/cases/${id}`, clinician)).json<CaseView>();
    expect(c).toMatchObject({
      status: 'closed',
      dispatch: { category: 3 },
      validation: { result: null, breachedAt: minutes(130).toISOString() },
    });
    expect((await kinds(id)).slice(3)).toEqual([
      'validation_queued',
      'validation_breached',
      'ambulance_dispatched',
      'post_event_sent',
      'closed',
    ]);
    const sent = await listMessages(use().db, { subject: id, limit: 10 });
    expect(sent.find((m) => m.kind === 'ambulance_dispatch')?.payload).toMatchObject({
      category: 3,
      validation: { breached: true },
    });
    // A second pass does nothing more.
    expect((await runFailSafes(api.app.ctx)).breached).not.toContain(id);
    expect(
      (await get('/api/validation-queue', clinician)).json().map((q: { caseId: string }) => q.caseId),
    ).not.toContain(id);
  });

  it('category 2 is dispatched at once; A&E waits for the disposition’s timeframe, holding the department', async () => {
    clock = minutes(200);
    const cat2 = await triagedCase('Dx011');
    expect((await post(`/api/cases/${cat2}/outcome`, {})).json<CaseView>().dispatch?.category).toBe(2);
    const ae = await triagedCase('Dx02');
    const ed = await serviceFor('Dx02');
    const queued = (await post(`/api/cases/${ae}/outcome`, { service: { id: ed.id } })).json<CaseView>();
    expect(queued).toMatchObject({
      status: 'awaiting_validation',
      referral: null,
      validation: { reason: 'emergency_department', breachAt: minutes(260).toISOString() },
    });
    const confirmed = await post(
      `/api/cases/${ae}/validate`,
      { result: 'confirmed', dispositionCode: 'Dx02', notes: 'Needs A&E.' },
      clinician,
    );
    expect(confirmed.json<CaseView>()).toMatchObject({ status: 'closed', referral: { id: ed.id } });
  });

  it('the receiving service acknowledges and reports; one not acknowledged in time raises an alert', async () => {
    clock = minutes(300);
    const utc = await serviceFor('Dx03');
    // The demo's receiving-service log-in works for Luton acute services, which run the service referred to.
    expect(utc.organisationCode).toBe('5GC-ACUTE');
    const receiving = await api.login('receiving');
    const elsewhere = await createStaff(api, admin, {
      username: 'elsewhere-receiving',
      role: 'receiving_service',
      organisation: 'RYC',
    });
    const refer = async () => {
      const id = await triagedCase('Dx03');
      const res = await post(`/api/cases/${id}/outcome`, { service: { id: utc.id } });
      expect(res.statusCode, res.body).toBe(200);
      return id;
    };
    const acked = await refer();
    const late = await refer();

    expect((await post(`/api/referrals/${acked}/acknowledge`, {}, elsewhere)).statusCode).toBe(404);
    expect((await post(`/api/referrals/${acked}/acknowledge`, {}, adviser)).statusCode).toBe(403);
    expect((await post(`/api/referrals/${acked}/outcome`, { outcome: 'seen' }, receiving)).statusCode).toBe(
      409,
    );
    clock = minutes(320);
    const ack = await post(`/api/referrals/${acked}/acknowledge`, {}, receiving);
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json<CaseView>().referralProgress.acknowledgedAt).toBe(minutes(320).toISOString());
    expect((await post(`/api/referrals/${acked}/acknowledge`, {}, receiving)).statusCode).toBe(409);
    const bad = await post(`/api/referrals/${acked}/outcome`, { outcome: 'cured' }, receiving);
    expect(bad.statusCode).toBe(400);
    const reported = await post(`/api/referrals/${acked}/outcome`, { outcome: 'treated' }, receiving);
    expect(reported.json<CaseView>().referralProgress.outcome).toBe('treated');

    // Dx03's timeframe is 4 hours: due at minute 540.
    const due = (await get(`/api/cases/${late}`)).json<CaseView>().referralProgress.acknowledgementDueAt;
    expect(due).toBe(minutes(540).toISOString());
    clock = minutes(539);
    expect((await runFailSafes(api.app.ctx)).unacknowledged).not.toContain(late);
    clock = minutes(540);
    const pass = await runFailSafes(api.app.ctx);
    expect(pass.unacknowledged).toContain(late);
    expect(pass.unacknowledged).not.toContain(acked);
    const alerts = (await get('/api/referral-alerts')).json<{ caseId: string; serviceName: string }[]>();
    expect(alerts.map((a) => a.caseId)).toContain(late);
    expect((await get(`/api/cases/${late}`)).json<CaseView>().referralProgress.alertedAt).toBe(
      minutes(540).toISOString(),
    );
    expect((await kinds(late)).at(-1)).toBe('referral_unacknowledged');
    // Acknowledged at last, the alert clears.
    await post(`/api/referrals/${late}/acknowledge`, {}, receiving);
    expect((await get('/api/referral-alerts')).json().map((a: { caseId: string }) => a.caseId)).not.toContain(
      late,
    );
  });

  it('bad input is a 400 or 409 with a sentence a person understands', async () => {
    clock = minutes(600);
    const call = await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() });
    const callId = call.json<{ id: string }>().id;
    await post(`/api/calls/${callId}/events`, { kind: 'answered', at: clock.toISOString() });
    const badNhs = await post('/api/cases', { callId, patient: { ...patient, nhsNumber: '943 476 5918' } });
    expect(badNhs.statusCode).toBe(400);
    expect(badNhs.json().detail).toBe(
      '943 476 5918 is not a valid NHS number: its check digit does not match. Check it with the caller.',
    );
    const badDate = await post('/api/cases', { callId, patient: { ...patient, birthDate: '03/02/1950' } });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().detail).toBe('The patient’s birth date must be a date written YYYY-MM-DD.');
    const missing = await post('/api/cases', { callId });
    expect(missing.json().detail).toBe('The patient is missing.');
    const future = await post('/api/cases', { callId, patient: { ...patient, birthDate: '2030-01-01' } });
    expect(future.json().detail).toBe('The date of birth is in the future.');
    const good = await post('/api/cases', { callId, patient: { ...patient, nhsNumber: '943 476 5919' } });
    expect(good.statusCode, good.body).toBe(201);
    expect(good.json().patient.nhsNumber).toBe('9434765919');
    // An outcome that does not fit the disposition: a service chosen for an ambulance.
    const id = await triagedCase('Dx011');
    const wrong = await post(`/api/cases/${id}/outcome`, { service: { id: 'SVC-1' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toBe('Dx011 is not a referral: do not choose a service.');
  });
});
