import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import type { HsdsService } from '../directory-exchange/hsds';
import { hsdsValidators } from '../directory-exchange/validate';
import { distanceKm } from '../domain/directory/index';
import { locate } from '../services/locate';
import type { OpenReferralPage } from '../services/openreferral';
import { inTransaction } from '../store/db';
import { loadServices, putServices } from '../store/directory';

const NOW = new Date('2012-06-02T12:00:00Z');

describeEachEngine('Open Referral UK API', (use) => {
  let api: TestApi;
  const v = hsdsValidators();
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
  });
  afterAll(async () => api.app.close());

  // No sign-in anywhere here: the API is public.
  const get = async <T>(url: string, status = 200): Promise<T> => {
    const res = await api.app.inject({ url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
    return res.json<T>();
  };
  /** A page valid as the HSDS API pages, each item valid against its HSDS 3.0 schema. */
  async function page<T>(url: string, item: keyof typeof v): Promise<OpenReferralPage<T>> {
    const p = await get<OpenReferralPage<T>>(url);
    expect(v.paginated(p), JSON.stringify(v.paginated.errors)).toBe(true);
    for (const c of p.contents) expect(v[item](c), JSON.stringify(v[item].errors)).toBe(true);
    expect(p.size).toBe(p.contents.length);
    expect(p.empty).toBe(p.contents.length === 0);
    return p;
  }

  it('serves services publicly, without what is for professionals only, filtered as HSDS 3.0 says', async () => {
    const all = await page<HsdsService>('/openreferral/services?per_page=500', 'service');
    expect(all.total_items).toBeGreaterThan(100);
    const records = await loadServices(use().db);
    expect(all.total_items).toBe(records.length);
    for (const s of all.contents) {
      expect(s.eligibility_description).toBeUndefined();
      expect(s.phones?.some((p) => p.description === 'professional')).toBe(false);
      expect(
        s.attributes?.some((a) =>
          ['open111-endpoint', 'open111-capacity'].includes(a.taxonomy_term.taxonomy ?? ''),
        ),
      ).toBe(false);
    }
    const first = all.contents[0];
    if (!first?.organization_id) throw new Error('no service');

    // search: every word in the name, alternate name or description.
    const word = first.name.split(' ')[0] ?? '';
    const searched = await page<HsdsService>(
      `/openreferral/services?per_page=500&search=${encodeURIComponent(word)}`,
      'service',
    );
    expect(searched.total_items).toBeGreaterThan(0);
    expect(searched.total_items).toBeLessThan(all.total_items);
    for (const s of searched.contents)
      expect(`${s.name} ${s.alternate_name ?? ''} ${s.description ?? ''}`.toLowerCase()).toContain(
        word.toLowerCase(),
      );

    // organization_id
    const byOrg = await page<HsdsService>(
      `/openreferral/services?per_page=500&organization_id=${first.organization_id}`,
      'service',
    );
    expect(byOrg.total_items).toBe(
      all.contents.filter((s) => s.organization_id === first.organization_id).length,
    );
    expect(byOrg.contents.every((s) => s.organization_id === first.organization_id)).toBe(true);

    // taxonomy_term_id: the service type's term.
    const typeTerm = first.attributes?.find((a) => a.taxonomy_term.taxonomy === 'open111-service-type');
    if (!typeTerm) throw new Error('no service-type term');
    const byTerm = await page<HsdsService>(
      `/openreferral/services?per_page=500&taxonomy_term_id=${typeTerm.taxonomy_term_id}`,
      'service',
    );
    expect(byTerm.total_items).toBeGreaterThan(0);
    for (const s of byTerm.contents)
      expect(s.attributes?.some((a) => a.taxonomy_term_id === typeTerm.taxonomy_term_id)).toBe(true);

    // postcode and proximity (metres): nearest first, none further than asked.
    const near = await page<HsdsService>(
      '/openreferral/services?per_page=500&postcode=LU1%203JU&proximity=10000',
      'service',
    );
    expect(near.total_items).toBeGreaterThan(0);
    expect(near.total_items).toBeLessThan(all.total_items);
    const luton = await locate(api.app.ctx, 'LU1 3JU', NOW);
    const metres = near.contents.map((s) => {
      const l = s.service_at_locations?.[0]?.location;
      return distanceKm(luton.latitude, luton.longitude, l?.latitude ?? 0, l?.longitude ?? 0) * 1000;
    });
    expect(Math.max(...metres)).toBeLessThanOrEqual(10_000);
    expect(metres).toEqual([...metres].sort((a, b) => a - b)); // nearest first
    expect((await api.app.inject({ url: '/openreferral/services?proximity=1000' })).statusCode).toBe(400);
    expect(
      (await api.app.inject({ url: '/openreferral/services?postcode=ZZ99%209ZZ' })).statusCode,
    ).toBeGreaterThanOrEqual(400);

    // modified_after: only what changed since.
    const before = await page<HsdsService>(
      '/openreferral/services?per_page=1&modified_after=2999-01-01T00:00:00Z',
      'service',
    );
    expect(before.total_items).toBe(0);
    const record = records.find((r) => r.id === records[0]?.id);
    if (!record) throw new Error('no record');
    const mark = new Date(Date.now() - 1000).toISOString();
    await inTransaction(use().db, (tx) => putServices(tx, [{ ...record, name: `${record.name} (renamed)` }]));
    const since = await get<OpenReferralPage<HsdsService>>(
      `/openreferral/services?per_page=500&modified_after=${mark}`,
    );
    expect(
      since.contents.map(
        (s) => s.attributes?.find((a) => a.taxonomy_term.taxonomy === 'open111-dos-id')?.value,
      ),
    ).toContain(record.id);
    expect(since.total_items).toBeLessThan(all.total_items);
    expect(
      (await api.app.inject({ url: '/openreferral/services?modified_after=yesterday' })).statusCode,
    ).toBe(400);

    // Pages: the last one, and one past it (empty), as HSDS pages.
    const p2 = await page<HsdsService>(
      `/openreferral/services?per_page=100&page=${Math.ceil(all.total_items / 100)}`,
      'service',
    );
    expect(p2).toMatchObject({ last_page: true, first_page: false });
    const past = await page<HsdsService>(
      `/openreferral/services?per_page=100&page=${p2.total_pages + 1}`,
      'service',
    );
    expect(past).toMatchObject({ empty: true, size: 0 });
    expect((await api.app.inject({ url: '/openreferral/services?per_page=501' })).statusCode).toBe(400);
    expect((await api.app.inject({ url: '/openreferral/services?colour=red' })).statusCode).toBe(400);
    expect(await get<HsdsService>(`/openreferral/services/${first.id}`)).toMatchObject({ id: first.id });
  }, 120_000);

  it('serves services at locations, organisations, taxonomies and terms, each valid, each by id', async () => {
    const sals = await page<{ id: string; service_id: string; location: { id: string } }>(
      '/openreferral/service_at_locations?per_page=20',
      'service_at_location',
    );
    const sal = sals.contents[0];
    if (!sal) throw new Error('no service at location');
    expect(sal.location.id).toBeTruthy();
    expect(await get(`/openreferral/service_at_locations/${sal.id}`)).toMatchObject({
      id: sal.id,
      service_id: sal.service_id,
    });
    await get(`/openreferral/service_at_locations/00000000-0000-4000-8000-000000000000`, 404);

    const orgs = await page<{ id: string; name: string; organization_identifiers: { identifier: string }[] }>(
      '/openreferral/organizations?per_page=500',
      'organization',
    );
    expect(orgs.total_items).toBeGreaterThan(1);
    expect(new Set(orgs.contents.map((o) => o.id)).size).toBe(orgs.total_items);
    const org = orgs.contents[0];
    if (!org) throw new Error('no organisation');
    expect(await get(`/openreferral/organizations/${org.id}`)).toMatchObject({ id: org.id, name: org.name });
    const ods = org.organization_identifiers[0]?.identifier ?? '';
    expect(await get(`/openreferral/organizations/${ods}`)).toMatchObject({ id: org.id });
    await get('/openreferral/organizations/NOSUCH', 404);
    const found = await page<{ id: string }>(
      `/openreferral/organizations?search=${encodeURIComponent(ods)}`,
      'organization',
    );
    expect(found.contents.map((o) => o.id)).toContain(org.id);

    const taxonomies = await page<{ id: string; name: string }>('/openreferral/taxonomies', 'taxonomy');
    const types = taxonomies.contents.find((t) => t.name === 'open111-service-type');
    if (!types) throw new Error('no service-type taxonomy');
    const terms = await page<{ id: string; name: string; taxonomy_id: string }>(
      `/openreferral/taxonomy_terms?per_page=500&taxonomy_id=${types.id}`,
      'taxonomy_term',
    );
    expect(terms.total_items).toBeGreaterThan(3);
    expect(terms.contents.every((t) => t.taxonomy_id === types.id)).toBe(true);
    // A term leads to the services that carry it.
    const term = terms.contents[0];
    const carrying = await get<OpenReferralPage<HsdsService>>(
      `/openreferral/services?taxonomy_term_id=${term?.id}`,
    );
    expect(carrying.total_items).toBeGreaterThan(0);
    const byTaxonomy = await get<OpenReferralPage<HsdsService>>(
      `/openreferral/services?taxonomy_id=${types.id}&per_page=1`,
    );
    expect(byTaxonomy.total_items).toBe(
      (await get<OpenReferralPage<HsdsService>>('/openreferral/services?per_page=1')).total_items,
    );
  }, 120_000);

  it('is readable from any origin (CORS on /openreferral only) and read-only', async () => {
    const res = await api.app.inject({
      url: '/openreferral/services?per_page=1',
      headers: { origin: 'https://council.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const preflight = await api.app.inject({
      method: 'OPTIONS',
      url: '/openreferral/services',
      headers: { origin: 'https://council.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toMatch(/^GET, ?HEAD$/);
    const api111 = await api.app.inject({
      url: '/api/auth/me',
      headers: { origin: 'https://council.example' },
    });
    expect(api111.headers['access-control-allow-origin']).toBeUndefined();
    const fhir = await api.app.inject({
      url: '/fhir/R4/metadata',
      headers: { origin: 'https://council.example' },
    });
    expect(fhir.headers['access-control-allow-origin']).toBeUndefined();
    const write = await api.app.inject({ method: 'POST', url: '/openreferral/services', payload: {} });
    expect(write.statusCode).toBeGreaterThanOrEqual(400);
    expect(write.statusCode).toBeLessThan(500);
  });
});
