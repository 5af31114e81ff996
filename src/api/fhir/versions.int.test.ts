import type { HealthcareService, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../../test/api';
import { describeEachEngine } from '../../../test/engines';
import { validateFhir } from '../../../test/fhir-validate';
import { inTransaction } from '../../store/db';
import { loadServices, putServices } from '../../store/directory';

const NOW = new Date('2012-06-06T10:00:00Z');
const SORE_THROAT = 'https://open111.dev/fhir/Questionnaire/sore-throat';

describeEachEngine('FHIR versions and $validate', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
    adviser = await api.login('adviser');
  }, 120_000);
  afterAll(async () => api.app.close());

  it('reads a service with meta.versionId, lastUpdated and a weak ETag that changes with it; If-None-Match gives 304', async () => {
    const service = (await loadServices(use().db))[0];
    if (!service) throw new Error('no service');
    const read = (headers: Record<string, string> = {}) =>
      api.app.inject({
        url: `/fhir/R4/HealthcareService/${service.id}`,
        headers: { ...adviser, ...headers },
      });
    const first = await read();
    const hs = first.json<HealthcareService>();
    await validateFhir(hs);
    expect(hs.meta?.versionId).toMatch(/^\d+$/);
    expect(Number.isNaN(Date.parse(hs.meta?.lastUpdated ?? ''))).toBe(false);
    expect(first.headers.etag).toBe(`W/"${hs.meta?.versionId}"`);
    expect((await read({ 'if-none-match': String(first.headers.etag) })).statusCode).toBe(304);
    const loc = await api.app.inject({ url: `/fhir/R4/Location/${service.id}`, headers: adviser });
    expect(loc.headers.etag).toBe(first.headers.etag);

    await inTransaction(use().db, (tx) => putServices(tx, [{ ...service, name: `${service.name} (moved)` }]));
    const after = await read({ 'if-none-match': String(first.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(Number(after.json<HealthcareService>().meta?.versionId)).toBe(Number(hs.meta?.versionId) + 1);
    expect(after.headers.etag).not.toBe(first.headers.etag);
    // Search results carry the version too.
    const search = await api.app.inject({
      url: `/fhir/R4/HealthcareService?_id=${service.id}`,
      headers: adviser,
    });
    expect(search.json().entry[0].resource.meta.versionId).toBe(
      after.json<HealthcareService>().meta?.versionId,
    );
  });

  it('$validate says whether open111 would accept a QuestionnaireResponse, each problem an issue', async () => {
    const validate = async (body: Record<string, unknown>) => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/fhir/R4/QuestionnaireResponse/$validate',
        headers: { ...adviser, 'content-type': 'application/fhir+json' },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode, res.body).toBe(200);
      const outcome = res.json<OperationOutcome>();
      await validateFhir(outcome);
      return outcome.issue ?? [];
    };
    const ok = await validate({
      resourceType: 'QuestionnaireResponse',
      status: 'in-progress',
      questionnaire: SORE_THROAT,
    });
    expect(ok.map((i) => i.severity)).toEqual(['information']);
    expect(ok[0]?.diagnostics).toMatch(/Valid: .* the next question is module-0\./);
    // As the Parameters `resource`, the same.
    const wrapped = await validate({
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'resource',
          resource: {
            resourceType: 'QuestionnaireResponse',
            status: 'in-progress',
            questionnaire: SORE_THROAT,
          },
        },
      ],
    });
    expect(wrapped).toEqual(ok);

    const bad = await validate({
      resourceType: 'QuestionnaireResponse',
      questionnaire: SORE_THROAT,
      item: [],
    });
    expect(bad.map((i) => i.diagnostics)).toEqual([
      'status is required (R4: 1..1).',
      'FHIR allows no empty arrays, objects or strings.',
    ]);
    expect(bad[1]?.expression).toEqual(['QuestionnaireResponse.item']);

    const unknownQuestion = await validate({
      resourceType: 'QuestionnaireResponse',
      status: 'in-progress',
      questionnaire: SORE_THROAT,
      item: [{ linkId: 'sore-throat.no-such-question', answer: [{ valueBoolean: true }] }],
    });
    expect(unknownQuestion[0]).toMatchObject({
      severity: 'error',
      expression: ['QuestionnaireResponse.item[0].linkId'],
    });

    const notAPathway = await validate({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: 'https://elsewhere.example/Q/1',
    });
    expect(notAPathway[0]?.diagnostics).toMatch(/must name a triage pathway/);

    const early = await validate({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: SORE_THROAT,
    });
    expect(early.map((i) => i.severity)).toEqual(['warning', 'information']);

    const other = await validate({ resourceType: 'Patient' });
    expect(other[0]?.diagnostics).toMatch(/Only a QuestionnaireResponse/);
    const cs = (await api.app.inject({ url: '/fhir/R4/metadata' })).json();
    const qr = cs.rest[0].resource.find((r: { type: string }) => r.type === 'QuestionnaireResponse');
    expect(qr.operation).toEqual([
      { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' },
    ]);
  });
});
