import { notFound } from '../errors';
import type { ParsedPostcode } from './postcode';
import type { AmbulanceTrust, Area, Geography, Location, PostcodeRecord, Region } from './types';

const MAX_SUCCESSIONS = 10;

/**
 * The ambulance trust that answers for an area on a given day. Trusts were merged (Great Western into
 * South Western on 1 February 2013) or changed hands (Isle of Wight, April 2012), so the 2011 trust
 * is followed through its successors up to `at`.
 */
export function ambulanceTrustOn(geo: Geography, area: Area, at: Date): AmbulanceTrust {
  const day = at.toISOString().slice(0, 10);
  let trust = geo.ambulanceTrusts.get(area.ambulanceTrustCode);
  if (!trust) throw notFound(`Area ${area.code} names unknown ambulance trust ${area.ambulanceTrustCode}.`);
  for (let i = 0; i < MAX_SUCCESSIONS && trust.validTo !== null && trust.validTo < day; i++) {
    const next: AmbulanceTrust | undefined = trust.successorCode
      ? geo.ambulanceTrusts.get(trust.successorCode)
      : undefined;
    if (!next) break;
    trust = next;
  }
  return trust;
}

export function areaWithRegion(geo: Geography, code: string): { area: Area; region: Region } {
  const area = geo.areas.get(code.toUpperCase());
  if (!area) throw notFound(`There is no commissioning area with code "${code}".`);
  const region = geo.regions.get(area.regionCode);
  if (!region) throw notFound(`Area ${area.code} names unknown region ${area.regionCode}.`);
  return { area, region };
}

/**
 * Resolves a parsed postcode to district → area (PCT) → region (SHA) → ambulance trust. A full postcode
 * found in the ONS Postcode Directory is placed exactly; otherwise its district places it, with the
 * district's confidence. A well-formed postcode in no known district is not found: never a guess.
 */
export function resolveLocation(
  geo: Geography,
  parsed: ParsedPostcode,
  exact: PostcodeRecord | undefined,
  at: Date,
): Location {
  const query = parsed.kind === 'postcode' ? parsed.postcode : parsed.outcode;
  const district = geo.districts.get(parsed.outcode);
  if (!district) {
    throw notFound(
      `We do not know the postcode district ${parsed.outcode} in England. Check the postcode, or place the caller by area.`,
    );
  }
  const areaCode = exact?.areaCode ?? district.areaCode;
  const { area, region } = areaWithRegion(geo, areaCode);
  return {
    query,
    basis: exact ? 'postcode' : 'district',
    latitude: exact?.latitude ?? district.latitude,
    longitude: exact?.longitude ?? district.longitude,
    confidence: exact ? 'high' : district.confidence,
    district,
    area,
    region,
    ambulanceTrust: ambulanceTrustOn(geo, area, at),
  };
}
