import type { Bundle, CapabilityStatement, Organization } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { validateFhir } from '../../test/fhir-validate';
import { auditTrail } from '../store/audit';
import { BODY_LIMIT_BYTES } from './app';

describeEachEngine('HTTP API', (use) => {
  let api: TestApi;
  let auth: { authorization: string };
  beforeAll(async () => {
    api = await testApi(use());
    auth = await api.login('adviser');
  });
  afterAll(async () => api.app.close());

  describe('authentication', () => {
    it('refuses /api without a token, with problem+json', async () => {
      const res = await api.app.inject({ url: '/api/geography/areas' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
    });

    it('refuses a forged token', async () => {
      const res = await api.app.inject({
        url: '/api/auth/me',
        headers: { authorization: 'Bearer not-a-real-token' },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/sign in again/);
    });

    it('says who is signed in', async () => {
      const res = await api.app.inject({ url: '/api/auth/me', headers: auth });
      expect(res.json()).toEqual({
        username: 'adviser',
        displayName: 'Alex Adviser',
        role: 'health_adviser',
        organisationCode: 'NHSD',
      });
    });

    it('refuses a wrong password and audits the attempt', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'doslead', password: 'nope' },
      });
      expect(res.statusCode).toBe(401);
      const trail = await auditTrail(use().db, { resourceType: 'session' });
      expect(trail.some((t) => t.action === 'login_failed' && t.username === 'doslead')).toBe(true);
    });

    it('locks an account after five failures, even for the right password', async () => {
      for (let i = 0; i < 5; i++) {
        await api.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'clinician', password: `wrong${i}` },
        });
      }
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'clinician', password: 'demo' },
      });
      expect(res.statusCode).toBe(429);
      expect(res.json().detail).toMatch(/locked/);
    });

    it('ends the session on logout', async () => {
      const mine = await api.login('commissioner');
      expect(
        (await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: mine })).statusCode,
      ).toBe(204);
      expect((await api.app.inject({ url: '/api/auth/me', headers: mine })).statusCode).toBe(401);
    });
  });

  describe('geography', () => {
    it('places LU1 3JU: Luton PCT, East of England SHA and ambulance trust', async () => {
      const res = await api.app.inject({ url: '/api/geography/postcodes/LU1%203JU', headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        query: 'LU1 3JU',
        area: { code: '5GC', name: 'Luton' },
        region: { code: 'Q35', name: 'NHS East of England' },
        ambulanceTrust: { code: 'RYC', name: 'East of England Ambulance Service NHS Trust' },
      });
    });

    it('answers a malformed postcode with 400 and an unknown one with 404', async () => {
      const bad = await api.app.inject({ url: '/api/geography/postcodes/L%3B1', headers: auth });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().detail).toMatch(/not a UK postcode/);
      const unknown = await api.app.inject({ url: '/api/geography/postcodes/ZZ99%209ZZ', headers: auth });
      expect(unknown.statusCode).toBe(404);
    });

    it('answers a bad "at" with 400', async () => {
      const res = await api.app.inject({ url: '/api/geography/postcodes/LU1?at=yesterday', headers: auth });
      expect(res.statusCode).toBe(400);
    });

    it('lists the areas of one region', async () => {
      const res = await api.app.inject({ url: '/api/geography/areas?region=Q30', headers: auth });
      const areas = res.json<{ code: string; region: { code: string } }[]>();
      expect(areas).toHaveLength(12);
      expect(areas.every((a) => a.region.code === 'Q30')).toBe(true);
    });

    it('shows one area with its districts, and 404 for an unknown code', async () => {
      const res = await api.app.inject({ url: '/api/geography/areas/5gc', headers: auth });
      expect(res.json()).toMatchObject({ code: '5GC', ambulanceTrust: { code: 'RYC' } });
      expect(res.json<{ districts: string[] }>().districts).toEqual(
        expect.arrayContaining(['LU1', 'LU2', 'LU3', 'LU4']),
      );
      expect((await api.app.inject({ url: '/api/geography/areas/QQQ', headers: auth })).statusCode).toBe(404);
    });
  });

  describe('bad input', () => {
    it.each([
      ['malformed JSON', '{"username":', 'application/json'],
      ['a JSON array', '[1,2]', 'application/json'],
      ['wrong types', '{"username":1,"password":true}', 'application/json'],
      ['an unknown field', '{"username":"a","password":"b","admin":true}', 'application/json'],
      ['a missing field', '{"username":"a"}', 'application/json'],
    ])('answers %s with a 400 problem', async (_what, payload, type) => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload,
        headers: { 'content-type': type },
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().detail.length).toBeGreaterThan(5);
    });

    it('answers an oversized body with 413', async () => {
      const payload = JSON.stringify({ username: 'x'.repeat(BODY_LIMIT_BYTES), password: 'y' });
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(413);
    });

    it('answers a body of another media type with 415', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: 'username=a',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.statusCode).toBe(415);
    });

    it('answers an unknown route with a 404 problem, not HTML', async () => {
      const res = await api.app.inject({ url: '/api/nothing-here', headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('not_found');
    });
  });

  describe('operations', () => {
    it('reports health, readiness with the engine, and Prometheus metrics', async () => {
      expect((await api.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await api.app.inject({ url: '/readyz' })).json()).toEqual({
        status: 'ready',
        engine: use().engine,
      });
      const metrics = await api.app.inject({ url: '/metrics' });
      expect(metrics.body).toContain('open111_http_request_duration_seconds_bucket');
    });

    it('serves OpenAPI with the geography routes', async () => {
      const res = await api.app.inject({ url: '/docs/json' });
      expect(Object.keys(res.json<{ paths: object }>().paths)).toContain(
        '/api/geography/postcodes/{postcode}',
      );
    });

    it('echoes the request id', async () => {
      const res = await api.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
      expect(res.headers['x-request-id']).toBe('abc-123');
    });
  });

  describe('FHIR R4', () => {
    it('publishes a valid CapabilityStatement without sign-in', async () => {
      const res = await api.app.inject({ url: '/fhir/R4/metadata' });
      expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
      const cs = res.json<CapabilityStatement>();
      await validateFhir(cs);
      expect(cs.rest?.[0]?.resource?.map((r) => r.type)).toContain('Organization');
    });

    it('reads a PCT as a valid Organization, part of its SHA', async () => {
      const res = await api.app.inject({ url: '/fhir/R4/Organization/5GC', headers: auth });
      const org = res.json<Organization>();
      await validateFhir(org);
      expect(org.partOf?.reference).toBe('Organization/Q35');
    });

    it('searches by type and partof, returning a valid searchset', async () => {
      const res = await api.app.inject({ url: '/fhir/R4/Organization?partof=Q30&type=pct', headers: auth });
      const bundle = res.json<Bundle>();
      await validateFhir(bundle);
      expect(bundle.total).toBeGreaterThan(5);
      expect(
        bundle.entry?.every((e) => (e.resource as Organization).partOf?.reference === 'Organization/Q30'),
      ).toBe(true);
    });

    it('finds ambulance trusts by identifier', async () => {
      const res = await api.app.inject({
        url: '/fhir/R4/Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|RX6',
        headers: auth,
      });
      expect(res.json<Bundle>().entry?.map((e) => e.resource?.id)).toEqual(['RX6']);
    });

    it('answers errors with a valid OperationOutcome', async () => {
      const missing = await api.app.inject({ url: '/fhir/R4/Organization/NOPE', headers: auth });
      expect(missing.statusCode).toBe(404);
      await validateFhir(missing.json());
      expect(missing.json().resourceType).toBe('OperationOutcome');
      const unauth = await api.app.inject({ url: '/fhir/R4/Organization/5GC' });
      expect(unauth.statusCode).toBe(401);
      expect(unauth.json().issue[0].code).toBe('login');
    });
  });
});

describe('the FHIR validator used above', () => {
  it('rejects an invalid resource, so the checks above can fail', async () => {
    await expect(
      validateFhir({ resourceType: 'Organization', active: 'yes' } as unknown as Organization),
    ).rejects.toThrow();
  });
});
