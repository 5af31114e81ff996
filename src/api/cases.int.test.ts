import type {
  Encounter,
  Questionnaire,
  QuestionnaireResponse,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { validateFhir } from '../../test/fhir-validate';
import { finishedTriage, type PostJson, routeTo, startTriage } from '../../test/triage';
import { hashPassword } from '../domain/auth/index';
import { ED_TYPE_ID } from '../domain/directory/index';
import { demoAdapters } from '../messaging/demo-receivers';
import { deliverDue } from '../messaging/worker';
import { auditTrail } from '../store/audit';
import { inTransaction } from '../store/db';
import { loadServices, putServices } from '../store/directory';
import { listMessages } from '../store/outbox';
import { insertUser } from '../store/users';

type Headers = { authorization: string };
interface CaseView {
  id: string;
  status: string;
  outcome: string | null;
  callback: { dueAt: string; priority: number; overdue: boolean; reason: string } | null;
  postEvent: { sent: boolean; practiceCode: string | null; reason: string | null } | null;
  messages: { kind: string; destination: string; status: string; idempotencyKey: string }[];
}

describeEachEngine('cases API', (use) => {
  let api: TestApi;
  let adviser: Headers;
  let clinician: Headers;
  let otherClinician: Headers;
  let governance: Headers;
  const t0 = new Date('2012-06-02T21:00:00Z');
  let clock = t0;
  const minutes = (m: number) => new Date(t0.getTime() + m * 60_000);
  const patient = {
    name: 'Pat Example',
    birthDate: '1950-02-03',
    sex: 'female',
    postcode: 'LU1 3JU',
    gpPracticeCode: 'Y5GC1',
    phone: '01582 000000',
  };

  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    const db = use().db;
    await db
      .insertInto('organisation')
      .values({ code: 'OTHER', name: 'Another 111 provider', kind: 'provider' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const passwordHash = await hashPassword('demo');
    await insertUser(db, {
      username: 'other-clinician',
      displayName: 'Other Clinician',
      role: 'clinician',
      organisationCode: 'OTHER',
      passwordHash,
    });
    adviser = await api.login('adviser');
    clinician = await api.login('clinician');
    otherClinician = await api.login('other-clinician');
    governance = await api.login('governance'); // seeded by seedCasesDemo
  });
  afterAll(async () => api.app.close());

  const post = (url: string, payload: unknown, headers: Headers = adviser) =>
    api.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const get = (url: string, headers: Headers = adviser) => api.app.inject({ url, headers });
  /** The API as the triage screen drives it: JSON in, JSON out, anything but 2xx is a failure. */
  const postJson =
    (headers?: Headers): PostJson =>
    async (url, body) => {
      const res = await post(url, body, headers ?? adviser);
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
  /** The triage session each case was triaged with. */
  const sessionOf = new Map<string, string>();

  async function answeredCall(): Promise<string> {
    const call = await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() });
    expect(call.statusCode).toBe(201);
    const id = call.json<{ id: string }>().id;
    expect(
      (await post(`/api/calls/${id}/events`, { kind: 'answered', at: clock.toISOString() })).statusCode,
    ).toBe(200);
    return id;
  }

  async function openCase(p: Record<string, unknown> = patient): Promise<string> {
    const callId = await answeredCall();
    const opened = await post('/api/cases', { callId, patient: p });
    expect(opened.statusCode).toBe(201);
    return opened.json<CaseView>().id;
  }

  /** A case triaged with a real triage session, run through the triage API to the disposition and finished. */
  async function triagedCase(dispositionCode: string, p: Record<string, unknown> = patient): Promise<string> {
    const id = await openCase(p);
    const triageSessionId = await finishedTriage(postJson(), dispositionCode);
    const triaged = await post(`/api/cases/${id}/triage`, {
      triageSessionId,
      dispositionCode,
      summary: ['Heavy bleeding from a leg wound'],
    });
    expect(triaged.statusCode, triaged.body).toBe(200);
    sessionOf.set(id, triageSessionId);
    return id;
  }

  it('opens a case only for an answered call of your provider, once, with a valid patient', async () => {
    const queued = (await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() })).json<{
      id: string;
    }>();
    const early = await post('/api/cases', { callId: queued.id, patient });
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toMatch(/queued/);
    expect((await post('/api/cases', { callId: 'C-nope', patient })).statusCode).toBe(404);

    const callId = await answeredCall();
    const bad = [
      { callId, patient: { ...patient, name: '' } },
      { callId, patient: { ...patient, birthDate: '2099-01-01' } },
      { callId, patient: { ...patient, birthDate: 'yesterday' } },
      { callId, patient: { ...patient, gpPracticeCode: 'not-a-code' } },
      { callId, patient: { ...patient, sex: 'x' } },
      { callId, patient: { ...patient, postcode: '??' } },
      { callId, patient, surprise: true },
      { callId, patient: { ...patient, nhsNumber: '123' } },
    ];
    for (const body of bad) {
      const res = await post('/api/cases', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    // Well-formed, but no GP practice in the Directory of Services has that ODS code (the Directory's search
    // for type 100 is where the console's GP picker finds practices).
    const unknownGp = await post('/api/cases', { callId, patient: { ...patient, gpPracticeCode: 'E81001' } });
    expect(unknownGp.statusCode).toBe(400);
    expect(unknownGp.headers['content-type']).toMatch(/problem\+json/);
    expect(unknownGp.json().detail).toBe(
      "There is no GP practice with the code E81001 in the Directory of Services: choose the patient's practice from the list, or leave it out if it is not known.",
    );
    expect(unknownGp.json().problems[0].pointer).toBe('/body/patient/gpPracticeCode');
    const practices = await api.app.inject({
      method: 'GET',
      url: '/api/directory/services?type=100&area=5GC',
      headers: adviser,
    });
    expect(practices.json<{ odsCode: string | null }[]>().some((s) => s.odsCode === 'Y5GC1')).toBe(true);
    const ok = await post('/api/cases', { callId, patient });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'open', areaCode: '5GC', providerCode: 'NHSD' });
    expect(ok.json().patient.postcode).toBe('LU1 3JU');
    const again = await post('/api/cases', { callId, patient });
    expect(again.statusCode).toBe(409);
    expect((await post('/api/cases', { callId, patient }, otherClinician)).statusCode).toBe(404);
  });

  it('refuses an unknown disposition (400) and closing before an outcome (409)', async () => {
    const id = await triagedCase('Dx39');
    expect(
      (await post(`/api/cases/${id}/triage`, { triageSessionId: 'T', dispositionCode: 'Dx999' })).statusCode,
    ).toBe(400);
    const close = await post(`/api/cases/${id}/close`, {});
    expect(close.statusCode).toBe(409);
    expect(close.json().detail).toMatch(/outcome is not complete/);
    // Bad input is a 4xx, never a 500: no body, a body that is not JSON, an unknown field.
    const noBody = await api.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/outcome`,
      headers: adviser,
    });
    expect(noBody.statusCode).toBeGreaterThanOrEqual(400);
    expect(noBody.statusCode).toBeLessThan(500);
    const notJson = await api.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/triage`,
      headers: { ...adviser, 'content-type': 'application/json' },
      payload: '{"triageSessionId":',
    });
    expect(notJson.statusCode).toBe(400);
    expect((await post(`/api/cases/${id}/outcome`, { warmTransfer: 'maybe' })).statusCode).toBe(400);
    expect((await post(`/api/cases/${id}/callback/complete`, { notes: 5 }, clinician)).statusCode).toBe(400);
    expect((await get('/api/cases/CASE-nope')).statusCode).toBe(404);
    expect((await get('/fhir/R4/Task/CASE-nope-callback')).statusCode).toBe(404);
    expect((await get('/api/clinical-queue?limit=0', clinician)).statusCode).toBe(400);
  });

  it('dispatches an ambulance through the area’s trust with the triage record, no re-triage, and never twice', async () => {
    const id = await triagedCase('Dx0116');
    const res = await post(`/api/cases/${id}/outcome`, {});
    expect(res.statusCode).toBe(200);
    const c = res.json<CaseView>();
    expect(c).toMatchObject({ status: 'outcome_complete', outcome: 'ambulance', postEvent: { sent: true } });
    const retry = await post(`/api/cases/${id}/outcome`, {});
    expect(retry.statusCode).toBe(409);
    const messages = await listMessages(use().db, { subject: id });
    const dispatches = messages.filter((m) => m.kind === 'ambulance_dispatch');
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({
      destination: 'RYC',
      priority: 100,
      idempotencyKey: `${id}/ambulance_dispatch`,
      payload: {
        category: 2,
        noReTriage: true,
        triage: {
          dispositionCode: 'Dx0116',
          triageSessionId: sessionOf.get(id),
          summary: ['Heavy bleeding from a leg wound'],
        },
      },
    });
    expect(messages.find((m) => m.kind === 'gp_post_event')?.destination).toBe('Y5GC1');
    // Delivery twice over (a worker retrying, a second node): the trust receives one dispatch.
    await deliverDue(use().db, demoAdapters(use().db), () => clock);
    await deliverDue(use().db, demoAdapters(use().db), () => clock);
    const received = await use()
      .db.selectFrom('received_message')
      .select(['kind', 'destination'])
      .where('idempotency_key', 'like', `${id}/%`)
      .execute();
    expect(received.filter((r) => r.kind === 'ambulance_dispatch')).toEqual([
      { kind: 'ambulance_dispatch', destination: 'RYC' },
    ]);
    const after = (await get(`/api/cases/${id}`)).json<CaseView>();
    expect(after.messages.find((m) => m.kind === 'ambulance_dispatch')?.status).toBe('delivered');
  });

  it('two simultaneous outcome requests for one case: one dispatch, one 409', async () => {
    const id = await triagedCase('Dx010');
    const results = await Promise.all([
      post(`/api/cases/${id}/outcome`, {}),
      post(`/api/cases/${id}/outcome`, {}),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const dispatches = (await listMessages(use().db, { subject: id })).filter(
      (m) => m.kind === 'ambulance_dispatch',
    );
    expect(dispatches).toHaveLength(1);
  });

  it('writes the messages if and only if the case change commits', async () => {
    const id = await triagedCase('Dx0116');
    // Make the last write of the outcome transaction (its audit entry) fail, as a database fault would.
    await sql`create function fail_case_audit() returns trigger language plpgsql as $$
      begin if new.detail->>'change' = 'outcome' then raise exception 'simulated fault'; end if; return new; end $$`.execute(
      use().db,
    );
    await sql`create trigger fail_case_audit before insert on audit_log for each row execute function fail_case_audit()`.execute(
      use().db,
    );
    try {
      const failed = await post(`/api/cases/${id}/outcome`, {});
      expect(failed.statusCode).toBe(500);
      expect(await listMessages(use().db, { subject: id })).toEqual([]);
      expect((await get(`/api/cases/${id}`)).json()).toMatchObject({ status: 'triaged', outcome: null });
    } finally {
      await sql`drop trigger fail_case_audit on audit_log`.execute(use().db);
      await sql`drop function fail_case_audit()`.execute(use().db);
    }
    expect((await post(`/api/cases/${id}/outcome`, {})).statusCode).toBe(200);
    const kinds = (await listMessages(use().db, { subject: id })).map((m) => m.kind).sort();
    expect(kinds).toEqual(['ambulance_dispatch', 'gp_post_event']);
  });

  it('refers to the service as the Directory of Services records it, and asks for one when missing', async () => {
    const services = await loadServices(use().db);
    const utc = services.find((x) => x.status === 'active' && x.dispositions.includes('Dx03'));
    // Not an emergency department: the Directory falls back to those for any disposition.
    const elsewhere = services.find(
      (x) => x.status === 'active' && !x.dispositions.includes('Dx03') && x.typeId !== ED_TYPE_ID,
    );
    if (!utc || !elsewhere) throw new Error('the demo directory has no service for this test');
    const id = await triagedCase('Dx03');
    const missing = await post(`/api/cases/${id}/outcome`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().problems[0].pointer).toBe('/body/service');
    // The service is named by its id alone (the console sends the result the adviser picked); an id
    // the Directory does not have is not found.
    expect((await post(`/api/cases/${id}/outcome`, { service: { id: 'NO-SUCH-SERVICE' } })).statusCode).toBe(
      404,
    );

    // The client's name and endpoint are not trusted: the directory's are sent.
    const chosen = (serviceId: string) => ({
      service: { id: serviceId, name: 'A name the client made up', endpoint: 'https://forged.example' },
    });
    const unknown = await post(`/api/cases/${id}/outcome`, chosen('SVC-NOT-IN-DOS'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toMatch(/no service "SVC-NOT-IN-DOS" in the Directory of Services/);
    const refuses = await post(`/api/cases/${id}/outcome`, chosen(elsewhere.id));
    expect(refuses.statusCode).toBe(400);
    expect(refuses.json().detail).toContain(`does not accept Dx03`);
    expect(refuses.json().problems[0].pointer).toBe('/body/service/id');
    await inTransaction(use().db, (tx) =>
      putServices(tx, [{ ...utc, id: `${utc.id}-SUSPENDED`, status: 'suspended' }]),
    );
    const suspended = await post(`/api/cases/${id}/outcome`, chosen(`${utc.id}-SUSPENDED`));
    expect(suspended.statusCode).toBe(409);
    expect(suspended.json().detail).toMatch(/is suspended/);
    expect(await listMessages(use().db, { subject: id })).toEqual([]);
    expect((await get(`/api/cases/${id}`)).json()).toMatchObject({ status: 'triaged', outcome: null });

    const res = await post(`/api/cases/${id}/outcome`, chosen(utc.id));
    expect(res.statusCode).toBe(200);
    const endpoint = [...utc.endpoints].sort((a, b) => a.order - b.order)[0]?.address;
    expect(endpoint).toBeDefined();
    expect(res.json().referral).toEqual({ id: utc.id, name: utc.name, endpoint });
    const referral = (await listMessages(use().db, { subject: id })).find((m) => m.kind === 'referral');
    expect(referral).toMatchObject({
      destination: utc.id,
      idempotencyKey: `${id}/referral`,
      payload: { service: { id: utc.id, name: utc.name, endpoint } },
    });
    expect(JSON.stringify(referral?.payload)).not.toContain('made up');
    // Over FHIR the referral names the HealthcareService chosen, and that reference resolves.
    const sr = (await get(`/fhir/R4/ServiceRequest/${id}-referral`)).json<ServiceRequest>();
    await validateFhir(sr);
    expect(sr.performer?.[0]?.reference).toBe(`HealthcareService/${utc.id}`);
    expect((await get(`/fhir/R4/${sr.performer?.[0]?.reference}`)).statusCode).toBe(200);
  });

  it("refers to an emergency department that does not list the disposition (the Directory's fallback)", async () => {
    const services = await loadServices(use().db);
    const ed = services.find(
      (x) => x.status === 'active' && x.typeId === ED_TYPE_ID && !x.dispositions.includes('Dx17'),
    );
    if (!ed) throw new Error('the demo directory has no emergency department without Dx17');
    const id = await triagedCase('Dx17');
    const res = await post(`/api/cases/${id}/outcome`, { service: { id: ed.id } });
    expect(res.statusCode).toBe(200);
    expect(res.json().referral).toMatchObject({ id: ed.id, name: ed.name });
  });

  it('records only the disposition a real, finished triage of this provider ended in', async () => {
    const id = await openCase();
    const record = (triageSessionId: string, dispositionCode: string, headers?: Headers) =>
      post(`/api/cases/${id}/triage`, { triageSessionId, dispositionCode }, headers ?? adviser);

    // The triage ended in self-care; the client claims an ambulance.
    const readsOf = async (sessionId: string) =>
      (await auditTrail(use().db, { resourceType: 'triage_session', resourceId: sessionId })).filter(
        (t) => t.action === 'read' && t.username === 'adviser',
      ).length;
    const selfCare = await finishedTriage(postJson(), 'Dx39');
    const readsBeforeForged = await readsOf(selfCare);
    const forged = await record(selfCare, 'Dx011');
    expect(forged.statusCode).toBe(400);
    expect(forged.json().detail).toBe(
      `Triage session ${selfCare} ended in Dx39, not Dx011: the outcome must follow the triage.`,
    );
    expect(forged.json().problems[0].pointer).toBe('/body/dispositionCode');
    // The session was read to refuse it: that access is audited all the same.
    expect(await readsOf(selfCare)).toBe(readsBeforeForged + 1);
    expect((await post(`/api/cases/${id}/outcome`, {})).statusCode).toBe(409);
    expect(await listMessages(use().db, { subject: id })).toEqual([]);
    expect((await get(`/api/cases/${id}`)).json()).toMatchObject({ status: 'open', disposition: null });

    // Unfinished (one answer given), unknown, and another provider's sessions are refused too.
    const unfinished = await startTriage(postJson(), routeTo('Dx011'), 1);
    const early = await record(unfinished, 'Dx011');
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toMatch(/still in progress/);
    expect((await record('3f1e9a0c-0000-4000-8000-000000000000', 'Dx011')).statusCode).toBe(404);
    expect((await record('T-made-up', 'Dx011')).statusCode).toBe(404);
    const theirs = await finishedTriage(postJson(otherClinician), 'Dx011');
    const foreign = await record(theirs, 'Dx011');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().detail).toBe(`There is no triage session ${theirs}.`);
    expect(await listMessages(use().db, { subject: id })).toEqual([]);

    // The real one is recorded, and reading the session for it is an audited access.
    const ambulance = await finishedTriage(postJson(), 'Dx011');
    const readsBefore = await readsOf(ambulance);
    const ok = await record(ambulance, 'Dx011');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().disposition).toMatchObject({ code: 'Dx011', triageSessionId: ambulance });
    expect(await readsOf(ambulance)).toBe(readsBefore + 1);
  });

  it('advises self-care and records that no post-event could be sent when the GP is unknown', async () => {
    const { gpPracticeCode: _gp, ...noGp } = patient;
    const id = await triagedCase('Dx39', noGp);
    const res = await post(`/api/cases/${id}/outcome`, {});
    expect(res.json()).toMatchObject({
      status: 'outcome_complete',
      outcome: 'self_care',
      postEvent: { sent: false, reason: expect.stringMatching(/not known/) },
      messages: [],
    });
    expect((await post(`/api/cases/${id}/close`, {})).json().status).toBe('closed');
    expect((await post(`/api/cases/${id}/close`, {})).statusCode).toBe(409);
  });

  it('queues call-backs by due time for the provider’s clinicians; overdue only after the due time', async () => {
    clock = minutes(100);
    const dx11 = await triagedCase('Dx11');
    expect((await post(`/api/cases/${dx11}/outcome`, {})).json().callback).toMatchObject({
      dueAt: minutes(160).toISOString(),
      priority: 2,
      reason: 'disposition',
    });
    const failedTransfer = await triagedCase('Dx12');
    expect(
      (await post(`/api/cases/${failedTransfer}/outcome`, { warmTransfer: 'failed' })).json().callback,
    ).toMatchObject({ dueAt: minutes(110).toISOString(), priority: 1, reason: 'warm_transfer_failed' });
    expect((await post(`/api/cases/${dx11}/outcome`, { warmTransfer: 'failed' })).statusCode).toBe(409);

    const queue = async (headers: Headers = clinician) =>
      (await get('/api/clinical-queue', headers)).json<
        { caseId: string; overdue: boolean; dueAt: string }[]
      >();
    const ids = (await queue()).map((r) => r.caseId);
    expect(ids.indexOf(failedTransfer)).toBeLessThan(ids.indexOf(dx11));
    expect(ids.indexOf(failedTransfer)).toBeGreaterThanOrEqual(0);
    const dues = (await queue()).map((r) => r.dueAt);
    expect([...dues].sort()).toEqual(dues);
    expect(await queue(otherClinician)).toEqual([]);
    const queueReads = await auditTrail(use().db, { resourceType: 'case', resourceId: dx11 });
    expect(
      queueReads.filter((t) => t.action === 'read' && t.username === 'clinician').length,
    ).toBeGreaterThan(0);
    expect((await get('/api/clinical-queue', adviser)).statusCode).toBe(403);

    clock = minutes(160);
    expect((await queue()).find((r) => r.caseId === dx11)?.overdue).toBe(false);
    clock = new Date(minutes(160).getTime() + 1000);
    expect((await queue()).find((r) => r.caseId === dx11)?.overdue).toBe(true);

    expect((await post(`/api/cases/${dx11}/callback/start`, {}, adviser)).statusCode).toBe(403);
    expect((await post(`/api/cases/${dx11}/callback/start`, {}, otherClinician)).statusCode).toBe(404);
    expect((await post(`/api/cases/${dx11}/callback/start`, {}, clinician)).json().status).toBe(
      'with_clinician',
    );
    expect((await post(`/api/cases/${dx11}/callback/start`, {}, clinician)).statusCode).toBe(409);
    expect((await post(`/api/cases/${dx11}/close`, {}, clinician)).statusCode).toBe(409);
    clock = minutes(175);
    const done = await post(
      `/api/cases/${dx11}/callback/complete`,
      { notes: 'Advised fluids and rest.' },
      clinician,
    );
    // A completed call-back closes its case: nobody has to remember to.
    expect(done.json()).toMatchObject({ status: 'closed', postEvent: { sent: true } });
    expect(
      done
        .json()
        .messages.map((m: { kind: string }) => m.kind)
        .sort(),
    ).toEqual(['clinician_callback', 'gp_post_event']);
    expect((await queue()).map((r) => r.caseId)).not.toContain(dx11);
    expect((await post(`/api/cases/${dx11}/close`, {}, clinician)).statusCode).toBe(409);

    const replay = await get(`/api/cases/${dx11}/replay`, governance);
    expect(replay.statusCode).toBe(200);
    expect(replay.json().events.map((e: { kind: string }) => e.kind)).toEqual([
      'opened',
      'triaged',
      'outcome_decided',
      'callback_queued',
      'callback_started',
      'callback_completed',
      'post_event_sent',
      'closed',
    ]);
    expect(replay.json().events.at(-1).statusAfter).toBe('closed');
  });

  it('keeps another provider’s staff out of a case entirely', async () => {
    const id = await triagedCase('Dx11');
    for (const url of [`/api/cases/${id}`, `/api/cases/${id}/replay`, `/fhir/R4/Encounter/${id}`]) {
      expect((await get(url, otherClinician)).statusCode, url).toBe(404);
    }
    expect((await post(`/api/cases/${id}/outcome`, {}, otherClinician)).statusCode).toBe(404);
    expect((await get(`/api/cases?limit=200`, otherClinician)).json()).toEqual([]);
    expect((await get(`/api/cases/${id}`, clinician)).statusCode).toBe(200);
  });

  it('audits every read and write of a case', async () => {
    const id = await triagedCase('Dx39');
    await post(`/api/cases/${id}/outcome`, {});
    await get(`/api/cases/${id}`);
    await get(`/api/cases/${id}/replay`, governance);
    const trail = await auditTrail(use().db, { resourceType: 'case', resourceId: id });
    expect(trail.map((t) => `${t.action} ${t.username}`).reverse()).toEqual([
      'create adviser',
      'update adviser',
      'update adviser',
      'read adviser',
      'read governance',
    ]);
  });

  it('serves the case, its dispatch, call-back and post-event message as valid FHIR R4', async () => {
    clock = minutes(300);
    const amb = await triagedCase('Dx0116');
    await post(`/api/cases/${amb}/outcome`, {});
    const cb = await triagedCase('Dx11');
    await post(`/api/cases/${cb}/outcome`, {});
    const { gpPracticeCode: _gp, ...noGp } = patient;
    const none = await triagedCase('Dx39', noGp);
    await post(`/api/cases/${none}/outcome`, {});
    const read = async (path: string) => {
      const res = await get(`/fhir/R4/${path}`);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type']).toMatch(/fhir\+json/);
      const r = res.json<Resource>();
      await validateFhir(r);
      return r;
    };
    expect(await read(`Encounter/${amb}`)).toMatchObject({ status: 'in-progress', class: { code: 'VR' } });
    expect(await read(`ServiceRequest/${amb}-dispatch`)).toMatchObject({
      priority: 'stat',
      performer: [{ identifier: { value: 'RYC' } }],
    });
    expect(await read(`Communication/${amb}-post-event`)).toMatchObject({
      recipient: [{ identifier: { value: 'Y5GC1' } }],
    });
    expect(await read(`Task/${cb}-callback`)).toMatchObject({
      status: 'requested',
      restriction: { period: {} },
    });
    expect(await read(`Communication/${none}-post-event`)).toMatchObject({ status: 'not-done' });
    // Every resource of the case names the Patient, which is served, and links to the triage record.
    const dispatch = (await read(`ServiceRequest/${amb}-dispatch`)) as ServiceRequest;
    const patientRef = dispatch.subject?.reference ?? '';
    expect(patientRef).toBe(`Patient/${amb}-patient`);
    expect(await read(patientRef)).toMatchObject({ resourceType: 'Patient', birthDate: patient.birthDate });
    expect((await read(`Encounter/${amb}`)) as Encounter).toMatchObject({
      subject: { reference: patientRef },
    });
    expect(await read(`Task/${cb}-callback`)).toMatchObject({ for: { reference: `Patient/${cb}-patient` } });
    const triageRecord = dispatch.supportingInfo?.[0]?.reference ?? '';
    expect(triageRecord).toMatch(/^QuestionnaireResponse\//);
    const qr = await get(`/fhir/R4/${triageRecord}`);
    expect(qr.statusCode).toBe(200);
    // The record answers only items of the Questionnaire it names, none of them required.
    const record = qr.json<QuestionnaireResponse>();
    await validateFhir(record);
    const q = (
      await get(`/fhir/R4/Questionnaire/${record.questionnaire?.split('/').at(-1)?.split('|')[0]}`)
    ).json<Questionnaire>();
    const linkIds = new Set(q.item?.map((i) => i.linkId));
    expect((record.item ?? []).length).toBeGreaterThan(0);
    for (const item of record.item ?? []) expect(linkIds.has(item.linkId), item.linkId).toBe(true);
    expect(q.item?.some((i) => i.required)).toBe(false);
    expect((await get(`/fhir/R4/Patient/${amb}`)).statusCode).toBe(404);
    expect((await get(`/fhir/R4/Task/${amb}-callback`)).statusCode).toBe(404);
    expect((await get(`/fhir/R4/ServiceRequest/${amb}-referral`)).statusCode).toBe(404);
    const bad = await get('/fhir/R4/Encounter/not$valid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().resourceType).toBe('OperationOutcome');
    const types = (await get('/fhir/R4/metadata'))
      .json()
      .rest[0].resource.map((r: { type: string }) => r.type);
    expect(types).toEqual(
      expect.arrayContaining(['Encounter', 'ServiceRequest', 'Task', 'Communication', 'Patient']),
    );
    expect(types.filter((t: string) => t === 'Encounter')).toHaveLength(1);
  });

  it('dispatches through the trust that answers for the area that day (Great Western, then South Western)', async () => {
    const dispatchTo = async (day: string) => {
      clock = new Date(`${day}T12:00:00Z`);
      adviser = await api.login('adviser'); // sessions expire: a new one on the new day
      const callId = await answeredCall();
      const opened = await post('/api/cases', { callId, patient, areaCode: '5A3' });
      expect(opened.json().areaCode).toBe('5A3');
      const id = opened.json<CaseView>().id;
      // Category 2: dispatched at once (an adviser's category 3 waits for clinical validation).
      const triageSessionId = await finishedTriage(postJson(), 'Dx011');
      await post(`/api/cases/${id}/triage`, { triageSessionId, dispositionCode: 'Dx011' });
      return (await post(`/api/cases/${id}/outcome`, {})).json().dispatch.trustCode;
    };
    expect(await dispatchTo('2013-01-31')).toBe('RX5');
    expect(await dispatchTo('2013-02-01')).toBe('RYF');
  });

  it('a call-back completed with the clinician’s own triage and outcome: referred from the Directory, GP told, closed', async () => {
    clock = new Date('2013-03-01T10:00:00Z');
    // Days after the other tests' clocks: each signs in again (sessions end after 12 idle hours).
    adviser = await api.login('adviser');
    clinician = await api.login('clinician');
    governance = await api.login('governance');
    const utc = (await loadServices(use().db)).find(
      (x) => x.status === 'active' && x.dispositions.includes('Dx03'),
    );
    if (!utc) throw new Error('the demo directory has no service for this test');
    const id = await triagedCase('Dx11');
    expect((await post(`/api/cases/${id}/outcome`, {})).json().status).toBe('awaiting_callback');
    expect((await post(`/api/cases/${id}/callback/start`, {}, clinician)).json().status).toBe(
      'with_clinician',
    );
    // The clinician re-runs triage for the same patient (a session of their own, finished).
    const own = await finishedTriage(postJson(clinician), 'Dx03');
    const complete = (body: Record<string, unknown>) =>
      post(
        `/api/cases/${id}/callback/complete`,
        { notes: 'Re-triaged: needs a wound check today.', ...body },
        clinician,
      );
    // The outcome must follow the clinician's triage, a referral needs its service, and a call-back cannot
    // end in another call-back; each refusal leaves the case as it was.
    const wrong = await complete({ triage: { triageSessionId: own, dispositionCode: 'Dx02' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toMatch(/ended in Dx03, not Dx02/);
    const noService = await complete({ triage: { triageSessionId: own, dispositionCode: 'Dx03' } });
    expect(noService.statusCode).toBe(400);
    expect(noService.json().detail).toMatch(/choose the service to refer to/);
    const again = await finishedTriage(postJson(clinician), 'Dx11');
    const loop = await complete({ triage: { triageSessionId: again, dispositionCode: 'Dx11' } });
    expect(loop.statusCode).toBe(400);
    expect(loop.json().detail).toMatch(/asks for a clinician to call back/);
    expect((await complete({ serviceId: utc.id })).statusCode).toBe(400);
    expect((await get(`/api/cases/${id}`, clinician)).json()).toMatchObject({ status: 'with_clinician' });

    const done = await complete({
      triage: { triageSessionId: own, dispositionCode: 'Dx03', summary: ['Wound red and swollen'] },
      serviceId: utc.id,
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'closed',
      outcome: 'referral',
      referral: { id: utc.id, name: utc.name },
      disposition: { code: 'Dx03', triageSessionId: own },
      callback: { notes: 'Re-triaged: needs a wound check today.' },
      postEvent: { sent: true, practiceCode: 'Y5GC1' },
    });
    const messages = await listMessages(use().db, { subject: id });
    expect(messages.map((m) => m.kind).sort()).toEqual(['clinician_callback', 'gp_post_event', 'referral']);
    const gp = messages.find((m) => m.kind === 'gp_post_event');
    expect(gp?.payload).toMatchObject({ triage: { triageSessionId: own, dispositionCode: 'Dx03' } });
    const replay = (await get(`/api/cases/${id}/replay`, governance)).json();
    expect(replay.events.map((e: { kind: string }) => e.kind).slice(-6)).toEqual([
      'callback_started',
      'callback_completed',
      'outcome_decided',
      'referred',
      'post_event_sent',
      'closed',
    ]);
    // The adviser's triage is kept in the case's events; the clinician's is recorded beside it.
    const completed = replay.events.find((e: { kind: string }) => e.kind === 'callback_completed');
    expect(completed.retriage).toEqual({
      dispositionCode: 'Dx03',
      triageSessionId: own,
      summary: ['Wound red and swollen'],
    });
    expect(replay.events.find((e: { kind: string }) => e.kind === 'triaged').dispositionCode).toBe('Dx11');
  });

  it('a call-back re-triaged to self-care closes with the advice; notes-only completion is unchanged', async () => {
    clock = new Date('2013-03-01T12:00:00Z');
    const id = await triagedCase('Dx11');
    await post(`/api/cases/${id}/outcome`, {});
    await post(`/api/cases/${id}/callback/start`, {}, clinician);
    const own = await finishedTriage(postJson(clinician), 'Dx39');
    const done = await post(
      `/api/cases/${id}/callback/complete`,
      { notes: 'Self-care.', triage: { triageSessionId: own, dispositionCode: 'Dx39' } },
      clinician,
    );
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'closed',
      outcome: 'self_care',
      disposition: { code: 'Dx39' },
    });
  });

  it('case events are append-only in the database itself', async () => {
    await expect(sql`update case_event set kind = 'closed'`.execute(use().db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from case_event`.execute(use().db)).rejects.toThrow(/append-only/);
  });
});
