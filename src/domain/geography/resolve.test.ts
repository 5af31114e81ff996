import { describe, expect, it } from 'vitest';
import { readGeographyContent } from '../../content/geography';
import type { DomainError } from '../errors';
import { parsePostcode } from './postcode';
import { ambulanceTrustOn, areaWithRegion, resolveLocation } from './resolve';

const geo = readGeographyContent();
const at2012 = new Date('2012-06-01T12:00:00Z');

describe('the geography content', () => {
  it('has England’s 10 SHAs, 151 PCTs and every district placed in a PCT', () => {
    expect(geo.regions.size).toBe(10);
    expect(geo.areas.size).toBe(151);
    expect(geo.districts.size).toBeGreaterThan(2000);
    const population = [...geo.areas.values()].reduce((n, a) => n + a.population2011, 0);
    // England's 2011 census population was 53.0 million.
    expect(population).toBeGreaterThan(52_000_000);
    expect(population).toBeLessThan(54_000_000);
  });
});

describe('resolveLocation', () => {
  it('places LU1 3JU in Luton PCT, East of England SHA and ambulance trust', () => {
    const l = resolveLocation(geo, parsePostcode('LU1 3JU'), undefined, at2012);
    expect(l.area.code).toBe('5GC');
    expect(l.region.code).toBe('Q35');
    expect(l.ambulanceTrust.code).toBe('RYC');
    expect(l.basis).toBe('district');
  });

  it('places by the exact postcode when the ONS Postcode Directory has it', () => {
    const l = resolveLocation(
      geo,
      parsePostcode('LU1 3JU'),
      { postcode: 'LU1 3JU', latitude: 51.88, longitude: -0.41, areaCode: '5GC' },
      at2012,
    );
    expect(l.basis).toBe('postcode');
    expect(l.latitude).toBe(51.88);
    expect(l.confidence).toBe('high');
  });

  it.each([
    ['DH1', '5ND', 'Q30', 'RX6'],
    ['NG7', '5EM', 'Q33', 'RX9'],
    ['LN1', '5N9', 'Q33', 'RX9'],
    ['DL1', '5J9', 'Q30', 'RX6'],
  ])('places the pilot district %s', (outcode, area, region, trust) => {
    const l = resolveLocation(geo, parsePostcode(outcode), undefined, at2012);
    expect([l.area.code, l.region.code, l.ambulanceTrust.code]).toEqual([area, region, trust]);
  });

  it('does not guess a well-formed postcode in an unknown district', () => {
    expect(() => resolveLocation(geo, parsePostcode('ZZ1 1ZZ'), undefined, at2012)).toThrow(
      expect.objectContaining({ code: 'not_found' }) as unknown as DomainError,
    );
  });

  it('does not place Scottish or Welsh districts in England', () => {
    expect(() => resolveLocation(geo, parsePostcode('EH1 1YZ'), undefined, at2012)).toThrow(/EH1/);
    expect(() => resolveLocation(geo, parsePostcode('CF10 1AA'), undefined, at2012)).toThrow(/CF10/);
  });
});

describe('ambulanceTrustOn', () => {
  const gloucestershire = [...geo.areas.values()].find((a) => a.ambulanceTrustCode === 'RX5');

  it('keeps Great Western to its last day, 31 January 2013, then South Western', () => {
    expect(gloucestershire).toBeDefined();
    if (!gloucestershire) return;
    expect(ambulanceTrustOn(geo, gloucestershire, new Date('2013-01-31T23:00:00Z')).code).toBe('RX5');
    expect(ambulanceTrustOn(geo, gloucestershire, new Date('2013-02-01T00:00:00Z')).code).toBe('RYF');
  });

  it('hands the Isle of Wight service from the PCT to the Isle of Wight NHS Trust in April 2012', () => {
    const { area } = areaWithRegion(geo, '5QT');
    expect(ambulanceTrustOn(geo, area, new Date('2012-03-31T12:00:00Z')).code).toBe('5QT');
    expect(ambulanceTrustOn(geo, area, new Date('2012-04-01T12:00:00Z')).code).toBe('R1F');
  });

  it('answers an unknown area code with not found', () => {
    expect(() => areaWithRegion(geo, 'XYZ')).toThrow(/no commissioning area/);
  });
});
