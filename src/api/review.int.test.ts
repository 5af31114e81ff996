import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaff, type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { finishedTriage, type PostJson } from '../../test/triage';
import { type GovernanceReport, sampleCases } from '../domain/review/index';
import type { FillResult, IncidentDetail, ReviewView, RuleView } from '../services/review';

type Headers = { authorization: string };

describeEachEngine('case review and incidents API', (use) => {
  let api: TestApi;
  let adviser: Headers;
  let adviser2: Headers;
  let clinician: Headers;
  let governance: Headers;
  let reviewer: Headers;
  let rycReviewer: Headers;
  let ccg: Headers;
  const t0 = new Date('2012-06-06T10:00:00Z'); // a Wednesday; its week starts on Monday 4 June
  let clock = t0;
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  const patient = (name: string) => ({
    name,
    birthDate: '1950-02-03',
    sex: 'female',
    postcode: 'LU1 3JU',
    gpPracticeCode: 'Y5GC1',
    phone: '01582 000000',
  });
  const cases: Record<string, string> = {};

  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    const admin = await api.login('admin');
    adviser = await api.login('adviser');
    clinician = await api.login('clinician');
    governance = await api.login('governance');
    ccg = await api.login('ccg');
    adviser2 = await createStaff(api, admin, {
      username: 'adviser2',
      role: 'health_adviser',
      organisation: 'NHSD',
    });
    reviewer = await createStaff(api, admin, { username: 'rev1', role: 'reviewer', organisation: 'NHSD' });
    rycReviewer = await createStaff(api, admin, {
      username: 'ryc-rev',
      role: 'reviewer',
      organisation: 'RYC',
    });
  }, 120_000);
  afterAll(async () => api.app.close());

  const post = (url: string, headers: Headers, payload: object = {}) =>
    api.app.inject({ method: 'POST', url, payload, headers });
  const get = (url: string, headers: Headers) => api.app.inject({ url, headers });
  const postJson =
    (headers: Headers): PostJson =>
    async (url, body) => {
      const res = await post(url, headers, body);
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
  /** A call answered, a case opened and triaged to the disposition, and its outcome taken. */
  const triagedCase = async (
    headers: Headers,
    dispositionCode: string,
    name: string,
    callerNumber?: string,
  ) => {
    const p = postJson(headers);
    const call = (await p('/api/calls', {})) as { id: string };
    if (callerNumber)
      await use()
        .db.updateTable('call')
        .set({ caller_number: callerNumber })
        .where('id', '=', call.id)
        .execute();
    await p(`/api/calls/${call.id}/events`, { kind: 'answered' });
    const opened = (await p('/api/cases', { callId: call.id, patient: patient(name) })) as { id: string };
    const session = await finishedTriage(p, dispositionCode);
    await p(`/api/cases/${opened.id}/triage`, { triageSessionId: session, dispositionCode });
    await p(`/api/cases/${opened.id}/outcome`, {});
    return { caseId: opened.id, session };
  };
  const setRule = (rule: string, enabled: boolean, params?: object) =>
    api.app.inject({
      method: 'PUT',
      url: `/api/review/rules/${rule}`,
      headers: governance,
      payload: { enabled, ...(params ? { params } : {}) },
    });

  it('fills the queue by the lead’s rules: a downgraded ambulance, a late call-back, a repeat caller, self-care then 999', async () => {
    clock = at(0);
    // An adviser's category 3 waits for clinical validation: one downgraded, one confirmed, by a clinician
    // through the validation API (the events the rule reads are the ones the service really writes).
    const downgraded = await triagedCase(adviser, 'Dx012', 'Ann Ambulance');
    cases.downgraded = downgraded.caseId;
    clock = at(1);
    const utc = await postJson(adviser)('/api/directory/search', {
      postcode: 'LU1 3JU',
      age: { value: 62, unit: 'years' },
      sex: 'female',
      disposition: 'Dx03',
    });
    const utcId = (utc as { results: { service: { id: string } }[] }).results[0]?.service.id;
    const validate = (caseId: string, body: object) => post(`/api/cases/${caseId}/validate`, clinician, body);
    const down = await validate(downgraded.caseId, {
      result: 'downgraded',
      dispositionCode: 'Dx03',
      notes: 'Walking now.',
      serviceId: utcId,
    });
    expect(down.statusCode, down.body).toBe(200);
    clock = at(0);
    const confirmed = await triagedCase(adviser, 'Dx012', 'Con Firmed');
    clock = at(1);
    const conf = await validate(confirmed.caseId, {
      result: 'confirmed',
      dispositionCode: 'Dx012',
      notes: 'Still cannot get up.',
    });
    expect(conf.statusCode, conf.body).toBe(200);
    cases.confirmed = confirmed.caseId;
    clock = at(0);
    const late = await triagedCase(adviser, 'Dx11', 'Lee Late');
    cases.late = late.caseId;
    clock = at(300); // five hours later: past the call-back's due time
    expect((await post(`/api/cases/${late.caseId}/callback/start`, clinician)).statusCode).toBe(200);
    clock = at(310);
    cases.first = (await triagedCase(adviser, 'Dx39', 'Rita Repeat', '07700 900123')).caseId;
    clock = at(320);
    cases.repeat = (await triagedCase(adviser, 'Dx39', 'Rita Repeat', '07700 900123')).caseId;
    clock = at(330);
    cases.selfCare = (await triagedCase(adviser, 'Dx39', 'Sam Selfcare')).caseId;
    clock = at(600); // hours after the self-care advice: the same patient, an ambulance
    cases.emergency = (await triagedCase(adviser2, 'Dx0116', 'Sam Selfcare')).caseId;
    clock = at(610);

    expect((await setRule('sample', false)).statusCode).toBe(200);
    const fill = await post('/api/review/queue/fill', governance, { week: '2012-06-04' });
    expect(fill.statusCode, fill.body).toBe(200);
    const result = fill.json<FillResult>();
    expect(result.week).toBe('2012-06-04');
    const reasons = Object.fromEntries(result.queued.map((q) => [q.caseId, q.reasons]));
    // Downgraded to an urgent treatment centre that never acknowledged the referral: both rules pick it.
    expect(reasons[cases.downgraded as string]).toEqual(['ambulance_downgraded', 'referral_unacknowledged']);
    expect(reasons[cases.late as string]).toEqual(['callback_missed']);
    expect(reasons[cases.repeat as string]).toEqual(['repeat_caller']);
    expect(reasons[cases.selfCare as string]).toEqual(['self_care_followed_by_emergency']);
    expect(reasons[cases.confirmed as string]).toBeUndefined();
    expect(reasons[cases.first as string]).toBeUndefined();
    expect(result.queued).toHaveLength(4);

    // A second run adds nothing new.
    const again = await post('/api/review/queue/fill', governance, { week: '2012-06-04' });
    expect(again.json<FillResult>().queued).toEqual([]);
  });

  it('adds the seeded random sample, the same cases for the same seed', async () => {
    expect((await setRule('repeat_caller', true, { hours: 100 })).statusCode).toBe(200);
    const bad = await setRule('sample', true, { percent: 150 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ detail: string }>().detail).toMatch(/per cent/);
    const set = await setRule('sample', true, { percent: 50, seed: 'test-seed' });
    const rules = set.json<RuleView[]>();
    expect(rules.find((r) => r.rule === 'sample')?.params).toEqual({ percent: 50, seed: 'test-seed' });
    const fill = (
      await post('/api/review/queue/fill', governance, { week: '2012-06-04' })
    ).json<FillResult>();
    const sampled = fill.queued.filter((q) => q.reasons.includes('sample'));
    // 7 cases of NHSD that week: half, rounded up, chosen by the seed.
    expect(fill.considered).toBe(7);
    const queue = (await get('/api/review/queue?status=queued', reviewer)).json<ReviewView[]>();
    const inSample = queue.filter((r) => r.reasons.includes('sample')).map((r) => r.caseId);
    expect(inSample).toHaveLength(4);
    const expected = sampleCases(
      Object.values(cases).map((caseId) => ({ caseId, providerCode: 'NHSD', openedAt: t0 })),
      50,
      'test-seed',
    );
    expect(inSample.sort()).toEqual([...expected].sort());
    expect(sampled.map((q) => q.caseId).sort()).toEqual([...expected].sort());
  });

  it('lets a reviewer replay the triage as the adviser saw it and score it once', async () => {
    const queue = (await get('/api/review/queue?status=queued', reviewer)).json<ReviewView[]>();
    const review = queue.find((r) => r.caseId === cases.downgraded);
    if (!review) throw new Error('the downgraded case is not queued');
    expect(review.adviser).toBe('adviser');
    const replay = await get(`/api/cases/${review.caseId}/replay`, reviewer);
    expect(replay.statusCode).toBe(200);
    const triaged = replay
      .json<{ events: { kind: string; triageSessionId?: string }[] }>()
      .events.find((e) => e.kind === 'triaged');
    const session = await get(`/api/triage/sessions/${triaged?.triageSessionId}`, reviewer);
    expect(session.statusCode).toBe(200);
    const s = session.json<{
      answers: { question: string; label: string; at: string }[];
      outcome: { discriminators: string[] } | null;
    }>();
    expect(s.answers.length).toBeGreaterThan(0);
    expect(s.answers[0]?.at).toMatch(/^2012-06-06T/);
    expect(s.outcome).not.toBeNull();

    // Another provider's reviewer: refused.
    expect((await get(`/api/review/reviews/${review.id}`, rycReviewer)).statusCode).toBe(403);
    const score = {
      disposition: 'too_urgent',
      safety: 'safe',
      communication: 4,
      findings: 'Chest pain features absent.',
      learning: 'Ask about onset.',
    };
    const scored = await post(`/api/review/reviews/${review.id}/score`, reviewer, score);
    expect(scored.statusCode, scored.body).toBe(200);
    expect(scored.json<ReviewView>().status).toBe('scored');
    const twice = await post(`/api/review/reviews/${review.id}/score`, governance, score);
    expect(twice.statusCode).toBe(409);
    expect(twice.json<{ detail: string }>().detail).toMatch(/scored once/);
  });

  it('shows an adviser the reviews of their own calls and only those', async () => {
    const mine = (await get('/api/review/mine', adviser)).json<ReviewView[]>();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.adviser === 'adviser')).toBe(true);
    expect(mine.find((r) => r.caseId === cases.downgraded)?.score?.learning).toBe('Ask about onset.');
    const theirs = (await get('/api/review/mine', adviser2)).json<ReviewView[]>();
    expect(theirs.every((r) => r.adviser === 'adviser2')).toBe(true);
    expect(theirs.some((r) => r.caseId === cases.downgraded)).toBe(false);
    expect((await get('/api/review/queue', adviser)).statusCode).toBe(403);
  });

  it('takes an incident from report to close: graded, an action, closing refused while it is open', async () => {
    const reported = await post('/api/incidents', adviser, {
      about: 'case',
      subject: cases.late,
      title: 'Call-back five hours late',
      description: 'The patient waited five hours for a call-back due within the hour.',
    });
    expect(reported.statusCode, reported.body).toBe(201);
    const incident = reported.json<IncidentDetail>();
    expect(incident.links).toEqual([expect.objectContaining({ kind: 'case', ref: cases.late })]);
    expect(
      (await post(`/api/incidents/${incident.id}/close`, governance, { reason: 'x' })).json<{
        detail: string;
      }>().detail,
    ).toMatch(/not been graded/);
    expect(
      (await post(`/api/incidents/${incident.id}/grade`, governance, { grade: 'moderate' })).statusCode,
    ).toBe(200);
    const withAction = await post(`/api/incidents/${incident.id}/actions`, governance, {
      description: 'Add a second clinician to the evening rota',
      owner: 'Clinical lead, NHSD',
    });
    expect(withAction.statusCode).toBe(201);
    const actionId = withAction.json<IncidentDetail>().actions[0]?.id;
    expect(
      (
        await post(`/api/incidents/${incident.id}/links`, governance, {
          kind: 'pathway_version',
          ref: 'rash@1',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await post(`/api/incidents/${incident.id}/links`, governance, {
          kind: 'pathway_version',
          ref: 'rash@99',
        })
      ).statusCode,
    ).toBe(404);
    const refused = await post(`/api/incidents/${incident.id}/close`, governance, {
      reason: 'Rota changed.',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toBe(
      `Incident ${incident.id} has 1 open action; mark it done or waive it before closing.`,
    );
    expect(
      (await post(`/api/incidents/${incident.id}/actions/${actionId}`, governance, { status: 'waived' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await post(`/api/incidents/${incident.id}/actions/${actionId}`, governance, { status: 'done' }))
        .statusCode,
    ).toBe(200);
    const closed = await post(`/api/incidents/${incident.id}/close`, governance, { reason: 'Rota changed.' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<IncidentDetail>().status).toBe('closed');
    expect(
      (await post(`/api/incidents/${incident.id}/close`, governance, { reason: 'again' })).statusCode,
    ).toBe(409);
    expect((await post(`/api/incidents/${incident.id}/grade`, adviser, { grade: 'low' })).statusCode).toBe(
      403,
    );
    // Another provider's staff do not see it; nobody reports on a case they may not read.
    expect((await get(`/api/incidents/${incident.id}`, rycReviewer)).statusCode).toBe(403);
    const trail = await use()
      .db.selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('resource_type', '=', 'incident')
      .where('resource_id', '=', String(incident.id))
      .execute();
    expect(trail.map((t) => t.action)).toEqual(expect.arrayContaining(['create', 'update', 'denied']));
  });

  it('reports the month for the provider (CSV, HTML with charts) and for a commissioner', async () => {
    const json = await get('/api/governance/reports/monthly?month=2012-06', governance);
    expect(json.statusCode, json.body).toBe(200);
    const report = json.json<GovernanceReport>();
    expect(report.scope).toBe('provider NHSD');
    expect(report.reviewsDone).toBe(1);
    expect(report.disposition.too_urgent).toBe(1);
    expect(report.incidents.moderate).toBe(1);
    expect(report.callbacks.missed).toBeGreaterThanOrEqual(1);
    expect(report.validation).toEqual({ upgraded: 0, confirmed: 1, downgraded: 1 });
    const csv = await get('/api/governance/reports/monthly?month=2012-06&format=csv', governance);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain('2012-06,provider NHSD,incidents,moderate harm,1');
    const html = await get('/api/governance/reports/monthly?month=2012-06&format=html', governance);
    expect(html.body.match(/<svg/g)).toHaveLength(4);
    const commissioner = await get('/api/governance/reports/monthly?month=2012-06', ccg);
    expect(commissioner.statusCode, commissioner.body).toBe(200);
    expect(commissioner.json<GovernanceReport>().scope).toBe('commissioner 06F');
    expect((await get('/api/governance/reports/monthly?month=2012-06&provider=NHSD', ccg)).statusCode).toBe(
      403,
    );
    expect((await get('/api/governance/reports/monthly?month=2012-13', governance)).statusCode).toBe(400);
  });

  it('takes reports about a service or a pathway version from anyone, and none about a case they may not read', async () => {
    const aboutVersion = await post('/api/incidents', ccg, {
      about: 'pathway_version',
      subject: 'rash@1',
      title: 'Rash pathway misses meningitis signs',
      description: 'Raised at the CCG quality meeting.',
    });
    expect(aboutVersion.statusCode, aboutVersion.body).toBe(201);
    expect(aboutVersion.json<IncidentDetail>()).toMatchObject({ providerCode: '06F', status: 'reported' });
    expect(aboutVersion.json<IncidentDetail>().links).toEqual([
      expect.objectContaining({ kind: 'pathway_version', ref: 'rash@1' }),
    ]);
    const service = await use()
      .db.selectFrom('dos_service')
      .select(['id', 'area_code'])
      .limit(1)
      .executeTakeFirstOrThrow();
    const aboutService = await post('/api/incidents', adviser, {
      about: 'service',
      subject: service.id,
      title: 'Service closed when listed open',
      description: 'The patient was sent to a closed walk-in centre.',
    });
    expect(aboutService.statusCode, aboutService.body).toBe(201);
    expect(aboutService.json<IncidentDetail>()).toMatchObject({
      providerCode: 'NHSD',
      areaCode: service.area_code,
    });
    const noSuchVersion = await post('/api/incidents', adviser, {
      about: 'pathway_version',
      subject: 'rash@99',
      title: 't',
      description: 'd',
    });
    expect(noSuchVersion.statusCode).toBe(404);
    const otherProvider = await post('/api/incidents', rycReviewer, {
      about: 'case',
      subject: cases.late,
      title: 't',
      description: 'd',
    });
    expect(otherProvider.statusCode).toBe(404);
    expect(otherProvider.json<{ detail: string }>().detail).toBe(`There is no case ${cases.late}.`);
  });
  it('shows a commissioner the incidents of the areas its CCG covers, and refuses (audited) the rest', async () => {
    const inArea = await use()
      .db.selectFrom('dos_service')
      .select('id')
      .where('area_code', '=', '5P2') // NHS Bedfordshire CCG (06F) covers Bedfordshire PCT (5P2)
      .limit(1)
      .executeTakeFirstOrThrow();
    const elsewhere = await use()
      .db.selectFrom('dos_service')
      .select('id')
      .where('area_code', '<>', '5P2')
      .limit(1)
      .executeTakeFirstOrThrow();
    const report = async (serviceId: string) => {
      const res = await post('/api/incidents', adviser, {
        about: 'service',
        subject: serviceId,
        title: 'Listed open when closed',
        description: 'The patient found it shut.',
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<IncidentDetail>();
    };
    const ours = await report(inArea.id);
    const theirs = await report(elsewhere.id);

    const listed = await get('/api/incidents', ccg);
    expect(listed.statusCode, listed.body).toBe(200);
    const ids = listed.json<IncidentDetail[]>().map((i) => i.id);
    expect(ids).toContain(ours.id);
    expect(ids).not.toContain(theirs.id);
    // Only the CCG's areas: the case incidents in Luton, and those about pathway versions, are not listed.
    expect(listed.json<IncidentDetail[]>().every((i) => i.areaCode === '5P2')).toBe(true);
    expect((await get(`/api/incidents/${ours.id}`, ccg)).statusCode).toBe(200);
    expect((await get(`/api/incidents/${theirs.id}`, ccg)).statusCode).toBe(403);
    // Reading is not managing: the commissioner cannot grade it.
    expect((await post(`/api/incidents/${ours.id}/grade`, ccg, { grade: 'low' })).statusCode).toBe(403);
    const denied = await use()
      .db.selectFrom('audit_log')
      .select('action')
      .where('resource_type', '=', 'incident')
      .where('resource_id', '=', String(theirs.id))
      .where('action', '=', 'denied')
      .execute();
    expect(denied.length).toBeGreaterThan(0);
  });
});
