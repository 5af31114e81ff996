import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import type { HsdsService } from '../directory-exchange/hsds';
import { findService } from '../store/directory';
import { findOrganisation } from '../store/users';

const NOW = new Date('2012-06-02T12:00:00Z');
const uuid = (n: number) => `0c0e2c4a-6f4d-4c1e-9a57-${String(n).padStart(12, '0')}`;

/** An HSDS service of another directory, naming its organisation and its location by id only. */
function service(n: number, locationId: string, organizationId: string): Record<string, unknown> {
  return {
    id: uuid(n),
    name: `Foreign walk-in ${n}`,
    status: 'active',
    description: 'Walk in for minor illness.',
    organization_id: organizationId,
    service_at_locations: [{ id: uuid(n + 500), location_id: locationId }],
    attributes: [
      {
        id: uuid(n + 600),
        link_id: uuid(n),
        link_type: 'service',
        link_entity: 'service',
        taxonomy_term_id: uuid(n + 700),
        taxonomy_term: { id: uuid(n + 700), name: 'Walk-in centre', description: 'x' },
        value: 'Walk-in centre',
      },
    ],
  };
}
const location = (n: number, latitude: number, longitude: number, postcode: string) => ({
  id: uuid(n),
  location_type: 'physical',
  name: `Place ${n}`,
  latitude,
  longitude,
  addresses: [
    {
      id: uuid(n + 800),
      address_1: '1 Market Street',
      city: 'Somewhere',
      state_province: 'England',
      postal_code: postcode,
      country: 'GB',
      address_type: 'physical',
    },
  ],
});

describeEachEngine('POST /api/directory/import', (use) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(use(), () => NOW);
  });
  afterAll(async () => api.app.close());

  it('takes services, organisations and locations on their own; lists bad records one by one; keeps a DoS lead to their areas', async () => {
    const doslead = await api.login('doslead');
    const org = {
      id: uuid(1),
      name: 'Luton Walk-in Partnership',
      description: 'A community provider',
      organization_identifiers: [{ id: uuid(2), identifier_type: 'ODS code', identifier: 'RZZ9' }],
    };
    const contents = [
      org,
      location(10, 51.8801, -0.4201, 'LU1 2AA'),
      service(100, uuid(10), uuid(1)),
      { ...service(101, uuid(10), uuid(1)), name: undefined },
      location(11, 54.77, -1.57, 'DH1 1AA'),
      service(102, uuid(11), uuid(1)),
      location(12, 51.88, -0.42, 'LU1 3AA'),
      { id: uuid(13), location_type: 'spaceship' },
    ];
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/directory/import',
      headers: doslead,
      payload: { contents },
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<{
      total: number;
      imported: number;
      bad: { index: number; id: string | null; reason: string }[];
      review?: string[];
      organisations?: string[];
      locations?: number;
    }>();
    expect(report).toMatchObject({ total: 8, imported: 1, organisations: ['RZZ9'], locations: 1 });
    expect(report.bad.map((b) => b.index)).toEqual([3, 5, 6, 7]);
    expect(report.bad[0]?.reason).toMatch(/name/);
    expect(report.bad[1]?.reason).toMatch(/not one of the areas you keep/);
    expect(report.bad[2]?.reason).toMatch(/no service in the file names it/);
    expect(report.bad[3]?.reason).toMatch(/^location: .*location_type/);
    const saved = await findService(use().db, uuid(100));
    expect(saved).toMatchObject({ organisationCode: 'RZZ9', typeId: 40, postcode: 'LU1 2AA' });
    expect(await findOrganisation(use().db, 'RZZ9')).toMatchObject({ name: 'Luton Walk-in Partnership' });
    // Imported into the running directory: the Open Referral API has it, named as the organisation is.
    const served = await api.app.inject({ url: `/openreferral/services/${uuid(100)}` });
    expect(served.statusCode).toBe(200);
    expect(served.json<HsdsService>().organization).toMatchObject({ name: 'Luton Walk-in Partnership' });

    const adviser = await api.login('adviser');
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/directory/import',
      headers: adviser,
      payload: [],
    });
    expect(refused.statusCode).toBe(403);
    const notHsds = await api.app.inject({
      method: 'POST',
      url: '/api/directory/import',
      headers: doslead,
      payload: { services: [] },
    });
    expect(notHsds.statusCode).toBe(400);
  });
});
