import { describe, expect, it } from 'vitest';
import { readDirectoryTypes } from '../../content/directory';
import { readGeographyContent } from '../../content/geography';
import { generateDemoDirectory, generateSyntheticDirectory } from './generate';
import { DirectoryIndex } from './spatial';

const geo = readGeographyContent();
const types = readDirectoryTypes();

describe('generated directories', () => {
  it('gives the same synthetic directory for the same seed, and another for another seed', () => {
    const a = generateSyntheticDirectory(geo, types, 2000, 7);
    const b = generateSyntheticDirectory(geo, types, 2000, 7);
    const c = generateSyntheticDirectory(geo, types, 2000, 8);
    expect(a).toEqual(b);
    expect(a.map((s) => s.latitude)).not.toEqual(c.map((s) => s.latitude));
    expect(new Set(a.map((s) => s.id)).size).toBe(2000);
    expect(new Set(a.map((s) => s.typeId)).size).toBe(types.types.length);
  });

  it('places demo services in every area, with every type, inside England', () => {
    const demo = generateDemoDirectory(geo, types);
    const perArea = types.types.reduce((n, t) => n + t.perArea, 0);
    expect(demo.length).toBe(geo.areas.size * perArea);
    expect(demo.find((s) => s.id === '5GC-105-1')).toMatchObject({
      areaCode: '5GC',
      organisationCode: '5GC-ACUTE',
    });
    expect(demo.some((s) => s.name.includes('late opening'))).toBe(true);
    for (const s of demo) {
      expect(s.latitude).toBeGreaterThan(49.8);
      expect(s.latitude).toBeLessThan(55.9);
    }
  });
});

describe('the spatial index', () => {
  const services = generateSyntheticDirectory(geo, types, 3000, 3);

  it('finds exactly the services within a radius (checked against a full scan)', () => {
    const index = new DirectoryIndex(services);
    const found = index
      .within(51.5, -0.12, 15)
      .map((n) => n.service.record.id)
      .sort();
    const scan = services
      .filter((s) => {
        const dLat = ((s.latitude - 51.5) * Math.PI) / 180;
        const dLng = ((s.longitude + 0.12) * Math.PI) / 180;
        const h =
          Math.sin(dLat / 2) ** 2 +
          Math.cos((51.5 * Math.PI) / 180) * Math.cos((s.latitude * Math.PI) / 180) * Math.sin(dLng / 2) ** 2;
        return 2 * 6371.0088 * Math.asin(Math.sqrt(h)) <= 15;
      })
      .map((s) => s.id)
      .sort();
    expect(found).toEqual(scan);
    expect(found.length).toBeGreaterThan(10);
  });

  it('stays current: a move, a removal and an addition are seen by the next query', () => {
    const index = new DirectoryIndex(services);
    const first = services[0];
    if (!first) throw new Error('no services');
    const moved = { ...first, latitude: 54.0, longitude: -2.0 };
    index.upsert(moved);
    expect(index.within(54.0, -2.0, 0.1).map((n) => n.service.record.id)).toEqual([first.id]);
    expect(index.within(first.latitude, first.longitude, 0.01).map((n) => n.service.record.id)).not.toContain(
      first.id,
    );
    index.remove(first.id);
    expect(index.within(54.0, -2.0, 0.1)).toEqual([]);
    index.upsert({ ...first, id: 'NEW-1', latitude: 53.0, longitude: -1.0 });
    expect(index.within(53.0, -1.0, 0.1).map((n) => n.service.record.id)).toEqual(['NEW-1']);
    expect(index.size).toBe(services.length);
    expect(index.nearest(53.0, -1.0, 1, () => true)[0]?.service.record.id).toBe('NEW-1');
  });
});
