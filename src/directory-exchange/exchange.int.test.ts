import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import type { Geography } from '../domain/geography/index';
import { inTransaction } from '../store/db';
import { deleteService, findService } from '../store/directory';
import { loadGeography } from '../store/geography';
import { exportHsds, importHsds } from './exchange';
import type { HsdsService } from './hsds';
import { hsdsValidators } from './validate';

describeEachEngine('Open Referral UK (HSDS 3.0) exchange', (use) => {
  let geo: Geography;
  let exported: Awaited<ReturnType<typeof exportHsds>>;
  beforeAll(async () => {
    geo = await loadGeography(use().db);
    exported = await exportHsds(use().db);
  });

  const byDosId = (id: string): HsdsService => {
    const s = exported.contents.find((c) =>
      c.attributes?.some((a) => a.taxonomy_term.taxonomy === 'open111-dos-id' && a.value === id),
    );
    if (!s) throw new Error(id);
    return structuredClone(s);
  };

  it('exports every service, each valid against the HSDS 3.0 schemas', () => {
    expect(exported.total_items).toBeGreaterThan(1000);
    const v = hsdsValidators();
    expect(v.page(exported)).toBe(true);
    for (const s of exported.contents.slice(0, 200))
      expect(v.service(s), JSON.stringify(v.service.errors)).toBe(true);
  });

  it('round-trips a service: export, delete, import gives back the same record', async () => {
    const before = await findService(use().db, '5GC-25-1');
    await inTransaction(use().db, (tx) => deleteService(tx, '5GC-25-1'));
    const report = await importHsds(use().db, JSON.stringify([byDosId('5GC-25-1')]), geo);
    expect(report).toEqual({ total: 1, imported: 1, bad: [] });
    const after = await findService(use().db, '5GC-25-1');
    const { version: _a, ...a } = before ?? { version: 0 };
    const { version: _b, ...b } = after ?? { version: 0 };
    expect(b).toEqual(a);
  });

  it('reports each bad record with its reason and imports the good ones', async () => {
    const good = byDosId('5GC-40-1');
    good.name = 'Renamed by import';
    const noName = byDosId('5GC-120-1') as Partial<HsdsService>;
    delete noName.name;
    const badStatus = { ...byDosId('5GC-135-1'), status: 'open' };
    const badDay = byDosId('5GC-12-1');
    badDay.schedules = [
      {
        id: badDay.schedules?.[0]?.id ?? '',
        freq: 'WEEKLY',
        byday: 'XX',
        opens_at: '09:00',
        closes_at: '17:00',
      },
    ];
    const noType = byDosId('5GC-138-1');
    noType.attributes = noType.attributes?.filter((a) => a.taxonomy_term.taxonomy !== 'open111-service-type');
    const file = JSON.stringify({ contents: [good, noName, badStatus, badDay, noType, 'not a service'] });
    const report = await importHsds(use().db, file, geo);
    expect(report.total).toBe(6);
    expect(report.imported).toBe(1);
    expect(report.bad.map((b) => b.index)).toEqual([1, 2, 3, 4, 5]);
    expect(report.bad[0]?.reason).toMatch(/name/);
    expect(report.bad[1]?.reason).toMatch(/\/status must be equal to one of the allowed values/);
    expect(report.bad[2]?.reason).toMatch(/byday/);
    expect(report.bad[3]?.reason).toMatch(/open111-service-type/);
    expect((await findService(use().db, '5GC-40-1'))?.name).toBe('Renamed by import');
    expect((await findService(use().db, '5GC-120-1'))?.name).not.toBe(undefined);
  });

  it('exports standard HSDS 3.0 fields only: named organisations, towns, times of day', () => {
    const text = JSON.stringify(exported.contents);
    expect(text).not.toMatch(/"identifiers"|"vocabulary"|"24:00"|"city":""/);
    const acute = byDosId('5GC-105-1');
    expect(acute.organization?.name).toMatch(/acute services/);
    expect(acute.organization?.organization_identifiers?.[0]?.identifier).toBe('5GC-ACUTE');
    expect(acute.service_at_locations?.[0]?.location?.addresses?.[0]?.city).toBe('Luton');
  });

  it('imports a foreign service as it is, keeping its ids and standard fields, and exports it unchanged', async () => {
    const id = '0b0e2c4a-6f4d-4c1e-9a57-2f1f3b6f0a11';
    const orgId = '5d1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f';
    const locId = '7a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d';
    const foreign: HsdsService = {
      id,
      name: 'Luton Community Walk-in',
      alternate_name: 'LCW',
      status: 'active',
      description: 'Walk in for minor illness.',
      url: 'https://walkin.example.org/',
      email: 'hello@walkin.example.org',
      last_modified: '2012-05-01T09:00:00Z',
      minimum_age: 1,
      maximum_age: 99,
      organization_id: orgId,
      organization: {
        id: orgId,
        name: 'Luton Community Health',
        description: 'A community provider',
        organization_identifiers: [
          { id: '1d1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f', identifier_type: 'ODS code', identifier: 'RC9' },
        ],
      },
      schedules: [
        {
          id: '2d1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f',
          freq: 'WEEKLY',
          byday: 'MO',
          opens_at: '08:00',
          closes_at: '18:00',
          description: 'Mondays, 8am to 6pm',
        },
      ],
      service_at_locations: [
        {
          id: '3d1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f',
          location: {
            id: locId,
            location_type: 'physical',
            latitude: 51.8801,
            longitude: -0.4201,
            addresses: [
              {
                id: '4d1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f',
                address_1: 'Unit 4',
                address_2: '12 Market Street',
                city: 'Luton',
                state_province: 'Bedfordshire',
                postal_code: 'LU1 2AA',
                country: 'GB',
                address_type: 'physical',
              },
            ],
          },
        },
      ],
      attributes: [
        {
          id: '5e1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f',
          link_id: id,
          link_type: 'service',
          link_entity: 'service',
          taxonomy_term_id: '6e1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f',
          taxonomy_term: {
            id: '6e1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f',
            name: 'Walk-in centre',
            description: 'x',
          },
          value: 'Walk-in centre',
        },
      ],
    };
    const untyped: HsdsService = { ...structuredClone(foreign), id: '9f1c7c1e-0d6f-4c0b-8a0e-6b8a9c0d1e2f' };
    untyped.attributes = [];
    expect(hsdsValidators().service(foreign)).toBe(true);
    const report = await importHsds(use().db, JSON.stringify([foreign, untyped]), geo);
    expect(report).toEqual({ total: 2, imported: 2, bad: [], review: [untyped.id] });
    const record = await findService(use().db, id);
    expect(record).toMatchObject({ typeId: 40, organisationCode: 'RC9', ageMinDays: 365, status: 'active' });
    expect((await findService(use().db, untyped.id))?.status).toBe('commissioning');
    const again = (await exportHsds(use().db)).contents.find((c) => c.id === id);
    expect(again).toMatchObject({
      id,
      alternate_name: 'LCW',
      url: foreign.url,
      email: foreign.email,
      last_modified: foreign.last_modified,
      minimum_age: 1,
      organization_id: orgId,
      organization: { id: orgId, name: 'Luton Community Health' },
    });
    expect(again?.service_at_locations?.[0]?.location).toMatchObject({
      id: locId,
      addresses: [foreign.service_at_locations?.[0]?.location?.addresses?.[0] ?? {}],
    });
    expect(again?.schedules?.[0]).toMatchObject({ byday: 'MO', description: 'Mondays, 8am to 6pm' });
    expect(hsdsValidators().service(again)).toBe(true);
  });

  it('refuses a malformed file as a whole, writing nothing', async () => {
    expect((await importHsds(use().db, '{"contents": [', geo)).bad[0]?.reason).toMatch(/not JSON/);
    expect((await importHsds(use().db, '{"services": []}', geo)).bad[0]?.reason).toMatch(/expected a page/);
    expect((await importHsds(use().db, '42', geo)).imported).toBe(0);
  });
});
