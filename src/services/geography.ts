import { invalid } from '../domain/errors';
import {
  type AmbulanceTrust,
  type Area,
  ambulanceTrustOn,
  areaCodeIndex,
  areaWithRegion,
  type Location,
  ONSPD_REQUIRED_COLUMNS,
  type PostcodeDistrict,
  type PostcodeRecord,
  type Region,
  readOnspdRow,
} from '../domain/geography/index';
import { upsertPostcodes } from '../store/geography';
import type { ServiceContext } from './context';
import { locate } from './locate';
import { authorize, type Caller, inUseCase } from './use-case';

/**
 * The health geography as reference data: where a postcode is, which areas an SHA has, which districts
 * an area covers. Every member of staff may read it (`reference.read`); only the national administrator
 * loads it (`reference.import`).
 */

const readReference = (ctx: ServiceContext, caller: Caller, what: string, id?: string) =>
  authorize(ctx, caller, 'reference.read', {}, { type: what, id: id ?? null });

/** Places a postcode: district → area (PCT) → region (SHA) → ambulance trust at the instant. */
export async function placePostcode(
  ctx: ServiceContext,
  caller: Caller,
  postcode: string,
  at: Date,
): Promise<Location> {
  await readReference(ctx, caller, 'postcode', postcode);
  return locate(ctx, postcode, at);
}

export interface RegionSummary {
  readonly region: Region;
  readonly areaCount: number;
}

/** The strategic health authorities, each with how many areas it has. */
export async function listRegions(ctx: ServiceContext, caller: Caller): Promise<RegionSummary[]> {
  await readReference(ctx, caller, 'region');
  const geo = await ctx.geography();
  const counts = new Map<string, number>();
  for (const a of geo.areas.values()) counts.set(a.regionCode, (counts.get(a.regionCode) ?? 0) + 1);
  return [...geo.regions.values()].map((region) => ({ region, areaCount: counts.get(region.code) ?? 0 }));
}

export interface AreaSummary {
  readonly area: Area;
  readonly region: { readonly code: string; readonly name: string };
  /** The ambulance trust serving it today (trusts merged over time). */
  readonly ambulanceTrust: AmbulanceTrust;
}

/** The commissioning areas (PCTs) by name, optionally of one SHA. */
export async function listAreas(
  ctx: ServiceContext,
  caller: Caller,
  regionCode?: string,
): Promise<AreaSummary[]> {
  await readReference(ctx, caller, 'area');
  const geo = await ctx.geography();
  const now = ctx.now();
  return [...geo.areas.values()]
    .filter((a) => !regionCode || a.regionCode === regionCode.toUpperCase())
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((area) => ({
      area,
      region: { code: area.regionCode, name: geo.regions.get(area.regionCode)?.orgName ?? area.regionCode },
      ambulanceTrust: ambulanceTrustOn(geo, area, now),
    }));
}

/** One area with its region, ambulance trust and postcode districts; 404 for an unknown code. */
export async function areaDetail(
  ctx: ServiceContext,
  caller: Caller,
  code: string,
): Promise<AreaSummary & { readonly districts: string[] }> {
  await readReference(ctx, caller, 'area', code);
  const geo = await ctx.geography();
  const { area, region } = areaWithRegion(geo, code);
  return {
    area,
    region: { code: region.code, name: region.orgName },
    ambulanceTrust: ambulanceTrustOn(geo, area, ctx.now()),
    districts: [...geo.districts.values()].filter((d) => d.areaCode === area.code).map((d) => d.outcode),
  };
}

/** Every postcode district with its area's region (for maps). */
export async function listDistricts(
  ctx: ServiceContext,
  caller: Caller,
): Promise<(PostcodeDistrict & { readonly regionCode: string })[]> {
  await readReference(ctx, caller, 'postcode_district');
  const geo = await ctx.geography();
  return [...geo.districts.values()].map((d) => ({
    ...d,
    regionCode: geo.areas.get(d.areaCode)?.regionCode ?? '',
  }));
}

export interface ReferenceOrganisations {
  readonly regions: readonly Region[];
  readonly areas: readonly Area[];
  readonly ambulanceTrusts: readonly AmbulanceTrust[];
}

/** The organisations of the health geography: SHAs, PCTs and ambulance trusts, each once. */
export async function referenceOrganisations(
  ctx: ServiceContext,
  caller: Caller,
): Promise<ReferenceOrganisations> {
  await readReference(ctx, caller, 'organisation');
  const geo = await ctx.geography();
  return {
    regions: [...geo.regions.values()],
    areas: [...geo.areas.values()],
    // 5QT is both a PCT and (until 2012) the Isle of Wight ambulance service: one organisation.
    ambulanceTrusts: [...geo.ambulanceTrusts.values()].filter((t) => !geo.areas.has(t.code)),
  };
}

/** One row of an ONS Postcode Directory file, as the file reader hands it on. */
export interface OnspdRow {
  readonly record: Readonly<Record<string, string>>;
  readonly line: number;
  /** How far into the file the row ends, for progress. */
  readonly bytes: number;
}

export interface ImportReport {
  readonly imported: number;
  readonly skipped: number;
  /** How many rows were bad; the first 1,000 of them are listed in `bad`. */
  readonly badCount: number;
  readonly bad: { readonly line: number; readonly reason: string }[];
}

const BATCH = 1000;
const MAX_BAD_KEPT = 1000;

/**
 * Loads full postcodes from the ONS Postcode Directory: a transaction per batch of 1,000 rows, so a
 * failure part-way keeps every batch already written and nothing half-written (a file of 2.6 million
 * rows is not one transaction). Bad rows are reported with their line number and skipped.
 */
export async function importPostcodes(
  ctx: ServiceContext,
  caller: Caller,
  file: string,
  rows: AsyncIterable<OnspdRow>,
  onProgress?: (bytes: number) => void,
): Promise<ImportReport> {
  await authorize(ctx, caller, 'reference.import', {}, { type: 'postcode', id: file });
  const areaCodes = areaCodeIndex((await ctx.geography()).areas.values());
  let imported = 0;
  let skipped = 0;
  let badCount = 0;
  const bad: ImportReport['bad'] = [];
  let batch: PostcodeRecord[] = [];
  let checkedHeader = false;

  const flush = async () => {
    if (batch.length === 0) return;
    const written = batch;
    batch = [];
    await inUseCase(ctx, caller, (u) => upsertPostcodes(u.tx, written, 'onspd'));
    imported += written.length;
  };

  for await (const { record, line, bytes } of rows) {
    if (!checkedHeader) {
      const missing = ONSPD_REQUIRED_COLUMNS.filter((c) => !(c in record));
      if (missing.length > 0) {
        throw invalid(
          `${file} is not an ONS Postcode Directory CSV: it has no column ${missing.join(', ')}.`,
        );
      }
      checkedHeader = true;
    }
    const result = readOnspdRow(record, areaCodes);
    if (result.kind === 'postcode') batch.push(result.record);
    else if (result.kind === 'skipped') skipped++;
    else {
      badCount++;
      if (bad.length < MAX_BAD_KEPT) bad.push({ line, reason: result.reason });
    }
    if (batch.length >= BATCH) {
      await flush();
      onProgress?.(bytes);
    }
  }
  await flush();
  await inUseCase(ctx, caller, (u) =>
    u.audit('import', { type: 'postcode' }, { file, imported, skipped, bad: badCount }),
  );
  return { imported, skipped, badCount, bad };
}
