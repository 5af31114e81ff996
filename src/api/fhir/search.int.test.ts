import type {
  Bundle,
  CapabilityStatement,
  HealthcareService,
  Location,
  OperationOutcome,
  Organization,
  Questionnaire,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../../test/api';
import { describeEachEngine } from '../../../test/engines';
import { validateFhir } from '../../../test/fhir-validate';
import type { HsdsService } from '../../directory-exchange/hsds';
import type { OpenReferralPage as Page } from '../../services/openreferral';

type OpenReferralPage = Page<HsdsService>;

const NOW = new Date('2012-06-06T10:00:00Z');

describeEachEngine('FHIR search', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
    adviser = await api.login('adviser');
    // Loading the R4 definitions takes seconds: done once here, not inside the first test's time.
    await validateFhir({ resourceType: 'Basic', code: { text: 'warm-up' } });
  }, 120_000);
  afterAll(async () => api.app.close());

  /** GETs a FHIR URL, absolute (a link) or relative to the server. */
  const get = async <T>(url: string, headers: Record<string, string> = {}) => {
    const res = await api.app.inject({
      url: url.replace(/^https?:\/\/[^/]+/, ''),
      headers: { ...adviser, ...headers },
    });
    return { status: res.statusCode, body: res.json<T>() };
  };
  const link = (b: Bundle, relation: string) => b.link?.find((l) => l.relation === relation)?.url;

  it('reaches every HealthcareService by following next, each once, in a stable order', async () => {
    const first = await get<Bundle<HealthcareService>>('/fhir/R4/HealthcareService?_count=500');
    expect(first.status).toBe(200);
    const total = first.body.total ?? 0;
    expect(total).toBeGreaterThan(1900);
    const seen: string[] = [];
    let page: Bundle<HealthcareService> | undefined = first.body;
    let pages = 0;
    while (page) {
      pages++;
      expect(pages).toBeLessThan(10);
      // The first page is validated whole (500 resources); the others share its shape.
      if (pages === 1) await validateFhir(page);
      expect(page.total).toBe(total);
      for (const e of page.entry ?? []) seen.push(e.resource?.id ?? '');
      const next = link(page, 'next');
      page = next ? (await get<Bundle<HealthcareService>>(next)).body : undefined;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
    expect(pages).toBe(Math.ceil(total / 500));
  }, 120_000);

  it('pages by 50 by default with self, next and previous links; refuses _count over 500', async () => {
    const first = (await get<Bundle>('/fhir/R4/Location?address-postalcode=LU')).body;
    expect(first.entry?.length).toBeLessThanOrEqual(50);
    expect(link(first, 'self')).toMatch(/address-postalcode=LU/);
    expect(link(first, 'previous')).toBeUndefined();
    const hs = (await get<Bundle>('/fhir/R4/HealthcareService')).body;
    expect(hs.entry?.length).toBe(50);
    const second = (await get<Bundle>(link(hs, 'next') ?? '')).body;
    expect(link(second, 'previous')).toMatch(/_count=50/);
    const back = (await get<Bundle>(link(second, 'previous') ?? '')).body;
    expect(back.entry?.map((e) => e.resource?.id)).toEqual(hs.entry?.map((e) => e.resource?.id));
    expect((await get('/fhir/R4/HealthcareService?_count=501')).status).toBe(400);
  });

  it('reads commas as OR, honours a token system, and counts with _summary=count', async () => {
    const two = (await get<Bundle<HealthcareService>>('/fhir/R4/HealthcareService?_id=5GC-100-1,5GC-105-1'))
      .body;
    expect(two.entry?.map((e) => e.resource?.id).sort()).toEqual(['5GC-100-1', '5GC-105-1']);
    const system = 'https://open111.dev/fhir/CodeSystem/dos-service-type';
    const eds = (await get<Bundle>(`/fhir/R4/HealthcareService?service-type=${system}|105&_summary=count`))
      .body;
    expect(eds.total).toBeGreaterThan(100);
    expect(eds.entry).toBeUndefined();
    await validateFhir(eds);
    const both = (await get<Bundle>('/fhir/R4/HealthcareService?service-type=105,100&_summary=count')).body;
    const gps = (await get<Bundle>('/fhir/R4/HealthcareService?service-type=100&_summary=count')).body;
    expect(both.total).toBe((eds.total ?? 0) + (gps.total ?? 0));
    const otherSystem = (
      await get<Bundle>('/fhir/R4/HealthcareService?service-type=http://snomed.info/sct|105')
    ).body;
    expect(otherSystem.total).toBe(0);
    expect(otherSystem.entry).toBeUndefined();
    await validateFhir(otherSystem);
  });

  it('keeps only the _elements asked for, marked SUBSETTED; serves JSON for _format', async () => {
    const b = (await get<Bundle<Location>>('/fhir/R4/Location?_count=2&_elements=name&_format=json')).body;
    const loc = b.entry?.[0]?.resource;
    expect(Object.keys(loc ?? {}).sort()).toEqual(['id', 'meta', 'name', 'resourceType']);
    expect(loc?.meta?.tag?.[0]?.code).toBe('SUBSETTED');
    await validateFhir(b);
    expect((await get('/fhir/R4/Location?_format=xml')).status).toBe(400);
  });

  it('ignores and reports an unknown parameter, or refuses it under Prefer: handling=strict', async () => {
    const lenient = (await get<Bundle>('/fhir/R4/HealthcareService?_id=5GC-100-1&colour=blue')).body;
    expect(lenient.total).toBe(1);
    const outcome = lenient.entry?.find((e) => e.search?.mode === 'outcome')?.resource;
    expect(outcome?.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(outcome)).toMatch(/colour/);
    expect(link(lenient, 'self')).not.toMatch(/colour/);
    await validateFhir(lenient);
    const strict = await get<OperationOutcome>('/fhir/R4/HealthcareService?colour=blue', {
      prefer: 'handling=strict',
    });
    expect(strict.status).toBe(400);
    expect(strict.body.resourceType).toBe('OperationOutcome');
    expect(strict.body.issue[0]?.diagnostics).toMatch(/colour/);
  });

  it('pages Organizations and Questionnaires too, and resolves every providedBy', async () => {
    const orgs = (await get<Bundle<Organization>>('/fhir/R4/Organization?_count=10')).body;
    expect(orgs.entry?.length).toBe(10);
    expect(link(orgs, 'next')).toBeDefined();
    await validateFhir(orgs);
    const qs = (await get<Bundle<Questionnaire>>('/fhir/R4/Questionnaire?_count=2')).body;
    expect(qs.entry?.length).toBe(2);
    await validateFhir(qs);
    const all = (await get<Bundle<HealthcareService>>('/fhir/R4/HealthcareService?_count=500')).body;
    const providers = new Set(all.entry?.map((e) => e.resource?.providedBy?.reference ?? 'none'));
    expect(providers.size).toBeGreaterThan(10);
    const found = await get<Bundle<Organization>>(
      `/fhir/R4/Organization?_count=500&_id=${[...providers].map((r) => r.replace('Organization/', '')).join(',')}`,
    );
    expect(found.body.total).toBe(providers.size);
    const acute = await get<Organization>(`/fhir/R4/${[...providers].find((p) => p.endsWith('-ACUTE'))}`);
    expect(acute.status).toBe(200);
    expect(acute.body.name).toMatch(/acute services/);
    await validateFhir(acute.body);
  }, 60_000);

  it('declares every search type and $next-question in the CapabilityStatement, with no empty arrays', async () => {
    const cap = (await get<CapabilityStatement>('/fhir/R4/metadata')).body;
    await validateFhir(cap);
    const questionnaire = cap.rest?.[0]?.resource?.find((r) => r.type === 'Questionnaire');
    expect(questionnaire?.operation?.map((o) => o.name)).toContain('next-question');
  });
});

describeEachEngine('Open Referral UK read API', (use) => {
  let api: TestApi;
  let adviser: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
    adviser = await api.login('adviser');
  });
  afterAll(async () => api.app.close());

  it('pages /openreferral/services as HSDS 3.0 pages, each service valid, and reads one by its HSDS id', async () => {
    const { hsdsValidators } = await import('../../directory-exchange/validate');
    const v = hsdsValidators();
    const get = (url: string) => api.app.inject({ url, headers: adviser });
    const first = (await get('/openreferral/services?per_page=100')).json<OpenReferralPage>();
    expect(v.page(first)).toBe(true);
    expect(first).toMatchObject({ page_number: 1, size: 100, first_page: true, last_page: false });
    expect(first.total_pages).toBe(Math.ceil(first.total_items / 100));
    for (const s of first.contents) expect(v.service(s), JSON.stringify(v.service.errors)).toBe(true);
    const last = (
      await get(`/openreferral/services?per_page=100&page=${first.total_pages}`)
    ).json<OpenReferralPage>();
    expect(last.last_page).toBe(true);
    expect(last.size).toBe(first.total_items - 100 * (first.total_pages - 1));
    const one = await get(`/openreferral/services/${first.contents[0]?.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().id).toBe(first.contents[0]?.id);
    expect((await get('/openreferral/services/nope')).statusCode).toBe(404);
    // Public, as ORUK directories are: no sign-in needed.
    expect((await api.app.inject({ url: '/openreferral/services' })).statusCode).toBe(200);
    expect((await get('/openreferral/services?per_page=501')).statusCode).toBe(400);
  }, 60_000);
});

describe('FHIR search (no store)', () => {
  it('is checked by the empty-element walk', async () => {
    const { emptyElements } = await import('../../../test/fhir-validate');
    expect(emptyElements({ a: [], b: { c: '' }, d: [{}] }, 'X')).toEqual(['X.a', 'X.b.c', 'X.d[0]']);
  });
});
