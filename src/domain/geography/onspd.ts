import { parsePostcode } from './postcode';
import type { Area, PostcodeRecord } from './types';

/** The ONS Postcode Directory columns open111 reads (names as in the ONSPD CSV header). */
export const ONSPD_REQUIRED_COLUMNS = ['pcds', 'lat', 'long', 'pct'] as const;

export type OnspdRowResult =
  | { readonly kind: 'postcode'; readonly record: PostcodeRecord }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'bad'; readonly reason: string };

/** Looks an area up by either of its codes: ONSPD gives ONS codes (E16…) in recent releases, ODS in old. */
export function areaCodeIndex(areas: Iterable<Area>): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const a of areas) {
    index.set(a.code, a.code);
    index.set(a.onsCode, a.code);
  }
  return index;
}

/**
 * One ONSPD row → a postcode record, or why not. Terminated postcodes are skipped (a caller cannot live
 * at one); rows without coordinates (ONSPD writes 99.999999) or outside England's PCTs are bad.
 */
export function readOnspdRow(
  row: Record<string, string | undefined>,
  areaCodes: ReadonlyMap<string, string>,
): OnspdRowResult {
  const raw = row.pcds ?? row.pcd ?? '';
  let postcode: string;
  try {
    const parsed = parsePostcode(raw);
    if (parsed.kind !== 'postcode') return { kind: 'bad', reason: `"${raw}" is not a full postcode` };
    postcode = parsed.postcode;
  } catch {
    return { kind: 'bad', reason: `"${raw}" is not a postcode` };
  }
  if ((row.doterm ?? '').trim() !== '')
    return { kind: 'skipped', reason: `${postcode} was terminated in ${row.doterm}` };
  const latitude = Number(row.lat);
  const longitude = Number(row.long);
  if (
    !Number.isFinite(latitude) ||
    !Number.isFinite(longitude) ||
    Math.abs(latitude) > 90 ||
    Math.abs(longitude) > 180 ||
    latitude === 99.999999
  ) {
    return {
      kind: 'bad',
      reason: `${postcode} has no usable latitude/longitude ("${row.lat}", "${row.long}")`,
    };
  }
  const pct = (row.pct ?? '').trim().toUpperCase();
  const areaCode = areaCodes.get(pct);
  if (!areaCode)
    return { kind: 'bad', reason: `${postcode} names PCT "${pct}", which is not an English PCT of 2011–13` };
  return { kind: 'postcode', record: { postcode, latitude, longitude, areaCode } };
}
