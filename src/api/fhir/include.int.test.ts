import type {
  Bundle,
  CapabilityStatement,
  HealthcareService,
  Location,
  OperationOutcome,
  Resource,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../../test/api';
import { describeEachEngine } from '../../../test/engines';
import { validateFhir } from '../../../test/fhir-validate';

const NOW = new Date('2012-06-06T10:00:00Z');

describeEachEngine('FHIR _include and _revinclude', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
    adviser = await api.login('adviser');
    await validateFhir({ resourceType: 'Basic', code: { text: 'warm-up' } });
  }, 120_000);
  afterAll(async () => api.app.close());

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await api.app.inject({ url, headers: { ...adviser, ...headers } });
    return { status: res.statusCode, body: res.json<Bundle>() };
  };
  const byMode = (b: Bundle, mode: 'match' | 'include' | 'outcome') =>
    (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource as Resource);
  const key = (r: Resource) => `${r.resourceType}/${r.id}`;

  it('includes each HealthcareService’s Organization and Location, once each, marked include', async () => {
    const { status, body } = await get(
      '/fhir/R4/HealthcareService?_count=20&_include=HealthcareService:providedBy&_include=HealthcareService:location',
    );
    expect(status).toBe(200);
    await validateFhir(body);
    const matches = byMode(body, 'match') as HealthcareService[];
    expect(matches).toHaveLength(20);
    const included = new Set(byMode(body, 'include').map(key));
    expect(included.size).toBe(byMode(body, 'include').length);
    for (const s of matches) {
      expect(included.has(s.providedBy?.reference ?? '-'), s.providedBy?.reference).toBe(true);
      expect(included.has(s.location?.[0]?.reference ?? '-')).toBe(true);
    }
    expect(byMode(body, 'outcome')).toEqual([]);
    expect(body.link?.[0]?.url).toContain('_include=HealthcareService%3AprovidedBy');
    // The search parameter's own name works the same.
    const same = await get('/fhir/R4/HealthcareService?_count=20&_include=HealthcareService:organization');
    expect(byMode(same.body, 'include').map(key).sort()).toEqual(
      [...included].filter((k) => k.startsWith('Organization/')).sort(),
    );
  });

  it('includes a Location’s managing Organization and the HealthcareService at it', async () => {
    const { body } = await get(
      '/fhir/R4/Location?_count=5&_include=Location:managingOrganization&_revinclude=HealthcareService:location',
    );
    await validateFhir(body);
    const matches = byMode(body, 'match') as Location[];
    const included = byMode(body, 'include');
    for (const l of matches) {
      expect(included.some((r) => key(r) === l.managingOrganization?.reference)).toBe(true);
      expect(
        included.some(
          (r) =>
            r.resourceType === 'HealthcareService' &&
            (r.location ?? []).some((x) => x.reference === `Location/${l.id}`),
        ),
      ).toBe(true);
    }
  });

  it('reverse-includes an Organization’s services and their Locations', async () => {
    const first = await get('/fhir/R4/HealthcareService?_count=1');
    const org = (byMode(first.body, 'match')[0] as HealthcareService).providedBy?.reference?.split('/')[1];
    const { body } = await get(
      `/fhir/R4/Organization?_id=${org}&_revinclude=HealthcareService:organization&_revinclude=Location:organization`,
    );
    await validateFhir(body);
    expect(byMode(body, 'match').map(key)).toEqual([`Organization/${org}`]);
    const services = byMode(body, 'include').filter(
      (r) => r.resourceType === 'HealthcareService',
    ) as HealthcareService[];
    const all = await get(`/fhir/R4/HealthcareService?organization=${org}&_summary=count`);
    expect(services.length).toBe(all.body.total);
    expect(services.every((s) => s.providedBy?.reference === `Organization/${org}`)).toBe(true);
    expect(byMode(body, 'include').filter((r) => r.resourceType === 'Location')).toHaveLength(
      services.length,
    );
  });

  it('ignores an include it does not serve (lenient), refuses it under Prefer: handling=strict, and declares what it serves', async () => {
    const lenient = await get('/fhir/R4/HealthcareService?_count=1&_include=HealthcareService:endpoint');
    expect(lenient.status).toBe(200);
    const outcome = byMode(lenient.body, 'outcome')[0] as OperationOutcome;
    expect(outcome.issue?.[0]?.diagnostics).toMatch(/_include=HealthcareService:endpoint is not supported/);
    expect(byMode(lenient.body, 'include')).toEqual([]);
    const strict = await get('/fhir/R4/HealthcareService?_include=HealthcareService:endpoint', {
      prefer: 'handling=strict',
    });
    expect(strict.status).toBe(400);
    const wrongTarget = await get(
      '/fhir/R4/HealthcareService?_include=HealthcareService:organization:Patient',
      {
        prefer: 'handling=strict',
      },
    );
    expect(wrongTarget.status).toBe(400);
    const cs = (await api.app.inject({ url: '/fhir/R4/metadata' })).json<CapabilityStatement>();
    const resource = (type: string) => cs.rest?.[0]?.resource?.find((r) => r.type === type);
    expect(resource('HealthcareService')?.searchInclude).toEqual([
      'HealthcareService:organization',
      'HealthcareService:location',
    ]);
    expect(resource('Location')?.searchRevInclude).toEqual(['HealthcareService:location']);
    expect(resource('Organization')?.searchRevInclude).toContain('HealthcareService:organization');
    expect(resource('ServiceRequest')?.searchInclude).toContain('ServiceRequest:supporting-info');
    await validateFhir(cs);
  });
});
