/**
 * The Directory benchmark's SQL side: the 50,000 services as a table, and the same filtered
 * nearest-service search as PostGIS (KNN on a geography column with a GiST index) and as
 * cube/earthdistance. Neither evaluates opening times or computes gaps; the in-process search does both.
 */
import type pg from 'pg';
import { ageInDays, type DirectorySearch, type ServiceRecord } from '../../src/domain/directory/index';

/** Loads the services into `bench_dos_service` (dropped first), 1,000 rows a statement. */
export async function loadServices(client: pg.Client, services: readonly ServiceRecord[]): Promise<void> {
  await client.query('drop table if exists bench_dos_service');
  await client.query(`create table bench_dos_service (
    id text primary key, type_id int not null, status text not null, latitude float8 not null, longitude float8 not null,
    dispositions text[] not null, sgs text[] not null, sg_sds text[] not null, sexes text[] not null, roles text[] not null,
    age_min int not null, age_max int not null, capacity_status text not null, capacity_reset_at timestamptz,
    limited boolean not null, area_code text not null)`);
  // Arrays of arrays go through unnest as text literals and are cast back.
  const literal = (xs: readonly string[]) => `{${xs.join(',')}}`;
  for (let i = 0; i < services.length; i += 1000) {
    const chunk = services.slice(i, i + 1000);
    await client.query(
      `insert into bench_dos_service
         select id, type_id, status, latitude, longitude, d::text[], g::text[], p::text[], s::text[], r::text[],
                age_min, age_max, capacity_status, capacity_reset_at, limited, area_code
         from unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::int[], $12::int[], $13::text[], $14::timestamptz[], $15::bool[], $16::text[])
           as t(id, type_id, status, latitude, longitude, d, g, p, s, r, age_min, age_max, capacity_status,
                capacity_reset_at, limited, area_code)`,
      [
        chunk.map((s) => s.id),
        chunk.map((s) => s.typeId),
        chunk.map((s) => s.status),
        chunk.map((s) => s.latitude),
        chunk.map((s) => s.longitude),
        chunk.map((s) => literal(s.dispositions)),
        chunk.map((s) => literal([...new Set(s.symptoms.map((p) => p.sg))])),
        chunk.map((s) => literal(s.symptoms.map((p) => `${p.sg}/${p.sd}`))),
        chunk.map((s) => literal(s.sexes)),
        chunk.map((s) => literal(s.referralRoles)),
        chunk.map((s) => s.ageMinDays),
        chunk.map((s) => s.ageMaxDays),
        chunk.map((s) => s.capacity.status),
        chunk.map((s) => s.capacity.resetAt),
        chunk.map((s) => s.limited),
        chunk.map((s) => s.areaCode),
      ],
    );
  }
  await client.query('analyze bench_dos_service');
}

/** The type ids with a service that accepts each disposition (what the index's groups know). */
export function typesByDisposition(services: readonly ServiceRecord[]): Map<string, number[]> {
  const out = new Map<string, Set<number>>();
  for (const s of services)
    for (const d of s.dispositions) {
      const set = out.get(d) ?? new Set<number>();
      set.add(s.typeId);
      out.set(d, set);
    }
  return new Map([...out].map(([d, set]) => [d, [...set].sort((a, b) => a - b)]));
}

/** Every filter the in-process search applies but opening times; $1 the point (geography). */
const postgisFilters = `st_dwithin(geog, $1::geography, $2)
      and status = 'active' and $3 = any(dispositions)
      and ($4::text is null or cardinality(sgs) = 0 or ($4 = any(sgs) and sg_sds @> $5::text[]))
      and $6 = any(sexes) and $7 between age_min and age_max and $8 = any(roles)
      and not (capacity_status = 'red' and (capacity_reset_at is null or capacity_reset_at > $9))
      and (not limited or area_code = $10)`;

/**
 * The ranked answer's shape in PostGIS: for each type that accepts the disposition, its two nearest
 * services that pass, by KNN (`geog <-> point`) within the distance.
 */
export const postgisPerTypeSql = `select s.id, s.type_id, s.metres
  from unnest($11::int[]) as t(type_id)
  cross join lateral (
    select id, type_id, st_distance(geog, $1::geography) as metres from bench_dos_service
    where type_id = t.type_id and ${postgisFilters}
    order by geog <-> $1::geography limit 2) s
  order by s.metres`;

/** The lightest nearest-service query: the 20 nearest that pass, whatever their type. */
export const postgisNearestSql = `select id, type_id, st_distance(geog, $1::geography) as metres from bench_dos_service
  where ${postgisFilters} and type_id = any($11::int[])
  order by geog <-> $1::geography limit 20`;

export function postgisParams(q: DirectorySearch, typeIds: readonly number[]): unknown[] {
  return [
    `SRID=4326;POINT(${q.longitude} ${q.latitude})`,
    q.distanceKm * 1000,
    q.disposition,
    q.symptomGroup,
    q.symptomGroup ? q.symptomDiscriminators.map((sd) => `${q.symptomGroup}/${sd}`) : [],
    q.sex,
    ageInDays(q.age),
    q.role,
    q.at.toISOString(),
    q.areaCode ?? '',
    typeIds,
  ];
}

/** The older baseline: cube/earthdistance (earth_box on a GiST index, then earth_distance), limit 100. */
export const cubeSql = `select id, type_id, earth_distance(ll_to_earth($1, $2), ll_to_earth(latitude, longitude)) as metres
  from bench_dos_service
  where earth_box(ll_to_earth($1, $2), $3) @> ll_to_earth(latitude, longitude)
    and earth_distance(ll_to_earth($1, $2), ll_to_earth(latitude, longitude)) <= $3
    and status = 'active' and $4 = any(dispositions) and $5 = any(sexes) and $6 = any(roles)
    and $7 between age_min and age_max and capacity_status <> 'red' and (not limited or area_code = $8)
  order by metres limit 100`;
