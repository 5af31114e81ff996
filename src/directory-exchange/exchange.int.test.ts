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
      c.attributes?.some((a) => a.taxonomy_term.vocabulary === 'open111-dos-id' && a.value === id),
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
    noType.attributes = noType.attributes?.filter(
      (a) => a.taxonomy_term.vocabulary !== 'open111-service-type',
    );
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

  it('refuses a malformed file as a whole, writing nothing', async () => {
    expect((await importHsds(use().db, '{"contents": [', geo)).bad[0]?.reason).toMatch(/not JSON/);
    expect((await importHsds(use().db, '{"services": []}', geo)).bad[0]?.reason).toMatch(/expected a page/);
    expect((await importHsds(use().db, '42', geo)).imported).toBe(0);
  });
});
