import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaff, type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { SORE_THROAT_CHANGED, SORE_THROAT_DEAD_END, SORE_THROAT_SHIPPED } from '../../test/pathway-drafts';
import type { PathwayVersionDetail, PathwayVersionView } from '../services/governance';
import type { SessionStateBody } from './triage';

type Headers = { authorization: string };
const M0 = ['unresponsive', 'choking', 'fitting', 'bleeding'];
const V = '/api/governance/pathway-versions';
/** The sore-throat version shipped and in force, and the next one the tests write. */
const S = SORE_THROAT_SHIPPED.version;
const N = S + 1;

describeEachEngine('pathway change control API', (use) => {
  let api: TestApi;
  let clinician: Headers;
  let governance: Headers;
  let secondLead: Headers;
  let adviser: Headers;
  let clock = new Date('2026-12-02T09:00:00Z');
  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    clinician = await api.login('clinician');
    governance = await api.login('governance');
    adviser = await api.login('adviser');
    secondLead = await createStaff(api, await api.login('admin'), {
      username: 'lead2',
      role: 'governance',
      organisation: 'NHSD',
    });
  });
  afterAll(async () => api.app.close());

  const post = (url: string, headers: Headers, payload: object = {}) =>
    api.app.inject({ method: 'POST', url, payload, headers });
  const get = (url: string, headers: Headers) => api.app.inject({ url, headers });

  /** A sore-throat triage up to the question of how many days. */
  const triageToDays = async (): Promise<SessionStateBody> => {
    const res = await post('/api/triage/sessions', adviser, {
      pathwayId: 'sore-throat',
      patient: { ageYears: 30, sex: 'female' },
    });
    expect(res.statusCode, res.body).toBe(201);
    let s = res.json<SessionStateBody>();
    for (const _ of M0) s = await answer(s, 'no');
    // Then "no" to each red flag of the pathway until the question of how many days.
    for (let i = 0; i < 10 && s.next && s.next.id !== 'days'; i++) s = await answer(s, 'no');
    expect(s.next?.id).toBe('days');
    return s;
  };
  const answer = async (s: SessionStateBody, value: string | number): Promise<SessionStateBody> => {
    const next = s.next;
    if (!next) throw new Error('no question waiting');
    const res = await post(`/api/triage/sessions/${s.id}/answers`, adviser, {
      pathwayId: next.pathwayId,
      questionId: next.id,
      value,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SessionStateBody>();
  };

  it('lists the shipped content as the first release of every pathway, in force', async () => {
    const res = await get(`${V}?pathway=sore-throat`, governance);
    expect(res.statusCode).toBe(200);
    const list = res.json<PathwayVersionView[]>();
    expect(list.find((v) => v.version === S)).toMatchObject({
      pathwayId: 'sore-throat',
      version: S,
      status: 'released',
      releaseState: 'in force',
      author: 'shipped with open111',
    });
    expect(list.map((v) => v.author)).toEqual(list.map(() => 'shipped with open111'));
    expect((await get(V, adviser)).statusCode).toBe(403);
  });

  it('refuses an unsafe draft with the validator’s findings, and a draft from someone who may not author', async () => {
    const unsafe = await post(V, clinician, { yaml: SORE_THROAT_DEAD_END, summary: 'broken' });
    expect(unsafe.statusCode).toBe(400);
    expect(unsafe.json().detail).toMatch(/validator refuses this draft/);
    expect(JSON.stringify(unsafe.json().problems)).toMatch(/nowhere/);
    expect((await post(V, adviser, { yaml: SORE_THROAT_CHANGED, summary: 'x' })).statusCode).toBe(403);
  });

  it('takes a draft through review, sign-off by another governance lead, release, and rollback', async () => {
    const before = await triageToDays();

    const draft = await post(V, clinician, {
      yaml: SORE_THROAT_CHANGED,
      summary: 'Weakened immunity sees a GP sooner; five days of sore throat is enough for a GP',
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const d = draft.json<PathwayVersionDetail>();
    expect(d).toMatchObject({
      pathwayId: 'sore-throat',
      version: N,
      status: 'draft',
      basedOn: S,
      author: 'clinician',
    });
    expect(d.problems).toEqual([]);
    expect(d.yaml).toMatch(new RegExp(`^version: ${N}$`, 'm'));
    expect(d.yaml).toMatch(/^status: draft$/m);
    // The review as a clinician reads it: each path whose disposition changes, old and new.
    expect(
      d.diff?.changedPaths.map((p) => [
        p.answers.at(-1)?.label,
        p.before?.kind === 'disposition' ? p.before.code : null,
        p.after.kind === 'disposition' ? p.after.code : null,
        p.change,
      ]),
    ).toEqual([
      ['Yes', 'Dx14', 'Dx05', 'more urgent'],
      // The same band on each way to the question of days (with and without pus on the tonsils).
      ['from 5 to under 7 days', 'Dx39', 'Dx75', 'more urgent'],
      ['from 5 to under 7 days', 'Dx39', 'Dx75', 'more urgent'],
    ]);

    const path = `${V}/sore-throat/${N}`;
    // Nothing skips a step: no sign-off before review, no release before sign-off.
    expect((await post(`${path}/approve`, governance)).statusCode).toBe(409);
    const early = await post(`${path}/release`, governance);
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toMatch(/only an approved version can be released/);
    expect((await post(`${path}/review`, governance)).statusCode).toBe(409);
    expect((await post(`${path}/review`, clinician)).json()).toMatchObject({ status: 'in_review' });
    const queue = await get(`${V}?status=in_review`, governance);
    expect(queue.json<PathwayVersionView[]>().map((v) => `${v.pathwayId}@${v.version}`)).toEqual([
      `sore-throat@${N}`,
    ]);
    // A clinician may write drafts but not sign them off.
    expect((await post(`${path}/approve`, clinician)).statusCode).toBe(403);
    const approved = await post(`${path}/approve`, governance, { note: 'Checked against the diff' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<PathwayVersionDetail>().yaml).toMatch(
      /^approved_by: Gale Governance \(governance\)$/m,
    );

    // Released in an hour: until then new sessions still start on the shipped version.
    const released = await post(`${path}/release`, governance, { at: '2026-12-02T10:00:00Z' });
    expect(released.json()).toMatchObject({ status: 'released', releaseState: 'scheduled' });
    expect((await triageToDays()).pathway.version).toBe(S);
    clock = new Date('2026-12-02T10:00:01Z');
    const after = await triageToDays();
    expect(after.pathway.version).toBe(N);
    expect((await answer(after, 5)).outcome?.disposition.code).toBe('Dx75');
    // The older session replays, and goes on, on the version it started on.
    expect((await answer(before, 5)).outcome?.disposition.code).toBe('Dx39');
    const replayed = await get(`/api/triage/sessions/${before.id}`, adviser);
    expect(replayed.json()).toMatchObject({
      pathway: { version: S },
      outcome: { disposition: { code: 'Dx39' } },
    });
    const fhir = await get(`/fhir/R4/QuestionnaireResponse/${after.id}`, adviser);
    expect(fhir.statusCode, fhir.body).toBe(200);

    // One step back: the shipped version is in force again.
    const back = await post('/api/governance/pathways/sore-throat/rollback', governance);
    expect(back.json()).toMatchObject({
      retired: { version: N, status: 'retired', retiredBy: 'governance' },
      inForce: { version: S, releaseState: 'in force' },
    });
    expect((await triageToDays()).pathway.version).toBe(S);
    // A step further would put version 1 back in force, whose report and advice lines YAML split at a
    // comma: the validator refuses it, as it would refuse such a draft.
    expect(S).toBe(2);
    const past = await post('/api/governance/pathways/sore-throat/rollback', governance);
    expect(past.statusCode).toBe(400);
    expect(past.json().detail).toMatch(/validator refuses this rollback.*text split by YAML/);
    // A session started on the retired version still replays on it.
    expect((await get(`/api/triage/sessions/${after.id}`, adviser)).json()).toMatchObject({
      pathway: { version: N },
    });
    // And the version is exported back to YAML as signed.
    const exported = await get(`${path}/yaml`, governance);
    expect(exported.headers['content-type']).toMatch(/yaml/);
    expect(exported.body).toMatch(/^status: approved$/m);
  });

  it('refuses a governance lead signing off their own draft, and lets another sign it', async () => {
    const draft = await post(V, governance, { yaml: SORE_THROAT_CHANGED, summary: 'Same change again' });
    const { version } = draft.json<PathwayVersionDetail>();
    const path = `${V}/sore-throat/${version}`;
    await post(`${path}/review`, governance);
    const own = await post(`${path}/approve`, governance);
    expect(own.statusCode).toBe(409);
    expect(own.json().detail).toMatch(/must be signed off by a governance lead other than its author/);
    expect((await get(path, governance)).json()).toMatchObject({ status: 'in_review', approvedBy: null });
    const other = await post(`${path}/approve`, secondLead);
    expect(other.json()).toMatchObject({ status: 'approved', approvedBy: 'lead2' });
  });
});
