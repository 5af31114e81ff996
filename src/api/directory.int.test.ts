import type {
  Bundle,
  CapabilityStatement,
  HealthcareService,
  Location,
  OperationOutcome,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { validateFhir } from '../../test/fhir-validate';
import { hashPassword } from '../domain/auth/index';
import { auditTrail } from '../store/audit';
import { insertUser } from '../store/users';

// Wednesday 6 June 2012, 11:00 BST: GP practices are open.
const NOW = new Date('2012-06-06T10:00:00Z');

const search = (over: Record<string, unknown> = {}) => ({
  postcode: 'LU1 3JU',
  age: { value: 40, unit: 'years' },
  sex: 'male',
  disposition: 'Dx05',
  ...over,
});

interface Answer {
  location: { areaCode: string };
  fallback: boolean;
  results: {
    position: number;
    service: { id: string; typeId: number };
    why: string[];
    travelMinutes: number;
    capacity: string;
  }[];
  gaps: { service: { id: string }; failed: string }[];
}

function serviceBody(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    name: `Test walk-in ${id}`,
    typeId: 40,
    status: 'active',
    organisationCode: '5GC',
    odsCode: null,
    latitude: 51.8801,
    longitude: -0.4201,
    address: '1 High Street, Luton',
    postcode: 'LU1 2AA',
    publicPhone: '01582 000000',
    professionalPhone: null,
    publicReferralInstructions: 'Walk in.',
    professionalReferralInstructions: 'Phone ahead.',
    openingTimes: {
      alwaysOpen: false,
      weekly: {
        mon: [{ open: '08:00', close: '20:00' }],
        wed: [
          { open: '08:00', close: '12:00' },
          { open: '13:00', close: '20:00' },
        ],
      },
      bankHolidays: [],
      specifiedDates: [{ date: '2012-12-24', sessions: [] }],
    },
    ageMinDays: 0,
    ageMaxDays: 45656,
    sexes: ['female', 'male'],
    dispositions: ['Dx05', 'Dx06'],
    symptoms: [],
    referralRoles: ['health_adviser', 'clinician'],
    areaCode: '5GC',
    limited: false,
    endpoints: [{ kind: 'phone', address: '01582 000000', order: 1 }],
    ...over,
  };
}

describeEachEngine('Directory of Services API', (use, engine) => {
  let api: TestApi;
  let adviser: { authorization: string };
  let doslead: { authorization: string };
  let provider: { authorization: string };
  let commissioner: { authorization: string };
  let otherAdmin: { authorization: string };
  let northEastLead: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
    adviser = await api.login('adviser');
    doslead = await api.login('doslead');
    provider = await api.login('provider');
    commissioner = await api.login('commissioner');
    // Another provider's admin, and the DoS lead of another SHA (North East, Q30: County Durham is 5ND).
    await use()
      .db.insertInto('organisation')
      .values({ code: 'OTHER', name: 'Another provider', kind: 'provider' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const passwordHash = await hashPassword('demo');
    for (const user of [
      { username: 'other-admin', role: 'provider_admin', organisationCode: 'OTHER' },
      { username: 'northeast-lead', role: 'dos_lead', organisationCode: 'Q30' },
    ] as const)
      await insertUser(use().db, { ...user, displayName: user.username, passwordHash });
    otherAdmin = await api.login('other-admin');
    northEastLead = await api.login('northeast-lead');
  });
  afterAll(async () => api.app.close());

  const post = (url: string, payload: unknown, headers: { authorization: string }) =>
    api.app.inject({ method: 'POST', url, payload: payload as object, headers });

  describe('search', () => {
    it('ranks the demo services near a Luton postcode and says why', async () => {
      const res = await post('/api/directory/search', search(), adviser);
      expect(res.statusCode).toBe(200);
      const a = res.json<Answer>();
      expect(a.location.areaCode).toBe('5GC');
      expect(a.fallback).toBe(false);
      expect(a.results.length).toBeGreaterThan(2);
      const minutes = a.results.map((r) => r.travelMinutes);
      expect([...minutes].sort((x, y) => x - y)).toEqual(minutes);
      const perType = new Map<number, number>();
      for (const r of a.results) perType.set(r.service.typeId, (perType.get(r.service.typeId) ?? 0) + 1);
      expect(Math.max(...perType.values())).toBeLessThanOrEqual(2);
      expect(a.results[0]?.why.join(' ')).toMatch(/km away.*type rank/);
    });

    it('refuses bad input with problem+json, never a 500', async () => {
      for (const [body, pointer] of [
        [search({ distanceKm: 100 }), '/body/distanceKm'],
        [search({ disposition: 'Dx99' }), '/disposition'],
        [search({ postcode: undefined }), '/body/postcode'],
        [search({ extra: 1 }), '/body'],
        [search({ age: { value: 3, unit: 'fortnights' } }), '/body/age/unit'],
      ] as const) {
        const res = await post('/api/directory/search', body, adviser);
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect(JSON.stringify(res.json().problems)).toContain(pointer);
      }
      const unknown = await post('/api/directory/search', search({ postcode: 'ZZ99 9ZZ' }), adviser);
      expect(unknown.statusCode).toBe(404);
    });

    it('falls back to the two nearest EDs when nothing matches', async () => {
      // A baby of 10 days needing a repeat prescription: pharmacies see ages from 2 years only.
      const a = (
        await post(
          '/api/directory/search',
          search({ disposition: 'Dx80', age: { value: 10, unit: 'days' } }),
          adviser,
        )
      ).json<Answer>();
      expect(a.fallback).toBe(true);
      expect(a.results).toHaveLength(2);
      expect(a.results.every((r) => r.service.typeId === 105)).toBe(true);
      expect(a.gaps.some((g) => g.failed === 'age')).toBe(true);
    });
  });

  describe('capacity', () => {
    it("lets a provider's staff set their own service red, and the next search leaves it out", async () => {
      const before = (
        await post('/api/directory/search', search({ disposition: 'Dx02' }), adviser)
      ).json<Answer>();
      expect(before.results.map((r) => r.service.id)).toContain('5GC-105-1');
      const res = await api.app.inject({
        method: 'PUT',
        url: '/api/directory/services/5GC-105-1/capacity',
        payload: { status: 'red', resetAfterMinutes: 60 },
        headers: provider,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        capacity: { status: 'red', changedBy: 'provider', resetAt: '2012-06-06T11:00:00.000Z' },
      });
      const after = (
        await post('/api/directory/search', search({ disposition: 'Dx02' }), adviser)
      ).json<Answer>();
      expect(after.results.map((r) => r.service.id)).not.toContain('5GC-105-1');
      expect(after.gaps).toContainEqual(
        expect.objectContaining({
          service: expect.objectContaining({ id: '5GC-105-1' }),
          failed: 'capacity',
        }),
      );
      const trail = await auditTrail(use().db, {
        resourceType: 'dos_service_capacity',
        resourceId: '5GC-105-1',
      });
      expect(trail[0]?.username).toBe('provider');
      // Back to green for the other tests.
      await api.app.inject({
        method: 'PUT',
        url: '/api/directory/services/5GC-105-1/capacity',
        payload: { status: 'green' },
        headers: provider,
      });
    });

    it("refuses another organisation's service, an adviser, and a reset outside 15 minutes–120 hours", async () => {
      const put = (id: string, payload: unknown, headers: { authorization: string }) =>
        api.app.inject({
          method: 'PUT',
          url: `/api/directory/services/${id}/capacity`,
          payload: payload as object,
          headers,
        });
      expect((await put('5GC-100-1', { status: 'amber', resetAfterMinutes: 30 }, provider)).statusCode).toBe(
        403,
      );
      expect((await put('5GC-105-1', { status: 'amber', resetAfterMinutes: 30 }, adviser)).statusCode).toBe(
        403,
      );
      const short = await put('5GC-105-1', { status: 'amber', resetAfterMinutes: 10 }, provider);
      expect(short.statusCode).toBe(400);
      expect(short.json().problems[0].rule).toBe('capacity-reset-window');
      expect((await put('5GC-105-1', { status: 'red' }, provider)).statusCode).toBe(400);
      expect((await put('nope', { status: 'green' }, doslead)).statusCode).toBe(404);
    });
  });

  describe('services (DoS lead)', () => {
    it('creates, reads, replaces with optimistic locking, and deletes a service', async () => {
      const created = await post('/api/directory/services', serviceBody('TEST-1'), doslead);
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ id: 'TEST-1', version: 1, capacity: { status: 'green' } });
      expect((await post('/api/directory/services', serviceBody('TEST-1'), doslead)).statusCode).toBe(409);
      // The new service is searchable at once.
      const a = (
        await post(
          '/api/directory/search',
          search({ latitude: 51.88, longitude: -0.42, postcode: undefined }),
          adviser,
        )
      ).json<Answer>();
      expect(a.results.map((r) => r.service.id)).toContain('TEST-1');

      const put = (version: number, name: string) =>
        api.app.inject({
          method: 'PUT',
          url: '/api/directory/services/TEST-1',
          payload: { version, service: serviceBody('TEST-1', { name }) },
          headers: doslead,
        });
      expect((await put(1, 'Renamed')).json()).toMatchObject({ name: 'Renamed', version: 2 });
      expect((await put(1, 'Stale')).statusCode).toBe(412);
      const del = await api.app.inject({
        method: 'DELETE',
        url: '/api/directory/services/TEST-1',
        headers: doslead,
      });
      expect(del.statusCode).toBe(204);
      expect(
        (await api.app.inject({ url: '/api/directory/services/TEST-1', headers: doslead })).statusCode,
      ).toBe(404);
    });

    it('refuses advisers, unknown fields, broken opening times and a service outside England', async () => {
      expect((await post('/api/directory/services', serviceBody('TEST-2'), adviser)).statusCode).toBe(403);
      expect(
        (await post('/api/directory/services', { ...serviceBody('TEST-2'), colour: 'red' }, doslead))
          .statusCode,
      ).toBe(400);
      const badTime = serviceBody('TEST-2', {
        openingTimes: {
          alwaysOpen: false,
          weekly: { mon: [{ open: '25:00', close: '20:00' }] },
          bankHolidays: [],
          specifiedDates: [],
        },
      });
      expect((await post('/api/directory/services', badTime, doslead)).statusCode).toBe(400);
      const paris = await post(
        '/api/directory/services',
        serviceBody('TEST-2', { latitude: 48.85, longitude: 2.35 }),
        doslead,
      );
      expect(paris.statusCode).toBe(400);
      expect(paris.json().problems[0]).toMatchObject({
        pointer: '/body/latitude',
        rule: 'service-in-england',
      });
      const ages = await post(
        '/api/directory/services',
        serviceBody('TEST-2', { ageMinDays: 10, ageMaxDays: 5 }),
        doslead,
      );
      expect(ages.json().problems[0].rule).toBe('age-range');
    });
  });

  describe('gap report', () => {
    it('shows commissioners the services that failed one filter in their area; not advisers', async () => {
      await post(
        '/api/directory/search',
        search({ disposition: 'Dx80', age: { value: 10, unit: 'days' } }),
        adviser,
      );
      const res = await api.app.inject({ url: '/api/directory/gaps?area=5GC', headers: commissioner });
      expect(res.statusCode).toBe(200);
      const report = res.json<{
        byFilter: Record<string, number>;
        services: { serviceId: string; filter: string }[];
      }>();
      expect(report.byFilter.age).toBeGreaterThan(0);
      expect(report.services.some((s) => s.serviceId.startsWith('5GC-13-'))).toBe(true);
      expect(
        (await api.app.inject({ url: '/api/directory/gaps?area=5GC', headers: adviser })).statusCode,
      ).toBe(403);
      expect(
        (await api.app.inject({ url: '/api/directory/gaps?from=yesterday', headers: commissioner }))
          .statusCode,
      ).toBe(400);
    });
  });

  describe('one access policy', () => {
    /** The denials of one user on one record (earlier tests leave others on the same records). */
    const denials = async (resourceType: string, resourceId: string, username: string) =>
      (await auditTrail(use().db, { resourceType, resourceId })).filter(
        (r) => r.action === 'denied' && r.username === username,
      );

    it('refuses a DoS lead of another SHA the services and type ranks of an area outside it, audited', async () => {
      const put = await api.app.inject({
        method: 'PUT',
        url: '/api/directory/services/5GC-100-1',
        payload: { version: 1, service: serviceBody('5GC-100-1') },
        headers: northEastLead,
      });
      expect(put.statusCode).toBe(403);
      expect(put.headers['content-type']).toMatch(/problem\+json/);
      expect(await denials('dos_service', '5GC-100-1', 'northeast-lead')).toHaveLength(1);
      const created = await post('/api/directory/services', serviceBody('TEST-NE-1'), northEastLead);
      expect(created.statusCode).toBe(403);
      expect(await denials('dos_service', 'TEST-NE-1', 'northeast-lead')).toHaveLength(1);
      const del = await api.app.inject({
        method: 'DELETE',
        url: '/api/directory/services/5GC-100-1',
        headers: northEastLead,
      });
      expect(del.statusCode).toBe(403);
      expect(
        (await api.app.inject({ url: '/api/directory/services/5GC-100-1', headers: doslead })).statusCode,
      ).toBe(200);
      const rank = await api.app.inject({
        method: 'PUT',
        url: '/api/directory/type-ranks/5GC/40',
        payload: { rank: 1 },
        headers: northEastLead,
      });
      expect(rank.statusCode).toBe(403);
      expect(await denials('dos_type_rank', '5GC/40', 'northeast-lead')).toHaveLength(1);
      // Its own SHA's areas it may edit.
      const own = await api.app.inject({
        method: 'PUT',
        url: '/api/directory/type-ranks/5ND/40',
        payload: { rank: null },
        headers: northEastLead,
      });
      expect(own.statusCode).toBe(200);
      const durham = await post(
        '/api/directory/services',
        serviceBody('TEST-NE-2', {
          areaCode: '5ND',
          latitude: 54.776,
          longitude: -1.575,
          postcode: 'DH1 1AA',
        }),
        northEastLead,
      );
      expect(durham.statusCode).toBe(201);
      // Nor may it move one of its own services into an area outside its SHA.
      const moved = await api.app.inject({
        method: 'PUT',
        url: '/api/directory/services/TEST-NE-2',
        payload: { version: 1, service: serviceBody('TEST-NE-2') },
        headers: northEastLead,
      });
      expect(moved.statusCode).toBe(403);
    });

    it("refuses another provider's admin, and another SHA's DoS lead, a service's capacity", async () => {
      for (const headers of [otherAdmin, northEastLead]) {
        const res = await api.app.inject({
          method: 'PUT',
          url: '/api/directory/services/5GC-105-1/capacity',
          payload: { status: 'amber', resetAfterMinutes: 30 },
          headers,
        });
        expect(res.statusCode).toBe(403);
      }
      expect(await denials('dos_service', '5GC-105-1', 'other-admin')).toHaveLength(1);
      expect(await denials('dos_service', '5GC-105-1', 'northeast-lead')).toHaveLength(1);
      const read = await api.app.inject({ url: '/api/directory/services/5GC-105-1', headers: otherAdmin });
      expect(read.json()).toMatchObject({ capacity: { status: 'green' } });
    });

    it("scopes the gap report to the commissioner's and the DoS lead's own areas", async () => {
      // A baby needing a repeat prescription, from Luton (Q35) and from Durham (Q30): both log gaps.
      const baby = { disposition: 'Dx80', age: { value: 10, unit: 'days' } };
      await post('/api/directory/search', search(baby), adviser);
      await post(
        '/api/directory/search',
        search({ ...baby, postcode: undefined, latitude: 54.776, longitude: -1.575 }),
        adviser,
      );
      const gaps = async (headers: { authorization: string }, query = '') => {
        const res = await api.app.inject({ url: `/api/directory/gaps${query}`, headers });
        return {
          status: res.statusCode,
          ids:
            res.statusCode === 200
              ? res.json<{ services: { serviceId: string }[] }>().services.map((s) => s.serviceId)
              : [],
        };
      };
      const everywhere = await gaps(await api.login('admin'));
      expect(everywhere.ids.some((id) => id.startsWith('5ND-'))).toBe(true);
      expect(everywhere.ids.some((id) => id.startsWith('5GC-'))).toBe(true);
      const east = await gaps(commissioner);
      expect(east.status).toBe(200);
      expect(east.ids.some((id) => id.startsWith('5GC-'))).toBe(true);
      expect(east.ids.some((id) => id.startsWith('5ND-'))).toBe(false);
      const northEast = await gaps(northEastLead);
      expect(northEast.ids.some((id) => id.startsWith('5ND-'))).toBe(true);
      expect(northEast.ids.some((id) => id.startsWith('5GC-'))).toBe(false);
      expect((await gaps(commissioner, '?area=5ND')).status).toBe(403);
      expect((await gaps(northEastLead, '?area=5GC')).status).toBe(403);
      expect(await denials('dos_gap_report', '5ND', 'commissioner')).toHaveLength(1);
    });
  });

  describe('FHIR', () => {
    it('reads a HealthcareService and its Location, valid against R4', async () => {
      const hs = await api.app.inject({ url: '/fhir/R4/HealthcareService/5GC-100-1', headers: adviser });
      expect(hs.statusCode).toBe(200);
      const service = hs.json<HealthcareService>();
      expect(service.type?.[0]?.coding?.[0]?.code).toBe('100');
      await validateFhir(service);
      const loc = (
        await api.app.inject({ url: '/fhir/R4/Location/5GC-100-1', headers: adviser })
      ).json<Location>();
      expect(loc.position?.latitude).toBeTypeOf('number');
      await validateFhir(loc);
      const missing = await api.app.inject({ url: '/fhir/R4/HealthcareService/nope', headers: adviser });
      expect(missing.statusCode).toBe(404);
      expect(missing.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
    });

    it('searches Locations near a point, nearest first, and HealthcareServices by type', async () => {
      const res = await api.app.inject({
        url: '/fhir/R4/Location?near=51.8764|-0.4247|5|km&_count=5',
        headers: adviser,
      });
      expect(res.statusCode).toBe(200);
      const bundle = res.json<Bundle<Location>>();
      expect(bundle.total).toBeGreaterThan(3);
      await validateFhir(bundle);
      const d = (l: Location | undefined) =>
        Math.hypot((l?.position?.latitude ?? 0) - 51.8764, ((l?.position?.longitude ?? 0) + 0.4247) * 0.62);
      const entries = bundle.entry ?? [];
      for (let i = 1; i < entries.length; i++)
        expect(d(entries[i]?.resource)).toBeGreaterThanOrEqual(d(entries[i - 1]?.resource) - 1e-6);
      const eds = (
        await api.app.inject({
          url: '/fhir/R4/HealthcareService?service-type=105&_count=3',
          headers: adviser,
        })
      ).json<Bundle<HealthcareService>>();
      expect(eds.total).toBeGreaterThan(100);
      expect((eds.entry ?? []).every((e) => e.resource?.type?.[0]?.coding?.[0]?.code === '105')).toBe(true);
      const bad = await api.app.inject({ url: '/fhir/R4/Location?near=north', headers: adviser });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<OperationOutcome>().issue[0]?.diagnostics).toMatch(/latitude\|longitude/);
      const cap = (await api.app.inject({ url: '/fhir/R4/metadata' })).json<CapabilityStatement>();
      expect(cap.rest?.[0]?.resource?.map((r) => r.type)).toEqual(
        expect.arrayContaining(['HealthcareService', 'Location']),
      );
    });
  });

  if (engine === 'postgres') {
    it('carries a change made through one server process to another (LISTEN/NOTIFY)', async () => {
      const other = await testApi(use(), () => NOW);
      try {
        const otherAdviser = await other.login('adviser');
        const ask = async () =>
          (
            await other.app.inject({
              method: 'POST',
              url: '/api/directory/search',
              payload: search({ disposition: 'Dx02' }),
              headers: otherAdviser,
            })
          ).json<Answer>();
        expect((await ask()).results.map((r) => r.service.id)).toContain('5GC-105-1');
        await api.app.inject({
          method: 'PUT',
          url: '/api/directory/services/5GC-105-1/capacity',
          payload: { status: 'red', resetAfterMinutes: 120 },
          headers: provider,
        });
        let seen = false;
        for (let i = 0; i < 100 && !seen; i++) {
          seen = !(await ask()).results.some((r) => r.service.id === '5GC-105-1');
          if (!seen) await new Promise((r) => setTimeout(r, 50));
        }
        expect(seen).toBe(true);
      } finally {
        await other.app.close();
      }
    });
  }
});
