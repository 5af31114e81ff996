import type { GeographyContent } from '../content/geography';
import type {
  AmbulanceTrust,
  Area,
  Geography,
  PostcodeDistrict,
  PostcodeRecord,
  Region,
} from '../domain/geography/index';
import type { Db, Tx } from './db';

const CHUNK = 500;

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** Writes the reference geography (regions, areas, trusts, districts, CCGs) into an empty store. */
export async function insertGeography(tx: Tx, geo: GeographyContent): Promise<void> {
  await insertChunked([...geo.regions.values()], (c) =>
    tx
      .insertInto('region')
      .values(c.map((r) => ({ code: r.code, ons_code: r.onsCode, name: r.name, org_name: r.orgName })))
      .execute(),
  );
  await insertChunked([...geo.ambulanceTrusts.values()], (c) =>
    tx
      .insertInto('ambulance_trust')
      .values(
        c.map((t) => ({
          code: t.code,
          name: t.name,
          short_name: t.shortName,
          valid_from: t.validFrom,
          valid_to: t.validTo,
          successor_code: t.successorCode,
        })),
      )
      .execute(),
  );
  await insertChunked([...geo.areas.values()], (c) =>
    tx
      .insertInto('area')
      .values(
        c.map((a) => ({
          code: a.code,
          ons_code: a.onsCode,
          name: a.name,
          kind: a.kind,
          region_code: a.regionCode,
          ambulance_trust_code: a.ambulanceTrustCode,
          ambulance_coverage: a.ambulanceCoverage,
          population_2011: a.population2011,
        })),
      )
      .execute(),
  );
  await insertChunked([...geo.districts.values()], (c) =>
    tx
      .insertInto('postcode_district')
      .values(
        c.map((d) => ({
          outcode: d.outcode,
          latitude: d.latitude,
          longitude: d.longitude,
          population_2011: d.population2011,
          area_code: d.areaCode,
          confidence: d.confidence,
          method: d.method,
        })),
      )
      .execute(),
  );
  await insertChunked(geo.ccgAreas, (c) =>
    tx
      .insertInto('ccg_area')
      .values(
        c.map((x) => ({
          ccg_code: x.ccgCode,
          ccg_ons_code: x.ccgOnsCode,
          ccg_name: x.ccgName,
          area_code: x.areaCode,
          area_postcodes_percent: x.areaPostcodesPercent,
        })),
      )
      .execute(),
  );
  const organisations = [
    ...[...geo.regions.values()].map((r) => ({ code: r.code, name: r.orgName, kind: 'region' })),
    ...[...geo.areas.values()].map((a) => ({ code: a.code, name: a.name, kind: 'area' })),
    ...[...geo.ambulanceTrusts.values()]
      // 5QT is both a PCT and (until 2012) the Isle of Wight ambulance service: one organisation.
      .filter((t) => !geo.areas.has(t.code))
      .map((t) => ({ code: t.code, name: t.name, kind: 'ambulance_trust' })),
  ];
  await insertChunked(organisations, (c) => tx.insertInto('organisation').values(c).execute());
}

/** Reads the geography back into memory: small (a few thousand rows), read on every postcode look-up. */
export async function loadGeography(db: Db): Promise<Geography> {
  const [regions, areas, trusts, districts] = await Promise.all([
    db.selectFrom('region').selectAll().execute(),
    db.selectFrom('area').selectAll().execute(),
    db.selectFrom('ambulance_trust').selectAll().execute(),
    db.selectFrom('postcode_district').selectAll().execute(),
  ]);
  return {
    regions: new Map<string, Region>(
      regions.map((r) => [r.code, { code: r.code, onsCode: r.ons_code, name: r.name, orgName: r.org_name }]),
    ),
    areas: new Map<string, Area>(
      areas.map((a) => [
        a.code,
        {
          code: a.code,
          onsCode: a.ons_code,
          name: a.name,
          kind: a.kind,
          regionCode: a.region_code,
          ambulanceTrustCode: a.ambulance_trust_code,
          ambulanceCoverage: a.ambulance_coverage,
          population2011: a.population_2011,
        },
      ]),
    ),
    ambulanceTrusts: new Map<string, AmbulanceTrust>(
      trusts.map((t) => [
        t.code,
        {
          code: t.code,
          name: t.name,
          shortName: t.short_name,
          validFrom: t.valid_from,
          validTo: t.valid_to,
          successorCode: t.successor_code,
        },
      ]),
    ),
    districts: new Map<string, PostcodeDistrict>(
      districts.map((d) => [
        d.outcode,
        {
          outcode: d.outcode,
          latitude: d.latitude,
          longitude: d.longitude,
          population2011: d.population_2011,
          areaCode: d.area_code,
          confidence: d.confidence,
          method: d.method,
        },
      ]),
    ),
  };
}

export async function findPostcode(db: Db, postcode: string): Promise<PostcodeRecord | undefined> {
  const row = await db.selectFrom('postcode').selectAll().where('postcode', '=', postcode).executeTakeFirst();
  return row
    ? { postcode: row.postcode, latitude: row.latitude, longitude: row.longitude, areaCode: row.area_code }
    : undefined;
}

/** Inserts or replaces full postcodes (from the ONS Postcode Directory) in one statement. */
export async function upsertPostcodes(
  tx: Tx,
  rows: readonly PostcodeRecord[],
  source: string,
): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('postcode')
    .values(
      rows.map((r) => ({
        postcode: r.postcode,
        outcode: r.postcode.split(' ')[0] ?? r.postcode,
        latitude: r.latitude,
        longitude: r.longitude,
        area_code: r.areaCode,
        source,
      })),
    )
    .onConflict((oc) =>
      oc.column('postcode').doUpdateSet((eb) => ({
        latitude: eb.ref('excluded.latitude'),
        longitude: eb.ref('excluded.longitude'),
        area_code: eb.ref('excluded.area_code'),
        source: eb.ref('excluded.source'),
        imported_at: new Date(),
      })),
    )
    .execute();
}

export async function countPostcodes(db: Db): Promise<number> {
  const row = await db
    .selectFrom('postcode')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
