import type {
  AmbulanceTrust,
  Area,
  Confidence,
  Geography,
  PostcodeDistrict,
  Region,
} from '../domain/geography/index';
import { readContentCsv } from './files';

export interface CcgArea {
  readonly ccgCode: string;
  readonly ccgOnsCode: string;
  readonly ccgName: string;
  readonly areaCode: string;
  readonly areaPostcodesPercent: number;
}

export interface GeographyContent extends Geography {
  readonly ccgAreas: readonly CcgArea[];
}

function field(row: Record<string, string>, name: string, file: string): string {
  const value = row[name];
  if (value === undefined) throw new Error(`content/${file}: column "${name}" is missing`);
  return value;
}

function number(row: Record<string, string>, name: string, file: string): number {
  const raw = field(row, name, file);
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value))
    throw new Error(`content/${file}: "${name}" is not a number: "${raw}"`);
  return value;
}

const byCode = <T extends { code: string }>(items: T[]): Map<string, T> =>
  new Map(items.map((i) => [i.code, i]));

/** Loads and cross-checks England's 2011–13 health geography from content/geography/. */
export function readGeographyContent(): GeographyContent {
  const regions = byCode<Region>(
    readContentCsv('geography/regions.csv').map((r) => ({
      code: field(r, 'code', 'regions.csv'),
      onsCode: field(r, 'ons_code', 'regions.csv'),
      name: field(r, 'name', 'regions.csv'),
      orgName: field(r, 'org_name', 'regions.csv'),
    })),
  );
  const ambulanceTrusts = byCode<AmbulanceTrust>(
    readContentCsv('geography/ambulance-trusts.csv').map((r) => ({
      code: field(r, 'code', 'ambulance-trusts.csv'),
      name: field(r, 'name', 'ambulance-trusts.csv'),
      shortName: field(r, 'short_name', 'ambulance-trusts.csv'),
      validFrom: field(r, 'valid_from', 'ambulance-trusts.csv'),
      validTo: field(r, 'valid_to', 'ambulance-trusts.csv') || null,
      successorCode: field(r, 'successor_code', 'ambulance-trusts.csv') || null,
    })),
  );
  const areas = byCode<Area>(
    readContentCsv('geography/areas.csv').map((r) => {
      const kind = field(r, 'kind', 'areas.csv');
      const coverage = field(r, 'ambulance_coverage', 'areas.csv');
      if (kind !== 'pct' && kind !== 'care_trust') throw new Error(`content/areas.csv: bad kind "${kind}"`);
      if (coverage !== 'whole' && coverage !== 'partial')
        throw new Error(`content/areas.csv: bad ambulance_coverage "${coverage}"`);
      return {
        code: field(r, 'code', 'areas.csv'),
        onsCode: field(r, 'ons_code', 'areas.csv'),
        name: field(r, 'name', 'areas.csv'),
        kind,
        regionCode: field(r, 'region_code', 'areas.csv'),
        ambulanceTrustCode: field(r, 'ambulance_trust_code', 'areas.csv'),
        ambulanceCoverage: coverage,
        population2011: number(r, 'population_2011', 'areas.csv'),
      };
    }),
  );
  const districts = new Map<string, PostcodeDistrict>();
  for (const r of readContentCsv('geography/postcode-districts.csv')) {
    const confidence = field(r, 'confidence', 'postcode-districts.csv');
    if (confidence !== 'high' && confidence !== 'medium' && confidence !== 'low')
      throw new Error(`content/postcode-districts.csv: bad confidence "${confidence}"`);
    const district: PostcodeDistrict = {
      outcode: field(r, 'outcode', 'postcode-districts.csv'),
      latitude: number(r, 'latitude', 'postcode-districts.csv'),
      longitude: number(r, 'longitude', 'postcode-districts.csv'),
      population2011: number(r, 'population_2011', 'postcode-districts.csv'),
      areaCode: field(r, 'area_code', 'postcode-districts.csv'),
      confidence: confidence as Confidence,
      method: field(r, 'method', 'postcode-districts.csv'),
    };
    districts.set(district.outcode, district);
  }
  const ccgAreas = readContentCsv('geography/ccg-areas.csv').map((r) => ({
    ccgCode: field(r, 'ccg_code', 'ccg-areas.csv'),
    ccgOnsCode: field(r, 'ccg_ons_code', 'ccg-areas.csv'),
    ccgName: field(r, 'ccg_name', 'ccg-areas.csv'),
    areaCode: field(r, 'area_code', 'ccg-areas.csv'),
    areaPostcodesPercent: number(r, 'area_postcodes_percent', 'ccg-areas.csv'),
  }));

  for (const area of areas.values()) {
    if (!regions.has(area.regionCode))
      throw new Error(`content: area ${area.code} names unknown region ${area.regionCode}`);
    if (!ambulanceTrusts.has(area.ambulanceTrustCode))
      throw new Error(`content: area ${area.code} names unknown ambulance trust ${area.ambulanceTrustCode}`);
  }
  for (const d of districts.values()) {
    if (!areas.has(d.areaCode))
      throw new Error(`content: district ${d.outcode} names unknown area ${d.areaCode}`);
  }
  for (const c of ccgAreas) {
    if (!areas.has(c.areaCode)) throw new Error(`content: CCG ${c.ccgCode} names unknown area ${c.areaCode}`);
  }
  return { regions, areas, ambulanceTrusts, districts, ccgAreas };
}
