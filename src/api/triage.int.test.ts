import type {
  Bundle,
  CapabilityStatement,
  OperationOutcome,
  Parameters,
  Questionnaire,
  QuestionnaireResponse,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { validateFhir } from '../../test/fhir-validate';
import { triageContent } from '../content/triage';
import { hashPassword } from '../domain/auth/index';
import { replay } from '../domain/triage/index';
import { contentInForce } from '../services/pathway-content';
import { auditTrail } from '../store/audit';
import { findTriageSession } from '../store/triage';
import { insertUser } from '../store/users';
import type { SessionStateBody } from './triage';

const M0 = ['unresponsive', 'choking', 'fitting', 'bleeding'];

describeEachEngine('triage API', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  let clinician: { authorization: string };
  let clock = new Date('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    adviser = await api.login('adviser');
    clinician = await api.login('clinician');
  });
  afterAll(async () => api.app.close());

  const post = (url: string, payload: unknown, headers = adviser) =>
    api.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const start = async (pathwayId: string, patient = { ageYears: 58, sex: 'male' }) => {
    const res = await post('/api/triage/sessions', { pathwayId, patient });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<SessionStateBody>();
  };
  const answer = async (s: SessionStateBody, value: string | number, headers = adviser) => {
    const next = s.next;
    if (!next) throw new Error('no question waiting');
    const res = await post(
      `/api/triage/sessions/${s.id}/answers`,
      { pathwayId: next.pathwayId, questionId: next.id, value },
      headers,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SessionStateBody>();
  };
  const pastModule0 = async (s: SessionStateBody) => {
    let state = s;
    for (const _ of M0) state = await answer(state, 'no');
    return state;
  };

  it('finds pathways by the caller’s words, for the patient', async () => {
    const res = await api.app.inject({
      url: `/api/triage/pathways?q=${encodeURIComponent("can't breathe")}&age=40&sex=female`,
      headers: adviser,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()[0]).toMatchObject({ id: 'breathing-problems', matched: ['cant breathe'] });
    const all = await api.app.inject({ url: '/api/triage/pathways?age=30&sex=male', headers: adviser });
    expect(all.json().map((p: { id: string }) => p.id)).not.toContain('pregnancy-problems');
  });

  it('runs module 0 first, then the pathway, one question at a time, recording who answered and when', async () => {
    let s = await start('chest-pain');
    expect(s.next).toMatchObject({ pathwayId: 'module-0', id: 'unresponsive', type: 'yes_no' });
    expect(s.next?.rationale).toMatch(/cardiac arrest|airway/);
    s = await pastModule0(s);
    expect(s.next).toMatchObject({ pathwayId: 'chest-pain', id: 'crushing' });
    clock = new Date('2026-03-01T10:02:00Z');
    s = await answer(s, 'yes', clinician);
    expect(s.next).toBeNull();
    expect(s.outcome).toMatchObject({
      disposition: { code: 'Dx011', timeframeMinutes: 18 },
      discriminators: ['SDX101'],
    });
    expect(s.outcome?.careAdvice[0]).toMatch(/ambulance is on its way/);
    expect(s.answers.at(-1)).toMatchObject({
      questionId: 'crushing',
      value: 'yes',
      label: 'Yes',
      answeredBy: 'clinician',
      at: '2026-03-01T10:02:00.000Z',
    });
    expect(s.answers[0]).toMatchObject({ answeredBy: 'adviser' });
    // The version of the content in force when it started: the shipped versions, as released in the store.
    expect(s.contentVersion).toBe((await contentInForce(api.app.ctx)).version);
  });

  it('goes back and re-evaluates from there; the changed answer stays in the history', async () => {
    let s = await pastModule0(await start('chest-pain'));
    s = await answer(s, 'yes');
    expect(s.outcome?.disposition.code).toBe('Dx011');
    const back = await post(`/api/triage/sessions/${s.id}/back`, {});
    expect(back.statusCode).toBe(200);
    s = back.json<SessionStateBody>();
    expect(s.outcome).toBeNull();
    expect(s.next?.id).toBe('crushing');
    for (const v of ['no', 'no', 'no', 'no', 'no']) s = await answer(s, v);
    s = await answer(s, 2);
    expect(s.outcome?.disposition.code).toBe('Dx08');
    expect(s.answers.at(-1)).toMatchObject({ questionId: 'score', value: 2, label: '2 0–10' });
    // Back to a named question.
    const toSweaty = await post(`/api/triage/sessions/${s.id}/back`, {
      pathwayId: 'chest-pain',
      questionId: 'sweaty',
    });
    expect(toSweaty.json<SessionStateBody>().next?.id).toBe('sweaty');
    expect(toSweaty.json<SessionStateBody>().history.filter((h) => h.kind === 'back')).toHaveLength(2);
    // Every question shown is on the record, including those asked again after going back.
    expect(toSweaty.json<SessionStateBody>().shown.filter((x) => x === 'chest-pain/crushing')).toHaveLength(
      2,
    );
    expect(toSweaty.json<SessionStateBody>().shown.at(-1)).toBe('chest-pain/sweaty');
  });

  it('answers each change with the session exactly as it is then stored (computed, not read back)', async () => {
    const read = async (id: string) =>
      (
        await api.app.inject({ url: `/api/triage/sessions/${id}`, headers: adviser })
      ).json<SessionStateBody>();
    let s = await start('chest-pain', { ageYears: 58.5, sex: 'female' });
    expect(await read(s.id)).toEqual(s);
    for (const _ of M0) {
      s = await answer(s, 'no');
      expect(await read(s.id)).toEqual(s);
    }
    s = await answer(s, 'yes', clinician);
    expect(await read(s.id)).toEqual(s);
    const back = await post(`/api/triage/sessions/${s.id}/back`, {});
    expect(await read(s.id)).toEqual(back.json());
    s = await answer(back.json<SessionStateBody>(), 'yes');
    const done = await post(`/api/triage/sessions/${s.id}/finish`, {});
    expect(done.json()).toMatchObject({ status: 'finished', finishedBy: 'adviser' });
    expect(await read(s.id)).toEqual(done.json());
  });

  it('replays a stored session on its content version to the same disposition', async () => {
    let s = await pastModule0(await start('sore-throat', { ageYears: 30, sex: 'female' }));
    // Unable to swallow, breathing, weak immunity, pus on the tonsils: no; then two days.
    for (const v of ['no', 'no', 'no', 'no']) s = await answer(s, v);
    s = await answer(s, 2);
    expect(s.outcome?.disposition.code).toBe('Dx39');
    const stored = await findTriageSession(use().db, s.id);
    if (!stored) throw new Error(`session ${s.id} not stored`);
    const content = triageContent();
    const r = replay(
      content,
      {
        pathwayId: stored.pathwayId,
        pathwayVersion: stored.pathwayVersion,
        module0Version: stored.module0Version,
      },
      stored.events,
    );
    expect(r.result.kind === 'disposition' && r.result.disposition.code).toBe('Dx39');
    expect(r.shown).toEqual([
      ...M0.map((q) => `module-0/${q}`),
      'sore-throat/swallow',
      'sore-throat/breathing',
      'sore-throat/immune',
      'sore-throat/tonsils',
      'sore-throat/days',
    ]);
  });

  it('finishes only at a disposition, and a finished session cannot change', async () => {
    let s = await start('burns', { ageYears: 50, sex: 'male' });
    const early = await post(`/api/triage/sessions/${s.id}/finish`, {});
    expect(early.statusCode).toBe(400);
    expect(early.json().detail).toMatch(/has not reached a disposition/);
    s = await pastModule0(s);
    for (const v of ['no', 'no', 'no', 'no']) s = await answer(s, v);
    const done = await post(`/api/triage/sessions/${s.id}/finish`, {});
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'finished',
      finishedBy: 'adviser',
      outcome: { disposition: { code: 'Dx39' } },
    });
    const after = await post(`/api/triage/sessions/${s.id}/back`, {});
    expect(after.statusCode).toBe(409);
  });

  it('takes one of two simultaneous answers to the same question, and refuses the other', async () => {
    const s = await start('rash', { ageYears: 40, sex: 'male' });
    const body = { pathwayId: 'module-0', questionId: 'unresponsive', value: 'no' };
    const [a, b] = await Promise.all([
      post(`/api/triage/sessions/${s.id}/answers`, body),
      post(`/api/triage/sessions/${s.id}/answers`, body, clinician),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 400]);
    const state = (
      await api.app.inject({ url: `/api/triage/sessions/${s.id}`, headers: adviser })
    ).json<SessionStateBody>();
    expect(state.answers).toHaveLength(1);
    expect(state.next?.id).toBe('choking');
  });

  it('audits every read and write of a session', async () => {
    const s = await start('earache', { ageYears: 6, sex: 'female' });
    await answer(s, 'no');
    await api.app.inject({ url: `/api/triage/sessions/${s.id}`, headers: clinician });
    const trail = await auditTrail(use().db, { resourceType: 'triage_session', resourceId: s.id });
    const actions = trail.map((t) => `${t.action}:${t.username}`).reverse();
    expect(actions).toEqual([
      'create:adviser',
      'read:adviser',
      'update:adviser',
      'read:adviser',
      'read:clinician',
    ]);
  });

  describe("another provider's staff", () => {
    // A health adviser of a second 111 provider: same role as the demo adviser, another organisation.
    let other: { authorization: string };
    beforeAll(async () => {
      const db = use().db;
      await db
        .insertInto('organisation')
        .values({ code: 'RYC', name: 'East of England Ambulance Service (test)', kind: 'provider' })
        .onConflict((oc) => oc.column('code').doNothing())
        .execute();
      await insertUser(db, {
        username: 'ryc-adviser',
        displayName: 'Robin Other',
        role: 'health_adviser',
        organisationCode: 'RYC',
        passwordHash: await hashPassword('demo'),
      });
      other = await api.login('ryc-adviser');
    });
    const get = (url: string, headers: { authorization: string }) =>
      api.app.inject({ url, headers: { ...headers, accept: 'application/fhir+json' } });
    const deniedTo = async (id: string, username: string) =>
      (await auditTrail(use().db, { resourceType: 'triage_session', resourceId: id })).filter(
        (t) => t.action === 'denied' && t.username === username,
      ).length;

    it('cannot read, answer, go back on or finish a session: 404 like one that never was, and audited', async () => {
      let s = await start('chest-pain');
      s = await answer(s, 'no');
      const url = `/api/triage/sessions/${s.id}`;
      const attempts = [
        await get(url, other),
        await post(`${url}/answers`, { pathwayId: 'module-0', questionId: 'choking', value: 'no' }, other),
        await post(`${url}/back`, {}, other),
        await post(`${url}/finish`, {}, other),
      ];
      for (const res of attempts) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json().detail).toBe(`There is no triage session ${s.id}.`);
      }
      expect(await deniedTo(s.id, 'ryc-adviser')).toBe(4);
      // Nothing changed, and the own provider's staff carry on with it.
      const mine = (await get(url, clinician)).json<SessionStateBody>();
      expect(mine.history).toHaveLength(1);
      expect(mine.next?.id).toBe('choking');
      s = await answer(mine, 'no', clinician);
      expect((await post(`${url}/back`, {}, clinician)).statusCode).toBe(200);
      expect(await deniedTo(s.id, 'clinician')).toBe(0);
    });

    it("cannot read another provider's session as a QuestionnaireResponse", async () => {
      const s = await start('chest-pain');
      const res = await get(`/fhir/R4/QuestionnaireResponse/${s.id}`, other);
      expect(res.statusCode).toBe(404);
      expect(res.json().resourceType).toBe('OperationOutcome');
      expect(await deniedTo(s.id, 'ryc-adviser')).toBe(1);
      expect((await get(`/fhir/R4/QuestionnaireResponse/${s.id}`, clinician)).statusCode).toBe(200);
    });

    it('may read the pathways, which are shared content and no patient record', async () => {
      expect((await get('/fhir/R4/Questionnaire/chest-pain', other)).statusCode).toBe(200);
      const next = await api.app.inject({
        method: 'POST',
        url: '/fhir/R4/Questionnaire/sore-throat/$next-question',
        headers: { ...other, 'content-type': 'application/fhir+json' },
        payload: JSON.stringify({ resourceType: 'QuestionnaireResponse', status: 'in-progress', item: [] }),
      });
      expect(next.statusCode).toBe(200);
      expect((await get('/api/triage/pathways?q=rash', other)).statusCode).toBe(200);
    });
  });

  describe('bad input is a clear 4xx', () => {
    it.each([
      [{ pathwayId: 'no-such', patient: { ageYears: 30, sex: 'male' } }, 400, /There is no pathway/],
      [
        { pathwayId: 'pregnancy-problems', patient: { ageYears: 30, sex: 'male' } },
        400,
        /does not fit this patient/,
      ],
      [{ pathwayId: 'fever-children', patient: { ageYears: 40, sex: 'male' } }, 400, /does not fit/],
      [{ pathwayId: 'chest-pain', patient: { ageYears: 200, sex: 'male' } }, 400, /ageYears/],
      [{ pathwayId: 'chest-pain', patient: { ageYears: 30, sex: 'x' } }, 400, /sex/],
      [{ pathwayId: 'chest-pain', patient: { ageYears: 30, sex: 'male' }, extra: 1 }, 400, /extra/],
    ])('start %#', async (payload, status, detail) => {
      const res = await post('/api/triage/sessions', payload);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(JSON.stringify(res.json())).toMatch(detail);
    });

    it('refuses answers out of order, of the wrong kind, or implausible', async () => {
      const s = await start('chest-pain');
      const url = `/api/triage/sessions/${s.id}/answers`;
      const wrongQ = await post(url, { pathwayId: 'chest-pain', questionId: 'crushing', value: 'yes' });
      expect(wrongQ.statusCode).toBe(400);
      expect(wrongQ.json().detail).toMatch(/question being asked is module-0\/unresponsive/);
      const wrongV = await post(url, { pathwayId: 'module-0', questionId: 'unresponsive', value: 'maybe' });
      expect(wrongV.statusCode).toBe(400);
      expect(wrongV.json().detail).toMatch(/takes one of yes, no/);
      let t = await pastModule0(s);
      for (const v of ['no', 'no', 'no', 'no', 'no']) t = await answer(t, v);
      const implausible = await post(url, { pathwayId: 'chest-pain', questionId: 'score', value: 42 });
      expect(implausible.statusCode).toBe(400);
      expect(implausible.json().detail).toMatch(/not a plausible pain score/);
      const back = await post(`/api/triage/sessions/${s.id}/back`, {
        pathwayId: 'chest-pain',
        questionId: 'never',
      });
      expect(back.statusCode).toBe(400);
    });

    it('404 for an unknown session, 400 for a malformed id, 403 for the wrong role, 401 signed out', async () => {
      expect(
        (
          await api.app.inject({
            url: '/api/triage/sessions/00000000-0000-4000-8000-000000000000',
            headers: adviser,
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (await api.app.inject({ url: '/api/triage/sessions/not-a-uuid', headers: adviser })).statusCode,
      ).toBe(400);
      const commissioner = await api.login('commissioner');
      expect(
        (
          await post(
            '/api/triage/sessions',
            { pathwayId: 'chest-pain', patient: { ageYears: 30, sex: 'male' } },
            commissioner,
          )
        ).statusCode,
      ).toBe(403);
      expect((await api.app.inject({ url: '/api/triage/pathways' })).statusCode).toBe(401);
    });
  });

  it('evaluates evidence over HTTP', async () => {
    const res = await post('/api/triage/evidence', {
      age: 58,
      sex: 'male',
      complaint: 'crushing chest pain',
      present: ['chest_pain_crushing'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ pathway: { id: 'chest-pain' }, disposition: { code: 'Dx011' } });
    const bad = await post('/api/triage/evidence', {
      age: 58,
      sex: 'male',
      complaint: 'chest pain',
      present: ['nonsense'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/nonsense is not a known finding/);
  });

  it('takes "don’t know" as an answer: stored as given, the cautious path followed, the record says so', async () => {
    let s = await start('chest-pain');
    expect(s.next?.dontKnow).toEqual({ value: 'dont_know', label: 'Don’t know' });
    s = await pastModule0(s);
    s = await answer(s, 'dont_know');
    expect(s.outcome?.disposition.code).toBe('Dx011');
    expect(s.answers.at(-1)).toMatchObject({
      questionId: 'crushing',
      value: 'dont_know',
      label: 'Don’t know',
    });
    expect(s.outcome?.report[0]).toMatch(/^Not known: .*taken as Yes/);
    const stored = await findTriageSession(use().db, s.id);
    expect(stored?.events.at(-1)).toMatchObject({ kind: 'answer', value: 'dont_know' });
  });

  it('evaluates evidence with unreported findings taken as absent, listing how each answer was decided', async () => {
    const evidence = {
      age: 45,
      sex: 'female',
      pathwayId: 'chest-pain',
      absent: ['chest_pain_crushing'],
    };
    const unknown = (await post('/api/triage/evidence', evidence)).json();
    expect(unknown).toMatchObject({ unreported: 'unknown', disposition: { code: 'Dx011' } });
    const res = await post('/api/triage/evidence', { ...evidence, unreported: 'absent' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    // No pain score is "don't know": chest-pain then asks in words whether it is severe, which was
    // not reported, so "no": the band below the top of the scale.
    expect(body).toMatchObject({ unreported: 'absent', disposition: { code: 'Dx06' } });
    expect(body.assumed.at(-2)).toMatchObject({
      finding: 'pain_score',
      value: 'dont_know',
      decidedBy: 'dont_know',
    });
    expect(body.assumed.at(-1)).toMatchObject({
      finding: 'pain_severe',
      value: 'no',
      decidedBy: 'unreported_absent',
    });
    const bad = await post('/api/triage/evidence', { ...evidence, unreported: 'sometimes' });
    expect(bad.statusCode).toBe(400);
  });

  describe('FHIR', () => {
    const fhir = (url: string, init: { method?: 'GET' | 'POST'; payload?: unknown } = {}) =>
      api.app.inject({
        method: init.method ?? 'GET',
        url: `/fhir/R4${url}`,
        headers: { ...adviser, 'content-type': 'application/fhir+json' },
        ...(init.payload ? { payload: JSON.stringify(init.payload) } : {}),
      });

    it('serves each pathway as a valid Questionnaire, and lists them', async () => {
      const res = await fhir('/Questionnaire/chest-pain');
      expect(res.statusCode).toBe(200);
      const q = res.json<Questionnaire>();
      await validateFhir(q);
      expect(q).toMatchObject({
        id: 'chest-pain',
        title: 'Chest pain',
        version: String(triageContent().current.get('chest-pain')?.version),
        status: 'active',
      });
      // Module 0's questions come first: a session's record answers them too.
      expect(q.item?.[0]?.linkId).toBe('module-0.unresponsive');
      expect(q.item?.find((i) => i.linkId.startsWith('chest-pain.'))).toMatchObject({
        linkId: 'chest-pain.crushing',
        type: 'boolean',
      });
      const bundle = (await fhir('/Questionnaire')).json<Bundle>();
      expect(bundle.total).toBe(triageContent().current.size + 1);
      await validateFhir(bundle);
      expect((await fhir('/Questionnaire?code=SG1010')).json<Bundle>().total).toBe(1);
      expect((await fhir('/Questionnaire/nope')).statusCode).toBe(404);
      const meta = (await api.app.inject({ url: '/fhir/R4/metadata' })).json<CapabilityStatement>();
      expect(meta.rest?.[0]?.resource?.map((r) => r.type)).toEqual(
        expect.arrayContaining(['Questionnaire', 'QuestionnaireResponse']),
      );
    });

    it('answers $next-question adaptively until the disposition', async () => {
      const items: NonNullable<QuestionnaireResponse['item']> = [];
      let out = (
        await fhir('/Questionnaire/sore-throat/$next-question', {
          method: 'POST',
          payload: { resourceType: 'QuestionnaireResponse', status: 'in-progress', item: items },
        })
      ).json<QuestionnaireResponse>();
      await validateFhir(out);
      expect(out.status).toBe('in-progress');
      const nextLink = () => (out.contained?.[0] as Questionnaire | undefined)?.item?.at(-1);
      expect(nextLink()?.linkId).toBe('module-0.unresponsive');
      for (const _ of [...M0, 'swallow']) {
        items.push({ linkId: nextLink()?.linkId ?? '', answer: [{ valueBoolean: false }] });
        out = (
          await fhir('/Questionnaire/sore-throat/$next-question', {
            method: 'POST',
            payload: { resourceType: 'QuestionnaireResponse', status: 'in-progress', item: items },
          })
        ).json<QuestionnaireResponse>();
      }
      expect(nextLink()?.linkId).toBe('sore-throat.breathing');
      items.push({ linkId: 'sore-throat.breathing', answer: [{ valueBoolean: true }] });
      const res = await fhir('/Questionnaire/sore-throat/$next-question', {
        method: 'POST',
        payload: { resourceType: 'QuestionnaireResponse', status: 'in-progress', item: items },
      });
      out = res.json<QuestionnaireResponse>();
      await validateFhir(out);
      expect(out.status).toBe('completed');
      expect(out.extension?.[0]?.valueCoding?.code).toBe('Dx02');
    });

    it('takes data-absent-reason asked-unknown as "don’t know" in $next-question', async () => {
      const items = [
        ...M0.map((id) => ({ linkId: `module-0.${id}`, answer: [{ valueBoolean: false }] })),
        {
          linkId: 'chest-pain.crushing',
          answer: [
            {
              valueCoding: {
                system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
                code: 'asked-unknown',
              },
            },
          ],
        },
      ];
      const res = await fhir('/Questionnaire/chest-pain/$next-question', {
        method: 'POST',
        payload: { resourceType: 'QuestionnaireResponse', status: 'in-progress', item: items },
      });
      expect(res.statusCode, res.body).toBe(200);
      const out = res.json<QuestionnaireResponse>();
      await validateFhir(out);
      expect(out.status).toBe('completed');
      expect(out.extension?.[0]?.valueCoding?.code).toBe('Dx011');
      expect(out.item?.at(-1)?.answer?.[0]?.valueCoding?.code).toBe('asked-unknown');
    });

    it('answers SDC $next-question at type level: Parameters in, Parameters out, the pathway from the response', async () => {
      const ask = async (response: object) =>
        fhir('/Questionnaire/$next-question', {
          method: 'POST',
          payload: { resourceType: 'Parameters', parameter: [{ name: 'in', resource: response }] },
        });
      const first = await ask({
        resourceType: 'QuestionnaireResponse',
        status: 'in-progress',
        questionnaire: 'https://open111.dev/fhir/Questionnaire/sore-throat|1',
      });
      expect(first.statusCode).toBe(200);
      const out = first.json<Parameters>();
      await validateFhir(out);
      const returned = out.parameter?.find((p) => p.name === 'return')?.resource as QuestionnaireResponse;
      const asked = (returned.contained?.[0] as Questionnaire | undefined)?.item?.at(-1);
      expect(asked?.linkId).toBe('module-0.unresponsive');
      // The adaptive response comes back with its answer: its contained Questionnaire names the pathway.
      const again = await ask({
        ...returned,
        item: [{ linkId: 'module-0.unresponsive', answer: [{ valueBoolean: false }] }],
      });
      expect(again.statusCode).toBe(200);
      const second = again.json<Parameters>().parameter?.[0]?.resource as QuestionnaireResponse;
      expect((second.contained?.[0] as Questionnaire | undefined)?.item?.length).toBe(2);
      const noPathway = await ask({ resourceType: 'QuestionnaireResponse', status: 'in-progress' });
      expect(noPathway.statusCode).toBe(400);
      expect(noPathway.json<OperationOutcome>().issue[0]?.diagnostics).toMatch(/must name a triage pathway/);
    });

    it('refuses a malformed $next-question input with an OperationOutcome', async () => {
      for (const payload of [
        { resourceType: 'Patient' },
        {
          resourceType: 'QuestionnaireResponse',
          item: [{ linkId: 'nodot', answer: [{ valueBoolean: true }] }],
        },
        { resourceType: 'QuestionnaireResponse', item: [{ linkId: 'module-0.unresponsive', answer: [] }] },
        {
          resourceType: 'QuestionnaireResponse',
          item: [{ linkId: 'module-0.choking', answer: [{ valueBoolean: true }] }],
        },
      ]) {
        const res = await fhir('/Questionnaire/sore-throat/$next-question', { method: 'POST', payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().resourceType).toBe('OperationOutcome');
      }
    });

    it('serves a session as a valid QuestionnaireResponse with its disposition', async () => {
      let s = await pastModule0(await start('chest-pain'));
      s = await answer(s, 'yes');
      const res = await fhir(`/QuestionnaireResponse/${s.id}`);
      expect(res.statusCode).toBe(200);
      const qr = res.json<QuestionnaireResponse>();
      await validateFhir(qr);
      expect(qr).toMatchObject({
        id: s.id,
        status: 'in-progress',
        questionnaire: `https://open111.dev/fhir/Questionnaire/chest-pain|${triageContent().current.get('chest-pain')?.version}`,
      });
      expect(qr.item).toHaveLength(5);
      expect(qr.extension?.[0]?.valueCoding?.code).toBe('Dx011');
    });
  });
});
